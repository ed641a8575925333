"""`rootctl check` and `rootctl enforce`: the organization against its desired state
(`rootctl.yaml`, docs/config.md). `rootctl watch` lives in cli/watch_cmd.py."""

from __future__ import annotations

from collections.abc import Callable
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
from rootctl.cli.plan_cmds import next_steps
from rootctl.models import (
    ChangePlan,
    CheckReport,
    DeletionPlan,
    DeletionReport,
    DesiredState,
    PlanDocument,
)
from rootctl.render import governance
from rootctl.render.changes import plan_summary

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
    help="Write the change-control plan of the violations left for people (enforce.approvals "
    "approvals, then `rootctl apply`) to this file.",
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
    each removal journaled. The others need people: --out writes their change-control plan,
    which needs enforce.approvals approvals (`rootctl approve`) before `rootctl apply`.

    Exit 0 nothing left to fix, 1 violations remain (or failed), 2 invalid file.
    """
    state = rootctl.load_desired_state(config_path)
    with engine(kwargs) as ra:
        ra.prepare_journal()  # the removals are journaled: a bad journal stops us first
        with progress_bar("Checking") as progress:
            report = ra.check(state, progress=progress)
        plan = ra.enforcement_plan(report)
        auto = ra.enforcement_plan(report, auto_only=True)
        applying = yes and bool(auto.to_delete) and not report.interrupted
        people = ra.enforcement_plan(report, person_only=applying)
        if out_path and people.to_delete and not report.interrupted:
            # Written before anything changes: the plan is the people's part either way.
            change = ra.enforcement_change_plan(state, report, auto_applied=applying)
            document = ra.plan_document(change)
            ra.write_plan(document, out_path)
            written: tuple[ChangePlan, PlanDocument] | None = (change, document)
        else:
            written = None
        if not applying:
            emit(plan, output)
            if output == "table":
                say(_plan_note(plan, auto, yes))
            _people_note(state, people, out_path, written)
            return exit_code(report, clean=report.compliant)
        emit(auto, "table", to_stderr=output != "table")
        confirm(f"Remove {plan_summary(auto)}?", yes=yes, what="enforce")
        with progress_bar("Enforcing") as progress:
            result = ra.delete_credentials(auto, progress=progress)
    emit(result, output)
    _people_note(state, people, out_path, written)
    left = len(people.to_delete)
    return exit_code(result, clean=result.clean and not left and report.compliant)


def _plan_note(plan: DeletionPlan, auto: DeletionPlan, yes: bool) -> str:
    if not plan.to_delete:
        return "Nothing to enforce."
    if not auto.to_delete:
        return "No violation is auto_apply in the desired state: people approve and apply them."
    if yes:
        return "Interrupted: nothing was changed."
    return (
        f"Plan only: nothing was changed. --yes would remove {plan_summary(auto)} "
        "(the auto_apply violations)."
    )


def _people_note(
    state: DesiredState,
    people: DeletionPlan,
    out_path: str | None,
    written: tuple[ChangePlan, PlanDocument] | None,
) -> None:
    """What the violations left for people need, and what to run (stderr)."""
    if not people.to_delete:
        if out_path is not None:
            say(f"No violation needs people: nothing was written to {out_path}.")
        return
    count = len(people.to_delete)
    need = f"{state.approvals} approval(s)"
    if written is not None and out_path is not None:
        change, document = written
        say(
            f"{count} account(s) have violations for people; their change plan, written to "
            f"{out_path}, needs {need} (enforce.approvals)."
        )
        say(governance.plan_summary(change))
        say(next_steps(change, document, out_path))
    elif out_path is not None:
        say("Interrupted: some accounts were not checked, so no plan was written.")
    else:
        say(
            f"{count} account(s) have violations for people (they need {need}, "
            f"enforce.approvals): add --out plan.json to write their change plan, then another "
            "principal runs `rootctl approve plan.json`; then `rootctl apply plan.json`."
        )
