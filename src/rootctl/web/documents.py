"""Engine models → the API's JSON documents (``rootctl.render.serialize`` where the CLI has
one, so both faces print the same shapes)."""

from __future__ import annotations

from typing import Any

from rootctl.models import (
    DeletionPlan,
    JournalRow,
    Organization,
)
from rootctl.render import serialize
from rootctl.render.registry import RenderContext, render
from rootctl.web.dashboard import Dashboard, expected_confirmation
from rootctl.web.jobs import Job, JobKind, JobState

Json = dict[str, Any]


def organization(org: Organization) -> Json:
    return {
        "id": org.id,
        "feature_set": org.feature_set,
        "management_account_id": org.management_account_id,
        "root_id": org.root_id,
        "units": [
            {"id": u.id, "name": u.name, "parent_id": u.parent_id, "path": list(u.path)}
            for u in org.units
        ],
        "accounts": [{**serialize.account(a), "parent_id": a.parent_id} for a in org.accounts],
    }


def cached_row(dashboard: Dashboard, account_id: str) -> Json | None:
    row = dashboard.cache.get(account_id)
    if row is None:
        return None
    return {
        **serialize.account_audit(row),
        "audited_at": serialize.iso(dashboard.cache.audited_at.get(account_id)),
    }


def cached_audit(dashboard: Dashboard) -> Json:
    running = dashboard.audit_job()
    return {
        "full_audit_at": serialize.iso(dashboard.cache.full_audit_at),
        "running_job": running.id if running else None,
        "last_error": dashboard.cache.last_error,
        "accounts": [
            doc
            for account_id in dashboard.cache.snapshot()
            if (doc := cached_row(dashboard, account_id)) is not None
        ],
    }


def journal_entries(entries: list[JournalRow]) -> Json:
    return serialize.journal(entries)


def document(value: object, context: RenderContext | None = None) -> Json:
    """``value``'s JSON document, from the renderer registry (the CLI's ``-o json``)."""
    rendered = render(value, "json", context)
    if not isinstance(rendered, dict):
        raise TypeError(f"the json renderer of {type(value).__name__} must return a dict")
    return rendered


def job_result(job: Job) -> Json | None:
    return None if job.result is None else document(job.result)


def plan_confirmation(job: Job) -> str | None:
    if job.kind is not JobKind.PLAN or job.state is not JobState.SUCCEEDED:
        return None
    plan: DeletionPlan = job.result
    ids = [p.account.id for p in plan.to_delete]
    return expected_confirmation(ids) if ids else None


def job(j: Job) -> Json:
    latest = j.latest()
    return {
        "id": j.id,
        "kind": j.kind,
        "title": j.title,
        "state": j.state,
        "started_at": serialize.iso(j.started_at),
        "finished_at": serialize.iso(j.finished_at),
        "account_ids": list(j.account_ids),
        "parent_id": j.parent_id,
        "done": latest.done if latest else 0,
        "total": latest.total if latest else len(j.account_ids),
        "phase": latest.phase if latest else "",
        "error": j.error,
        "confirmation": plan_confirmation(j),
        "result": job_result(j),
    }
