"""Judging a plan file, and approving it.

A plan's approvals are verified, not believed: an approval counts when the journal recorded it
(approvals made with the same journal, or a shared one) or when its KMS signature verifies — an
approval that is only written in the file could be anybody's edit. The planner never counts,
nor does any principal twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from rootctl.aws import kms
from rootctl.core.clock import aware
from rootctl.core.context import Context
from rootctl.core.planfile import approval_message, new_document, plan_message
from rootctl.errors import Advice, AdviceCode, AwsError, PlanRefused
from rootctl.models import (
    Approval,
    ApprovalCheck,
    ChangePlan,
    PlanCheck,
    PlanDocument,
    PlanStatus,
    PlanUse,
    SignatureCheck,
    SignatureState,
)

Confirm = Callable[[PlanCheck], None]


def signed(ctx: Context, plan: ChangePlan, key_id: str | None) -> PlanDocument:
    """The plan's document, signed with KMS key ``key_id`` when one is given."""
    document = new_document(plan)
    if key_id is None:
        return document
    return replace(document, signature=kms.sign(ctx.aws, key_id, plan_message(document.hash)))


def check(ctx: Context, document: PlanDocument, *, organization_id: str | None) -> PlanCheck:
    """Judge ``document`` now, by rootctl's clock. ``organization_id``: the caller's
    organization (None: not compared)."""
    plan = document.plan
    signature = _signature(ctx, document)
    approvals = _approvals(ctx, document)
    use = ctx.journal.plans.use(document.hash) if document.intact else None
    now = ctx.now()
    problems: list[tuple[PlanStatus, str]] = []
    if not document.intact:
        problems.append(
            (
                PlanStatus.TAMPERED,
                "its content does not match its sha256: the plan was changed after it was made",
            )
        )
    if signature.state in (SignatureState.INVALID, SignatureState.UNVERIFIED):
        problems.append((PlanStatus.BAD_SIGNATURE, f"its KMS signature {signature.reason}"))
    if use is not None:
        problems.append((PlanStatus.APPLIED, used(use)))
    if now >= aware(plan.expires_at):
        problems.append((PlanStatus.EXPIRED, f"it expired at {_when(plan.expires_at)}"))
    if organization_id is not None and organization_id != plan.organization_id:
        problems.append(
            (
                PlanStatus.OTHER_ORGANIZATION,
                f"it was made for organization {plan.organization_id}; these credentials are "
                f"in {organization_id}",
            )
        )
    counted = sum(1 for a in approvals if a.counted)
    if counted < plan.required_approvals:
        problems.append(
            (
                PlanStatus.AWAITING_APPROVAL,
                f"it has {counted} of the {plan.required_approvals} approval(s) it needs",
            )
        )
    return PlanCheck(
        document=document,
        checked_at=now,
        status=problems[0][0] if problems else PlanStatus.APPROVED,
        signature=signature,
        approvals=approvals,
        use=use,
        caller_organization_id=organization_id,
        problems=tuple(text for _status, text in problems),
    )


def refusal(checked: PlanCheck, doing: str) -> PlanRefused:
    """Why ``doing`` (apply, approve) cannot be done with this plan, with what to do next."""
    if checked.status is PlanStatus.AWAITING_APPROVAL:
        advice = Advice(AdviceCode.GET_APPROVALS)
    else:
        advice = Advice(AdviceCode.MAKE_NEW_PLAN)
    return PlanRefused(f"cannot {doing} this plan: {'; '.join(checked.problems)}.", advice)


