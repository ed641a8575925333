"""The stores of governed changes, next to the journal: plan approvals and single use
(:class:`PlanLedger`), break-glass recovery windows (:class:`WindowStore`).

They keep the journal's guarantees (fail before acting, never touch what is not ours, reading
changes nothing) and add two of their own, which every backend must make atomic — the SQLite
one with a primary key and a partial unique index, a DynamoDB one with conditional writes:

- **A plan is applied once.** :meth:`PlanLedger.claim` records a plan hash's use; a second
  claim of the same hash, from any process or machine sharing the store, gets the first
  record back instead.
- **One closer per window, one active window per account.** :meth:`WindowStore.open` refuses a
  second active window for an account; :meth:`WindowStore.claim` hands a window to exactly one
  closer (or to a later one when the claim went stale).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from rootctl.models import Approval, PlanUse, RecoveryWindow, WindowState


class PlanLedger(Protocol):
    def record_approval(self, plan_hash: str, approval: Approval) -> None:
        """Record an approval of ``plan_hash`` (the first one per approver stays)."""
        ...

    def approvals(self, plan_hash: str) -> list[Approval]:
        """The approvals recorded for ``plan_hash`` (without signatures), oldest first."""
        ...

    def claim(self, use: PlanUse) -> PlanUse | None:
        """Record that ``use.plan_hash`` is being applied. None: this call recorded it. Else
        the use recorded before (the plan was already applied, or is being applied)."""
        ...

    def finish(self, plan_hash: str, outcome: str, finished_at: datetime) -> None: ...

    def use(self, plan_hash: str) -> PlanUse | None: ...


class WindowStore(Protocol):
    def open(self, window: RecoveryWindow) -> RecoveryWindow:
        """Store a new window (its ``id`` is ignored) and return it with its id. Raises
        InputError when the account already has an active window."""
        ...

    def window(self, window_id: int) -> RecoveryWindow | None: ...

    def windows(
        self,
        *,
        account_id: str | None = None,
        active_only: bool = False,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[RecoveryWindow]:
        """Windows, newest first: the active ones, plus (unless ``active_only``) the others
        opened since ``since`` (all when None)."""
        ...

    def claim(
        self, window_id: int, closer_arn: str, now: datetime, stale_before: datetime
    ) -> RecoveryWindow | None:
        """Hand the window to this closer: it must be open or close-failed, or closing under a
        claim older than ``stale_before``. None: another closer has it, or it is closed."""
        ...

    def finish(
        self,
        window_id: int,
        state: WindowState,
        *,
        at: datetime,
        by: str | None = None,
        note: str | None = None,
        evidence: str | None = None,
    ) -> RecoveryWindow:
        """Record the end of an attempt (closed, close-failed, not-opened) and return the
        window as stored."""
        ...
