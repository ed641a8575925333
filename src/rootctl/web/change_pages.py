"""Change control in the dashboard: "Save as plan" on the previews, the Plans page (approvals,
state, Approve for a different identity, Apply with its drift report), and break-glass recovery
windows (open, countdown, Close).

The dashboard acts as one AWS identity (the one it was started with): its Approve button shows
only when that identity is neither the planner nor an earlier approver; the engine checks it
again. Apply runs as a background job (``/jobs/{id}``, live progress, Cancel): the POST refuses
whatever the engine's check refuses before any AssumeRoot, and starts nothing then."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from rootctl import validation
from rootctl.core.planning import DEFAULT_EXPIRY, MAX_EXPIRY, PlanTerms
from rootctl.errors import InputError
from rootctl.models import (
    ApplyOutcome,
    ApplyReport,
    ApplyState,
    DeletionPlan,
    JournalEntry,
    JournalQuery,
    PlanCheck,
    PlanDocument,
    PlanOperation,
    PlanStatus,
    ResourceKind,
)
from rootctl.render.text import pretty_policy
from rootctl.web import views
from rootctl.web.dashboard import Notice, Selection, check_confirmation
from rootctl.web.jobs import JobKind, JobState
from rootctl.web.pages import (
    TEMPLATES,
    SomeIds,
    Text,
    board_of,
    render,
    see_other,
    with_notice,
)
from rootctl.web.plans import PlanShelf

router = APIRouter(include_in_schema=False)


def _left(until: datetime, now: datetime) -> str:
    seconds = max(0, int((until - now).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h {rest // 60}m left" if hours else f"{rest // 60}m {rest % 60}s left"


TEMPLATES.env.filters["left"] = _left


def _apply_counts(report: ApplyReport) -> dict[str, dict[str, int]]:
    """Items by outcome and accounts by state, every outcome named (0 too) for the items."""
    items = Counter(i.outcome for a in report.accounts for i in a.items)
    accounts = Counter(a.state for a in report.accounts)
    return {
        "items": {o.value: items[o] for o in ApplyOutcome},
        "accounts": {s.value: accounts[s] for s in ApplyState},
    }


TEMPLATES.env.filters["policy_text"] = pretty_policy  # then `lines`, as policy.html does
TEMPLATES.env.filters["apply_counts"] = _apply_counts

Count = Annotated[int, Form(ge=0, le=20)]


def shelf_of(request: Request) -> PlanShelf:
    shelf: PlanShelf = request.app.state.plans
    return shelf


def caller_arn(request: Request) -> str:
    return board_of(request).status().caller.arn


def terms_of(
    required_approvals: Count = 1,
    expires_in: Text = "24h",
    comment: Text = "",
    no_approval: Text = "",
) -> PlanTerms:
    """The planner's terms from a "Save as plan" form, refused as the CLI refuses them."""
    required = required_approvals
    if required == 0 and not no_approval:
        raise InputError(
            "0 required approvals means nobody else reviews the change; tick "
            "“nobody else needs to approve” if that is what you want."
        )
    return PlanTerms(
        expires_in=validation.duration(
            expires_in or "24h", "expiry", minimum=timedelta(minutes=1), maximum=MAX_EXPIRY
        ),
        required_approvals=required,
        comment=validation.note(comment, "comment") if comment.strip() else None,
    )


Terms = Annotated[PlanTerms, Depends(terms_of)]


def _saved(request: Request, document: PlanDocument) -> Response:
    name = shelf_of(request).save(document)
    plan = document.plan
    return with_notice(
        request,
        f"/plans/{name}",
        Notice(
            "ok",
            f"Plan saved: {plan.item_count} item(s) in {len(plan.targets)} account(s)",
            (
                f"sha256 {document.hash}",
                "Another identity approves it here or with `rootctl approve`; then apply it.",
            ),
        ),
    )


# -- save as plan ---------------------------------------------------------------------------------


@router.post("/jobs/{job_id}/save-plan")
def save_deletion_plan(
    request: Request,
    job_id: str,
    terms: Terms,
) -> Response:
    board = board_of(request)
    job = board.job(job_id)
    if job.kind is not JobKind.PLAN or job.state is not JobState.SUCCEEDED:
        raise InputError("Only a finished deletion preview can be saved as a plan.")
    preview: DeletionPlan = job.result
    engine = board.engine
    return _saved(request, engine.plan_document(engine.plan_from_deletion(preview, terms)))


@router.post("/plans/recovery")
def save_recovery_plan(
    request: Request,
    terms: Terms,
    account: SomeIds = None,
    ou: SomeIds = None,
) -> Response:
    board = board_of(request)
    target_set = board.targets(Selection(tuple(account or ()), tuple(ou or ())))
    plan = board.engine.make_plan(PlanOperation.ALLOW_PASSWORD_RECOVERY, target_set, terms=terms)
    return _saved(request, board.engine.plan_document(plan))


