"""`rootctl audit`, `compliance`, `delete-credentials`, `allow-password-recovery`: org-wide
root credentials."""

from __future__ import annotations

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
    status_option,
    target_options,
)
from rootctl.models import (
    AuditReport,
    ComplianceReport,
    CredentialKind,
    DeletionPlan,
    DeletionReport,
    RecoveryReport,
    TargetSet,
)
from rootctl.render import changes, human
from rootctl.render.text import inert

NAME_THE_ACCOUNTS = "name the accounts: --all, --account, --ou, --tag or --accounts-file."
NAMED = 3  # a prompt names this many accounts, then counts the rest

no_history_option = click.option(
    "--no-history",
    is_flag=True,
    help="Do not keep this audit in the audit history (rootctl history, drift, report).",
)


@click.command()
@target_options
@status_option
@no_history_option
@connection_options
@output_option(AuditReport)
@command
def audit(output: str, statuses: tuple[str, ...], no_history: bool, **kwargs: Any) -> int:
    """Audit member accounts' root credentials (read-only). TARGETS default to --all.

    The audit is kept in the audit history, next to the journal (see `rootctl history`),
    unless --no-history. Exit 0 when no account has root credentials, 1 when some have (or
    could not be audited).
    """
    chosen = selector(kwargs)
    with engine(kwargs) as ra:
        chosen = ra.check_selector(chosen)  # bad input changes nothing, not even the history
        if not no_history:
            ra.prepare_history()  # a history that cannot be written stops us before AWS
        with progress_bar("Auditing") as progress:  # --all starts while the tree is read
            report = ra.audit_selection(chosen, progress=progress, record=not no_history)
        emit(report, output, organization=ra.organization(), statuses=statuses)
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
@status_option
@connection_options
@output_option(DeletionReport)
@command
def delete_credentials(
    only: tuple[CredentialKind, ...] | None,
    dry_run: bool,
    yes: bool,
    output: str,
    statuses: tuple[str, ...],
    **kwargs: Any,
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
            emit(plan, output, statuses=statuses)
            if output == "table":
                say("Dry run: nothing was changed.")
            return exit_code(plan, clean=not plan.failed and not _unrun(plan))
        emit(plan, "table", statuses=statuses, to_stderr=output != "table")
        if plan.to_delete:
            confirm(_deletion_question(plan), yes=yes, what="delete root credentials")
        with progress_bar("Deleting") as progress:
            report = ra.delete_credentials(plan, progress=progress)
    emit(report, output, statuses=statuses)
    return exit_code(report, clean=report.clean)


def _deletion_question(plan: DeletionPlan) -> str:
    """The counts, after what deserves a second thought (a password left without MFA, root
    keys used lately: when, where, by which service)."""
    warnings = [f"Warning: {w}" for w in changes.plan_warnings(plan)]
    return "\n".join([*warnings, f"Delete {changes.plan_summary(plan)}?"])


def _unrun(plan: DeletionPlan) -> bool:
    return any(a.is_("not-run") for a in plan.accounts)


@click.command("allow-password-recovery")
@target_options
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@status_option
@connection_options
@output_option(RecoveryReport)
@command
def allow_password_recovery(
    yes: bool, output: str, statuses: tuple[str, ...], **kwargs: Any
) -> int:
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
            confirm(_recovery_question(targets), yes=yes, what="allow password recovery")
        with progress_bar("Allowing recovery") as progress:
            report = ra.allow_password_recovery(targets, progress=progress)
    emit(report, output, statuses=statuses)
    if report.recovery_open:
        say(human.RECOVERY_NEXT_STEP)
    return exit_code(report, clean=report.clean)


def _recovery_question(targets: TargetSet) -> str:
    """Names the accounts (a few, then a count) and the e-mail each reset link goes to."""
    selected = targets.selected
    named = [f"  {inert(a.name)} ({inert(a.id)}): {inert(a.email)}" for a in selected[:NAMED]]
    if len(selected) > NAMED:
        named.append(f"  and {len(selected) - NAMED} more, each to its own root e-mail")
    count = "1 account" if len(selected) == 1 else f"{len(selected)} accounts"
    return "\n".join(
        [
            f"Root password recovery for {count}: whoever reads the root e-mail can then "
            "reset the root password. The reset link goes to:",
            *named,
            f"Allow root password recovery for {count}?",
        ]
    )


@click.command()
@target_options
@status_option
@no_history_option
@connection_options
@output_option(ComplianceReport)
@command
def compliance(output: str, statuses: tuple[str, ...], no_history: bool, **kwargs: Any) -> int:
    """Audit, then evaluate the root-user controls of AWS Security Hub (IAM.4, IAM.6, IAM.9)
    and CIS AWS Foundations v7.0 (2.1.1, 2.4–2.6). The audit is kept in the history unless
    --no-history. Exit 1 when a control fails."""
    chosen = selector(kwargs)
    with engine(kwargs) as ra:
        chosen = ra.check_selector(chosen)  # bad input changes nothing, not even the history
        if not no_history:
            ra.prepare_history()
        targets = ra.select_targets(chosen)
        with progress_bar("Auditing") as progress:
            report = ra.compliance(targets, progress=progress, record=not no_history)
    emit(report, output, statuses=statuses)
    return 0 if report.passed else EXIT_FINDINGS
