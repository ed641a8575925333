"""The JSON API under /api (OpenAPI at /api/openapi.json). The HTML pages use the same
Dashboard methods; this face exists for scripts and for the job progress stream."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from rootctl.models import JournalEntry, ResourceKind
from rootctl.render import serialize
from rootctl.render.text import inert
from rootctl.web import documents
from rootctl.web.dashboard import Dashboard, Selection
from rootctl.web.jobs import Job
from rootctl.web.schemas import (
    AccountDetailOut,
    AccountId,
    ApplyIn,
    CachedAuditOut,
    DisableIn,
    EnableIn,
    ErrorOut,
    FeatureChangeOut,
    JobOut,
    JournalDocument,
    JournalEntryOut,
    OrganizationOut,
    PlanIn,
    QueueUnlockIn,
    RecoveryIn,
    ResourcePoliciesDocument,
    ResourcePolicyOut,
    SelectionIn,
    SessionOut,
    StatusOut,
    UnlockDocument,
    UnlockIn,
)

Json = dict[str, Any]
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 422)
}
router = APIRouter(prefix="/api", responses=ERRORS)
SSE_KEEPALIVE_SECONDS = 15.0
SSE_POLL_SECONDS = 0.2


def dashboard(request: Request) -> Dashboard:
    board: Dashboard = request.app.state.dashboard
    return board


Board = Annotated[Dashboard, Depends(dashboard)]
EntryId = Annotated[int, Path(ge=1, le=2**62)]


def selection(body: SelectionIn) -> Selection:
    return Selection(tuple(body.accounts), tuple(body.ous), body.all, tuple(body.exclude))


@router.get("/session", response_model=SessionOut)
def session(request: Request) -> Json:
    """The CSRF token for this run (readable only with the session cookie)."""
    return {"csrf_token": request.app.state.secrets.csrf}


@router.get("/status", response_model=StatusOut)
def status(board: Board, refresh: bool = False) -> Json:
    return serialize.status(board.status(refresh=refresh))


@router.get("/organization", response_model=OrganizationOut)
def organization(board: Board) -> Json:
    return documents.organization(board.organization())


@router.get("/audit", response_model=CachedAuditOut)
def cached_audit(board: Board) -> Json:
    return documents.cached_audit(board)


@router.post("/audit", response_model=JobOut, status_code=202)
def start_audit(board: Board, body: SelectionIn) -> Json:
    return documents.job(board.start_audit(selection(body)))


@router.get("/accounts/{account_id}", response_model=AccountDetailOut)
def account(board: Board, account_id: AccountId) -> Json:
    return {
        "account": serialize.account(board.member(account_id)),
        "audit": documents.cached_row(board, account_id),
        "journal": [
            serialize.journal_entry(e)
            for e in board.journal(account=account_id)
            if isinstance(e, JournalEntry)
        ],
    }


@router.post("/plans", response_model=JobOut, status_code=202)
def start_plan(board: Board, body: PlanIn) -> Json:
    return documents.job(board.start_plan(selection(body), body.kinds))


@router.post("/recovery", response_model=JobOut, status_code=202)
def start_recovery(board: Board, body: RecoveryIn) -> Json:
    return documents.job(board.start_recovery(selection(body), body.confirm))


@router.get("/jobs", response_model=list[JobOut])
def jobs(board: Board) -> list[Json]:
    return [documents.job(j) for j in board.jobs.all()]


@router.get("/jobs/{job_id}", response_model=JobOut)
def job(board: Board, job_id: str) -> Json:
    return documents.job(board.job(job_id))


@router.post("/jobs/{job_id}/apply", response_model=JobOut, status_code=202)
def apply_plan(board: Board, job_id: str, body: ApplyIn) -> Json:
    """Delete exactly what the finished plan ``job_id`` listed."""
    return documents.job(board.start_deletion(job_id, body.confirm))


@router.post("/jobs/{job_id}/cancel", response_model=JobOut)
def cancel_job(board: Board, job_id: str) -> Json:
    found = board.job(job_id)
    found.cancel.set()
    return documents.job(found)


@router.get(
    "/jobs/{job_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
def job_events(board: Board, job_id: str, request: Request) -> StreamingResponse:
    """Server-sent events: ``progress`` per account, then one ``end``."""
    found = board.job(job_id)
    start = _last_event_id(request)
    return StreamingResponse(
        _stream(found, start),
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no"},
    )


def _last_event_id(request: Request) -> int:
    raw = request.headers.get("last-event-id", "")
    return int(raw) if raw.isdigit() else 0


async def _stream(job: Job, seen: int) -> AsyncIterator[str]:
    # Polls instead of blocking a worker thread per open stream: progress arrives at most a
    # few times a second per account, and polling keeps shutdown instant.
    yield "retry: 2000\n\n"
    idle = 0.0
    while True:
        events = job.events[seen:]
        for offset, event in enumerate(events, start=seen + 1):
            # For display only (app.js): its text fields come visible-escaped, like the pages.
            payload = {
                "done": event.done,
                "total": event.total,
                "account_id": inert(event.account_id),
                "state": inert(event.state),
                "phase": inert(event.phase),
            }
            yield f"id: {offset}\nevent: progress\ndata: {json.dumps(payload)}\n\n"
        seen += len(events)
        if job.finished and seen >= len(job.events):
            yield f"event: end\ndata: {json.dumps({'state': job.state.value})}\n\n"
            return
        idle = 0.0 if events else idle + SSE_POLL_SECONDS
        if idle >= SSE_KEEPALIVE_SECONDS:
            idle = 0.0
            yield ": keep-alive\n\n"
        await anyio.sleep(SSE_POLL_SECONDS)


@router.post("/enable", response_model=FeatureChangeOut)
def enable(board: Board, body: EnableIn) -> Json:
    change = board.enable(body.capabilities, body.delegate, dry_run=body.dry_run)
    return documents.document(change)


@router.post("/disable", response_model=FeatureChangeOut)
def disable(board: Board, body: DisableIn) -> Json:
    change = board.disable(
        body.capabilities,
        trusted_access=body.trusted_access,
        confirm=body.confirm,
        dry_run=body.dry_run,
    )
    return documents.document(change)


@router.get("/accounts/{account_id}/buckets", response_model=ResourcePoliciesDocument)
def buckets(board: Board, account_id: AccountId) -> Json:
    return documents.document(board.resources(account_id, ResourceKind.S3_BUCKET))


@router.get("/accounts/{account_id}/buckets/{bucket}", response_model=ResourcePolicyOut)
def bucket(board: Board, account_id: AccountId, bucket: str) -> Json:
    return serialize.resource_policy(board.resource(account_id, ResourceKind.S3_BUCKET, bucket))


@router.post("/accounts/{account_id}/buckets/{bucket}/unlock", response_model=UnlockDocument)
def unlock_bucket(board: Board, account_id: AccountId, bucket: str, body: UnlockIn) -> Json:
    """Save the bucket policy in the journal, then delete it."""
    result = board.unlock(account_id, ResourceKind.S3_BUCKET, bucket, body.confirm)
    return documents.document(result)


@router.get("/accounts/{account_id}/queues", response_model=ResourcePoliciesDocument)
def queues(board: Board, account_id: AccountId) -> Json:
    return documents.document(board.resources(account_id, ResourceKind.SQS_QUEUE))


@router.get("/accounts/{account_id}/queue", response_model=ResourcePolicyOut)
def queue(
    board: Board, account_id: AccountId, name: Annotated[str, Query(min_length=1, max_length=1024)]
) -> Json:
    """``name`` is the queue URL or name."""
    return serialize.resource_policy(board.resource(account_id, ResourceKind.SQS_QUEUE, name))


@router.post("/accounts/{account_id}/queues/unlock", response_model=UnlockDocument)
def unlock_queue(board: Board, account_id: AccountId, body: QueueUnlockIn) -> Json:
    """Save the queue policy in the journal, then remove it."""
    result = board.unlock(account_id, ResourceKind.SQS_QUEUE, body.queue, body.confirm)
    return documents.document(result)


@router.get("/journal", response_model=JournalDocument)
def journal(
    board: Board,
    account: Annotated[AccountId | None, Query()] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    outcome: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
) -> Json:
    entries = board.journal(account=account, action=action, outcome=outcome, limit=limit)
    return documents.journal_entries(entries)


@router.get("/journal/{entry_id}", response_model=JournalEntryOut)
def journal_entry(board: Board, entry_id: EntryId) -> Any:
    entry = board.journal_entry(entry_id)
    if not isinstance(entry, JournalEntry):  # a damaged row: say so, never a 500
        problem = f"journal entry {entry.id} cannot be read: {entry.problem}."
        return JSONResponse({"error": problem, "advice": None, "status": 422}, status_code=422)
    return serialize.journal_entry(entry)
