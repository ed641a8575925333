"""Models → JSON-ready dicts. This *is* the versioned output schema (docs/json-schema/).

Lists are always lists (``[]`` for none, never ``null``); dates are ISO 8601 strings in UTC.
Bump ``SCHEMA_VERSION`` for any change that could break a script reading the output.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from rootctl.errors import Advice
from rootctl.models import (
    Account,
    AccountAudit,
    AccountDeletion,
    AccountPlan,
    AccountRecovery,
    AccountReport,
    AuditReport,
    AuditState,
    Capability,
    ComplianceReport,
    ControlStatus,
    CredentialKind,
    DeleteState,
    DeletionPlan,
    DeletionReport,
    FeatureChange,
    ItemResult,
    JournalEntry,
    JournalRow,
    OrgStatus,
    PlannedItem,
    PlanState,
    RecoveryReport,
    RecoveryState,
    ResourcePolicy,
    RootCredentials,
    RowStatus,
    UnlockResult,
    UnreadableEntry,
)

SCHEMA_VERSION = 1
Json = dict[str, Any]


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def envelope(kind: str, body: Json) -> Json:
    return {
        "schema": f"rootctl/{kind}",
        "schema_version": SCHEMA_VERSION,
        "generated_at": iso(datetime.now(UTC)),
        **body,
    }


def account(a: Account) -> Json:
    return {
        "account_id": a.id,
        "name": a.name,
        "email": a.email,
        "ou_path": list(a.ou_path),
        "account_state": a.state,
        "is_management": a.is_management,
    }


def credentials(c: RootCredentials | None) -> Json:
    if c is None:
        return {
            "has_root_credentials": None,
            "recovery_allowed": None,
            "password": None,
            "access_keys": [],
            "mfa_devices": [],
            "signing_certificates": [],
        }
    return {
        "has_root_credentials": c.has_root_credentials,
        "recovery_allowed": c.recovery_allowed,
        "password": {
            "present": c.login_profile is not None,
            "created": iso(c.login_profile.created) if c.login_profile else None,
            # password (used since), recovery-allowed (rootctl created it without one), unknown
            "kind": c.login_profile.kind.value if c.login_profile else None,
            "last_used": iso(c.login_profile.password_last_used) if c.login_profile else None,
        },
        "access_keys": [
            {
                "id": k.id,
                "status": k.status,
                "created": iso(k.created),
                "last_used": iso(k.last_used),
                "last_used_service": k.last_used_service,
                "last_used_region": k.last_used_region,
            }
            for k in c.access_keys
        ],
        "mfa_devices": [
            {"serial": d.serial, "type": d.kind, "enabled": True, "enabled_at": iso(d.enabled_at)}
            for d in c.mfa_devices
        ],
        "signing_certificates": [
            {"id": s.id, "status": s.status, "uploaded": iso(s.uploaded)}
            for s in c.signing_certificates
        ],
    }


def account_audit(row: AccountAudit) -> Json:
    return {
        **account(row.account),
        "state": row.state.value,
        "reason": row.reason,
        **credentials(row.credentials),
    }


def _state_counts(states: Iterable[StrEnum], kind: type[StrEnum]) -> dict[str, int]:
    """How many rows are in each state of ``kind``, keyed ``to_delete``-style (zeros too)."""
    counted = Counter(states)
    return {state.value.replace("-", "_"): counted[state] for state in kind}


def _filter(statuses: Collection[RowStatus]) -> list[str]:
    """The ``--status`` words the rows were filtered on (``[]``: every row is there)."""
    return [s.value for s in RowStatus if s in statuses]


def _report(
    kind: str,
    report: AccountReport[Any],
    states: type[StrEnum],
    row: Callable[[Any], Json],
    statuses: Collection[RowStatus] = (),
    *,
    head: Json | None = None,
    summary_first: Json | None = None,
    summary_last: Json | None = None,
    tail: Json | None = None,
) -> Json:
    """The document of a per-account report: organization, (``head``), interrupted, summary
    (accounts, ``summary_first``, a count per state, ``summary_last``), (``tail``), the
    ``--status`` filter, one row per account it keeps (the summary counts them all)."""
    return envelope(
        kind,
        {
            "organization_id": report.organization_id,
            **(head or {}),
            "interrupted": report.interrupted,
            "summary": {
                "accounts": len(report.accounts),
                **(summary_first or {}),
                **_state_counts((a.state for a in report.accounts), states),
                **(summary_last or {}),
            },
            **(tail or {}),
            "status_filter": _filter(statuses),
            "accounts": [row(a) for a in report.shown(statuses)],
        },
    )


def audit_report(report: AuditReport, statuses: Collection[RowStatus] = ()) -> Json:
    return _report(
        "audit",
        report,
        AuditState,
        account_audit,
        statuses,
        head={"audit_id": report.audit_id},
        summary_first={"with_root_credentials": len(report.with_credentials)},
    )


def planned_item(item: PlannedItem) -> Json:
    found: Json = {"kind": item.kind.value, "id": item.id, "detail": item.detail}
    if item.kind is CredentialKind.PASSWORD:
        found["last_used"] = iso(item.last_used)
    elif item.kind is CredentialKind.ACCESS_KEYS:
        found |= {
            "last_used": iso(item.last_used),
            "last_used_service": item.last_used_service,
            "last_used_region": item.last_used_region,
        }
    return found


def account_plan(plan: AccountPlan) -> Json:
    return {
        **account(plan.account),
        "state": plan.state.value,
        "reason": plan.reason,
        "items": [planned_item(i) for i in plan.items],
        "kept": [planned_item(i) for i in plan.kept],
    }


def deletion_plan(plan: DeletionPlan, statuses: Collection[RowStatus] = ()) -> Json:
    return _report(
        "deletion-plan",
        plan,
        PlanState,
        account_plan,
        statuses,
        head={"kinds": [k.value for k in plan.kinds], "planned_at": iso(plan.planned_at)},
        summary_last={"items": {k.value: n for k, n in plan.item_counts().items()}},
        tail={
            "risks": {
                "password_without_mfa": [a.account.id for a in plan.password_without_mfa],
                "recently_used_keys": [
                    {"account_id": a.account.id, **planned_item(i)}
                    for a, i in plan.recently_used_keys
                ],
                "recently_used_passwords": [
                    {"account_id": a.account.id, **planned_item(i)}
                    for a, i in plan.recently_used_passwords
                ],
            }
        },
    )


def item_result(r: ItemResult) -> Json:
    return {
        **planned_item(r.item),
        "outcome": r.outcome.value,
        "reason": r.reason,
        "note": r.note,
        "request_id": r.request_id,
    }


def account_deletion(row: AccountDeletion) -> Json:
    return {
        **account(row.account),
        "state": row.state.value,
        "reason": row.reason,
        "items": [item_result(i) for i in row.items],
    }


def deletion_report(report: DeletionReport, statuses: Collection[RowStatus] = ()) -> Json:
    return _report(
        "deletion",
        report,
        DeleteState,
        account_deletion,
        statuses,
        head={"kinds": [k.value for k in report.kinds]},
    )


def recovery_report(report: RecoveryReport, statuses: Collection[RowStatus] = ()) -> Json:
    return _report("recovery", report, RecoveryState, account_recovery, statuses)


def account_recovery(row: AccountRecovery) -> Json:
    return {
        **account(row.account),
        "state": row.state.value,
        "reason": row.reason,
        "request_id": row.request_id,
    }


def status(s: OrgStatus) -> Json:
    return {
        "organization_id": s.organization_id,
        "feature_set": s.feature_set,
        "management_account_id": s.management_account_id,
        "caller": {
            "arn": s.caller.arn,
            "account_id": s.caller.account_id,
            "role": s.caller_role.value,
        },
        "trusted_access": s.trusted_access,
        "capabilities": None
        if s.capabilities is None
        else {c.value: c in s.capabilities for c in Capability},
        "delegated_admins": None
        if s.delegated_admins is None
        else [
            {"account_id": d.account_id, "name": d.name, "email": d.email}
            for d in s.delegated_admins
        ],
        "notes": list(s.notes),
        "advice": [advice(a) for a in s.advice],
    }


def status_document(s: OrgStatus) -> Json:
    return envelope("status", status(s))


def feature_change(change: FeatureChange) -> Json:
    return envelope(
        "feature-change",
        {
            "dry_run": change.dry_run,
            "steps": [
                {"description": st.description, "state": st.state, "reason": st.reason}
                for st in change.steps
            ],
            "before": status(change.before),
            "after": status(change.after),
        },
    )


def resource_policy(p: ResourcePolicy) -> Json:
    return {
        "account_id": p.account_id,
        "kind": p.kind.value,
        "resource": p.resource,
        "region": p.region,
        "policy": p.policy,
    }


def resource_policies(policies: Sequence[ResourcePolicy]) -> Json:
    return envelope("resource-policies", {"resources": [resource_policy(p) for p in policies]})


def unlock_result(r: UnlockResult) -> Json:
    return envelope(
        "unlock",
        {
            **resource_policy(r.before),
            "state": r.state.value,
            "reason": r.reason,
            "journal_id": r.journal_id,
            "request_id": r.request_id,
        },
    )


def journal_entry(e: JournalEntry) -> Json:
    return {
        "id": e.id,
        "run_id": e.run_id,
        "started_at": iso(e.started_at),
        "finished_at": iso(e.finished_at),
        "action": e.action,
        "target": e.target,
        "task_policy": e.task_policy,
        "caller_arn": e.caller_arn,
        "items": list(e.items),
        "status": e.status.value,
        "outcome": e.outcome,
        "request_id": e.request_id,
        "error": e.error,
        "saved_policy": resource_policy(e.saved_policy) if e.saved_policy else None,
        "account_name": e.account_name,
        "replacement_policy": e.replacement_policy,
        "change_ref": e.change_ref,
        "reason": e.reason,
        "session_key_id": e.session_key_id,
    }


def journal(rows: list[JournalRow]) -> Json:
    """Readable entries in ``entries``; rows that could not be read in ``unreadable``."""
    return envelope(
        "journal",
        {
            "entries": [journal_entry(e) for e in rows if isinstance(e, JournalEntry)],
            "unreadable": [
                {"id": e.id, "problem": e.problem} for e in rows if isinstance(e, UnreadableEntry)
            ],
        },
    )


def advice(a: Advice | None) -> Json | None:
    """Advice as data, with its neutral wording (faces word it their own way)."""
    if a is None:
        return None
    return {"code": a.code.value, "params": dict(a.params), "text": a.text}


def compliance_report(report: ComplianceReport, statuses: Collection[RowStatus] = ()) -> Json:
    return envelope(
        "compliance",
        {
            "organization_id": report.organization_id,
            "passed": report.passed,
            "status_filter": _filter(statuses),
            "controls": [
                {
                    "id": r.control.id,
                    "framework": r.control.framework,
                    "title": r.control.title,
                    "severity": r.control.severity,
                    "scope": r.control.scope.value,
                    "status": r.status.value,
                    "counts": {s.value: r.count(s) for s in ControlStatus},
                    "fix": advice(r.fix),
                    "findings": [
                        {
                            "subject_id": f.subject_id,
                            "subject_name": f.subject_name,
                            "status": f.status.value,
                            "reason": f.reason,
                            "detail": f.detail,
                            "has_root_credentials": f.has_root_credentials,
                            "is_management": f.is_management,
                        }
                        for f in r.shown(statuses)
                    ],
                }
                for r in report.results
            ],
        },
    )
