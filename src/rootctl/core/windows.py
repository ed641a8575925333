"""Break-glass recovery windows: open (allow password recovery on one account, for a while, with
a reason), look (what the root user has gained since), close (remove all of it), sweep (close
every window past its time).

The window is recorded before recovery is allowed, and closing is claimed in the store before
anything is removed, so two closers (a person and a cron'd sweep, two sweeps on two machines)
never both act on one window. Removals go through the deletion engine's one path
(:func:`rootctl.core.removal.remove_items`), journaled under a run that carries
``window:<id>``.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta

from rootctl.aws.root_session import RootSession
from rootctl.core import recovery, window_evidence
from rootctl.core.context import SESSION_SECONDS, Context
from rootctl.core.fanout import Run, fan_out, in_root_sessions
from rootctl.core.removal import LOGIN_PROFILE, remove_items
from rootctl.errors import InputError, RootctlError
from rootctl.models import (
    Account,
    AccountPlan,
    AccountRecovery,
    Baseline,
    CloseState,
    CredentialKind,
    Gains,
    ItemResult,
    LookState,
    Organization,
    PlannedItem,
    PlanState,
    RecoveryState,
    RecoveryWindow,
    RootCredentials,
    RootNow,
    SweepReport,
    TaskPolicy,
    WindowClosure,
    WindowOpening,
    WindowState,
    WindowStatusReport,
    WindowView,
)

DEFAULT_LENGTH = timedelta(hours=1)
MAX_LENGTH = timedelta(days=7)
STALE_CLAIM = timedelta(minutes=15)  # a closer that has not finished by then has died
RECENT = timedelta(days=7)
DRY_RUN = "dry run: nothing was recorded or changed"  # closed windows `status` shows by default


def open_window(
    ctx: Context,
    account: Account,
    reason: str,
    ticket: str | None,
    length: timedelta,
    dry_run: bool = False,
) -> WindowOpening:
    """Record a window on ``account`` (a member), then allow password recovery in it.
    ``dry_run``: every check, then the window that would be recorded (id 0), nothing done."""
    ctx.journal.prepare_for_writing()
    ctx.require(TaskPolicy.CREATE_PASSWORD.capability)
    active = ctx.journal.windows.windows(account_id=account.id, active_only=True)
    if active:
        raise InputError(
            f"account {account.id} already has a recovery window that is not closed "
            f"(#{active[0].id}, {active[0].state.value}); close it first."
        )
    with ctx.aws.assume_root(account.id, TaskPolicy.AUDIT, SESSION_SECONDS[TaskPolicy.AUDIT]) as s:
        before = s.credentials(with_last_used=False)
    if before.login_profile is not None:
        created = window_evidence.utc(before.login_profile.created)
        raise InputError(
            f"the root user of {account.id} has a login profile already (created {created}): "
            "password recovery is possible without a window, and closing one would not know "
            "what came back. Delete the password first (delete-credentials --only password)."
        )
    now = ctx.now()
    proposed = RecoveryWindow(
        id=0,
        account_id=account.id,
        account_name=account.name,
        reason=reason,
        ticket=ticket,
        opened_by=ctx.caller().arn,
        opened_at=now,
        expires_at=now + length,
        state=WindowState.OPEN,
        baseline=Baseline(
            tuple(k.id for k in before.access_keys),
            tuple(d.serial for d in before.mfa_devices),
            tuple(c.id for c in before.signing_certificates),
        ),
    )
    if dry_run:
        return WindowOpening(
            replace(proposed, state=WindowState.NOT_OPENED, note=DRY_RUN), False, DRY_RUN
        )
    window = ctx.journal.windows.open(proposed)
    run_id = ctx.run_for(window.change_ref)
    task = TaskPolicy.CREATE_PASSWORD
    try:
        with ctx.aws.assume_root(account.id, task, SESSION_SECONDS[task]) as session:
            result = recovery.allow_in(ctx, run_id, session, account)
    except RootctlError as exc:
        result = AccountRecovery(
            account, RecoveryState.FAILED, f"could not open a root session: {exc}"
        )
    if result.state is RecoveryState.FAILED:
        stored = ctx.journal.windows.finish(
            window.id, WindowState.NOT_OPENED, at=ctx.now(), note=result.reason
        )
        return WindowOpening(stored, False, result.reason, result.request_id)
    return WindowOpening(window, True, None, result.request_id)


def gained(window: RecoveryWindow, now: RootCredentials, password_used: datetime | None) -> Gains:
    """What the root user has now that it did not have when ``window`` opened."""
    base = window.baseline
    opened = window.opened_at.replace(microsecond=0)
    return Gains(
        login_profile=now.login_profile,
        signed_in_at=password_used if password_used and password_used >= opened else None,
        access_keys=tuple(k for k in now.access_keys if k.id not in base.access_keys),
        mfa_devices=tuple(d for d in now.mfa_devices if d.serial not in base.mfa_devices),
        signing_certificates=tuple(
            c for c in now.signing_certificates if c.id not in base.signing_certificates
        ),
    )


def _look_in(session: RootSession, window: RecoveryWindow) -> Gains:
    credentials = session.credentials(with_last_used=False)
    return gained(window, credentials, session.password_last_used())


def status(ctx: Context, org: Organization, since: datetime | None, run: Run) -> WindowStatusReport:
    """Active windows and those opened since ``since``, and for each active one what its root
    user has now (one audit session per account)."""
    windows = ctx.journal.windows.windows(since=since if since else ctx.now() - RECENT)
    active = {w.account_id: w for w in windows if w.state.active}
    accounts = [_account(org, account_id) for account_id in active]

    def look(session: RootSession, account: Account, _cancel: threading.Event) -> RootNow:
        return RootNow(account, LookState.LOOKED, _look_in(session, active[account.id]))

    fan = in_root_sessions(ctx, accounts, TaskPolicy.AUDIT, look, RootNow, run)
    looks = {row.account.id: row for row in fan.rows}
    now = ctx.now()
    return WindowStatusReport(
        checked_at=now,
        windows=tuple(
            WindowView(w, w.expired(now), looks.get(w.account_id) if w.state.active else None)
            for w in windows
        ),
    )


def close(ctx: Context, org: Organization, account_id: str) -> WindowClosure:
    """Close ``account_id``'s window (whether or not its time is up)."""
    ctx.journal.prepare_for_writing()
    active = ctx.journal.windows.windows(account_id=account_id, active_only=True)
    if not active:
        raise InputError(f"account {account_id} has no recovery window to close.")
    return close_one(ctx, org, active[0], threading.Event())


