"""`rootctl recovery open|status|close|sweep`: break-glass recovery windows.

A window allows password recovery on one account for a while, for a stated reason; closing it
removes whatever the root user gained meanwhile. `sweep` closes the windows past their time
(cron it); it and `close` are safe to run from several places at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import click

import rootctl
from rootctl import validation
from rootctl.cli import inputs
from rootctl.cli.common import (
    EXIT_AWS,
    EXIT_FINDINGS,
    command,
    confirm,
    connection_options,
    emit,
    engine,
    exit_code,
    output_option,
    progress_bar,
    say,
)
from rootctl.core.targets import check_account_id
from rootctl.core.windows import DEFAULT_LENGTH, MAX_LENGTH
from rootctl.errors import InputError
from rootctl.models import (
    CloseState,
    SweepReport,
    TargetSelector,
    WindowClosure,
    WindowOpening,
    WindowStatusReport,
    WindowView,
)
from rootctl.render.governance import span


def _length(value: str, what: str) -> timedelta:
    return validation.duration(value, what, maximum=MAX_LENGTH)


def _reason(value: str, what: str) -> str:
    return validation.note(value, what)


def _ticket(value: str, what: str) -> str:
    return validation.note(value, what, limit=128)


account_argument = click.argument(
    "account", callback=inputs.argument(lambda value: check_account_id(value, "account id"))
)


@click.group()
def recovery() -> None:
    """Break-glass recovery windows: allow password recovery on one account for a while."""


@recovery.command("open")
@account_argument
@click.option("--reason", required=True, callback=inputs.option(_reason), help="Why (kept).")
@click.option("--ticket", metavar="ID", callback=inputs.option(_ticket), help="Change ticket.")
@click.option(
    "--for",
    "length",
    default=f"{int(DEFAULT_LENGTH.total_seconds() // 3600)}h",
    show_default=True,
    callback=inputs.option(_length),
    help="How long: 90s, 30m, 2h, 1d (at most 7d).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="Check everything; record and change nothing.")
@connection_options
@output_option(WindowOpening)
@command
def open_(
    account: str,
    reason: str,
    ticket: str | None,
    length: timedelta,
    yes: bool,
    dry_run: bool,
    output: str,
    **kwargs: Any,
) -> int:
    """Open a window on ACCOUNT: record who, why and until when, then allow password recovery
    (an empty root login profile) so the owner of the root e-mail can reset the password."""
    with engine(kwargs) as ra:
        ra.prepare_journal()
        targets = ra.select_targets(TargetSelector(accounts=(account,)))
        if not targets.selected:
            raise InputError(f"{account}: {targets.skipped[0].reason}.")
        member = targets.selected[0]
        if dry_run:
            emit(ra.open_recovery_window(account, reason=reason, ticket=ticket, length=length,
                                         dry_run=True), output)  # fmt: skip
            return 0
        confirm(
            f"Open a {span(length)} recovery window on {member.id} ({member.name}): whoever "
            f"reads {member.email} can reset the root password until it closes?",
            yes=yes,
            what="open a recovery window",
        )
        opening = ra.open_recovery_window(account, reason=reason, ticket=ticket, length=length)
    emit(opening, output)
    return 0 if opening.opened else EXIT_AWS


@recovery.command("status")
@click.option(
    "--since",
    callback=inputs.option(validation.since),
    help="Also windows opened since then: 12h, 7d, or an ISO date/time (default 7d).",
)
@connection_options
@output_option(WindowStatusReport)
@command
def status(since: datetime | None, output: str, **kwargs: Any) -> int:
    """Open windows and recent ones, and what each open window's root user has now (a login
    profile, a password sign-in, new MFA, new keys). Exit 1 when a window is past its time
    and not closed yet."""
    with engine(kwargs) as ra, progress_bar("Looking") as progress:
        report = ra.recovery_windows(since=since, progress=progress)
    emit(report, output)
    overdue = any(v.expired and v.window.state.active for v in report.windows)
    return EXIT_FINDINGS if overdue else 0


def _preview(ra: rootctl.RootAccess, output: str, keep: Callable[[WindowView], bool]) -> int:
    """--dry-run of close and sweep: the windows they would close, with what each root user
    gained (what would be removed); nothing is claimed or changed."""
    report = ra.recovery_windows()
    chosen = tuple(v for v in report.windows if v.window.state.active and keep(v))
    emit(replace(report, windows=chosen), "table" if output == "csv" else output)
    say(f"Dry run: {len(chosen)} window(s) would be closed; nothing was claimed or changed.")
    return 0


dry_run_option = click.option(
    "--dry-run",
    is_flag=True,
    help="Show the window(s) it would close and what their root users gained; change nothing.",
)


@recovery.command("close")
@account_argument
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@dry_run_option
@connection_options
@output_option(WindowClosure)
@command
def close(account: str, yes: bool, dry_run: bool, output: str, **kwargs: Any) -> int:
    """Close ACCOUNT's window: re-read its root user, delete everything it gained during the
    window (password, MFA, keys, certificates), record the evidence."""
    if dry_run:
        with engine(kwargs) as ra:
            return _preview(ra, output, lambda v: v.window.account_id == account)
    with engine(kwargs) as ra:
        ra.prepare_journal()
        confirm(
            f"Close the recovery window on {account} and delete every root credential gained "
            "since it opened?",
            yes=yes,
            what="close the recovery window",
        )
        closure = ra.close_recovery_window(account)
    emit(closure, output)
    return {
        CloseState.CLOSED: 0,
        CloseState.SKIPPED: EXIT_FINDINGS,
        CloseState.CLOSE_FAILED: EXIT_FINDINGS,
    }.get(closure.state, EXIT_AWS)


@recovery.command("sweep")
@dry_run_option
@connection_options
@output_option(SweepReport)
@command
def sweep(dry_run: bool, output: str, **kwargs: Any) -> int:
    """Close every window past its time (cron it; several sweeps at once close each window
    once). Exit 1 when a window could not be closed completely."""
    if dry_run:
        with engine(kwargs) as ra:
            return _preview(ra, output, lambda v: v.expired)
    with engine(kwargs) as ra:
        ra.prepare_journal()
        with progress_bar("Closing") as progress:
            report = ra.sweep_recovery_windows(progress=progress)
    emit(report, output)
    return exit_code(
        report, clean=all(c.state is not CloseState.CLOSE_FAILED for c in report.accounts)
    )
