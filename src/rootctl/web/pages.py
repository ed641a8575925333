"""The HTML pages: server-rendered, usable without JavaScript (the script only streams job
progress and guards typed confirmations). Every POST is a form with the CSRF field; every
action ends in a redirect (POST → redirect → GET) so a reload never repeats it."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from rootctl.errors import InputError, RootctlError
from rootctl.models import (
    AccountAudit,
    AuditReport,
    AuditState,
    Capability,
    CredentialKind,
    FeatureChange,
)
from rootctl.render import text
from rootctl.render.registry import render as render_as
from rootctl.render.text import json_text
from rootctl.web import views
from rootctl.web.dashboard import Dashboard, Notice, Selection, expected_confirmation
from rootctl.web.documents import plan_confirmation
from rootctl.web.jobs import JobKind

TEMPLATES = Jinja2Templates(directory=str(FilePath(__file__).parent / "templates"))
# Every {{ … }} shows outside text inertly (control and bidi characters as escapes), then
# autoescaping makes it HTML; `lines` does the same but keeps line breaks (policies in <pre>).
TEMPLATES.env.finalize = text.finalize


def _lines(value: str) -> Markup:
    return escape(text.inert_lines(value))


TEMPLATES.env.filters["lines"] = _lines
TEMPLATES.env.filters["when"] = views.when
TEMPLATES.env.filters["day"] = views.day
TEMPLATES.env.globals["CredentialKind"] = CredentialKind
TEMPLATES.env.globals["Capability"] = Capability
TEMPLATES.env.globals["STATUS_FILTERS"] = views.STATUS_FILTERS

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form(max_length=200)]
Ids = Annotated[list[str], Form(max_length=10_000)]
# Optional lists: `Ids | None` would hide the Form marker from FastAPI before 0.140.10.
SomeIds = Annotated[list[str] | None, Form(max_length=10_000)]


def board_of(request: Request) -> Dashboard:
    board: Dashboard = request.app.state.dashboard
    return board


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    board = board_of(request)
    try:
        org_status = board.status()
        status_error = None
    except RootctlError as exc:
        org_status, status_error = None, str(exc)
    base = {
        "csrf": request.app.state.secrets.csrf,
        "org_status": org_status,
        "status_error": status_error,
        "full_audit_at": board.cache.full_audit_at,
        "audit_job": board.audit_job(),
        "notice": board.notices.get(request.query_params.get("notice")),
        "sandbox": request.app.state.sandbox_note,
    }
    return TEMPLATES.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def with_notice(request: Request, url: str, notice: Notice) -> RedirectResponse:
    key = board_of(request).notices.add(notice)
    return see_other(f"{url}{'&' if '?' in url else '?'}notice={key}")


def kinds_of(values: list[str]) -> tuple[CredentialKind, ...]:
    try:
        return tuple(CredentialKind(v) for v in values)
    except ValueError:
        raise InputError("Unknown kind of root credential.") from None


def capabilities_of(values: list[str]) -> tuple[Capability, ...]:
    try:
        return tuple(Capability(v) for v in values)
    except ValueError:
        raise InputError("Unknown capability.") from None


# -- overview -------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, ou: Annotated[str, Query(max_length=80)] = "") -> Response:
    board = board_of(request)
    try:
        org = board.organization()
        chart = views.posture_chart(org, board.cache.snapshot(), under=ou or None)
    except RootctlError as exc:
        return render(request, "error.html", 502, title="Cannot read the organization", error=exc)
    return render(request, "overview.html", org=org, chart=chart, active="overview")


@router.post("/enable")
def enable(
    request: Request,
    capability: Ids,
    delegate: Text = "",
) -> Response:
    change = board_of(request).enable(capabilities_of(capability), delegate.strip() or None)
    return with_notice(request, "/", _change_notice("Enable", change))


@router.post("/disable")
def disable(
    request: Request,
    confirm: Text,
    capability: SomeIds = None,
    trusted_access: Text = "",
) -> Response:
    change = board_of(request).disable(
        capabilities_of(capability or []), trusted_access=bool(trusted_access), confirm=confirm
    )
    return with_notice(request, "/", _change_notice("Turn off", change))


def _change_notice(what: str, change: FeatureChange) -> Notice:
    lines = tuple(
        f"{s.description}: {s.state}" + (f" ({s.reason})" if s.reason else "") for s in change.steps
    )
    if change.failed:
        return Notice("error", f"{what} did not complete", lines)
    return Notice("ok", f"{what}: done", lines)


@router.post("/audit")
def audit(
    request: Request,
    account: SomeIds = None,
    ou: SomeIds = None,
    scope: Text = "",
) -> Response:
    selection = Selection(tuple(account or ()), tuple(ou or ()), all=scope == "all")
    job = board_of(request).start_audit(selection)
    return see_other(f"/jobs/{job.id}")


# -- organization tree and bulk actions ----------------------------------------------------------


@router.get("/organization", response_class=HTMLResponse)
def organization(
    request: Request,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    board = board_of(request)
    org = board.organization()
    root = views.tree(org, board.cache.snapshot(), q, status)
    return render(
        request,
        "organization.html",
        org=org,
        root=root,
        q=q,
        status=status if status in views.STATUS_FILTERS else "",
        filtering=bool(q or status),
        query=urlencode({k: v for k, v in {"q": q, "status": status}.items() if v}),
        active="organization",
    )


@router.get("/organization.{fmt}")
def organization_export(
    request: Request,
    fmt: Literal["csv", "json"],
    q: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The tree as it is shown (same filter) as ``rootctl audit -o csv`` / ``-o json`` on the
    cached audit; a shown account without one is a ``not-run`` row."""
    board = board_of(request)
    org = board.organization()
    root = views.tree(org, board.cache.snapshot(), q, status)
    rows = tuple(
        a.audit or AccountAudit(a.account, AuditState.NOT_RUN, reason="not audited yet")
        for a in root.shown()
    )
    rendered = render_as(AuditReport(org.id, rows), fmt)
    body = rendered if isinstance(rendered, str) else json_text(rendered) + "\n"
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    name = f"rootctl-{org.id}-organization.{fmt}"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.post("/bulk")
def bulk(
    request: Request,
    action: Text,
    account: SomeIds = None,
    ou: SomeIds = None,
    kind: SomeIds = None,
    shown_in: SomeIds = None,
    q: Text = "",
    status: Text = "",
) -> Response:
    board = board_of(request)
    # "Select what is shown in an OU" under a filter means the filter's matches, never the
    # whole OU: the same filter is applied again here, on the server.
    shown = _shown_in(board, shown_in or [], q, status)
    selection = Selection(tuple(dict.fromkeys([*(account or ()), *shown])), tuple(ou or ()))
    if action == "delete":
        job = board.start_plan(selection, kinds_of(kind or []))
        return see_other(f"/jobs/{job.id}")
    if action == "audit":
        job = board.start_audit(selection)
        return see_other(f"/jobs/{job.id}")
    if action == "recovery":
        target_set = board.targets(selection)
        changing = board.recovery_targets(selection)
        ids = [a.id for a in changing.selected]
        changed = set(ids)
        return render(
            request,
            "recovery_preview.html",
            target_set=target_set,
            changing=changing.selected,
            already=[a for a in target_set.selected if a.id not in changed],
            audits=board.cache.snapshot(),
            selection=selection,
            confirmation=expected_confirmation(ids) if ids else None,
            active="organization",
        )
    raise InputError("Choose an action: delete root credentials, allow recovery or re-audit.")


