"""The audit history, drift, pruning, the evidence report and a Security Hub export as JSON
documents (the versioned schema, docs/json-schema/v1.json), and the words for a drift change
that every format shares."""

from __future__ import annotations

from typing import Any

from rootctl.models import (
    AccountDrift,
    AuditSummary,
    Change,
    ChangeKind,
    ControlStatus,
    CredentialType,
    DriftReport,
    DriftState,
    EvidenceFinding,
    EvidenceReport,
    History,
    PosturePoint,
    PruneResult,
    SecurityHubExport,
)
from rootctl.render.serialize import compliance_report, envelope, iso, journal_entry

Json = dict[str, Any]


def describe_change(c: Change) -> str:
    """One change in words: ``access-key AKIA… appeared (Active)``, ``moved Root/A → Root/B``."""
    what = f"{c.credential.value} {c.id}" if c.credential and c.id else ""
    if c.credential is CredentialType.PASSWORD:
        what = "password (login profile)"
    if c.kind is ChangeKind.CREDENTIAL_APPEARED:
        return f"{what} appeared" + (f" ({c.after})" if c.after else "")
    if c.kind is ChangeKind.CREDENTIAL_REMOVED:
        return f"{what} removed"
    if c.kind is ChangeKind.CREDENTIAL_CHANGED:
        return f"{what} {c.before} → {c.after}"
    if c.kind is ChangeKind.RECOVERY_ALLOWED:
        return "password recovery allowed"
    if c.kind is ChangeKind.RECOVERY_WITHDRAWN:
        return "password recovery withdrawn"
    if c.kind is ChangeKind.JOINED:
        return f"joined the organization in {c.after}"
    if c.kind is ChangeKind.LEFT:
        return f"left the organization (was in {c.before})"
    if c.kind is ChangeKind.STATE_CHANGED:
        return f"account {c.before} → {c.after}"
    if c.kind is ChangeKind.MOVED:
        return f"moved {c.before} → {c.after}"
    return f"renamed {c.before} → {c.after}"


def audit_summary(s: AuditSummary) -> Json:
    c = s.counts
    return {
        "id": s.id,
        "started_at": iso(s.started_at),
        "finished_at": iso(s.finished_at),
        "source": s.source.value,
        "caller_arn": s.caller_arn,
        "organization_id": s.organization_id,
        "region": s.region,
        "scope": {
            "all": s.scope.all,
            "accounts": list(s.scope.accounts),
            "ous": list(s.scope.ous),
            "exclude": list(s.scope.exclude),
            "text": s.scope.text,
        },
        "complete": s.complete,
        "interrupted": s.interrupted,
        "counts": {
            "accounts": c.accounts,
            "audited": c.audited,
            "with_root_credentials": c.with_credentials,
            "failed": c.failed,
            "skipped": c.skipped,
            "not_run": c.not_run,
        },
    }


def history(h: History) -> Json:
    return envelope(
        "history", {"location": h.location, "audits": [audit_summary(a) for a in h.audits]}
    )


def change(c: Change) -> Json:
    return {
        "kind": c.kind.value,
        "credential": c.credential.value if c.credential else None,
        "id": c.id,
        "before": c.before,
        "after": c.after,
        "text": describe_change(c),
    }


def account_drift(a: AccountDrift) -> Json:
    return {
        "account_id": a.account_id,
        "name": a.name,
        "ou_path": list(a.ou_path),
        "state": a.state.value,
        "reason": a.reason,
        "credentials_appeared": bool(a.credentials_appeared),
        "changes": [change(c) for c in a.changes],
    }


def drift_body(d: DriftReport) -> Json:
    return {
        "organization_id": d.organization_id,
        "from": audit_summary(d.before),
        "to": audit_summary(d.after),
        "credentials_appeared": d.credentials_appeared,
        "summary": {s.value.replace("-", "_"): d.count(s) for s in DriftState},
        "accounts": [account_drift(a) for a in d.accounts],
    }


def drift(d: DriftReport) -> Json:
    return envelope("drift", drift_body(d))


def prune(p: PruneResult) -> Json:
    return envelope(
        "history-prune",
        {
            "cutoff": iso(p.cutoff),
            "audits": p.audits,
            "account_rows": p.account_rows,
            "location": p.location,
        },
    )


def security_hub_export(e: SecurityHubExport) -> Json:
    return envelope(
        "securityhub-export",
        {
            "audit_id": e.audit_id,
            "account_id": e.account_id,
            "region": e.region,
            "product_arn": e.product_arn,
            "dry_run": e.dry_run,
            "findings": e.total,
            "active": e.active,
            "archived": e.archived,
            "imported": e.imported,
            "batches": e.batches,
            "failed": [
                {"id": f.id, "error_code": f.error_code, "error_message": f.error_message}
                for f in e.failed
            ],
            "error": e.error,
        },
    )


def posture_point(p: PosturePoint) -> Json:
    return {
        "audit_id": p.audit_id,
        "at": iso(p.at),
        "complete": p.complete,
        "units": [
            {
                "unit": u.unit,
                "with_root_credentials": u.with_credentials,
                "without": u.without,
                "unknown": u.unknown,
            }
            for u in p.units
        ],
    }


def finding(f: EvidenceFinding) -> Json:
    return {
        "finding_id": f.finding_id,
        "control_id": f.control.id,
        "framework": f.control.framework,
        "title": f.control.title,
        "severity": f.control.severity,
        "security_control_id": f.control.security_control_id,
        "subject_id": f.subject_id,
        "subject_name": f.subject_name,
        "ou_path": list(f.ou_path),
        "status": f.status.value,
        "reason": f.reason,
        "detail": f.detail,
        "record_state": f.record_state.value,
        "workflow_status": f.workflow.value,
        "resolved": f.resolved,
    }


def evidence(r: EvidenceReport) -> Json:
    statuses = [f.status for f in r.findings]
    return envelope(
        "report",
        {
            "organization_id": r.organization_id,
            "management_account_id": r.management_account_id,
            "audit": audit_summary(r.audit.summary),
            "previous_audit": audit_summary(r.previous) if r.previous else None,
            "period": {"start": iso(r.period_start), "end": iso(r.period_end)},
            "security_hub": {"account_id": r.account_id, "region": r.region},
            "summary": {
                "findings": len(r.findings),
                **{s.value.lower(): statuses.count(s) for s in ControlStatus},
                "resolved": sum(1 for f in r.findings if f.resolved),
            },
            "controls": compliance_report(r.compliance)["controls"],
            "findings": [finding(f) for f in r.findings],
            "posture": [posture_point(p) for p in r.posture],
            "drift": drift_body(r.drift) if r.drift else None,
            "journal": [journal_entry(e) for e in r.journal],
        },
    )
