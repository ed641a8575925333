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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3

from rootctl._on_use import OnUse
from rootctl.aws.journal_dynamodb import SCHEME as DYNAMODB
from rootctl.aws.journal_dynamodb import DynamoJournal
from rootctl.aws.session import ConnectionOptions
from rootctl.core import activity as activity_mod
from rootctl.core import audit as audit_mod
from rootctl.core import (
    clock,
    deletion,
    features,
    history,
    recovery,
    targets,
    task_session,
)
from rootctl.core.context import Context
from rootctl.core.fanout import Run
from rootctl.core.governance import GovernedChanges
from rootctl.core.history import LATEST, AuditRef
from rootctl.core.memory import AuditHistory
from rootctl.core.organization import read_organization, read_status, read_tags
from rootctl.errors import Advice, AdviceCode, InputError, JournalUnavailable, RootctlError
from rootctl.journal import AuditStore, Journal, JournalStore, SqliteAuditStore, SqliteJournal
from rootctl.models import (
    Account,
    ActivityReport,
    AuditReport,
    AuditSource,
    CallerIdentity,
    Capability,
    ChangePlan,
    CheckReport,
    ComplianceReport,
    CredentialKind,
    DeletionPlan,
    DeletionReport,
    DesiredState,
    DoctorCheckList,
    DoctorReport,
    EvidenceReport,
    FeatureChange,
    FixMode,
    GuardrailChange,
    GuardrailStage,
    JournalQuery,
    JournalRow,
    LockoutClass,
    LockoutFixReport,
    LockoutReport,
    Operation,
    Organization,
    OrgStatus,
    PlannedFix,
    PolicyDocument,
    PolicyListing,
    Principal,
    ProgressCallback,
    RecoveryReport,
    ResourceKind,
    ResourcePolicy,
    ScpAuditReport,
    ScpFix,
    SecurityHubExport,
    TargetSelector,
    TargetSet,
    TaskPolicy,
    UnlockResult,
)

if TYPE_CHECKING:
    from rootctl.aws import sns
    from rootctl.core import check as check_mod
    from rootctl.core import (
        compliance,
        doctor,
        enforce,
        guardrail,
        lockout_fix,
        lockouts,
        policy,
        root_callers,
        scp_audit,
        securityhub,
        unlock,
    )
else:  # what a run may never reach loads on first use: an audit does not import doctor
    sns = OnUse("rootctl.aws.sns")
    check_mod = OnUse("rootctl.core.check")
    compliance = OnUse("rootctl.core.compliance")
    doctor = OnUse("rootctl.core.doctor")
    enforce = OnUse("rootctl.core.enforce")
    guardrail = OnUse("rootctl.core.guardrail")
    lockout_fix = OnUse("rootctl.core.lockout_fix")
    lockouts = OnUse("rootctl.core.lockouts")
    policy = OnUse("rootctl.core.policy")
    root_callers = OnUse("rootctl.core.root_callers")
    scp_audit = OnUse("rootctl.core.scp_audit")
    securityhub = OnUse("rootctl.core.securityhub")
    unlock = OnUse("rootctl.core.unlock")

# Task sessions for any tool (the faces name tasks by these words).
TASKS = task_session.TASKS
task_named = task_session.task_named
check_duration = task_session.check_duration

DEFAULT_CONCURRENCY = 16
FINDING_CLASSES = (
    LockoutClass.EVERYONE,
    LockoutClass.OUTSIDE_CONDITION,
    LockoutClass.UNPARSEABLE,
)
BOTH = (Capability.ROOT_CREDENTIALS_MANAGEMENT, Capability.ROOT_SESSIONS)


