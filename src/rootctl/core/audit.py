"""Audit: one IAMAuditRootUserCredentials session per member account, its reads side by side."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from rootctl.aws.root_session import RootSession
from rootctl.core.context import Context
from rootctl.core.fanout import Run, in_root_sessions
from rootctl.errors import RootctlError
from rootctl.models import (
    Account,
    AccountAudit,
    AuditReport,
    AuditState,
    JournalEntry,
    JournalOutcome,
    JournalQuery,
    RootCredentials,
    TargetSet,
    TaskPolicy,
)

TASK = TaskPolicy.AUDIT
RECOVERY_ACTION = "create-login-profile"
# AWS stamps the profile's CreateDate with its clock; the journal uses this machine's.
CLOCK_SLACK = timedelta(minutes=10)

Grants = Mapping[str, Sequence[tuple[datetime, datetime]]]  # account → (started, finished)


def recovery_grants(ctx: Context) -> Grants:
    """When rootctl created each account's root login profile without a password ("Allow
    password recovery"), from the journal. A journal that cannot be read gives no evidence
    (an audit never fails on it)."""
    query = JournalQuery(actions=(RECOVERY_ACTION,), outcomes=(JournalOutcome.SUCCEEDED,))
    try:
        rows = ctx.journal.entries(query)
    except RootctlError:
        return {}
    grants: dict[str, list[tuple[datetime, datetime]]] = {}
    for entry in rows:
        # "already: …" means the profile existed: rootctl did not create that one.
        if isinstance(entry, JournalEntry) and entry.target and entry.error is None:
            finished = entry.finished_at or entry.started_at
            grants.setdefault(entry.target, []).append((entry.started_at, finished))
    return grants


def with_evidence(
    credentials: RootCredentials, grants: Sequence[tuple[datetime, datetime]]
) -> RootCredentials:
    """Mark a login profile rootctl itself created without a password as recovery-only."""
    profile = credentials.login_profile
    if profile is None or profile.created is None:
        return credentials
    for started, finished in grants:
        if started - CLOCK_SLACK <= profile.created <= finished + CLOCK_SLACK:
            return replace(
                credentials, login_profile=replace(profile, recovery_allowed_at=finished)
            )
    return credentials


def read_account(session: RootSession, account: Account, grants: Grants) -> AccountAudit:
    credentials = with_evidence(session.credentials(), grants.get(account.id, ()))
    return AccountAudit(account, AuditState.AUDITED, credentials)


def audit(ctx: Context, targets: TargetSet, run: Run) -> AuditReport:
    ctx.require(TASK.capability)
    grants = recovery_grants(ctx)

    def audit_in(session: RootSession, account: Account, _cancel: threading.Event) -> AccountAudit:
        return read_account(session, account, grants)

    fan = in_root_sessions(
        ctx, targets.selected, TASK, audit_in, AccountAudit, run, skipped=targets
    )
    return AuditReport(targets.organization_id, fan.rows, fan.interrupted)
