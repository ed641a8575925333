"""What the API and the pages share: the engine, the in-memory audit cache, the jobs, and the
typed confirmations. Routes call this and render; the engine makes every decision about AWS.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from rootctl.core.compliance import evaluate
from rootctl.core.engine import RootAccess
from rootctl.core.review import refusal
from rootctl.errors import InputError, JournalUnavailable, NotFound
from rootctl.models import (
    Account,
    AccountAudit,
    ApplyReport,
    AuditReport,
    AuditSource,
    AuditState,
    Capability,
    ComplianceReport,
    CredentialKind,
    DeletionPlan,
    DeletionReport,
    DoctorReport,
    FeatureChange,
    JournalOutcome,
    JournalQuery,
    JournalRow,
    Operation,
    Organization,
    OrgStatus,
    PlanDocument,
    PlanOperation,
    PolicyListing,
    ProgressCallback,
    RecoveryReport,
    ResourceKind,
    ResourcePolicy,
    TargetSelector,
    TargetSet,
    UnlockResult,
)
from rootctl.web.jobs import Job, JobKind, JobRegistry, JobState


class ConfirmationError(InputError):
    """The typed confirmation did not match; nothing was done."""


@dataclass(frozen=True)
class Selection:
    """Accounts and OUs picked in the tree (or sent to the API). Never a file path: the
    server must not read files a browser names."""

    accounts: tuple[str, ...] = ()
    ous: tuple[str, ...] = ()
    all: bool = False
    exclude: tuple[str, ...] = ()

    def selector(self) -> TargetSelector:
        if not (self.all or self.accounts or self.ous):
            raise InputError("Choose at least one account or OU.")
        return TargetSelector(
            all=self.all, accounts=self.accounts, ous=self.ous, exclude=self.exclude
        )


@dataclass
class AuditCache:
    """The last audit of every account, so pages never wait on AWS to show posture."""

    rows: dict[str, AccountAudit] = field(default_factory=dict)
    audited_at: dict[str, datetime] = field(default_factory=dict)
    full_audit_at: datetime | None = None
    last_error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def merge(self, report: AuditReport, *, full: bool) -> None:
        now = datetime.now(UTC)
        with self._lock:
            for row in report.accounts:
                self.rows[row.account.id] = row
                self.audited_at[row.account.id] = now
            if full:
                self.full_audit_at = now
            self.last_error = None

    def get(self, account_id: str) -> AccountAudit | None:
        with self._lock:
            return self.rows.get(account_id)

    def snapshot(self) -> dict[str, AccountAudit]:
        with self._lock:
            return dict(self.rows)


@dataclass(frozen=True)
class Notice:
    level: str  # "ok", "warn", "error"
    title: str
    lines: tuple[str, ...] = ()


class Notices:
    """One-shot messages carried across a POST → redirect → GET by id."""

    def __init__(self, keep: int = 100) -> None:
        self._items: OrderedDict[str, Notice] = OrderedDict()
        self._keep = keep
        self._lock = threading.Lock()
        self._next = 0

    def add(self, notice: Notice) -> str:
        with self._lock:
            self._next += 1
            key = str(self._next)
            self._items[key] = notice
            while len(self._items) > self._keep:
                self._items.popitem(last=False)
            return key

    def get(self, key: str | None) -> Notice | None:
        with self._lock:
            return self._items.get(key or "")


def expected_confirmation(account_ids: Sequence[str]) -> str:
    """One account: type its id. Several: type how many (what the button acts on)."""
    return account_ids[0] if len(account_ids) == 1 else str(len(account_ids))


def check_confirmation(typed: str, account_ids: Sequence[str]) -> None:
    if not account_ids:
        raise InputError("Nothing to act on: no account in this selection can be changed.")
    expected = expected_confirmation(account_ids)
    if typed.strip() != expected:
        what = "the account id" if len(account_ids) == 1 else "the number of accounts"
        raise ConfirmationError(f"Type {what} ({expected}) to confirm; nothing was done.")


class Dashboard:
    def __init__(self, engine: RootAccess, jobs: JobRegistry | None = None) -> None:
        self.engine = engine
        engine.source = AuditSource.DASHBOARD  # recorded with every audit it runs
        self.jobs = jobs or JobRegistry()
        self.cache = AuditCache()
        self.notices = Notices()
        self._status: OrgStatus | None = None
        self._status_lock = threading.Lock()

    # -- reading ----------------------------------------------------------------------------

    def status(self, *, refresh: bool = False) -> OrgStatus:
        with self._status_lock:
            if self._status is None or refresh:
                self._status = self.engine.status()
            return self._status

    def organization(self) -> Organization:
        return self.engine.organization()

    def member(self, account_id: str) -> Account:
        """The account, or NotFound (a 404) when it is not in the organization."""
        org = self.organization()
        found = org.account(account_id)
        if found is None:
            raise NotFound(f"account {account_id} is not in organization {org.id}.")
        return found

    def account(self, account_id: str) -> tuple[AccountAudit | None, datetime | None]:
        self.member(account_id)
        return self.cache.get(account_id), self.cache.audited_at.get(account_id)

    def targets(self, selection: Selection) -> TargetSet:
        return self.engine.select_targets(selection.selector())

    def journal(
        self,
        *,
        account: str | None = None,
        action: str | None = None,
        outcome: str | None = None,
        since: datetime | None = None,
        limit: int | None = 500,
    ) -> list[JournalRow]:
        try:
            outcomes = (JournalOutcome(outcome),) if outcome else ()
        except ValueError:
            raise InputError(f"unknown outcome {outcome!r}.") from None
        query = JournalQuery(
            since=since,
            accounts=(account,) if account else (),
            actions=(action,) if action else (),
            outcomes=outcomes,
            limit=limit,
        )
        return self.engine.journal_entries(query)

    def journal_entry(self, entry_id: int) -> JournalRow:
        try:
            return self.engine.journal_entry(entry_id)
        except JournalUnavailable:
            raise
        except InputError as exc:
            raise NotFound(exc.message) from None

    def compliance(self) -> ComplianceReport | None:
        """The root-user controls on the cached audit, with the cached status: no AWS call
        beyond the tree. None before any audit; a member the cache has not seen yet is
        not evaluated ("not-run"), like an account the CLI's audit did not reach."""
        rows = self.cache.snapshot()
        if not rows:
            return None
        org = self.organization()
        unseen = "not in the dashboard's audit yet (Re-audit)"
        audits = tuple(
            rows.get(a.id) or AccountAudit(a, AuditState.NOT_RUN, reason=unseen)
            for a in org.accounts
        )
        return evaluate(AuditReport(org.id, audits), self.status())

    def doctor(self, operations: Iterable[Operation]) -> DoctorReport:
        """`rootctl doctor --for …` on every account: read-only, but it calls AWS (a short
        AssumeRoot per task and member account), so only the Doctor page asks for it."""
        chosen = tuple(operations)
        if not chosen:
            raise InputError("Choose at least one operation to check.")
        return self.engine.doctor(chosen)

    def audit_job(self) -> Job | None:
        running = self.jobs.running(JobKind.AUDIT)
        return running[0] if running else None

    # -- jobs -------------------------------------------------------------------------------

    def start_audit(self, selection: Selection) -> Job:
        target_set = self.targets(selection)
        full = selection.all and not selection.exclude

        def work(progress: ProgressCallback, cancel: threading.Event) -> AuditReport:
            try:
                return self.engine.audit(target_set, progress=progress, cancel=cancel)
            except Exception as exc:
                self.cache.last_error = str(exc)
                raise

        return self.jobs.start(
            JobKind.AUDIT,
            _title("Audit", target_set),
            _ids(target_set),
            work,
            writes=False,
            then=lambda job: self.cache.merge(job.result, full=full),
        )

    def start_plan(self, selection: Selection, kinds: Iterable[CredentialKind]) -> Job:
        kinds = tuple(kinds)
        if not kinds:
            raise InputError("Choose at least one kind of root credential to delete.")
        target_set = self.targets(selection)

        def work(progress: ProgressCallback, cancel: threading.Event) -> DeletionPlan:
            return self.engine.plan_deletion(target_set, kinds, progress=progress, cancel=cancel)

        return self.jobs.start(
            JobKind.PLAN,
            _title("Plan deletion of root credentials", target_set),
            _ids(target_set),
            work,
            writes=False,
        )

    def start_deletion(self, plan_job_id: str, confirm: str) -> Job:
        plan_job = self.job(plan_job_id)
        if plan_job.kind is not JobKind.PLAN or plan_job.state is not JobState.SUCCEEDED:
            raise InputError("Only a finished deletion plan can be applied.")
        if any(j.parent_id == plan_job_id for j in self.jobs.all()):
            raise InputError("This plan was already applied; make a new plan.")
        plan: DeletionPlan = plan_job.result
        account_ids = [p.account.id for p in plan.to_delete]
        check_confirmation(confirm, account_ids)

        def work(progress: ProgressCallback, cancel: threading.Event) -> DeletionReport:
            return self.engine.delete_credentials(plan, progress=progress, cancel=cancel)

        return self.jobs.start(
            JobKind.DELETE,
            f"Delete root credentials in {_count(len(account_ids))}",
            tuple(account_ids),
            work,
            writes=True,
            parent_id=plan_job_id,
            then=lambda job: self._reaudit(job.account_ids),
        )

    def recovery_targets(self, selection: Selection) -> TargetSet:
        """The selection less the accounts whose last audit already allows recovery: what
        the typed count confirms is what will change (not-audited accounts are counted)."""
        target_set = self.targets(selection)
        cached = self.cache.snapshot()

        def allowed(account_id: str) -> bool:
            creds = audit.credentials if (audit := cached.get(account_id)) else None
            return creds is not None and creds.recovery_allowed

        changing = tuple(a for a in target_set.selected if not allowed(a.id))
        return replace(target_set, selected=changing)

    def start_recovery(self, selection: Selection, confirm: str) -> Job:
        target_set = self.recovery_targets(selection)
        check_confirmation(confirm, _ids(target_set))

        def work(progress: ProgressCallback, cancel: threading.Event) -> RecoveryReport:
            return self.engine.allow_password_recovery(target_set, progress=progress, cancel=cancel)

        return self.jobs.start(
            JobKind.RECOVERY,
            _title("Allow password recovery", target_set),
            _ids(target_set),
            work,
            writes=True,
            then=lambda job: self._reaudit(job.account_ids),
        )

    def start_apply(self, document: PlanDocument, subject: str, confirm: str) -> Job:
        """Apply a plan file as a job. Everything that can refuse it before any AssumeRoot is
        checked here, so a refusal starts nothing: the typed short id, a run already applying
        it, then the engine's check (hash, signature, approvals, expiry, organization, single
        use). The job checks again and claims the plan (the journal decides a race)."""
        plan = document.plan
        expected = plan.id[:8]
        if confirm.strip() != expected:
            raise ConfirmationError(
                f"Type the plan's short id ({expected}) to confirm; nothing was done."
            )
        if any(j.subject == subject for j in self.jobs.running(JobKind.APPLY)):
            raise InputError("This plan is being applied already; follow that job.")
        checked = self.engine.check_plan(document)
        if not checked.ready:
            raise refusal(checked, "apply")
        account_ids = tuple(t.account_id for t in plan.targets)

        def work(progress: ProgressCallback, cancel: threading.Event) -> ApplyReport:
            return self.engine.apply_plan(document, progress=progress, cancel=cancel)

        rereads = plan.operation in (
            PlanOperation.DELETE_CREDENTIALS,
            PlanOperation.ALLOW_PASSWORD_RECOVERY,
        )
        return self.jobs.start(
            JobKind.APPLY,
            f"Apply plan {expected} ({plan.operation.value}) in {_count(len(account_ids))}",
            account_ids,
            work,
            writes=True,
            subject=subject,
            then=lambda job: self._reaudit(job.account_ids) if rereads else None,
        )

    def applying(self, subject: str) -> Job | None:
        """The newest apply job of the plan file ``subject`` this server ran, if any."""
        return next((j for j in self.jobs.all() if j.subject == subject), None)

    def job(self, job_id: str) -> Job:
        job = self.jobs.get(job_id)
        if job is None:
            raise NotFound(f"job {job_id} does not exist (jobs live as long as the server).")
        return job

    def _reaudit(self, account_ids: Sequence[str]) -> None:
        """After a change, re-read the accounts it touched so every page shows the truth."""
        if not account_ids:
            return
        target_set = self.engine.select_targets(TargetSelector(accounts=tuple(account_ids)))
        self.cache.merge(self.engine.audit(target_set), full=False)

    # -- the feature ------------------------------------------------------------------------

    def enable(
        self, capabilities: Iterable[Capability], delegate: str | None, *, dry_run: bool = False
    ) -> FeatureChange:
        capabilities = tuple(capabilities)
        if not capabilities:
            raise InputError("Choose at least one capability to enable.")
        change = self.engine.enable(capabilities, delegate=delegate or None, dry_run=dry_run)
        self.status(refresh=True)
        if (
            not dry_run
            and not change.failed
            and change.after.has(Capability.ROOT_CREDENTIALS_MANAGEMENT)
        ):
            self.start_audit(Selection(all=True))
        return change

    def disable(
        self,
        capabilities: Iterable[Capability],
        *,
        trusted_access: bool,
        confirm: str,
        dry_run: bool = False,
    ) -> FeatureChange:
        capabilities = tuple(capabilities)
        if not capabilities and not trusted_access:
            raise InputError("Choose what to turn off.")
        org_id = self.organization().id
        if confirm.strip() != org_id:
            raise ConfirmationError(
                f"Type the organization id ({org_id}) to confirm; nothing was done."
            )
        change = self.engine.disable(capabilities, trusted_access=trusted_access, dry_run=dry_run)
        self.status(refresh=True)
        return change

    # -- resource policies --------------------------------------------------------------------

    def resources(self, account_id: str, kind: ResourceKind) -> PolicyListing:
        return self.engine.policies(account_id, kind)

    def resource(self, account_id: str, kind: ResourceKind, name: str) -> ResourcePolicy:
        return self.engine.policy(account_id, kind, name)

    def unlock(self, account_id: str, kind: ResourceKind, name: str, confirm: str) -> UnlockResult:
        check_confirmation(confirm, [account_id])
        return self.engine.unlock(account_id, kind, name)

    def close(self) -> None:
        self.jobs.shutdown()


def _ids(target_set: TargetSet) -> tuple[str, ...]:
    return tuple(a.id for a in target_set.selected)


def _count(n: int) -> str:
    return f"{n} account" if n == 1 else f"{n} accounts"


def _title(action: str, target_set: TargetSet) -> str:
    selected = target_set.selected
    if len(selected) == 1:
        return f"{action}: {selected[0].name} ({selected[0].id})"
    return f"{action}: {_count(len(selected))}"
