"""`rootctl activity`: who did what as root (read-only; CloudTrail and the journal)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import click

from rootctl import validation
from rootctl.cli import inputs
from rootctl.cli.common import (
    EXIT_FINDINGS,
    command,
    connection_options,
    emit,
    engine,
    output_option,
    selector,
    target_options,
)
from rootctl.models import ActivityReport


@click.command()
@target_options
@click.option(
    "--since",
    default="30d",
    show_default=True,
    callback=inputs.option(validation.since),
    help="From then: 12h, 7d, or an ISO date/time (UTC).",
)
@click.option(
    "--until",
    callback=inputs.option(validation.since),
    help="Up to then (default now): 12h, 7d, or an ISO date/time (UTC).",
)
@click.option(
    "--trail-lake",
    metavar="EDS",
    callback=inputs.option(validation.event_data_store),
    help="A CloudTrail Lake event data store (ARN or id), organization-wide: shows what each "
    "session did in the member account.",
)
@click.option(
    "--baseline",
    default="30d",
    show_default=True,
    callback=inputs.option(validation.duration_seconds),
    help="How far before --since to look for each caller's earlier AssumeRoot into an account "
    "(a first one is a finding); LookupEvents keeps 90 days.",
)
@connection_options
@output_option(ActivityReport)
@command
def activity(
    since: datetime,
    until: datetime | None,
    trail_lake: str | None,
    baseline: int,
    output: str,
    **kwargs: Any,
) -> int:
    """Who did what as root: every AssumeRoot session opened on TARGETS (default: any account)
    from CloudTrail, tied to rootctl's journal by its access key id; with --trail-lake, what
    each session did. Flags sessions rootctl did not open and callers assuming root into an
    account for the first time, and says what it cannot see.

    Exit 0 without findings, 1 with some.
    """
    chosen = selector(kwargs)
    with engine(kwargs) as ra:
        targets = None if chosen.empty else ra.select_targets(chosen)
        report = ra.activity(
            targets,
            since=since,
            until=until,
            trail_lake=trail_lake,
            baseline=timedelta(seconds=baseline),
        )
    emit(report, output)
    return 0 if report.clean else EXIT_FINDINGS
