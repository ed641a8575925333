"""`rootctl audit`, `compliance`, `delete-credentials`, `allow-password-recovery`: org-wide
root credentials."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import click

from rootctl.cli import inputs
from rootctl.cli.common import (
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
    selector,
    target_options,
)
from rootctl.models import (
    AuditReport,
    ComplianceReport,
    CredentialKind,
    DeletionPlan,
    DeletionReport,
    RecoveryReport,
)
from rootctl.render import human
from rootctl.render.text import inert

RECENT_USE = timedelta(days=90)  # root credentials used this recently are warned about
NAME_THE_ACCOUNTS = "name the accounts: --all, --account, --ou or --accounts-file."


@click.command()
@target_options
@connection_options
@output_option(AuditReport)
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
        emit(report, output, organization=ra.organization())
    return exit_code(report, clean=report.clean)


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
@output_option(DeletionReport)
@command
def delete_credentials(
    only: tuple[CredentialKind, ...] | None, dry_run: bool, yes: bool, output: str, **kwargs: Any
) -> int:
    """Delete member accounts' root credentials: re-audit, show the items, ask once, remove
    each item independently (password → access keys → certificates → MFA), verify."""
    chosen = selector(kwargs)
    if chosen.empty:
        raise click.UsageError(NAME_THE_ACCOUNTS)
    inputs.require_yes_for_stdin(chosen, yes=yes or dry_run)
    kinds = only or tuple(CredentialKind)
    with engine(kwargs) as ra:
        ra.prepare_journal()  # a journal that cannot be written stops us before any AWS call
        targets = ra.select_targets(chosen)
        with progress_bar("Auditing") as progress:
            plan = ra.plan_deletion(targets, kinds, progress=progress)
        if dry_run or plan.interrupted:
            emit(plan, output)
            if output == "table":
                say("Dry run: nothing was changed.")
            return exit_code(plan, clean=not plan.failed and not _unrun(plan))
        emit(plan, "table", to_stderr=output != "table")
        _warn_recent_use(plan)
        if plan.to_delete:
            confirm(
                f"Delete {human.plan_summary(plan)}?",
                yes=yes,
                what="delete root credentials",
            )
        with progress_bar("Deleting") as progress:
            report = ra.delete_credentials(plan, progress=progress)
    emit(report, output)
    return exit_code(report, clean=report.clean)


def _warn_recent_use(plan: DeletionPlan) -> None:
    """Before asking: the root user still used some of these lately (the long-term root user's
    own use, from the audit: password and access key last used)."""
    for account, item in plan.used_since(datetime.now(UTC) - RECENT_USE):
        what = (
            "password" if item.kind is CredentialKind.PASSWORD else f"access key {inert(item.id)}"
        )
        say(
            f"warning: the root {what} of {inert(account.account.id)} "
            f"({inert(account.account.name)}) was used recently ({inert(item.detail)}): "
            "whoever still signs in with it will be locked out."
        )


def _unrun(plan: DeletionPlan) -> bool:
    return any(a.is_("not-run") for a in plan.accounts)


@click.command("allow-password-recovery")
@target_options
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@connection_options
@output_option(RecoveryReport)
@command
def allow_password_recovery(yes: bool, output: str, **kwargs: Any) -> int:
    """Let the owner of each account's root e-mail reset the root password ("Forgot
    password"): CreateLoginProfile without a password, in an IAMCreateRootUserPassword session."""
    chosen = selector(kwargs)
    if chosen.empty:
        raise click.UsageError(NAME_THE_ACCOUNTS)
    inputs.require_yes_for_stdin(chosen, yes=yes)
    with engine(kwargs) as ra:
        ra.prepare_journal()
        targets = ra.select_targets(chosen)
        if targets.selected:
            confirm(
                f"Allow root password recovery for {len(targets.selected)} account(s)?",
                yes=yes,
                what="allow password recovery",
            )
        with progress_bar("Allowing recovery") as progress:
            report = ra.allow_password_recovery(targets, progress=progress)
    emit(report, output)
    if report.recovery_open:
        say(human.RECOVERY_NEXT_STEP)
    return exit_code(report, clean=report.clean)


@click.command()
@target_options
@connection_options
@output_option(ComplianceReport)
@command
def compliance(output: str, **kwargs: Any) -> int:
    """Audit, then evaluate the root-user controls of AWS Security Hub (IAM.4, IAM.6, IAM.9)
    and CIS AWS Foundations v7.0 (2.1.1, 2.4–2.6). Exit 1 when a control fails."""
    chosen = selector(kwargs)
    with engine(kwargs) as ra:
        targets = ra.select_targets(chosen)
        with progress_bar("Auditing") as progress:
            report = ra.compliance(targets, progress=progress)
    emit(report, output)
    return 0 if report.passed else EXIT_FINDINGS
