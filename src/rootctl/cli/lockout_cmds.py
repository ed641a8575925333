"""`rootctl find-lockouts`: every locked-out bucket and queue of the organization, and the
surgical fix (`--fix`: a corrected policy, or `--fix delete`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from rootctl import validation
from rootctl.cli import inputs
from rootctl.cli.common import (
    EXIT_INTERRUPTED,
    command,
    confirm,
    connection_options,
    emit,
    engine,
    exit_code,
    output_option,
    progress_bar,
    say,
    selector,
    show,
    target_options,
)
from rootctl.cli.credential_cmds import NAME_THE_ACCOUNTS
from rootctl.errors import InputError
from rootctl.models import FixMode, LockoutClass, LockoutReport, ResourceKind, TargetSet
from rootctl.render import lockouts as words

if TYPE_CHECKING:
    from rootctl import RootAccess

P = ParamSpec("P")
R = TypeVar("R")

KINDS = {"s3": ResourceKind.S3_BUCKET, "sqs": ResourceKind.SQS_QUEUE}
STATUSES = tuple(c.value for c in LockoutClass if c.is_finding)


def _listed(value: str, what: str, known: dict[str, Any]) -> tuple[Any, ...]:
    items = [v.strip() for v in value.split(",")]
    if not value.strip() or any(not v for v in items):
        raise InputError(f"{what} takes a comma list of {', '.join(known)}, not {value!r}.")
    unknown = [v for v in items if v not in known]
    if unknown:
        raise InputError(f"unknown {what} value {unknown[0]!r}: choose from {', '.join(known)}.")
    return tuple(dict.fromkeys(known[v] for v in items))


def _kinds(value: str, what: str) -> tuple[ResourceKind, ...]:
    return _listed(value, what, KINDS)


def _statuses(value: str, what: str) -> tuple[LockoutClass, ...]:
    return _listed(value, what, {v: LockoutClass(v) for v in STATUSES})


def _regions(value: str, what: str) -> str | tuple[str, ...]:
    if value.strip() == "all":
        return "all"
    items = [v.strip() for v in value.split(",")]
    if any(not v for v in items):
        raise InputError(f"{what} takes all or a comma list of Regions, not {value!r}.")
    return tuple(validation.region_name(v, f"{what} Region") for v in items)


def scan_options(f: Callable[P, R]) -> Callable[P, R]:
    """--kind, --regions, --status: what a lock-out scan looks at (find-lockouts, plan
    lockouts)."""
    options = [
        click.option(
            "--kind",
            "kinds",
            metavar="KINDS",
            callback=inputs.option(_kinds),
            help="Comma list of s3,sqs (default: both).",
        ),
        click.option(
            "--regions",
            metavar="all|LIST",
            callback=inputs.option(_regions),
            help="Where to look: 'all' (every Region SQS is offered in), or a comma list. "
            "Default: every bucket, and queues in --region.",
        ),
        click.option(
            "--status",
            "statuses",
            metavar="CLASSES",
            callback=inputs.option(_statuses),
            help=f"Comma list of the classes to report (and fix): {', '.join(STATUSES)} "
            "(default: all).",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def scan(
    ra: RootAccess,
    targets: TargetSet,
    kinds: tuple[ResourceKind, ...] | None,
    regions: str | tuple[str, ...] | None,
    statuses: tuple[LockoutClass, ...] | None,
    *,
    show_healthy: bool = False,
) -> LockoutReport:
    """The scan the --kind/--regions/--status options ask for, with a progress bar."""
    with progress_bar("Looking for lock-outs") as progress:
        return ra.find_lockouts(
            targets,
            kinds=kinds or tuple(ResourceKind),
            regions=regions,
            classes=statuses or tuple(LockoutClass(s) for s in STATUSES),
            show_healthy=show_healthy,
            progress=progress,
        )


@click.command("find-lockouts")
@target_options
@scan_options
@click.option("--show-healthy", is_flag=True, help="List healthy policies too (else counted).")
@click.option(
    "--fix",
    type=click.Choice([m.value for m in FixMode]),
    is_flag=False,
    flag_value=FixMode.CORRECT.value,
    default=None,
    help="Fix what is found: 'correct' (the default: put the policy back without its locking "
    "statements) or 'delete' (the whole policy). Each original is saved in the journal first.",
)
@click.option("--dry-run", is_flag=True, help="With --fix: show the changes, make none.")
@click.option("--yes", is_flag=True, help="With --fix: do not ask for confirmation.")
@connection_options
@output_option(LockoutReport)
@command
def find_lockouts(
    kinds: tuple[ResourceKind, ...] | None,
    regions: str | tuple[str, ...] | None,
    statuses: tuple[LockoutClass, ...] | None,
    show_healthy: bool,
    fix: str | None,
    dry_run: bool,
    yes: bool,
    output: str,
    **kwargs: Any,
) -> int:
    """Find every bucket and queue whose policy locks its own account out (TARGETS default to
    --all; read-only unless --fix). Exit 0 when nothing is locked, 1 when something is."""
    chosen = selector(kwargs)
    if fix is None and (dry_run or yes):
        raise click.UsageError("--dry-run and --yes go with --fix.")
    if fix is not None:
        if chosen.empty:
            raise click.UsageError(NAME_THE_ACCOUNTS)
        inputs.require_yes_for_stdin(chosen, yes=yes or dry_run)
    with engine(kwargs) as ra:
        if fix is not None and not dry_run:
            ra.prepare_journal()  # a journal that cannot be written stops us before any AWS call
        targets = ra.select_targets(chosen)
        report = scan(ra, targets, kinds, regions, statuses, show_healthy=show_healthy)
        if fix is None or report.interrupted:
            emit(report, output)
            if report.interrupted:
                return EXIT_INTERRUPTED
            return exit_code(report, clean=report.clean)
        emit(report, "table", to_stderr=output != "table")
        mode = FixMode(fix)
        fixes = ra.plan_lockout_fixes(report, mode)
        if not fixes:
            say("Nothing to fix.")
            return exit_code(report, clean=report.clean)
        show(words.fix_preview(fixes), to_stderr=True)
        if not dry_run:
            confirm(
                f"{words.fix_summary(fixes).capitalize()}? (each original policy is saved in "
                "the journal first)",
                yes=yes,
                what="change bucket and queue policies",
            )
        with progress_bar("Fixing") as progress:
            result = ra.fix_lockouts(report, fixes, mode, dry_run=dry_run, progress=progress)
    emit(result, output)
    if result.interrupted:
        return EXIT_INTERRUPTED
    return exit_code(result, clean=result.clean)
