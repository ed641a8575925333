"""The Lock-outs page: find-lockouts org-wide as a background job, the findings with filters,
one finding's statements and the diff original → corrected, and the fix behind a typed
confirmation (the account id) — or saved as a fix-lockouts plan (`rootctl plan lockouts`).
Same engine calls as `rootctl find-lockouts --fix`: each policy saved in the journal first, the
corrected draft next to it."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from rootctl.errors import InputError, NotFound
from rootctl.models import (
    FixAction,
    FixMode,
    FixState,
    LockoutClass,
    LockoutFixReport,
    LockoutReport,
    PlannedFix,
    ProgressCallback,
    ResourceKind,
    ResourceLockout,
    TargetSelector,
)
from rootctl.render.lockouts import CLASS_WORDS, diff_lines, statement_json
from rootctl.web.change_pages import Terms
from rootctl.web.change_pages import _saved as saved
from rootctl.web.dashboard import Dashboard, Notice, check_confirmation
from rootctl.web.jobs import Job, JobKind
from rootctl.web.pages import board_of, render, see_other, with_notice

router = APIRouter(include_in_schema=False)
_CREATE = threading.Lock()
KINDS = {"s3": ResourceKind.S3_BUCKET, "sqs": ResourceKind.SQS_QUEUE}
Field = Annotated[str, Form(max_length=1024)]


class LockoutBoard:
    """The latest org-wide scan (and what was fixed since), shared by every browser."""

    def __init__(self, board: Dashboard) -> None:
        self.board = board
        self.report: LockoutReport | None = None
        self.scanned_at: datetime | None = None
        self.job_id: str | None = None
        self.fixed: dict[tuple[str, str, str], int | None] = {}  # finding → journal entry
        self._lock = threading.Lock()

    def running(self) -> Job | None:
        job = self.board.jobs.get(self.job_id) if self.job_id else None
        return job if job is not None and not job.finished else None

    def start_scan(self, every_region: bool) -> Job:
        engine = self.board.engine
        targets = engine.select_targets(TargetSelector(all=True))

        def work(progress: ProgressCallback, cancel: threading.Event) -> LockoutReport:
            return engine.find_lockouts(
                targets,
                regions="all" if every_region else None,
                progress=progress,
                cancel=cancel,
            )

        def keep(job: Job) -> None:
            with self._lock:
                self.report, self.scanned_at = job.result, datetime.now(UTC)
                self.fixed.clear()

        count = len(targets.selected)
        job = self.board.jobs.start(
            JobKind.LOCKOUTS,
            f"Find lock-outs: {count} account{'s' if count != 1 else ''}",
            tuple(a.id for a in targets.selected),
            work,
            writes=False,
            then=keep,
        )
        self.job_id = job.id
        return job

    def finding(
        self, account_id: str, kind: str, name: str
    ) -> tuple[LockoutReport, ResourceLockout]:
        report = self.report
        found = None
        if report is not None:
            found = next(
                (f for f in report.findings
                 if (f.account_id, f.short_kind, f.name) == (account_id, kind, name)),
                None,
            )  # fmt: skip
        if report is None or found is None:
            raise NotFound("That finding is not in the latest scan: scan again.")
        return report, found

    def planned(self, report: LockoutReport, finding: ResourceLockout, mode: FixMode) -> PlannedFix:
        fixes = self.board.engine.plan_lockout_fixes(report, mode)
        return next(f for f in fixes if f.finding is finding)

    def fix(
        self, account_id: str, kind: str, name: str, mode: FixMode, confirm: str
    ) -> LockoutFixReport:
        check_confirmation(confirm, [account_id])
        report, finding = self.finding(account_id, kind, name)
        planned = self.planned(report, finding, mode)
        if planned.action is FixAction.SKIP:
            raise InputError(f"Nothing to do: {planned.reason}")
        result = self.board.engine.fix_lockouts(report, [planned], mode)
        item = result.items[0] if result.items else None
        if item is not None and item.state is FixState.FIXED:
            with self._lock:
                self.fixed[(account_id, kind, name)] = item.journal_id
        return result


def lockouts_of(request: Request) -> LockoutBoard:
    with _CREATE:
        found: LockoutBoard | None = getattr(request.app.state, "lockouts", None)
        if found is None:
            found = LockoutBoard(board_of(request))
            request.app.state.lockouts = found
        return found


@router.get("/lockouts", response_class=HTMLResponse)
def lockouts(
    request: Request,
    cls: Annotated[str, Query(alias="class", max_length=40)] = "",
    kind: Annotated[str, Query(max_length=8)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    board = lockouts_of(request)
    report = board.report
    findings = list(report.findings) if report else []
    if cls:
        findings = [f for f in findings if f.lockout.value == cls]
    if kind:
        findings = [f for f in findings if f.short_kind == kind]
    if q:
        needle = q.casefold()
        findings = [f for f in findings if needle in f"{f.account_id} {f.name}".casefold()]
    names = {a.account.id: a.account.name for a in report.accounts} if report else {}
    problems = (
        [a for a in report.accounts if a.state.value in ("failed", "incomplete")] if report else []
    )
    return render(
        request,
        "lockouts.html",
        report=report,
        findings=findings,
        names=names,
        problems=problems,
        scanned_at=board.scanned_at,
        running=board.running(),
        fixed=board.fixed,
        classes=[c for c in LockoutClass if c.is_finding],
        class_words=CLASS_WORDS,
        cls=cls,
        kind=kind,
        q=q,
        active="lockouts",
    )


@router.post("/lockouts/scan")
def scan(request: Request, regions: Annotated[str, Form(max_length=8)] = "") -> Response:
    board = lockouts_of(request)
    job = board.running() or board.start_scan(every_region=regions == "all")
    return see_other(f"/jobs/{job.id}")


@router.get("/lockouts/finding", response_class=HTMLResponse)
def finding(
    request: Request,
    account: Annotated[str, Query(max_length=12)],
    kind: Annotated[str, Query(max_length=8)],
    name: Annotated[str, Query(min_length=1, max_length=1024)],
) -> Response:
    board = lockouts_of(request)
    report, found = board.finding(account, kind, name)
    corrected = board.planned(report, found, FixMode.CORRECT)
    return render(
        request,
        "lockout.html",
        f=found,
        account_name=next((a.account.name for a in report.accounts if a.account.id == account), ""),
        plan=corrected,
        diff=diff_lines(corrected) if corrected.action is not FixAction.SKIP else [],
        statements=[(s, statement_json(s.statement)) for s in found.statements],
        class_words=CLASS_WORDS,
        fixed=board.fixed.get((account, kind, name), False),
        active="lockouts",
    )


def _fix_mode(mode: str, kind: str) -> FixMode:
    """The form's fix mode, for a kind the page knows; anything else is one line of bad input."""
    if mode not in {m.value for m in FixMode} or kind not in KINDS:
        raise InputError("Choose how to fix it: correct or delete.")
    return FixMode(mode)