def approve(
    ctx: Context,
    document: PlanDocument,
    *,
    organization_id: str | None,
    sign_with: str | None,
    confirm: Confirm | None = None,
) -> PlanDocument:
    """Add the caller's approval (recorded in the journal, signed with KMS when asked).
    ``confirm`` sees the check once the caller is known to be allowed to approve; it raises
    to stop before anything is recorded."""
    ctx.journal.prepare_for_writing()
    checked = check(ctx, document, organization_id=organization_id)
    blocking = [p for p in checked.problems if not p.startswith("it has ")]
    if blocking:
        raise refusal(replace(checked, problems=tuple(blocking)), "approve")
    caller = ctx.caller().arn
    if caller == document.plan.planner_arn:
        raise PlanRefused(
            f"{caller} made this plan; a different principal must approve it.",
            Advice(AdviceCode.APPROVE_AS_OTHER),
        )
    if any(a.approval.approver_arn == caller for a in checked.approvals):
        raise PlanRefused(
            f"{caller} has approved this plan already; each principal approves once.",
            Advice(AdviceCode.APPROVE_AS_OTHER),
        )
    if confirm is not None:
        confirm(checked)
    approval = Approval(caller, ctx.now(), document.hash)
    if sign_with is not None:
        approval = replace(
            approval, signature=kms.sign(ctx.aws, sign_with, approval_message(approval))
        )
    ctx.journal.plans.record_approval(document.hash, approval)
    return replace(document, approvals=(*document.approvals, approval))


# -- the parts of a check ---------------------------------------------------------------------


def _signature(ctx: Context, document: PlanDocument) -> SignatureCheck:
    sig = document.signature
    if sig is None:
        return SignatureCheck(SignatureState.UNSIGNED)
    if not document.intact:
        return SignatureCheck(
            SignatureState.INVALID, sig.key_id, "does not cover this content (it was changed)"
        )
    try:
        valid = kms.verify(ctx.aws, sig, plan_message(document.hash))
    except AwsError as exc:
        return SignatureCheck(SignatureState.UNVERIFIED, sig.key_id, f"could not be checked: {exc}")
    if not valid:
        return SignatureCheck(SignatureState.INVALID, sig.key_id, "does not verify")
    return SignatureCheck(SignatureState.VALID, sig.key_id)


def _approvals(ctx: Context, document: PlanDocument) -> tuple[ApprovalCheck, ...]:
    plan = document.plan
    recorded = {a.approver_arn: a for a in ctx.journal.plans.approvals(document.hash)}
    seen: set[str] = set()
    checks: list[ApprovalCheck] = []
    for approval in document.approvals:
        checks.append(_approval(ctx, document, approval, approval.approver_arn in recorded, seen))
        seen.add(approval.approver_arn)
    for arn, approval in recorded.items():
        if arn not in seen and arn != plan.planner_arn:
            checks.append(ApprovalCheck(approval, True, "journal", "in the journal, not the file"))
    return tuple(checks)


def _approval(
    ctx: Context, document: PlanDocument, approval: Approval, in_journal: bool, seen: set[str]
) -> ApprovalCheck:
    plan = document.plan

    def no(reason: str) -> ApprovalCheck:
        return ApprovalCheck(approval, False, None, reason)

    if approval.plan_hash != document.hash:
        return no(f"it approves another version of the plan (sha256 {approval.plan_hash[:12]}…)")
    if approval.approver_arn == plan.planner_arn:
        return no("the planner cannot approve their own plan")
    if approval.approver_arn in seen:
        return no("a second approval by the same principal")
    if aware(approval.approved_at) > aware(plan.expires_at):
        return no("given after the plan expired")
    if approval.signature is not None:
        try:
            if not kms.verify(ctx.aws, approval.signature, approval_message(approval)):
                return no("its KMS signature does not verify")
            return ApprovalCheck(approval, True, "kms")
        except AwsError as exc:
            if not in_journal:
                return no(f"its KMS signature could not be checked: {exc}")
    if in_journal:
        return ApprovalCheck(approval, True, "journal")
    return no(
        f"not recorded in this journal ({ctx.journal.location}) and not signed with KMS, so it "
        "cannot be told from an edit of the file"
    )


def used(use: PlanUse) -> str:
    outcome = f", {use.outcome}" if use.outcome else ", still running or interrupted"
    return (
        f"it was applied already (by {use.applied_by} at {_when(use.started_at)}, "
        f"run {use.run_id}{outcome}); a plan is applied once"
    )


def _when(moment: datetime) -> str:
    return f"{aware(moment):%Y-%m-%d %H:%M:%S} UTC"
