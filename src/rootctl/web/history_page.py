"""The History page: posture over time per top-level OU, the stored audits, the drift between
any two of them, and each audit's evidence report to download (HTML, JSON, CSV, SARIF, ASFF,
OCSF). Read-only: it reads the history and the journal, never AWS."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from rootctl.errors import InputError
from rootctl.models import DriftReport, EvidenceReport, HistoryQuery
from rootctl.render import history_docs
from rootctl.render.html_report import posture_chart, posture_table
from rootctl.render.registry import formats, render
from rootctl.render.text import json_text
from rootctl.web.api import ERRORS
from rootctl.web.dashboard import Dashboard
from rootctl.web.pages import board_of
from rootctl.web.pages import render as page

router = APIRouter()
AuditId = Annotated[int, Path(ge=1, le=2**62)]
MaybeId = Annotated[int | None, Query(ge=1, le=2**62)]
SHOWN = 200  # audits listed on the page (and offered for the drift)
MEDIA = {
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "sarif": "application/sarif+json",
    "asff": "application/json",
    "ocsf": "application/json",
}


def _drift(board: Dashboard, before: int | None, after: int | None) -> DriftReport | None:
    """The drift asked for; by default the latest audit against the one before it (None when
    there are not two audits yet)."""
    history = board.engine.history
    if before is None and after is None and len(history.audits(HistoryQuery(limit=2)).audits) < 2:
        return None
    return history.drift(before, after if after is not None else "latest")


@router.get("/history", response_class=HTMLResponse, include_in_schema=False)
def history_page(
    request: Request,
    before: Annotated[MaybeId, Query(alias="from")] = None,
    after: Annotated[MaybeId, Query(alias="to")] = None,
) -> Response:
    board = board_of(request)
    history = board.engine.history
    if not history.enabled:
        return page(request, "error.html", 404, title="History", error="No audit history is kept.")
    audits = history.audits(HistoryQuery(limit=SHOWN)).audits
    try:
        drift, drift_error = _drift(board, before, after), None
    except InputError as exc:
        drift, drift_error = None, exc.message
    points = history.posture()
    return page(
        request,
        "history.html",
        audits=audits,
        chart=Markup(posture_chart(points)),  # noqa: S704 - built by html_report: every text escaped
        chart_table=Markup(posture_table(points)),  # noqa: S704 - same
        drift=drift,
        drift_error=drift_error,
        describe=history_docs.describe_change,
        selected_from=drift.before.id if drift else before,
        selected_to=drift.after.id if drift else after,
        formats=formats(EvidenceReport),
        active="history",
    )


@router.get("/history/{audit_id}/report.{fmt}", include_in_schema=False)
def download(request: Request, audit_id: AuditId, fmt: str) -> Response:
    if fmt not in MEDIA:
        raise InputError(f"unknown report format {fmt!r}: {', '.join(MEDIA)}.")
    report = board_of(request).engine.history.report(audit_id)
    rendered = render(report, fmt)
    body = rendered if isinstance(rendered, str) else json_text(rendered) + "\n"
    name = f"rootctl-{report.organization_id}-audit-{audit_id}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=MEDIA[fmt], headers=headers)


@router.get("/api/history", tags=["history"], responses=ERRORS)
def api_history(
    request: Request, limit: Annotated[int, Query(ge=1, le=10_000)] = 500
) -> dict[str, Any]:
    """The stored audits, newest first (``rootctl history -o json``)."""
    return history_docs.history(board_of(request).engine.history.audits(HistoryQuery(limit=limit)))


@router.get("/api/drift", tags=["history"], responses=ERRORS)
def api_drift(
    request: Request,
    before: Annotated[MaybeId, Query(alias="from")] = None,
    after: Annotated[MaybeId, Query(alias="to")] = None,
) -> dict[str, Any]:
    """What changed between two stored audits (``rootctl drift -o json``); by default the
    latest against the one before it."""
    return history_docs.drift(board_of(request).engine.history.drift(before, after or "latest"))