@router.post("/lockouts/fix")
def fix(
    request: Request,
    account: Annotated[str, Form(max_length=12)],
    kind: Annotated[str, Form(max_length=8)],
    name: Field,
    confirm: Field,
    mode: Annotated[str, Form(max_length=16)] = FixMode.CORRECT.value,
) -> Response:
    result = lockouts_of(request).fix(account, kind, name, _fix_mode(mode, kind), confirm)
    item = result.items[0] if result.items else None
    if item is not None and item.state is FixState.FIXED:
        verb = "corrected" if item.fix.action is FixAction.PUT_CORRECTED else "deleted"
        notice = Notice(
            "ok",
            f"Policy of {kind} {name} {verb}",
            (f"The original is in the journal: entry {item.journal_id}.",),
        )
    else:
        why = item.reason if item is not None else "nothing was done"
        notice = Notice(
            "error",
            f"The fix did not complete ({item.state.value if item else 'not run'})",
            (why or "",),
        )
    return with_notice(request, "/lockouts", notice)


@router.post("/lockouts/save-plan")
def save_plan(
    request: Request,
    account: Annotated[str, Form(max_length=12)],
    kind: Annotated[str, Form(max_length=8)],
    name: Field,
    terms: Terms,
    mode: Annotated[str, Form(max_length=16)] = FixMode.CORRECT.value,
) -> Response:
    """The fix previewed on the finding's page as a fix-lockouts plan (the policy's SHA-256 as
    the latest scan read it: apply leaves it alone if it changed since)."""
    fix_mode = _fix_mode(mode, kind)
    board = lockouts_of(request)
    report, finding = board.finding(account, kind, name)
    planned = board.planned(report, finding, fix_mode)
    if planned.action is FixAction.SKIP:
        raise InputError(f"Nothing to plan: {planned.reason}")
    mine = replace(report, accounts=tuple(a for a in report.accounts if a.account.id == account))
    engine = board.board.engine
    return saved(request, engine.plan_document(engine.plan_from_lockouts(mine, [planned], terms)))
