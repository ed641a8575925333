"""The journal's pages: every privileged action, filtered and paged, its CSV export, and one
entry (with the policy an unlock saved)."""

from __future__ import annotations

from collections import Counter
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from rootctl.models import JournalEntry
from rootctl.render import flat
from rootctl.web import views
from rootctl.web.pages import board_of, pretty_json, render

router = APIRouter(include_in_schema=False)


@router.get("/journal", response_class=HTMLResponse)
def journal(
    request: Request,
    account: Annotated[str, Query(max_length=12)] = "",
    action: Annotated[str, Query(max_length=64)] = "",
    outcome: Annotated[str, Query(max_length=32)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    board = board_of(request)
    every = [e for e in board.journal(limit=None) if isinstance(e, JournalEntry)]
    matching = board.journal(account=account, action=action, outcome=outcome, limit=None)
    shown = views.Page.of(matching, page)
    chosen = {"account": account, "action": action, "outcome": outcome}
    filters = {k: v for k, v in chosen.items() if v}
    return render(
        request,
        "journal.html",
        entries=shown.rows,
        page=shown,
        outcome_counts=Counter(getattr(e, "outcome", "unreadable") for e in matching),
        query=urlencode(filters),
        actions=sorted({e.action for e in every}),
        outcomes=sorted({e.outcome for e in every}),
        account=account,
        action=action,
        outcome=outcome,
        active="journal",
    )


@router.get("/journal.csv")
def journal_csv(
    request: Request,
    account: Annotated[str, Query(max_length=12)] = "",
    action: Annotated[str, Query(max_length=64)] = "",
    outcome: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """The journal view as CSV: the same filter, every matching entry (formulas neutralised)."""
    rows = board_of(request).journal(account=account, action=action, outcome=outcome, limit=None)
    return Response(
        flat.journal_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="rootctl-journal.csv"'},
    )


@router.get("/journal/{entry_id}", response_class=HTMLResponse)
def journal_entry(request: Request, entry_id: Annotated[int, Path(ge=1, le=2**62)]) -> Response:
    entry = board_of(request).journal_entry(entry_id)
    if not isinstance(entry, JournalEntry):  # a damaged row: say so, never a 500
        problem = f"Journal entry {entry.id} cannot be read: {entry.problem}."
        title = f"Journal entry {entry.id}"
        return render(request, "error.html", 422, title=title, error=problem, advice=None)
    pretty = pretty_json(entry.saved_policy.policy) if entry.saved_policy else None
    return render(request, "journal_entry.html", entry=entry, pretty=pretty, active="journal")