def sweep(ctx: Context, org: Organization, run: Run) -> SweepReport:
    """Close every window whose time is up (and retry those whose closing failed)."""
    ctx.journal.prepare_for_writing()
    now = ctx.now()
    due = [
        w
        for w in ctx.journal.windows.windows(active_only=True)
        if w.expired(now) or w.state is WindowState.CLOSE_FAILED
    ]
    by_account = {w.account_id: w for w in due}
    accounts = [_account(org, w.account_id) for w in due]

    def work(account: Account, cancel: threading.Event) -> WindowClosure:
        return close_one(ctx, org, by_account[account.id], cancel)

    fan = fan_out(accounts, work, WindowClosure, run)
    return SweepReport(org.id, fan.rows, fan.interrupted, checked_at=now)


def close_one(
    ctx: Context, org: Organization, window: RecoveryWindow, cancel: threading.Event
) -> WindowClosure:
    account = _account(org, window.account_id)
    caller = ctx.caller().arn
    now = ctx.now()
    claimed = ctx.journal.windows.claim(window.id, caller, now, now - STALE_CLAIM)
    if claimed is None:
        current = ctx.journal.windows.window(window.id) or window
        return WindowClosure(
            account, CloseState.SKIPPED, window_evidence.not_ours(current), window=current
        )
    run_id = ctx.run_for(claimed.change_ref)
    try:
        gains, removed = _remove_gains(ctx, run_id, account, claimed, cancel)
    except RootctlError as exc:
        reason = f"could not remove what the root user gained: {exc}"
        stored = ctx.journal.windows.finish(
            claimed.id, WindowState.CLOSE_FAILED, at=ctx.now(), note=reason
        )
        return WindowClosure(account, CloseState.FAILED, reason, window=stored)
    except BaseException:
        ctx.journal.windows.finish(
            claimed.id, WindowState.CLOSE_FAILED, at=ctx.now(), note="interrupted while closing"
        )
        raise
    closed_at = ctx.now()
    failed = [r for r in removed if not r.outcome.removed]
    closure = WindowClosure(
        account,
        CloseState.CLOSE_FAILED if failed else CloseState.CLOSED,
        "; ".join(f"{r.item.kind.value} {r.item.id}: {r.reason}" for r in failed) or None,
        window=claimed,
        closed_by=caller,
        closed_at=closed_at,
        gains=gains,
        removed=removed,
        trail=window_evidence.trail(ctx, claimed, closed_at),
    )
    stored = ctx.journal.windows.finish(
        claimed.id,
        WindowState.CLOSE_FAILED if failed else WindowState.CLOSED,
        at=closed_at,
        by=caller,
        note=window_evidence.summary(closure),
        evidence=window_evidence.encode(closure),
    )
    return replace(closure, window=stored)


def _remove_gains(
    ctx: Context, run_id: str, account: Account, window: RecoveryWindow, cancel: threading.Event
) -> tuple[Gains, tuple[ItemResult, ...]]:
    task = TaskPolicy.DELETE
    with ctx.aws.assume_root(account.id, task, SESSION_SECONDS[task]) as session:
        gains = _look_in(session, window)
        items = _items(gains)
        if not items:
            return gains, ()
        planned = AccountPlan(account, PlanState.TO_DELETE, items)
        return gains, remove_items(ctx, run_id, session, planned, cancel)


def _items(gains: Gains) -> tuple[PlannedItem, ...]:
    """What to remove, in the deletion engine's safe order."""
    items: list[PlannedItem] = []
    if gains.login_profile is not None:
        created = gains.login_profile.created
        items.append(PlannedItem(CredentialKind.PASSWORD, LOGIN_PROFILE, "", created=created))
    items += [
        PlannedItem(CredentialKind.ACCESS_KEYS, k.id, k.status, created=k.created)
        for k in gains.access_keys
    ]
    items += [
        PlannedItem(CredentialKind.CERTIFICATES, c.id, c.status, created=c.uploaded)
        for c in gains.signing_certificates
    ]
    items += [
        PlannedItem(CredentialKind.MFA, d.serial, d.kind, created=d.enabled_at)
        for d in gains.mfa_devices
    ]
    return tuple(items)


def _account(org: Organization, account_id: str) -> Account:
    found = org.account(account_id)
    return found or Account(account_id, "(no longer in the organization)", "", "", "", ())
