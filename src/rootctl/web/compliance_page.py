"""The Compliance page: `rootctl compliance` on the dashboard's cached audit (no new audit, no
AWS call beyond the tree and the cached status), its exports (the CLI's ``-o csv`` / ``-o json``
from the renderer registry) and ``GET /api/compliance``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from rootctl.errors import InputError, NotFound
from rootctl.models import (
    ComplianceReport,
    ControlResult,
    ControlStatus,
    CredentialKind,
    Finding,
    RowStatus,
)
from rootctl.render.controls import NOT_EVALUATED_MEANS
from rootctl.render.registry import RenderContext, render
from rootctl.render.text import json_text
from rootctl.web import views
from rootctl.web.api import ERRORS
from rootctl.web.dashboard import Dashboard
from rootctl.web.documents import document
from rootctl.web.pages import board_of
from rootctl.web.pages import render as page
from rootctl.web.wording import words

router = APIRouter()
SHOWN = 10  # failing accounts listed per control on the summary; the control's page pages them
ALL = "all"
NO_AUDIT = "No audit in the dashboard yet: Re-audit (top right), then come back."
Status = Annotated[
    str, Query(max_length=40, description="failed, clean, skipped, with-credentials")
]


@dataclass(frozen=True)
class ControlView:
    """One control on the summary: its failing member accounts (the first few) and its fix."""

    result: ControlResult
    failing: tuple[Finding, ...]
    fix: str | None
    fix_kinds: tuple[str, ...]

    @property
    def shown(self) -> tuple[Finding, ...]:
        return self.failing[:SHOWN]

    @property
    def more(self) -> int:
        return max(0, len(self.failing) - SHOWN)


def control_view(result: ControlResult) -> ControlView:
    failing = tuple(
        f for f in result.findings if f.status is ControlStatus.FAILED and not f.is_management
    )
    kinds = result.control.fix_kinds or tuple(k.value for k in CredentialKind)
    fix = words(result.fix) if result.fix is not None and failing else None
    return ControlView(result, failing, fix, kinds)


def statuses_of(word: str) -> frozenset[RowStatus]:
    """The CLI's ``--status`` word (empty or ``all``: every finding)."""
    if word in ("", ALL):
        return frozenset()
    try:
        return frozenset({RowStatus(word)})
    except ValueError:
        names = ", ".join([*(s.value for s in RowStatus), ALL])
        raise InputError(f"unknown status {word!r}: one of {names}.") from None


def cached_report(board: Dashboard) -> ComplianceReport:
    report = board.compliance()
    if report is None:
        raise NotFound(NO_AUDIT)
    return report


@router.get("/compliance", response_class=HTMLResponse, include_in_schema=False)
def compliance(
    request: Request,
    control: Annotated[str, Query(max_length=64)] = "",
    status: Status = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
) -> Response:
    board = board_of(request)
    report = board.compliance()
    context: dict[str, Any] = {
        "report": report,
        "not_evaluated_means": NOT_EVALUATED_MEANS,
        "row_statuses": [s.value for s in RowStatus],
        "ControlStatus": ControlStatus,
        "active": "compliance",
    }
    if report is None:
        return page(request, "compliance.html", **context)
    management = {f.subject_id: f for f in report.management_findings}
    context |= {
        "controls": [control_view(r) for r in report.results],
        "failing_controls": sum(r.status is ControlStatus.FAILED for r in report.results),
        "accounts_failing": len(report.accounts_failing()),
        "management": list(management.values()),
    }
    if not control:
        return page(request, "compliance.html", **context)
    try:
        result = report.control(control)
    except KeyError:
        raise NotFound(f"control {control!r} is not one rootctl evaluates.") from None
    word = status or RowStatus.FAILED.value
    findings = result.shown(statuses_of(word))
    return page(
        request,
        "compliance_control.html",
        **context,
        view=control_view(result),
        status=word,
        page=views.Page.of(findings, page_number),
        query=urlencode({"control": control, "status": word}),
    )


def _export(request: Request, status: str, fmt: str) -> Response:
    report = cached_report(board_of(request))
    rendered = render(report, fmt, RenderContext(advice_text=words, statuses=statuses_of(status)))
    body = rendered if isinstance(rendered, str) else json_text(rendered) + "\n"
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    name = f"rootctl-{report.organization_id}-compliance.{fmt}"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/compliance.csv", include_in_schema=False)
def compliance_csv(request: Request, status: Status = "") -> Response:
    """``rootctl compliance -o csv`` on the cached audit: one row per finding."""
    return _export(request, status, "csv")


@router.get("/compliance.json", include_in_schema=False)
def compliance_json(request: Request, status: Status = "") -> Response:
    """``rootctl compliance -o json`` on the cached audit."""
    return _export(request, status, "json")


@router.get("/api/compliance", tags=["compliance"], responses=ERRORS)
def api_compliance(request: Request, status: Status = "") -> dict[str, Any]:
    """The root-user controls on the dashboard's cached audit (``rootctl compliance -o
    json``; ``status`` keeps the findings of one ``--status`` word). 404 before any audit."""
    report = cached_report(board_of(request))
    return document(report, RenderContext(advice_text=words, statuses=statuses_of(status)))
