"""The engine's governed changes: plans (make, sign, check, approve, apply) and break-glass
recovery windows (open, look, close, sweep). Mixed into :class:`rootctl.RootAccess`.

Plans and windows expire by rootctl's own clock (``RootAccess(now=…)``), never by AWS's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from rootctl._on_use import OnUse
from rootctl.core import planfile, planning, review, windows
from rootctl.core.planning import PlanTerms
from rootctl.errors import InputError
from rootctl.models import (
    ApplyReport,
    ChangePlan,
    CredentialKind,
    DeletionPlan,
    LockoutReport,
    PlanCheck,
    PlanDocument,
    PlannedFix,
    PlanOperation,
    ProgressCallback,
    ResourceKind,
    SweepReport,
    TargetSet,
    WindowClosure,
    WindowOpening,
    WindowStatusReport,
)

if TYPE_CHECKING:
    from rootctl.core import apply as apply_mod
    from rootctl.core.context import Context
    from rootctl.core.fanout import Run
    from rootctl.models import Account, Organization
else:  # applying a plan (and the lock-out fixes it may carry) loads when a plan is applied
    apply_mod = OnUse("rootctl.core.apply")


class GovernedChanges:
    """Plan → approve → apply, and recovery windows (see docs/cli.md, "Change control")."""

    _ctx: Context

    if TYPE_CHECKING:  # what RootAccess provides

        def _run(
            self, progress: ProgressCallback | None, cancel: threading.Event | None, phase: str
        ) -> Run: ...

        def organization(self, *, refresh: bool = False) -> Organization: ...

        def _member(self, account_id: str) -> str: ...

    def now(self) -> datetime:
        """rootctl's clock (what plans and windows expire by)."""
        return self._ctx.now()

    # -- plans ------------------------------------------------------------------------------

    def make_plan(
        self,
        operation: PlanOperation,
        target_set: TargetSet,
        *,
        terms: PlanTerms | None = None,
        kinds: Iterable[CredentialKind] = tuple(CredentialKind),
        resources: Iterable[str] = (),
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> ChangePlan:
        """A fresh read of ``target_set`` → the exact items ``operation`` would change (nothing
        is changed). ``kinds``: delete-credentials; ``resources``: bucket names or queue
        names/URLs for the unlocks."""
        terms = terms or PlanTerms()
        run = self._run(progress, cancel, "plan")
        if operation is PlanOperation.DELETE_CREDENTIALS:
            return planning.deletion_plan(self._ctx, target_set, tuple(kinds), terms, run)
        if operation is PlanOperation.ALLOW_PASSWORD_RECOVERY:
            return planning.recovery_plan(self._ctx, target_set, terms, run)
        if operation is PlanOperation.FIX_LOCKOUTS:
            raise InputError("a fix-lockouts plan comes from a lock-out scan: plan_from_lockouts.")
        kind = operation.resource_kind
        assert kind is not None
        names = tuple(resources)
        if not names:
            noun = "bucket" if kind is ResourceKind.S3_BUCKET else "queue"
            raise InputError(f"name at least one {noun} to unlock.")
        return planning.unlock_plan(self._ctx, target_set, kind, names, terms, run)

    def plan_from_deletion(
        self, planned: DeletionPlan, terms: PlanTerms | None = None
    ) -> ChangePlan:
        """A change plan of exactly what a deletion preview (``plan_deletion``) found."""
        return planning.from_deletion(self._ctx, planned, terms or PlanTerms())

    def plan_from_lockouts(
        self,
        report: LockoutReport,
        fixes: Sequence[PlannedFix],
        terms: PlanTerms | None = None,
    ) -> ChangePlan:
        """A fix-lockouts change plan of exactly the fixes ``plan_lockout_fixes`` planned from
        ``report``: each with its policy's SHA-256 as scanned and, for a correction, the
        corrected document."""
        return planning.from_lockouts(self._ctx, report, fixes, terms or PlanTerms())

    def plan_document(self, plan: ChangePlan, *, sign_with: str | None = None) -> PlanDocument:
        """The plan ready to write, signed with the KMS key ``sign_with`` when given."""
        return review.signed(self._ctx, plan, sign_with)

    @staticmethod
    def read_plan(path: str | Path) -> PlanDocument:
        """A plan file (shape checked; integrity is :meth:`check_plan`'s)."""
        return planfile.read(path)

    @staticmethod
    def write_plan(document: PlanDocument, path: str | Path) -> None:
        """Write a plan file atomically."""
        planfile.write(document, path)

    @staticmethod
    def plan_text(document: PlanDocument) -> str:
        return planfile.text(document)

    def check_plan(self, document: PlanDocument, *, organization: bool = True) -> PlanCheck:
        """Judge a plan now: hash, KMS signature, approvals (journal or KMS), expiry, use, and
        (``organization``) whether the caller's organization is the plan's."""
        org_id = self.organization().id if organization else None
        return review.check(self._ctx, document, organization_id=org_id)

    def approve_plan(
        self,
        document: PlanDocument,
        *,
        sign_with: str | None = None,
        confirm: Callable[[PlanCheck], None] | None = None,
    ) -> PlanDocument:
        """The caller's approval, recorded in the journal (and signed with KMS when asked);
        returns the document to write back. ``confirm`` is called once the caller may approve,
        before anything is recorded (it raises to stop)."""
        return review.approve(
            self._ctx,
            document,
            organization_id=self.organization().id,
            sign_with=sign_with,
            confirm=confirm,
        )

    def apply_plan(
        self,
        document: PlanDocument,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        confirm: Callable[[PlanCheck], None] | None = None,
    ) -> ApplyReport:
        """Check, claim (single use, in the journal), then change only the items still
        exactly as planned. Raises PlanRefused when the plan cannot be applied. ``confirm``
        is called with the check before the plan is claimed (it raises to stop)."""
        self._ctx.journal.prepare_for_writing()
        org = self.organization()
        checked = review.check(self._ctx, document, organization_id=org.id)
        run = self._run(progress, cancel, "apply")
        return apply_mod.apply(self._ctx, checked, org, run, confirm)

    # -- recovery windows --------------------------------------------------------------------

    def open_recovery_window(
        self,
        account_id: str,
        *,
        reason: str,
        ticket: str | None = None,
        length: timedelta = windows.DEFAULT_LENGTH,
        dry_run: bool = False,
    ) -> WindowOpening:
        """Record a break-glass window on ``account_id``, then allow password recovery.
        ``dry_run``: check everything, record and change nothing (``opened`` is False)."""
        if not timedelta(0) < length <= windows.MAX_LENGTH:
            raise InputError("a recovery window lasts more than 0 seconds and at most 7 days.")
        account = self._account(account_id)
        return windows.open_window(self._ctx, account, reason, ticket, length, dry_run)

    def recovery_windows(
        self,
        *,
        since: datetime | None = None,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> WindowStatusReport:
        """Windows still to close (with what each root user has gained) and those opened
        since ``since`` (default: the last 7 days)."""
        run = self._run(progress, cancel, "look")
        return windows.status(self._ctx, self.organization(), since, run)

    def close_recovery_window(self, account_id: str) -> WindowClosure:
        """Remove everything the root user gained during the account's window; close it."""
        return windows.close(self._ctx, self.organization(), self._member(account_id))

    def sweep_recovery_windows(
        self,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> SweepReport:
        """Close every window past its time (safe to run from several places at once)."""
        return windows.sweep(self._ctx, self.organization(), self._run(progress, cancel, "close"))

    def _account(self, account_id: str) -> Account:
        found = self.organization().account(self._member(account_id))
        assert found is not None  # _member checked it
        return found
