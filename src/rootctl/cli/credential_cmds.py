"""`rootctl audit`, `delete-credentials`, `allow-password-recovery`: org-wide root credentials."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

import click

from rootctl.cli import inputs
from rootctl.cli.common import (
    EXIT_AWS,
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    command,
    confirm,
    connection_options,
    emit_json,
    emit_text,
    engine,
    output_option,
    progress_bar,
    say,
    selector,
    show,
    target_options,
)
from rootctl.models import (
    CredentialKind,
    DeleteState,
    DeletionReport,
    ItemOutcome,
    PlanState,
)
from rootctl.render import flat, human, serialize

REMOVED = (ItemOutcome.DELETED, ItemOutcome.DEACTIVATED, ItemOutcome.ALREADY_GONE)


def _outcome(clean: bool, interrupted: bool, states: Iterable[StrEnum]) -> int:
    """Exit code of a fan-out. When every account that was not skipped failed, AWS stopped
    the run itself (no sts:AssumeRoot, an SCP on everything, throttled out): exit 3, not 1."""
    if interrupted:
        return EXIT_INTERRUPTED
    worked_on = [state.value for state in states if state.value != "skipped"]
    if worked_on and all(state == "failed" for state in worked_on):
        return EXIT_AWS
    return 0 if clean else EXIT_FINDINGS


def _deletion_states(report: DeletionReport) -> Iterable[DeleteState]:
    # An account where some items were removed was worked on, even if others failed.
    for account in report.accounts:
        removed = any(item.outcome in REMOVED for item in account.items)
        yield DeleteState.DELETED if removed else account.state


@click.command()
@target_options
@connection_options
@output_option("table", "tree", "json", "csv")
@command
def audit(output: str, **kwargs: Any) -> int:
    """Audit member accounts' root credentials (read-only). TARGETS default to --all.

    Exit 0 when no account has root credentials, 1 when some have (or could not be audited).
    """
    chosen = selector(kwargs)
    with engine(kwargs) as ra:
        targets = ra.select_targets(chosen)
        with progress_bar("Auditing") as progress:
            report = ra.audit(targets, progress=progress)
        if output == "json":
            emit_json(serialize.audit_report(report))
        elif output == "csv":
            emit_text(flat.audit_csv(report.accounts))
        elif output == "tree":
            show(human.audit_tree(report, ra.organization()))
        else:
            show(human.audit_table(report))
    return _outcome(report.clean, report.interrupted, (a.state for a in report.accounts))


@click.command("delete-credentials")
@target_options
@click.option(
    "--only",
    metavar="KINDS",
    callback=inputs.credential_kinds,
    help="Comma list of password,access-keys,mfa,certificates (default: all).",
)
@click.option(
    "--dry-run", is_flag=True, help="Audit and show what would be removed; change nothing."
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@connection_options
@output_option("table", "json", "csv")
@command
def delete_credentials(
    only: tuple[CredentialKind, ...] | None, dry_run: bool, yes: bool, output: str, **kwargs: Any
) -> int:
    """Delete member accounts' root credentials: re-audit, show the items, ask once, remove
    each item independently (password → access keys → certificates → MFA), verify."""
    chosen = selector(kwargs)
    if chosen.empty:
        raise click.UsageError("name the accounts: --all, --account, --ou or --accounts-file.")
    inputs.require_yes_for_stdin(chosen, yes=yes or dry_run)
    kinds = only or tuple(CredentialKind)
    with engine(kwargs) as ra:
        targets = ra.select_targets(chosen)
        with progress_bar("Auditing") as progress:
            plan = ra.plan_deletion(targets, kinds, progress=progress)
        if dry_run or plan.interrupted:
            if output == "json":
                emit_json(serialize.deletion_plan(plan))
            elif output == "csv":
                emit_text(flat.plan_csv(plan))
            else:
                show(human.deletion_plan(plan))
                say("Dry run: nothing was changed.")
            failed = any(a.state in (PlanState.FAILED, PlanState.NOT_RUN) for a in plan.accounts)
            return _outcome(not failed, plan.interrupted, (a.state for a in plan.accounts))
        show(human.deletion_plan(plan), to_stderr=output != "table")
        if plan.to_delete:
            confirm(
                f"Delete {human.plan_summary(plan)}?",
                yes=yes,
                what="delete root credentials",
            )
        with progress_bar("Deleting") as progress:
            report = ra.delete_credentials(plan, progress=progress)
    if output == "json":
        emit_json(serialize.deletion_report(report))
    elif output == "csv":
        emit_text(flat.deletion_csv(report))
    else:
        show(human.deletion_report(report))
    return _outcome(report.clean, report.interrupted, _deletion_states(report))


@click.command("allow-password-recovery")
@target_options
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@connection_options
@output_option("table", "json", "csv")
@command
def allow_password_recovery(yes: bool, output: str, **kwargs: Any) -> int:
    """Let the owner of each account's root e-mail reset the root password ("Forgot
    password"): CreateLoginProfile without a password, in an IAMCreateRootUserPassword session."""
    chosen = selector(kwargs)
    if chosen.empty:
        raise click.UsageError("name the accounts: --all, --account, --ou or --accounts-file.")
    inputs.require_yes_for_stdin(chosen, yes=yes)
    with engine(kwargs) as ra:
        targets = ra.select_targets(chosen)
        if targets.selected:
            confirm(
                f"Allow root password recovery for {len(targets.selected)} account(s)?",
                yes=yes,
                what="allow password recovery",
            )
        with progress_bar("Allowing recovery") as progress:
            report = ra.allow_password_recovery(targets, progress=progress)
    if output == "json":
        emit_json(serialize.recovery_report(report))
    elif output == "csv":
        emit_text(flat.recovery_csv(report))
    else:
        show(human.recovery_report(report))
    if any(a.state.value in ("allowed", "already-allowed") for a in report.accounts):
        say(human.RECOVERY_NEXT_STEP)
    return _outcome(report.clean, report.interrupted, (a.state for a in report.accounts))


@click.command()
@target_options
@connection_options
@output_option("table", "json")
@command
def compliance(output: str, **kwargs: Any) -> int:
    """Audit, then evaluate the root-user controls of AWS Security Hub (IAM.4, IAM.6, IAM.9)
    and CIS AWS Foundations v7.0 (2.1.1, 2.4–2.6). Exit 1 when a control fails."""
    chosen = selector(kwargs)
    with engine(kwargs) as ra:
        targets = ra.select_targets(chosen)
        with progress_bar("Auditing") as progress:
            report = ra.compliance(targets, progress=progress)
    if output == "json":
        emit_json(serialize.compliance_report(report))
    else:
        show(human.compliance_table(report))
    return 0 if report.passed else EXIT_FINDINGS
