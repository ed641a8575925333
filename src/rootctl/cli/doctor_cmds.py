"""`rootctl doctor` (what will block you, before you touch anything) and `rootctl policy` (the
least-privilege IAM policy for the commands you run, or the SCP exemption)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from rootctl.cli.common import (
    EXIT_AWS,
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    command,
    connection_options,
    emit,
    engine,
    output_option,
    progress_bar,
    say,
    selector,
    target_options,
)
from rootctl.core.engine import RootAccess
from rootctl.models import DoctorReport, Operation, PolicyDocument, Principal
from rootctl.models.doctor import DOCTOR_OPERATIONS
from rootctl.render.text import inert

ALL = "all"
F = TypeVar("F", bound=Callable[..., Any])


def _operations(
    allowed: tuple[Operation, ...],
) -> Any:
    """A click callback: ``--for`` values (repeatable, comma-separated) → operations."""

    def callback(
        _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
    ) -> tuple[Operation, ...]:
        words = [w.strip() for value in values for w in value.split(",")]
        names = ", ".join([*(op.value for op in allowed), ALL])
        if values and not all(words):  # `--for ''` or `--for audit,` is a mistake, never "all"
            raise click.BadParameter(f"name the commands: one or more of {names}.")
        chosen: list[Operation] = []
        for word in words:
            if word == ALL:
                chosen.extend(allowed)
                continue
            try:
                operation = Operation(word)
            except ValueError:
                operation = None
            if operation not in allowed:
                raise click.BadParameter(f"{word!r} is not one of {names}.")
            chosen.append(operation)
        return tuple(op for op in allowed if op in chosen)

    return callback


def _for_option(allowed: tuple[Operation, ...], *, default_all: bool) -> Callable[[F], F]:
    names = "|".join([*(op.value for op in allowed), ALL])
    return click.option(
        "--for",
        "operations",
        multiple=True,
        default=(ALL,) if default_all else (),
        metavar=names,
        callback=_operations(allowed),
        help="The commands to check for; repeatable or comma-separated"
        + (" (default: all)." if default_all else "."),
    )


@click.command()
@target_options
@_for_option(DOCTOR_OPERATIONS, default_all=True)
@click.option(
    "--list-checks", is_flag=True, help="List the checks doctor runs (no AWS call) and exit."
)
@connection_options
@output_option(DoctorReport)
@command
def doctor(operations: tuple[Operation, ...], output: str, list_checks: bool, **kwargs: Any) -> int:
    """Find what will block the chosen commands before you touch anything, and change
    nothing: the caller, the organization, the caller's permissions, in each targeted
    member account (TARGETS default to --all) a short AssumeRoot with each task and one
    harmless read, and the SCPs on the accounts' paths, decided statically as `rootctl scp
    audit` does. --list-checks names every check. Exit 0 when nothing blocks them, 1 when
    something does, 3 when AWS prevented the check itself."""
    chosen = selector(kwargs)
    if list_checks:
        emit(RootAccess.doctor_checks(), output)
        return EXIT_OK
    with engine(kwargs) as ra:
        with progress_bar("Checking member accounts") as progress:
            report = ra.doctor(operations, chosen, progress=progress)
        emit(report, output)
    if report.interrupted:
        return EXIT_INTERRUPTED
    if report.prevented:
        return EXIT_AWS
    return EXIT_OK if report.ok else EXIT_FINDINGS


@click.command()
@_for_option(tuple(Operation), default_all=False)
@click.option(
    "--principal",
    type=click.Choice([p.value for p in Principal]),
    default=Principal.HUMAN.value,
    show_default=True,
    help="human: also what doctor and status read; automation: exactly what the commands call.",
)
@click.option(
    "--scp-exemption",
    is_flag=True,
    help="Print the SCP pattern that denies root users except in centralized root sessions.",
)
@target_options
@connection_options
@command
def policy(
    operations: tuple[Operation, ...], principal: str, scp_exemption: bool, **kwargs: Any
) -> int:
    """Print the least-privilege IAM policy (JSON) for a person or a pipeline running the
    chosen commands: sts:AssumeRoot on member roots (every member, or the TARGETS named)
    limited with sts:TaskPolicyArn to the tasks they need, and the Organizations and IAM
    actions they call. Naming TARGETS reads the organization; otherwise no AWS call."""
    chosen = selector(kwargs)
    if not operations and not scp_exemption:
        raise click.UsageError("say which commands: --for audit|delete|recovery|unlock|enable|all.")
    with engine(kwargs) as ra:
        if scp_exemption:
            document: PolicyDocument = ra.scp_exemption()
        else:
            targets = None if chosen.empty or chosen.all else ra.select_targets(chosen)
            document = ra.least_privilege_policy(
                operations, principal=Principal(principal), target_set=targets
            )
    emit(document, "json")
    for note in document.notes:
        say(f"note: {inert(note)}")
    return EXIT_OK
