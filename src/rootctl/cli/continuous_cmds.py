"""`rootctl check` and `rootctl enforce`: the organization against its desired state
(`rootctl.yaml`, docs/config.md). `rootctl watch` lives in cli/watch_cmd.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

import rootctl
from rootctl.cli.common import (
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
from rootctl.models import CheckReport, DeletionPlan, DeletionReport
from rootctl.render.changes import plan_summary
from rootctl.render.registry import render
from rootctl.render.text import json_text

P = ParamSpec("P")
R = TypeVar("R")
DEFAULT_CONFIG = "rootctl.yaml"


def config_option(f: Callable[P, R]) -> Callable[P, R]:
    return click.option(
        "--config",
        "config_path",
        default=DEFAULT_CONFIG,
        show_default=True,
        type=click.Path(dir_okay=False, allow_dash=False),
        help="The desired-state file (docs/config.md).",
    )(f)


@click.command()
@config_option
@connection_options
@output_option(CheckReport)
@command
def check(config_path: str, output: str, **kwargs: Any) -> int:
    """Audit the accounts rootctl.yaml covers and print every violation with the rule it
    breaks (read-only: `rootctl policy --for audit` is enough).

    Exit 0 compliant, 1 violations (or accounts that could not be checked), 2 invalid file.
    """
    state = rootctl.load_desired_state(config_path)  # a bad file costs no AWS call
    with engine(kwargs) as ra, progress_bar("Checking") as progress:
        report = ra.check(state, progress=progress)
    emit(report, output)
    return exit_code(report, clean=report.compliant)


@click.command()
@config_option
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write the plan (JSON, the deletion-plan document) to this file.",
)
@click.option(
    "--yes",
    is_flag=True,
    help="Apply the violations rootctl.yaml marks auto_apply; without it nothing is changed.",
)
@connection_options
@output_option(DeletionReport)
@command
def enforce(config_path: str, out_path: str | None, yes: bool, output: str, **kwargs: Any) -> int:
    """Check, then plan exactly the violations' fixes. With --yes, remove the credentials
    of the violations rootctl.yaml lets enforcement fix without a person (enforce.auto_apply),
    each removal journaled; the others stay in the plan for a person.

    Exit 0 nothing left to fix, 1 violations remain (or failed), 2 invalid file.
    """
    state = rootctl.load_desired_state(config_path)
    with engine(kwargs) as ra:
        ra.prepare_journal()  # the removals are journaled: a bad journal stops us first
        with progress_bar("Checking") as progress:
            report = ra.check(state, progress=progress)
        plan = ra.enforcement_plan(report)
        auto = ra.enforcement_plan(report, auto_only=True)
        if out_path:
            _write_plan(Path(out_path), plan)
        if not yes or not auto.to_delete or report.interrupted:
            emit(plan, output)
            if output == "table":
                say(_plan_note(plan, auto, yes))
            return exit_code(report, clean=report.compliant)
        emit(auto, "table", to_stderr=output != "table")
        confirm(f"Remove {plan_summary(auto)}?", yes=yes, what="enforce")
        with progress_bar("Enforcing") as progress:
            result = ra.delete_credentials(auto, progress=progress)
    emit(result, output)
    left = len(plan.to_delete) - len(auto.to_delete)
    if left:
        say(f"{left} account(s) have violations that need a person (see the plan).")
    return exit_code(result, clean=result.clean and not left and report.compliant)


def _plan_note(plan: DeletionPlan, auto: DeletionPlan, yes: bool) -> str:
    if not plan.to_delete:
        return "Nothing to enforce."
    if not auto.to_delete:
        return "No violation is auto_apply in the desired state: a person applies this plan."
    if yes:
        return "Interrupted: nothing was changed."
    return (
        f"Plan only: nothing was changed. --yes would remove {plan_summary(auto)} "
        "(the auto_apply violations)."
    )


def _write_plan(path: Path, plan: DeletionPlan) -> None:
    try:
        path.write_text(json_text(render(plan, "json")) + "\n")
    except OSError as exc:
        raise rootctl.InputError(f"cannot write the plan to {path}: {exc.strerror}.") from None
