"""The evidence report of one stored audit: compliance with evidence, posture over time, drift
since the previous audit, the privileged actions of the period, and the findings every format
renders — each with an id that stays the same across runs. No AWS calls: a report is made from
the history and the journal alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from rootctl._version import __version__
from rootctl.core import history
from rootctl.core.compliance import evaluate
from rootctl.core.drift import compare
from rootctl.journal import AuditStore, JournalStore
from rootctl.models import (
    AccountAudit,
    AuditReport,
    CallerIdentity,
    CallerRole,
    ComplianceReport,
    ControlStatus,
    EvidenceFinding,
    EvidenceReport,
    HistoryQuery,
    JournalEntry,
    JournalQuery,
    OrgStatus,
    Scope,
    StoredAudit,
)

POSTURE_POINTS = 30  # audits on the posture-over-time chart
FIRST_PERIOD = timedelta(days=30)  # the journal window of an audit with no previous one
LEFT_REASON = "the account left the organization"


def finding_id(organization_id: str, control_id: str, subject_id: str) -> str:
    """Stable across runs, so a re-import updates the finding: ``rootctl/<org>/<control>/
    <account or organization>`` (``CIS 2.1.1`` → ``CIS-2.1.1``)."""
    return f"rootctl/{organization_id}/{re.sub(r'[^A-Za-z0-9.]+', '-', control_id)}/{subject_id}"


def status_of(audit: StoredAudit) -> OrgStatus:
    """The status stored with the audit, or one that says nothing was known (the organization
    control is then not evaluated)."""
    if audit.status is not None:
        return audit.status
    s = audit.summary
    return OrgStatus(
        organization_id=s.organization_id,
        feature_set="",
        management_account_id="",
        caller=CallerIdentity(s.caller_arn or "", s.caller_account_id or "", ""),
        caller_role=CallerRole.UNKNOWN,
        trusted_access=None,
        capabilities=None,
        delegated_admins=None,
    )


def compliance_of(audit: StoredAudit) -> ComplianceReport:
    s = audit.summary
    report = AuditReport(s.organization_id, audit.accounts, s.interrupted, audit_id=s.id)
    return evaluate(report, status_of(audit))


def build(
    store: AuditStore,
    journal: JournalStore,
    audit: StoredAudit,
    *,
    account_id: str | None = None,
    region: str | None = None,
) -> EvidenceReport:
    """``account_id``/``region``: where the findings go in Security Hub (default: the account
    and region the audit ran from)."""
    summary = audit.summary
    previous_summary = history.previous(store, summary)
    previous = store.audit(previous_summary.id) if previous_summary else None
    compliance = compliance_of(audit)
    management = audit.status.management_account_id if audit.status else None
    start = previous.summary.started_at if previous else summary.started_at - FIRST_PERIOD
    entries = journal.entries(JournalQuery(since=start, until=summary.finished_at))
    return EvidenceReport(
        organization_id=summary.organization_id,
        management_account_id=management or None,
        generated_at=datetime.now(UTC),
        audit=audit,
        previous=previous_summary,
        compliance=compliance,
        findings=tuple(_findings(store, audit, previous, compliance)),
        posture=tuple(
            store.posture(
                HistoryQuery(
                    organization_id=summary.organization_id,
                    before_id=summary.id + 1,
                    limit=POSTURE_POINTS,
                )
            )
        ),
        drift=compare(previous, audit) if previous else None,
        journal=tuple(e for e in entries if isinstance(e, JournalEntry)),
        period_start=start,
        period_end=summary.finished_at,
        account_id=account_id or summary.caller_account_id or management or "000000000000",
        region=region or summary.region or "us-east-1",
        tool_version=__version__,
    )


def _findings(
    store: AuditStore,
    audit: StoredAudit,
    previous: StoredAudit | None,
    compliance: ComplianceReport,
) -> Iterable[EvidenceFinding]:
    org = audit.summary.organization_id
    failed_before = _failed_before(store, audit, previous)
    paths = {row.account.id: row.account.ou_path for row in audit.accounts}
    for result in compliance.results:
        for f in result.findings:
            yield EvidenceFinding(
                control=result.control,
                subject_id=f.subject_id,
                subject_name=f.subject_name,
                ou_path=paths.get(f.subject_id, ()),
                status=f.status,
                reason=f.reason,
                detail=f.detail,
                finding_id=finding_id(org, result.control.id, f.subject_id),
                resolved=f.status is not ControlStatus.FAILED
                and (result.control.id, f.subject_id) in failed_before,
            )
    if not audit.summary.complete:
        return
    # Accounts that failed a control before and have left the organization since: closed.
    controls = {r.control.id: r.control for r in compliance.results}
    for (control_id, subject_id), row in sorted(failed_before.items()):
        if subject_id in paths or control_id not in controls or row is None:
            continue
        yield EvidenceFinding(
            control=controls[control_id],
            subject_id=subject_id,
            subject_name=row.account.name,
            ou_path=row.account.ou_path,
            status=ControlStatus.NOT_APPLICABLE,
            reason=LEFT_REASON,
            detail="",
            finding_id=finding_id(org, control_id, subject_id),
            resolved=True,
        )


def _failed_before(
    store: AuditStore, audit: StoredAudit, previous: StoredAudit | None
) -> dict[tuple[str, str], AccountAudit | None]:
    """(control, subject) pairs that failed in an earlier stored audit of the organization,
    with the row they failed on (None for the organization control). A member account fails
    a root control only while its root user has credentials, so only those rows are read."""
    org = audit.summary.organization_id
    rows = store.earlier_credentials(audit.id, org)
    failed: dict[tuple[str, str], AccountAudit | None] = {}
    if rows:
        earlier = evaluate(AuditReport(org, tuple(rows)), status_of(audit))
        by_id = {row.account.id: row for row in rows}
        for result in earlier.results:
            if result.control.scope is Scope.ACCOUNT:
                for f in result.findings:
                    if f.status is ControlStatus.FAILED:
                        failed[(result.control.id, f.subject_id)] = by_id[f.subject_id]
    if previous is not None:
        for result in compliance_of(previous).results:
            if result.control.scope is Scope.ORGANIZATION:
                for f in result.findings:
                    if f.status is ControlStatus.FAILED:
                        failed[(result.control.id, f.subject_id)] = None
    return failed
