"""The Doctor page: `rootctl doctor --for …` on every account, run in the request when the
form asks for it (never on another page's load). Read-only, but it calls AWS: the caller, the
organization, IAM's policy simulator and a short AssumeRoot per task and member account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from rootctl.models import BlockedGroup, CheckStatus, DoctorFinding, DoctorReport, Operation
from rootctl.models.doctor import DOCTOR_OPERATIONS, denied_where
from rootctl.render.doctor import verdict
from rootctl.render.registry import RenderContext
from rootctl.web.api import ERRORS
from rootctl.web.documents import document
from rootctl.web.pages import board_of
from rootctl.web.pages import render as page
from rootctl.web.wording import words

router = APIRouter()
# The words of `rootctl doctor --for` (a Literal, so the OpenAPI document lists them).
DoctorFor = Literal["audit", "delete", "recovery", "unlock"]
Chosen = Annotated[list[DoctorFor], Query(alias="for", max_length=len(DOCTOR_OPERATIONS))]
ORDER = (CheckStatus.FAIL, CheckStatus.WARN, CheckStatus.OK)
SHOWN = 10  # accounts listed per blocked group; the JSON lists them all


def operations_of(chosen: list[DoctorFor]) -> tuple[Operation, ...]:
    return tuple(op for op in DOCTOR_OPERATIONS if op.value in chosen)


@dataclass(frozen=True)
class Section:
    """One status's findings: those about the setup one by one, those about member accounts
    by message (a large organization repeats the same finding per account), like the CLI."""

    status: CheckStatus
    general: tuple[DoctorFinding, ...]
    by_message: tuple[tuple[str, tuple[DoctorFinding, ...]], ...]
    blocked: tuple[BlockedGroup, ...] = ()

    @property
    def count(self) -> int:
        listed = sum(len(found) for _, found in self.by_message)
        return len(self.general) + listed + sum(len(g.accounts) for g in self.blocked)


def sections(report: DoctorReport) -> list[Section]:
    """Findings by status, worst first (statuses without a finding left out). Member accounts
    a denial blocks are shown by denial (with its one fix) when doctor grouped them."""
    shown = []
    for status in ORDER:
        found = [f for f in report.findings if f.status is status]
        per_account: dict[str, list[DoctorFinding]] = {}
        for f in found:
            if f.account_id is not None:
                per_account.setdefault(f.message, []).append(f)
        blocked = report.groups if status is CheckStatus.FAIL else ()
        section = Section(
            status,
            tuple(f for f in found if f.account_id is None),
            () if blocked else tuple((m, tuple(fs)) for m, fs in per_account.items()),
            blocked,
        )
        if found or blocked:
            shown.append(section)
    return shown


@router.get("/doctor", response_class=HTMLResponse, include_in_schema=False)
def doctor(request: Request, chosen: Chosen = []) -> Response:  # noqa: B006 - FastAPI copies it
    operations = operations_of(chosen)
    report = board_of(request).doctor(operations) if operations else None
    return page(
        request,
        "doctor.html",
        report=report,
        sections=sections(report) if report else [],
        verdict=verdict(report).plain if report else None,
        all_operations=[op.value for op in DOCTOR_OPERATIONS],
        chosen=[op.value for op in operations],
        query="&".join(f"for={op.value}" for op in operations),
        words=words,
        denied_where=denied_where,
        shown=SHOWN,
        active="doctor",
    )


@router.get("/api/doctor", tags=["doctor"], responses=ERRORS)
def api_doctor(request: Request, chosen: Chosen = []) -> dict[str, Any]:  # noqa: B006
    """What would block the chosen operations (``for``, repeatable; default: all four), on
    every account — ``rootctl doctor -o json``. Read-only, but it calls AWS: seconds, not
    milliseconds, on a large organization."""
    operations = operations_of(chosen) or DOCTOR_OPERATIONS
    report = board_of(request).doctor(operations)
    return document(report, RenderContext(advice_text=words))
