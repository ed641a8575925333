"""Audit: one IAMAuditRootUserCredentials session per member account, its reads side by side."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import replace
from datetime import datetime, timedelta

from rootctl.aws.root_session import RootSession
from rootctl.core.context import Context
from rootctl.core.fanout import NOT_STARTED, AccountFeed, Run, in_root_sessions
from rootctl.core.targets import eligible, every_account, resolve
from rootctl.errors import RootctlError
from rootctl.models import (
    Account,
    AccountAudit,
    AuditReport,
    AuditState,
    JournalEntry,
    JournalOutcome,
    JournalQuery,
    Organization,
    RootCredentials,
    TargetSelector,
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
    fan = in_root_sessions(
        ctx, targets.selected, TASK, _audit_in(ctx), AccountAudit, run, skipped=targets
    )
    return AuditReport(targets.organization_id, fan.rows, fan.interrupted)


OrganizationReader = Callable[[Callable[[Sequence[Account]], None]], Organization]


def audit_while_reading(
    ctx: Context, selector: TargetSelector, read: OrganizationReader, run: Run
) -> tuple[TargetSet, AuditReport]:
    """Audit every account of a selection that takes them all (:func:`every_account`)
    while the organization is read: each OU's accounts start as soon as they are listed, not
    after the whole tree (at 250 ms a call, half of a 400-account organization is known a
    quarter of a second before its read ends).

    Still fails before acting where it can: the capability check comes before the first
    AssumeRoot, and every account is known by DescribeOrganization, ListRoots and a listing
    that succeeded. A read that fails later stops the fan-out and raises its error; the rows
    are dropped (the audit is read-only; its root sessions are journaled)."""
    if not every_account(selector):
        raise ValueError("only a selection of every account can be audited while it is read")
    feed = AccountFeed()
    reading: Future[Organization] = Future()

    def read_then_close() -> None:
        try:
            reading.set_result(read(lambda found: feed.add(filter(eligible, found))))
            feed.close()
        except BaseException as exc:  # handed to the caller's thread
            feed.abandon()  # start no more accounts: the audit ends with this error
            reading.set_exception(exc)

    threading.Thread(target=read_then_close, name="rootctl-org-read", daemon=True).start()
    try:
        ctx.require(TASK.capability)  # the features were read ahead, beside the tree
    except RootctlError:
        if reading.exception() is not None:  # waits: the tree's error first, as it was
            reading.result()
        raise
    fan = in_root_sessions(ctx, feed, TASK, _audit_in(ctx), AccountAudit, run)
    target_set = resolve(selector, reading.result())
    done = {row.account.id: row for row in fan.rows}
    rows = tuple(
        done.get(account.id) or AccountAudit.not_run(account, NOT_STARTED)
        for account in target_set.selected
    )
    rows += tuple(AccountAudit.skipped(s.account, s.reason) for s in target_set.skipped)
    return target_set, AuditReport(target_set.organization_id, rows, fan.interrupted)


def _audit_in(ctx: Context) -> Callable[[RootSession, Account, threading.Event], AccountAudit]:
    grants = recovery_grants(ctx)

    def audit_in(session: RootSession, account: Account, _cancel: threading.Event) -> AccountAudit:
        return read_account(session, account, grants)

    return audit_in
