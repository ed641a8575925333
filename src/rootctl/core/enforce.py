"""``enforce``: the fixes a check calls for, as a deletion plan of exactly its violations.

Only violations with items become plan rows (an expired exception whose credentials are gone
needs a person to edit the file, not a deletion). ``auto_only`` narrows a plan to the items the
desired state lets enforcement remove without a person (``enforce.auto_apply``: the file's
standing approval); the deletion itself is the ordinary journaled ``delete`` (intent before each
removal, outcome after, verified). ``person_only`` is the rest: what goes into a change-control
plan needing ``enforce.approvals`` approvals (:func:`plan_terms`), never applied by enforce or
watch themselves.
"""

from __future__ import annotations

from rootctl import validation
from rootctl.core.planning import PlanTerms
from rootctl.errors import InputError
from rootctl.models import (
    AccountCheck,
    AccountPlan,
    CheckReport,
    CheckState,
    CredentialKind,
    DeletionPlan,
    DesiredState,
    PlannedItem,
    PlanState,
)

_ORDER = {kind: i for i, kind in enumerate(CredentialKind)}
_STATES = {
    CheckState.FAILED: PlanState.FAILED,
    CheckState.NOT_RUN: PlanState.NOT_RUN,
    CheckState.SKIPPED: PlanState.SKIPPED,
}


def enforcement_plan(
    report: CheckReport, *, auto_only: bool = False, person_only: bool = False
) -> DeletionPlan:
    """One row per checked account: ``to-delete`` with the violations' items (only those
    marked auto-apply when ``auto_only``, only the others when ``person_only``), else why
    there is nothing to do."""
    if auto_only and person_only:
        raise ValueError("auto_only and person_only exclude each other")
    rows = tuple(_row(check, auto_only, person_only) for check in report.accounts)
    return DeletionPlan(report.organization_id, rows, report.interrupted)


def plan_terms(state: DesiredState) -> PlanTerms:
    """The change-control terms of an enforcement plan: the file's ``enforce.approvals``."""
    comment = f"rootctl enforce: violations of {state.source}"
    try:
        comment = validation.note(comment, "comment", limit=500)
    except InputError:
        comment = "rootctl enforce: violations of the desired state"
    return PlanTerms(required_approvals=state.approvals, comment=comment)


def _row(check: AccountCheck, auto_only: bool, person_only: bool) -> AccountPlan:
    if check.state in _STATES:
        return AccountPlan(check.account, _STATES[check.state], reason=check.reason)
    chosen = [
        v
        for v in check.violations
        if (v.auto_apply or not auto_only) and not (v.auto_apply and person_only)
    ]
    items: dict[tuple[CredentialKind, str], PlannedItem] = {}
    for violation in chosen:
        for item in violation.items:
            items.setdefault((item.kind, item.id), item)
    if not items:
        why = {
            CheckState.VIOLATION: (
                "its violations are auto-apply"
                if person_only
                else "its violations need a person (not auto-apply)"
            ),
            CheckState.EXCEPTED: "what remains is allowed",
            CheckState.PENDING: "a new account inside its clean-after period",
        }.get(check.state)
        return AccountPlan(check.account, PlanState.NOTHING_TO_DELETE, reason=why)
    ordered = sorted(items.values(), key=lambda i: _ORDER[i.kind])
    return AccountPlan(check.account, PlanState.TO_DELETE, tuple(ordered))
