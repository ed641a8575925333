"""``RootAccess``: the one engine behind the CLI, the web dashboard and the demo.

Build it from :class:`ConnectionOptions` (or an injected ``boto3.Session``), then call its
methods. Methods return typed models (:mod:`rootctl.models`), raise
:class:`rootctl.errors.RootctlError` subclasses for problems that stop an operation, and never
print. Long operations take an optional ``progress`` callback and an optional ``cancel``
event; per-account failures are reported in the result, not raised. Confirmation is the
face's job: show the plan, then call the action.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import boto3

from rootctl.aws.session import ConnectionOptions
from rootctl.core import activity as activity_mod
from rootctl.core import audit as audit_mod
from rootctl.core import deletion, features, recovery, targets, task_session, unlock
from rootctl.core.compliance import evaluate
from rootctl.core.context import Context
from rootctl.core.doctor import catalogue, diagnose
from rootctl.core.fanout import Run
from rootctl.core.organization import read_organization, read_status, read_tags
from rootctl.core.policy import identity_policy, scp_exemption
from rootctl.errors import InputError, RootctlError
from rootctl.journal import Journal, JournalStore
from rootctl.models import (
    Account,
    ActivityReport,
    AuditReport,
    CallerIdentity,
    Capability,
    ComplianceReport,
    CredentialKind,
    DeletionPlan,
    DeletionReport,
    DoctorCheckList,
    DoctorReport,
    FeatureChange,
    JournalQuery,
    JournalRow,
    Operation,
    Organization,
    OrgStatus,
    PolicyDocument,
    PolicyListing,
    Principal,
    ProgressCallback,
    RecoveryReport,
    ResourceKind,
    ResourcePolicy,
    TargetSelector,
    TargetSet,
    TaskPolicy,
    UnlockResult,
)

# Task sessions for any tool (the faces name tasks by these words).
TASKS = task_session.TASKS
task_named = task_session.task_named
check_duration = task_session.check_duration

DEFAULT_CONCURRENCY = 16
BOTH = (Capability.ROOT_CREDENTIALS_MANAGEMENT, Capability.ROOT_SESSIONS)


class RootAccess:
    """Centralized root access management for one AWS Organization.

    ``connection`` defaults to the standard AWS configuration chain (AWS_PROFILE, AWS_REGION,
    AWS_ENDPOINT_URL[_<SERVICE>] …); ``session`` injects your own ``boto3.Session`` (explicit
    keys, a custom credential provider). ``journal`` is a journal store (the SQLite
    :class:`rootctl.Journal`, or another ``JournalStore``) or a path; by default
    ``$ROOTCTL_JOURNAL`` or ``~/.local/state/rootctl/journal.sqlite3``.
    ``concurrency`` bounds how many accounts are worked on at once (and so how many root
    sessions are open at once).
    """

    def __init__(
        self,
        connection: ConnectionOptions | None = None,
        *,
        session: boto3.Session | None = None,
        journal: JournalStore | str | Path | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        if concurrency < 1:
            raise InputError(f"concurrency must be at least 1, not {concurrency}.")
        self.journal: JournalStore = (
            Journal(journal) if journal is None or isinstance(journal, str | Path) else journal
        )
        self._ctx = Context(connection or ConnectionOptions(), self.journal, concurrency, session)
        self._org: Organization | None = None
        self._org_lock = threading.Lock()
        self._tags: dict[str, dict[str, str]] | None = None
        self._tags_lock = threading.Lock()

    def close(self) -> None:
        self._ctx.close()
        self.journal.close()

    def __enter__(self) -> RootAccess:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def region(self) -> str:
        return self._ctx.aws.region

    @property
    def throttled_calls(self) -> int:
        """How many times AWS throttled a call of this engine so far (each was retried, or
        failed when the attempts ran out)."""
        aws = self._ctx.built_aws
        return 0 if aws is None else aws.throttled.count

    def _run(
        self, progress: ProgressCallback | None, cancel: threading.Event | None, phase: str
    ) -> Run:
        return Run(self._ctx.concurrency, progress, cancel, phase)

    # -- reading the organization --------------------------------------------------------

    def caller(self) -> CallerIdentity:
        """Who is calling (sts:GetCallerIdentity, cached)."""
        return self._ctx.caller()

    def organization(self, *, refresh: bool = False) -> Organization:
        """The organization tree (root → OUs → accounts), read once and cached."""
        with self._org_lock:
            if self._org is None or refresh:
                self._org = read_organization(self._ctx)
                self._ctx.account_names = {a.id: a.name for a in self._org.accounts}
            return self._org

    def tags(self, *, refresh: bool = False) -> dict[str, dict[str, str]]:
        """Tags of the root, every OU and every account (resource id → key → value), read
        once (ListTagsForResource per resource, ``concurrency`` at a time) and cached."""
        org = self.organization(refresh=refresh)
        with self._tags_lock:
            if self._tags is None or refresh:
                self._tags = read_tags(self._ctx, org)
            return self._tags

    def status(self) -> OrgStatus:
        """Organization, caller role, IAM trusted access, capabilities, delegated admin."""
        return read_status(self._ctx)

    # -- switching the feature on and off --------------------------------------------------

    def enable(
        self,
        capabilities: Iterable[Capability] = BOTH,
        *,
        delegate: str | None = None,
        dry_run: bool = False,
    ) -> FeatureChange:
        """Turn on IAM trusted access if needed, then ``capabilities``; optionally register
        ``delegate`` as IAM delegated administrator. Idempotent; management account only."""
        return features.enable(
            self._ctx, self.organization(), tuple(capabilities), delegate, dry_run
        )

    def disable(
        self,
        capabilities: Iterable[Capability] = BOTH,
        *,
        trusted_access: bool = False,
        dry_run: bool = False,
    ) -> FeatureChange:
        """Turn ``capabilities`` off (and IAM trusted access too, when asked)."""
        return features.disable(self._ctx, tuple(capabilities), trusted_access, dry_run)

    def deregister_delegate(
        self, account_id: str | None = None, *, dry_run: bool = False
    ) -> FeatureChange:
        """Remove the IAM delegated administrator (the registered one when not named)."""
        return features.deregister_delegate(self._ctx, account_id, dry_run)

    # -- targets ---------------------------------------------------------------------------

    def select_targets(self, selector: TargetSelector) -> TargetSet:
        """Resolve a selector; raises InputError for malformed ids, unknown OUs, accounts
        outside the organization. The management account is always in ``skipped``."""
        # Syntax first: bad input must not cost an AWS call. The file is read once (stdin).
        checked = targets.validate(selector)
        tags = self.tags() if checked.needs_tags else None
        return targets.resolve(checked, self.organization(), tags)

    # -- root credentials ------------------------------------------------------------------

    def audit(
        self,
        target_set: TargetSet,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> AuditReport:
        """Audit each selected account's root credentials (read-only)."""
        return audit_mod.audit(self._ctx, target_set, self._run(progress, cancel, "audit"))

    def plan_deletion(
        self,
        target_set: TargetSet,
        kinds: Iterable[CredentialKind] = tuple(CredentialKind),
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> DeletionPlan:
        """Fresh audit → the exact items to delete per account (nothing is changed)."""
        self.journal.prepare_for_writing()  # the deletion will need it: fail before AssumeRoot
        return deletion.plan(
            self._ctx, target_set, tuple(kinds), self._run(progress, cancel, "audit")
        )

    def delete_credentials(
        self,
        plan: DeletionPlan,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> DeletionReport:
        """Remove exactly the items of ``plan``, each independently, journaled, then verify."""
        self.journal.prepare_for_writing()
        return deletion.delete(self._ctx, plan, self._run(progress, cancel, "delete"))

    def allow_password_recovery(
        self,
        target_set: TargetSet,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> RecoveryReport:
        """CreateLoginProfile (no password) so the root e-mail's owner can use "Forgot
        password"."""
        self.journal.prepare_for_writing()
        return recovery.allow_password_recovery(
            self._ctx, target_set, self._run(progress, cancel, "recovery")
        )

    def compliance(
        self,
        target_set: TargetSet,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> ComplianceReport:
        """Audit ``target_set``, then evaluate Security Hub / CIS root-user controls on it."""
        report = self.audit(target_set, progress=progress, cancel=cancel)
        return evaluate(report, self.status())

    def evaluate_compliance(self, report: AuditReport) -> ComplianceReport:
        """The controls evaluated on an audit already made (the dashboard's cached one)."""
        return evaluate(report, self.status())

    # -- preflight -----------------------------------------------------------------------------

    def doctor(
        self,
        operations: Iterable[Operation],
        selector: TargetSelector | None = None,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> DoctorReport:
        """Find what would block ``operations`` on the selected accounts (default: all), and
        change nothing: the caller, the organization, the caller's permissions, and a short
        AssumeRoot with one harmless read per task in every targeted member account."""
        chosen = targets.validate(selector or TargetSelector())  # bad input costs no AWS call
        run = self._run(progress, cancel, "doctor")
        return diagnose(self._ctx, tuple(operations), chosen, self.organization, run)

    @staticmethod
    def doctor_checks() -> DoctorCheckList:
        """Every check doctor runs, as data (id, title, why, the operations it concerns)."""
        return catalogue()

    def least_privilege_policy(
        self,
        operations: Iterable[Operation],
        *,
        principal: Principal = Principal.HUMAN,
        target_set: TargetSet | None = None,
    ) -> PolicyDocument:
        """The IAM policy for a principal running ``operations`` (sts:AssumeRoot limited to
        ``target_set``'s accounts when given). Makes no AWS call."""
        accounts = None if target_set is None else tuple(a.id for a in target_set.selected)
        return identity_policy(operations, principal, accounts)

    @staticmethod
    def scp_exemption() -> PolicyDocument:
        """The SCP statement that denies root users except centralized root sessions."""
        return scp_exemption()

    # -- resource policies -------------------------------------------------------------------

    def _member(self, account_id: str) -> str:
        account_id = targets.check_account_id(account_id)
        org = self.organization()
        if org.account(account_id) is None:
            raise InputError(f"account {account_id} is not in organization {org.id}.")
        if account_id == org.management_account_id:
            raise InputError(f"{account_id} is the {targets.MANAGEMENT_REASON}.")
        return account_id

    def policies(self, account_id: str, kind: ResourceKind) -> PolicyListing:
        """Every bucket (or queue, in the engine's region) of ``account_id``, with its
        policy."""
        return unlock.list_policies(self._ctx, self._member(account_id), kind)

    def policy(self, account_id: str, kind: ResourceKind, resource: str) -> ResourcePolicy:
        """One bucket (by name) or queue (by URL, or by name in the engine's region)."""
        return unlock.get_policy(self._ctx, self._member(account_id), kind, resource)

    def unlock(self, account_id: str, kind: ResourceKind, resource: str) -> UnlockResult:
        """Save the resource's policy in the journal, then remove it."""
        self.journal.prepare_for_writing()
        return unlock.unlock(self._ctx, self._member(account_id), kind, resource)

    # -- task sessions for any tool ------------------------------------------------------------

    def task_account(self, account_id: str) -> Account:
        """The account a task session may target: an active member of the organization (never
        the management account); InputError otherwise."""
        chosen = self.select_targets(TargetSelector(accounts=(account_id,)))
        if not chosen.selected:
            reason = chosen.skipped[0].reason if chosen.skipped else "not a target"
            raise InputError(f"{account_id} cannot be a task session's target: {reason}.")
        return chosen.selected[0]

    def exec(
        self,
        account_id: str,
        task: TaskPolicy,
        argv: Sequence[str],
        *,
        duration_seconds: int = task_session.MAX_SESSION_SECONDS,
        renew: bool = False,
        reason: str | None = None,
        environment: Mapping[str, str] | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> task_session.ExecResult:
        """Run ``argv`` with a ``task`` root session of ``account_id`` in its environment only;
        journaled. More than 900 s needs ``renew`` (a fresh, journaled session per expiry)."""
        task_session.check_duration(duration_seconds, renew)  # before any AWS call
        account = self.task_account(account_id)
        return task_session.run_command(
            self._ctx,
            account,
            task,
            argv,
            seconds=duration_seconds,
            renew=renew,
            reason=reason,
            environment=environment,
            notify=notify or (lambda _message: None),
        )

    def process_credentials(
        self,
        account_id: str,
        task: TaskPolicy,
        *,
        duration_seconds: int = task_session.MAX_SESSION_SECONDS,
        reason: str | None = None,
    ) -> task_session.ProcessCredentials:
        """One journaled root session in the ``credential_process`` format."""
        task_session.check_duration(duration_seconds, renew=False)
        account = self.task_account(account_id)
        return task_session.process_credentials(self._ctx, account, task, duration_seconds, reason)

    # -- root activity ------------------------------------------------------------------------

    def activity(
        self,
        targets: TargetSet | None,
        *,
        since: datetime,
        until: datetime | None = None,
        trail_lake: str | None = None,
        baseline: timedelta = activity_mod.DEFAULT_BASELINE,
    ) -> ActivityReport:
        """Who did what as root: the AssumeRoot sessions opened on ``targets`` (None: any
        account) in ``[since, until]``, tied to the journal, with their member-account
        actions when ``trail_lake`` (an event data store) holds them; first callers looked for
        ``baseline`` before ``since``. Read-only."""
        accounts = [a.id for a in targets.selected] if targets is not None else None
        if targets is None:
            with contextlib.suppress(RootctlError):
                self.organization()  # names for the accounts, when the caller may read them
        return activity_mod.activity(
            self._ctx,
            accounts=accounts,
            since=since,
            until=until,
            trail_lake=trail_lake,
            baseline=baseline,
        )

    # -- journal -------------------------------------------------------------------------------

    def prepare_journal(self) -> None:
        """Open and validate the journal for writing (create or upgrade it if new or older).
        Raises JournalUnavailable; faces call it before reading AWS or asking to confirm."""
        self.journal.prepare_for_writing()

    def journal_entries(self, query: JournalQuery | None = None) -> list[JournalRow]:
        """Journal rows, newest first; one that cannot be read is an UnreadableEntry."""
        return self.journal.entries(query)

    def journal_entry(self, entry_id: int) -> JournalRow:
        entry = self.journal.entry(entry_id)
        if entry is None:
            raise InputError(f"journal entry {entry_id} does not exist in {self.journal.location}.")
        return entry
