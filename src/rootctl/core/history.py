"""The audit history: storing each audit the engine runs, and finding stored audits again.

An audit is stored by default (the engine's ``history``; opt out with ``RootAccess(history=
False)`` or ``audit(..., record=False)``): when it ran, who ran it, what it was asked to cover,
the organization's status then (for the organization-wide controls), and every account row.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from rootctl.core.context import Context
from rootctl.core.organization import read_status
from rootctl.errors import InputError, RootctlError
from rootctl.journal import AuditStore
from rootctl.models import (
    AuditCounts,
    AuditReport,
    AuditScope,
    AuditSource,
    AuditSummary,
    HistoryQuery,
    Organization,
    OrgStatus,
    StoredAudit,
    TargetSet,
)

log = logging.getLogger(__name__)

LATEST = "latest"
AuditRef = int | datetime | str  # an audit id, "latest", or the latest audit at or before then


def scope_of(targets: TargetSet) -> AuditScope:
    selector = targets.selector
    if selector is None:  # a target set built by hand: the accounts it names
        return AuditScope(accounts=tuple(a.id for a in targets.selected))
    return AuditScope(
        all=selector.all or selector.empty,
        accounts=selector.accounts,
        ous=selector.ous,
        exclude=selector.exclude,
    )


def status_now(ctx: Context) -> OrgStatus | None:
    """The organization's status for the record; an audit is stored even when it cannot be
    read (the organization-wide control is then not evaluated for it)."""
    try:
        return read_status(ctx)
    except RootctlError as exc:
        log.debug("audit history: status not readable: %s", exc)
        return None


def record(
    ctx: Context,
    store: AuditStore,
    report: AuditReport,
    targets: TargetSet,
    organization: Organization,
    *,
    started_at: datetime,
    source: AuditSource,
    status: OrgStatus | None,
) -> int:
    """Store ``report`` and return its id."""
    try:
        caller_arn: str | None = ctx.caller().arn
    except RootctlError:
        caller_arn = None
    audited = {row.account.id for row in report.accounts}
    summary = AuditSummary(
        id=0,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        source=source,
        caller_arn=caller_arn,
        organization_id=report.organization_id,
        region=ctx.aws.region,
        scope=scope_of(targets),
        complete=all(a.id in audited for a in organization.accounts),
        interrupted=report.interrupted,
        counts=AuditCounts(),
    )
    return store.save_audit(StoredAudit(summary, report.accounts, status))


def find(store: AuditStore, ref: AuditRef, *, organization_id: str | None = None) -> StoredAudit:
    """The stored audit ``ref`` names; InputError (exit 2) when there is none."""
    if isinstance(ref, int):
        found = store.audit(ref)
        if found is None or (organization_id and found.summary.organization_id != organization_id):
            raise InputError(f"audit {ref} is not in the history ({store.location}).")
        return found
    if isinstance(ref, datetime):
        query = HistoryQuery(organization_id=organization_id, until=ref, limit=1)
        what = f"no audit at or before {ref.astimezone(UTC).isoformat(timespec='seconds')}"
    elif ref == LATEST:
        query = HistoryQuery(organization_id=organization_id, limit=1)
        what = "no audit"
    else:
        raise InputError(f"unknown audit {ref!r}: give an audit id, 'latest' or a date.")
    summaries = store.audits(query)
    if not summaries:
        raise InputError(f"{what} in the history ({store.location}); run rootctl audit first.")
    loaded = store.audit(summaries[0].id)
    if loaded is None:  # pruned in between
        raise InputError(f"audit {summaries[0].id} is no longer in the history.")
    return loaded


def previous(store: AuditStore, audit: AuditSummary) -> AuditSummary | None:
    """The audit to compare ``audit`` with: the latest earlier audit of the same organization —
    one that covered the whole organization when ``audit`` did, so that a partial re-audit in
    between (the dashboard re-reads the accounts it changed) does not hide the rest."""
    query = HistoryQuery(
        organization_id=audit.organization_id,
        before_id=audit.id,
        complete=True if audit.complete else None,
        limit=1,
    )
    found = store.audits(query)
    return found[0] if found else None