def _shown_in(board: Dashboard, unit_ids: list[str], query: str, status: str) -> list[str]:
    if not unit_ids:
        return []
    root = views.tree(board.organization(), board.cache.snapshot(), query, status)
    found = [root.find(unit_id) for unit_id in unit_ids]
    return [i for node in found if node is not None for i in node.shown_ids()]


@router.post("/recovery")
def recovery(
    request: Request,
    confirm: Text,
    account: SomeIds = None,
    ou: SomeIds = None,
) -> Response:
    selection = Selection(tuple(account or ()), tuple(ou or ()))
    job = board_of(request).start_recovery(selection, confirm)
    return see_other(f"/jobs/{job.id}")


# -- jobs -----------------------------------------------------------------------------------------


@router.get("/jobs", response_class=HTMLResponse)
def jobs(request: Request, page: Annotated[int, Query(ge=1, le=1_000_000)] = 1) -> Response:
    listed = views.Page.of(list(board_of(request).jobs.all()), page)
    return render(request, "jobs.html", jobs=listed, active="jobs")


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job(
    request: Request,
    job_id: str,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    board = board_of(request)
    found = board.job(job_id)
    applied = next((j for j in board.jobs.all() if j.parent_id == found.id), None)
    listed = views.result_rows(found.result) if found.finished else views.ResultRows()
    shown = [r for r in listed.rows if views.account_matches(r.account, q)]
    return render(
        request,
        "job.html",
        job=found,
        applied=applied,
        confirmation=plan_confirmation(found) if applied is None else None,
        listed=listed,
        rows=views.Page.of(shown, page),
        q=q,
        query=urlencode({"q": q}) if q else "",
        JobKind=JobKind,
        active="jobs",
    )


@router.post("/jobs/{job_id}/apply")
def apply_plan(request: Request, job_id: str, confirm: Text) -> Response:
    job = board_of(request).start_deletion(job_id, confirm)
    return see_other(f"/jobs/{job.id}")


@router.post("/jobs/{job_id}/cancel")
def cancel_job(request: Request, job_id: str) -> Response:
    board_of(request).job(job_id).cancel.set()
    return see_other(f"/jobs/{job_id}")


def pretty_json(policy: str | None) -> str | None:
    return None if policy is None else text.pretty_policy(policy)