class RootAccess(GovernedChanges):
    """Centralized root access management for one AWS Organization.

    ``connection`` defaults to the standard AWS configuration chain (AWS_PROFILE, AWS_REGION,
    AWS_ENDPOINT_URL[_<SERVICE>] …); ``session`` injects your own ``boto3.Session`` (explicit
    keys, a custom credential provider). ``journal`` is a journal store (the SQLite
    :class:`rootctl.Journal`, or another ``JournalStore``), a path, or ``dynamodb://TABLE``
    (a DynamoDB table, created on first write, with the engine's credentials); by default
    ``$ROOTCTL_JOURNAL`` or ``~/.local/state/rootctl/journal.sqlite3``.
    ``concurrency`` bounds how many accounts are worked on at once (and so how many root
    sessions are open at once). ``now`` is rootctl's clock (plans and recovery windows expire
    by it; default: the system's UTC time).

    ``history``: every audit is stored (in the journal's file, for the SQLite journal) unless
    this is False; pass an :class:`AuditStore` to keep it elsewhere. ``audit(record=False)``
    opts one audit out. ``source`` says which face runs the engine (recorded with each audit).
    ``ra.history`` reads the stored audits, drift between them and evidence reports.
    """

    def __init__(
        self,
        connection: ConnectionOptions | None = None,
        *,
        session: boto3.Session | None = None,
        journal: JournalStore | str | Path | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        history: AuditStore | bool = True,
        source: AuditSource = AuditSource.LIBRARY,
        now: clock.Clock | None = None,
    ) -> None:
        if concurrency < 1:
            raise InputError(f"concurrency must be at least 1, not {concurrency}.")
        if isinstance(journal, str) and journal.startswith(DYNAMODB):
            self.journal: JournalStore = DynamoJournal(
                journal.removeprefix(DYNAMODB), lambda: self._ctx.aws
            )
        else:
            self.journal = (
                Journal(journal) if journal is None or isinstance(journal, str | Path) else journal
            )
        store: AuditStore | None
        if history is True:
            journal_file = isinstance(self.journal, SqliteJournal)
            store = SqliteAuditStore(self.journal) if journal_file else None  # type: ignore[arg-type]
        else:
            store = history or None
        self.history = AuditHistory(store, self.journal)
        self.source = source
        self._ctx = Context(
            connection or ConnectionOptions(),
            self.journal,
            concurrency,
            session,
            now=now or clock.utc_now,
        )
        self._org: Organization | None = None
        self._org_lock = threading.Lock()
        self._tags: dict[str, dict[str, str]] | None = None
        self._tags_lock = threading.Lock()

    def close(self) -> None:
        self._ctx.close()
        self.journal.close()
        if self.history.store is not None:
            self.history.store.close()

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
                self._keep(read_organization(self._ctx))
            assert self._org is not None
            return self._org

    def _keep(self, org: Organization) -> Organization:
        self._org = org
        self._ctx.account_names = {a.id: a.name for a in org.accounts}
        return org

    def tags(self, *, refresh: bool = False) -> dict[str, dict[str, str]]:
        """Tags of the root, every OU and every account (resource id → key → value), read
        once (ListTagsForResource per resource, ``concurrency`` at a time) and cached;
        ``refresh`` reads them again, for the organization as last read."""
        org = self.organization()
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

    def check_selector(self, selector: TargetSelector) -> TargetSelector:
        """The selector's syntax checked without AWS (InputError), its file read: faces call it
        before touching the journal or the history, so bad input changes nothing."""
        return targets.validate(selector)

    def select_targets(self, selector: TargetSelector) -> TargetSet:
        """Resolve a selector; raises InputError for malformed ids, unknown OUs, accounts
        outside the organization. The management account is always in ``skipped``."""
        # Syntax first: bad input must not cost an AWS call. The file is read once (stdin).
        checked = targets.validate(selector)
        if self._org is None:  # the task about to run checks its capability: read it now
            self._ctx.read_features_ahead()
        tags = self.tags() if checked.needs_tags else None
        return targets.resolve(checked, self.organization(), tags)

    # -- root credentials ------------------------------------------------------------------

    def audit(
        self,
        target_set: TargetSet,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        record: bool = True,
    ) -> AuditReport:
        """Audit each selected account's root credentials (read-only in AWS). The audit is
        stored in the history (its id is ``report.audit_id``) unless ``record`` is False or
        the engine keeps no history; a history that cannot be written stops the audit before
        its first AWS call."""
        return self._audit(
            self._audit_of(target_set),
            progress,
            cancel,
            record,
            None,
        )

    def audit_selection(
        self,
        selector: TargetSelector,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        record: bool = True,
    ) -> AuditReport:
        """``audit(select_targets(selector))``, faster where it can be: a selection of every
        account (``--all``, nothing excluded) of an organization not yet read starts on each
        OU's accounts while the rest of the tree is read. Same report, same checks first."""
        checked = targets.validate(selector)
        with self._org_lock:
            unread = self._org is None
        if not (unread and targets.every_account(checked)):
            return self.audit(
                self.select_targets(checked), progress=progress, cancel=cancel, record=record
            )
        self._ctx.read_features_ahead()
        return self._audit(
            lambda run: audit_mod.audit_while_reading(self._ctx, checked, self._read_org, run),
            progress,
            cancel,
            record,
            None,
        )

    def _audit_of(self, target_set: TargetSet) -> Callable[[Run], tuple[TargetSet, AuditReport]]:
        return lambda run: (target_set, audit_mod.audit(self._ctx, target_set, run))

    def _read_org(self, found: Callable[[Sequence[Account]], None]) -> Organization:
        """Read the organization into the cache, telling ``found`` of its accounts."""
        with self._org_lock:
            return self._keep(read_organization(self._ctx, found))

    def _audit(
        self,
        audit_run: Callable[[Run], tuple[TargetSet, AuditReport]],
        progress: ProgressCallback | None,
        cancel: threading.Event | None,
        record: bool,
        status: OrgStatus | None,
    ) -> AuditReport:
        store = self.history.store if record else None
        if store is not None:
            self.prepare_history()
        started = datetime.now(UTC)
        run = self._run(progress, cancel, "audit")
        if store is None:
            return audit_run(run)[1]
        # The organization's status for the record (five calls, one after another) is read
        # while the accounts are audited, not after: it would add their round trips to the run.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rootctl-status") as side:
            reading = side.submit(history.status_now, self._ctx) if status is None else None
            target_set, report = audit_run(run)
            status = status or (reading.result() if reading is not None else None)
        audit_id = history.record(
            self._ctx,
            store,
            report,
            target_set,
            self.organization(),
            started_at=started,
            source=self.source,
            status=status,
        )
        return AuditReport(
            report.organization_id, report.accounts, report.interrupted, audit_id=audit_id
        )

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
        record: bool = True,
    ) -> ComplianceReport:
        """Audit ``target_set`` (stored like any audit), then evaluate the Security Hub / CIS
        root-user controls on it."""
        status = self.status()
        report = self._audit(
            self._audit_of(target_set),
            progress,
            cancel,
            record,
            status,
        )
        return compliance.evaluate(report, status)

    # -- the desired state ------------------------------------------------------------------

    def check(
        self,
        state: DesiredState,
        *,
        now: datetime | None = None,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        refresh: bool = False,
    ) -> CheckReport:
        """Audit the accounts ``state`` covers and judge each against its rules (read-only;
        the journal is only read, for open recovery windows). ``refresh`` reads the
        organization (and its tags) again: a long-running watch must see new accounts."""
        return check_mod.check(
            self._ctx,
            state,
            self.organization(refresh=refresh),
            self._run(progress, cancel, "audit"),
            now or datetime.now(UTC),
            # ListTagsForResource once per engine, or per refresh
            self.tags(refresh=refresh) if state.scope.tags else None,
        )

    def publish_alert(self, topic_arn: str, subject: str, message: str) -> str | None:
        """Publish an alert to an SNS topic with the engine's credentials (its MessageId)."""
        return sns.publish(self._ctx.aws, topic_arn, subject, message)

    @staticmethod
    def enforcement_plan(
        report: CheckReport, *, auto_only: bool = False, person_only: bool = False
    ) -> DeletionPlan:
        """The deletion plan of exactly ``report``'s violations (only the auto-apply ones when
        ``auto_only``, only the others when ``person_only``); :meth:`delete_credentials`
        carries it out, journaled."""
        return enforce.enforcement_plan(report, auto_only=auto_only, person_only=person_only)

    def enforcement_change_plan(
        self, state: DesiredState, report: CheckReport, *, auto_applied: bool = False
    ) -> ChangePlan:
        """The change-control plan of ``report``'s violations for people (all of them; only
        those not auto-apply when ``auto_applied``, i.e. enforce removed the others): it needs
        the file's ``enforce.approvals``, then ``approve_plan``/``apply_plan``."""
        planned = enforce.enforcement_plan(report, person_only=auto_applied)
        return self.plan_from_deletion(planned, enforce.plan_terms(state))

    def evaluate_compliance(self, report: AuditReport) -> ComplianceReport:
        """The controls evaluated on an audit already made (the dashboard's cached one)."""
        return compliance.evaluate(report, self.status())

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
        return doctor.diagnose(self._ctx, tuple(operations), chosen, self.organization, run)

    @staticmethod
    def doctor_checks() -> DoctorCheckList:
        """Every check doctor runs, as data (id, title, why, the operations it concerns)."""
        return doctor.catalogue()

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
        return policy.identity_policy(operations, principal, accounts)

    @staticmethod
    def scp_exemption() -> PolicyDocument:
        """The SCP statement that denies root users except centralized root sessions."""
        return policy.scp_exemption()

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

    # -- evidence into Security Hub ------------------------------------------------------------

    def security_hub_report(self, ref: AuditRef = LATEST) -> EvidenceReport:
        """The evidence report of a stored audit, its findings addressed to the account this
        engine runs in and its region (BatchImportFindings with the default product requires
        that account as AwsAccountId)."""
        return self.history.report(ref, account_id=self.caller().account_id, region=self.region)

    def export_to_security_hub(
        self,
        report: EvidenceReport,
        findings: Sequence[Mapping[str, Any]],
        *,
        dry_run: bool = False,
    ) -> SecurityHubExport:
        """BatchImportFindings of ``findings`` (the ASFF rendering of ``report``), 100 per
        call, each call journaled; refused findings are reported one by one."""
        if not dry_run:
            self.journal.prepare_for_writing()
        return securityhub.export(self._ctx, report, findings, dry_run=dry_run)

    # -- lock-outs across the organization ---------------------------------------------------

    def find_lockouts(
        self,
        target_set: TargetSet,
        *,
        kinds: Iterable[ResourceKind] = tuple(ResourceKind),
        regions: Sequence[str] | str | None = None,
        classes: Iterable[LockoutClass] = FINDING_CLASSES,
        show_healthy: bool = False,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> LockoutReport:
        """Every bucket and queue of ``target_set`` whose policy locks its account out
        (read-only). ``regions``: None (every bucket; queues in the engine's Region), ``"all"``
        (every Region of the partition SQS is offered in) or a list; ``classes``: which
        classes count as findings; ``show_healthy``: list healthy policies too."""
        kinds = tuple(dict.fromkeys(kinds))
        if not kinds:
            raise InputError("choose at least one kind: s3, sqs.")
        scope = lockouts.Scope(
            kinds=kinds,
            regions=lockouts.checked_regions(regions, self._ctx.aws.regions_of("sqs")),
            classes=tuple(classes),
            organization_id=target_set.organization_id,
            home_region=self.region,
        )
        report = lockouts.find_lockouts(
            self._ctx, target_set, scope, self._run(progress, cancel, "find-lockouts")
        )
        return replace(report, show_healthy=show_healthy)

    def plan_lockout_fixes(
        self, report: LockoutReport, mode: FixMode = FixMode.CORRECT
    ) -> tuple[PlannedFix, ...]:
        """What fixing each finding means: put the corrected policy, delete it, or skip it
        (nothing is read or changed)."""
        return lockout_fix.plan(report, mode)

    def fix_lockouts(
        self,
        report: LockoutReport,
        fixes: Sequence[PlannedFix],
        mode: FixMode = FixMode.CORRECT,
        *,
        dry_run: bool = False,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> LockoutFixReport:
        """Apply ``fixes``: each policy saved in the journal (the corrected draft next to
        it), re-read first (left alone if it changed), then put or deleted, then verified."""
        if not dry_run:
            self.journal.prepare_for_writing()
        return lockout_fix.fix(
            self._ctx, report, fixes, mode, self._run(progress, cancel, "fix"), dry_run=dry_run
        )

    # -- service control policies -------------------------------------------------------------

    def scp_audit(
        self,
        target_set: TargetSet,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> ScpAuditReport:
        """For each selected account, statically: do the SCPs on its path let the five root
        task sessions through, and do they refuse the long-term root user? Also the IAM
        delegated administrator's own ``sts:AssumeRoot`` (read-only)."""
        return scp_audit.audit(
            self._ctx, self.organization(), target_set, self._run(progress, cancel, "scp-audit")
        )

    def guardrail_document(self) -> str:
        """AWS's recommended "deny root unless AssumeRoot" SCP, as rootctl creates it."""
        return guardrail.document()

    def apply_guardrail(self, ous: Sequence[str], *, dry_run: bool = False) -> GuardrailChange:
        """Create rootctl's guardrail SCP once and attach it to ``ous`` (OU ids or "root"),
        journaled; refused before any change when SCPs are off or a target has 5 SCPs."""
        if not dry_run:
            self.journal.prepare_for_writing()
        return guardrail.apply(self._ctx, self.organization(), ous, dry_run=dry_run)

    def detach_guardrail(self, ous: Sequence[str], *, dry_run: bool = False) -> GuardrailChange:
        """Detach rootctl's guardrail from ``ous``, journaled."""
        if not dry_run:
            self.journal.prepare_for_writing()
        return guardrail.detach(self._ctx, self.organization(), ous, dry_run=dry_run)

    def plan_scp_fixes(self, report: ScpAuditReport) -> tuple[tuple[ScpFix, ...], tuple[str, ...]]:
        """For each SCP that blocks task sessions in ``report``: the smallest change that lets
        them through (and what rootctl cannot fix by itself, with why). Nothing is changed."""
        return guardrail.plan_fixes(self._ctx, report)

    def fix_scps(
        self, fixes: Sequence[ScpFix], unfixable: Sequence[str] = (), *, dry_run: bool = False
    ) -> GuardrailChange:
        """Put each fixed SCP document, the old one saved in the journal first."""
        if not dry_run:
            self.journal.prepare_for_writing()
        return guardrail.apply_fixes(
            self._ctx, self.organization(), fixes, unfixable, dry_run=dry_run
        )

    def guardrail_stage(self, report: ScpAuditReport) -> GuardrailStage:
        """Per OU: is the guardrail there, how its accounts fare, the next step."""
        return guardrail.stage(self._ctx, self.organization(), report)

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

    def new_root_callers(self, saved: str | None) -> root_callers.CallerRound:
        """For ``watch``: the caller/account pairs whose first AssumeRoot came since the look
        ``saved`` records (the previous round's ``CallerRound.state``). Read-only."""
        return root_callers.new_root_callers(self._ctx, saved)

    # -- journal -------------------------------------------------------------------------------

    def prepare_journal(self) -> None:
        """Open and validate the journal for writing (create or upgrade it if new or older).
        Raises JournalUnavailable; faces call it before reading AWS or asking to confirm."""
        self.journal.prepare_for_writing()

    def prepare_history(self) -> None:
        """Open and validate the audit history for writing (faces call it before reading the
        organization, so a history that cannot be written fails first). A no-op when the
        engine keeps no history."""
        if self.history.store is None:
            return
        try:
            self.history.store.prepare_for_writing()
        except JournalUnavailable as exc:
            raise JournalUnavailable(
                exc.message, Advice(AdviceCode.AUDIT_WITHOUT_HISTORY)
            ) from None

    def journal_entries(self, query: JournalQuery | None = None) -> list[JournalRow]:
        """Journal rows, newest first; one that cannot be read is an UnreadableEntry."""
        return self.journal.entries(query)

    def journal_entry(self, entry_id: int) -> JournalRow:
        entry = self.journal.entry(entry_id)
        if entry is None:
            raise InputError(f"journal entry {entry_id} does not exist in {self.journal.location}.")
        return entry
