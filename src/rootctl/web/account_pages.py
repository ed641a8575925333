"""One account's pages: its root user and journal, a deletion plan for it alone, and its S3
buckets or SQS queues with their policies (and removing one that locks everyone out)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from rootctl.models import ResourceKind, UnlockState
from rootctl.web import views
from rootctl.web.dashboard import Notice, Selection
from rootctl.web.pages import (
    SomeIds,
    Text,
    board_of,
    kinds_of,
    pretty_json,
    render,
    see_other,
    with_notice,
)

router = APIRouter(include_in_schema=False)


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
def account(request: Request, account_id: str) -> Response:
    board = board_of(request)
    audit, audited_at = board.account(account_id)
    org = board.organization()
    found = org.account(account_id)
    return render(
        request,
        "account.html",
        account=found,
        audit=audit,
        audited_at=audited_at,
        badges=views.badges(found, audit) if found else [],
        entries=board.journal(account=account_id, limit=100),
        active="organization",
    )


@router.post("/accounts/{account_id}/plan")
def plan_account(
    request: Request,
    account_id: str,
    kind: SomeIds = None,
    csrf_token: Text = "",  # checked by the middleware; declared because FastAPI reads a
    # lone list field as the whole body
) -> Response:
    job = board_of(request).start_plan(Selection(accounts=(account_id,)), kinds_of(kind or []))
    return see_other(f"/jobs/{job.id}")


@router.get("/accounts/{account_id}/{kind}", response_class=HTMLResponse)
def resources(request: Request, account_id: str, kind: ResourceKind) -> Response:
    board = board_of(request)
    board.account(account_id)
    found = board.organization().account(account_id)
    return render(
        request,
        "resources.html",
        account=found,
        kind=kind,
        resources=board.resources(account_id, kind).resources,
        active="organization",
    )


@router.get("/accounts/{account_id}/{kind}/policy", response_class=HTMLResponse)
def resource_policy(
    request: Request,
    account_id: str,
    kind: ResourceKind,
    name: Annotated[str, Query(min_length=1, max_length=1024)],
) -> Response:
    board = board_of(request)
    board.account(account_id)
    found = board.organization().account(account_id)
    policy = board.resource(account_id, kind, name)
    return render(
        request,
        "policy.html",
        account=found,
        kind=kind,
        resource=policy,
        pretty=pretty_json(policy.policy),
        active="organization",
    )


@router.post("/accounts/{account_id}/{kind}/unlock")
def unlock(
    request: Request,
    account_id: str,
    kind: ResourceKind,
    name: Annotated[str, Form(min_length=1, max_length=1024)],
    confirm: Text,
) -> Response:
    result = board_of(request).unlock(account_id, kind, name, confirm)
    what = "bucket" if kind is ResourceKind.S3_BUCKET else "queue"
    if result.state is UnlockState.REMOVED:
        notice = Notice(
            "ok",
            f"Policy of {what} {result.before.resource} removed",
            (f"A copy was saved first: journal entry {result.journal_id}.",),
        )
    elif result.state is UnlockState.NO_POLICY:
        notice = Notice("warn", f"The {what} {result.before.resource} has no policy to remove")
    else:
        notice = Notice("error", f"Removing the policy failed: {result.reason}")
    return with_notice(request, f"/accounts/{account_id}", notice)