@router.post("/accounts/{account_id}/{kind}/save-plan")
def save_unlock_plan(
    request: Request,
    account_id: str,
    kind: ResourceKind,
    name: Annotated[str, Form(min_length=1, max_length=1024)],
    terms: Terms,
) -> Response:
    board = board_of(request)
    board.member(account_id)
    operation = (
        PlanOperation.UNLOCK_S3 if kind is ResourceKind.S3_BUCKET else PlanOperation.UNLOCK_SQS
    )
    target_set = board.targets(Selection(accounts=(account_id,)))
    plan = board.engine.make_plan(operation, target_set, terms=terms, resources=(name,))
    return _saved(request, board.engine.plan_document(plan))


# -- plans ----------------------------------------------------------------------------------------


@router.get("/plans", response_class=HTMLResponse)
def plans(request: Request) -> Response:
    shelf = shelf_of(request)
    return render(
        request,
        "plans.html",
        shelved=shelf.listing(),
        directory=str(shelf.directory),
        default_expiry=DEFAULT_EXPIRY,
        active="plans",
    )


def may_approve(checked: PlanCheck, caller: str) -> bool:
    """Whether the Approve button shows: a different identity, on a plan that still needs it."""
    if checked.status is not PlanStatus.AWAITING_APPROVAL and checked.status is not (
        PlanStatus.APPROVED
    ):
        return False
    plan = checked.document.plan
    earlier = {a.approval.approver_arn for a in checked.approvals if a.counted}
    return caller != plan.planner_arn and caller not in earlier


@router.get("/plans/{name}", response_class=HTMLResponse)
def plan_page(request: Request, name: str) -> Response:
    checked = shelf_of(request).check(name)
    caller = caller_arn(request)
    change = f"plan:{checked.document.hash}"
    entries = [
        e
        for e in board_of(request).engine.journal_entries(JournalQuery(changes=(change,)))
        if isinstance(e, JournalEntry)
    ]
    return render(
        request,
        "plan.html",
        name=name,
        checked=checked,
        plan=checked.document.plan,
        caller=caller,
        can_approve=may_approve(checked, caller),
        applying=board_of(request).applying(name),
        entries=entries,
        confirmation=checked.document.plan.id[:8],
        active="plans",
    )


@router.post("/plans/{name}/approve")
def approve(request: Request, name: str, csrf_token: Text = "", kms_key: Text = "") -> Response:
    shelf = shelf_of(request)
    key = kms_key.strip() or None
    if key is not None and (any(c.isspace() for c in key) or not key.isprintable()):
        raise InputError("Give a KMS key id, ARN or alias (no spaces) to sign with, or nothing.")
    approved = board_of(request).engine.approve_plan(shelf.read(name), sign_with=key)
    shelf.write(name, approved)
    by = approved.approvals[-1].approver_arn
    return with_notice(request, f"/plans/{name}", Notice("ok", f"Approved by {by}"))


@router.post("/plans/{name}/apply")
def apply(request: Request, name: str, confirm: Text) -> Response:
    document = shelf_of(request).read(name)
    job = board_of(request).start_apply(document, name, confirm)
    return see_other(f"/jobs/{job.id}")


# -- recovery windows -----------------------------------------------------------------------------


@router.get("/recovery-windows", response_class=HTMLResponse)
def windows(request: Request) -> Response:
    report = board_of(request).engine.recovery_windows()
    return render(request, "windows.html", report=report, active="windows")


@router.post("/recovery-windows/open")
def open_window(
    request: Request,
    account: Text,
    reason: Annotated[str, Form(max_length=1000)],
    confirm: Text,
    ticket: Text = "",
    length: Text = "1h",
) -> Response:
    board = board_of(request)
    member = board.member(account.strip())
    check_confirmation(confirm, [member.id])
    opening = board.engine.open_recovery_window(
        member.id,
        reason=validation.note(reason, "reason"),
        ticket=validation.note(ticket, "ticket", limit=128) if ticket.strip() else None,
        length=validation.duration(length or "1h", "window length", maximum=timedelta(days=7)),
    )
    if opening.opened:
        until = views.when(opening.window.expires_at)
        notice = Notice("ok", f"Recovery window open on {member.id} until {until}")
    else:
        notice = Notice("error", f"The window was not opened: {opening.reason}")
    return with_notice(request, "/recovery-windows", notice)


@router.post("/recovery-windows/{account_id}/close")
def close_window(request: Request, account_id: str, confirm: Text) -> Response:
    board = board_of(request)
    member = board.member(account_id)
    check_confirmation(confirm, [member.id])
    closure = board.engine.close_recovery_window(member.id)
    level = "ok" if closure.state.value == "closed" else "error"
    lines = tuple(x for x in (closure.reason, closure.window and closure.window.note) if x)
    return with_notice(
        request,
        "/recovery-windows",
        Notice(level, f"Window on {member.id}: {closure.state}", lines),
    )
