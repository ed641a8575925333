"""JSON documents of governed changes (docs/json-schema/v1.json): ``rootctl/plan-check``,
``rootctl/plan-apply``, ``rootctl/recovery-window``, ``rootctl/recovery-windows``,
``rootctl/recovery-close``, ``rootctl/recovery-sweep``.

A plan itself is shown as its file holds it (``plan``: the hashed object, exactly); a closed
window's evidence is the record the journal keeps, embedded as is.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from rootctl.models import (
    AppliedItem,
    ApplyOutcome,
    ApplyReport,
    ApprovalCheck,
    CloseState,
    Gains,
    PlanCheck,
    RecoveryWindow,
    SweepReport,
    WindowClosure,
    WindowOpening,
    WindowStatusReport,
    WindowView,
)
from rootctl.render.serialize import account, envelope, iso

Json = dict[str, Any]


def _approval(check: ApprovalCheck) -> Json:
    a = check.approval
    return {
        "approver_arn": a.approver_arn,
        "approved_at": iso(a.approved_at),
        "plan_sha256": a.plan_hash,
        "signed": a.signature is not None,
        "counted": check.counted,
        "proof": check.proof,
        "reason": check.reason,
    }


def plan_check(checked: PlanCheck) -> Json:
    document = checked.document
    use = checked.use
    return envelope(
        "plan-check",
        {
            "plan": dict(document.source or {}),
            "sha256": document.declared_hash,
            "computed_sha256": document.computed_hash,
            "intact": document.intact,
            "status": checked.status.value,
            "ready": checked.ready,
            "problems": list(checked.problems),
            "checked_at": iso(checked.checked_at),
            "signature": {
                "state": checked.signature.state.value,
                "kms_key_id": checked.signature.key_id,
                "reason": checked.signature.reason,
            },
            "approvals_needed": document.plan.required_approvals,
            "approvals_counted": checked.counted,
            "approvals": [_approval(a) for a in checked.approvals],
            "use": None
            if use is None
            else {
                "run_id": use.run_id,
                "applied_by": use.applied_by,
                "started_at": iso(use.started_at),
                "finished_at": iso(use.finished_at),
                "outcome": use.outcome,
            },
            "caller_organization_id": checked.caller_organization_id,
        },
    )


def _applied(done: AppliedItem) -> Json:
    return {
        "kind": done.item.kind.value,
        "id": done.item.id,
        "planned": done.planned,
        "outcome": done.outcome.value,
        "reason": done.reason,
        "request_id": done.request_id,
        "note": done.note,
    }


def apply_report(report: ApplyReport) -> Json:
    counts = Counter(i.outcome for a in report.accounts for i in a.items)
    return envelope(
        "plan-apply",
        {
            "organization_id": report.organization_id,
            "plan_sha256": report.plan_hash,
            "plan_id": report.plan_id,
            "operation": report.operation.value,
            "run_id": report.run_id,
            "applied_by": report.applied_by,
            "outcome": report.outcome,
            "interrupted": report.interrupted,
            "summary": {o.value.replace("-", "_"): counts[o] for o in ApplyOutcome},
            "accounts": [
                {
                    **account(row.account),
                    "state": row.state.value,
                    "reason": row.reason,
                    "items": [_applied(i) for i in row.items],
                }
                for row in report.accounts
            ],
        },
    )


def window(w: RecoveryWindow) -> Json:
    evidence: Any = None
    if w.evidence:
        try:
            evidence = json.loads(w.evidence)
        except ValueError:
            evidence = None
    return {
        "id": w.id,
        "account_id": w.account_id,
        "account_name": w.account_name,
        "state": w.state.value,
        "reason": w.reason,
        "ticket": w.ticket,
        "opened_by": w.opened_by,
        "opened_at": iso(w.opened_at),
        "expires_at": iso(w.expires_at),
        "length_seconds": int(w.length.total_seconds()),
        "closed_by": w.closed_by,
        "closed_at": iso(w.closed_at),
        "note": w.note,
        "baseline": {
            "access_keys": list(w.baseline.access_keys),
            "mfa_devices": list(w.baseline.mfa_devices),
            "signing_certificates": list(w.baseline.signing_certificates),
        },
        "evidence": evidence,
    }


def window_opening(opening: WindowOpening) -> Json:
    return envelope(
        "recovery-window",
        {
            "opened": opening.opened,
            "reason": opening.reason,
            "request_id": opening.request_id,
            "window": window(opening.window),
        },
    )


def gains(g: Gains | None) -> Json | None:
    if g is None:
        return None
    return {
        "login_profile_created_at": None
        if g.login_profile is None
        else iso(g.login_profile.created),
        "signed_in_at": iso(g.signed_in_at),
        "access_keys": [{"id": k.id, "created": iso(k.created)} for k in g.access_keys],
        "mfa_devices": [
            {"serial": d.serial, "type": d.kind, "enabled_at": iso(d.enabled_at)}
            for d in g.mfa_devices
        ],
        "signing_certificates": [
            {"id": c.id, "uploaded": iso(c.uploaded)} for c in g.signing_certificates
        ],
    }


def _view(view: WindowView) -> Json:
    now = view.now
    return {
        **window(view.window),
        "expired": view.expired,
        "root_user_now": None
        if now is None
        else {"state": now.state.value, "reason": now.reason, "gained": gains(now.gains)},
    }


def window_status(report: WindowStatusReport) -> Json:
    return envelope(
        "recovery-windows",
        {
            "checked_at": iso(report.checked_at),
            "active": len(report.active),
            "windows": [_view(v) for v in report.windows],
        },
    )


def _closure(closure: WindowClosure) -> Json:
    return {
        **account(closure.account),
        "state": closure.state.value,
        "reason": closure.reason,
        "window": None if closure.window is None else window(closure.window),
    }


def window_closure(closure: WindowClosure) -> Json:
    return envelope("recovery-close", _closure(closure))


def sweep_report(report: SweepReport) -> Json:
    counts = Counter(c.state.value for c in report.accounts)
    return envelope(
        "recovery-sweep",
        {
            "organization_id": report.organization_id,
            "checked_at": iso(report.checked_at),
            "interrupted": report.interrupted,
            "summary": {s.value.replace("-", "_"): counts[s.value] for s in CloseState},
            "windows": [_closure(c) for c in report.accounts],
        },
    )
