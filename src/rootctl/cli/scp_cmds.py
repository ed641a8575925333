"""`rootctl scp audit` (which SCPs break root task sessions, which accounts' long-term root user
nothing guards) and `rootctl scp guardrail` (print, apply, detach the "deny root unless
AssumeRoot" SCP; fix existing SCPs; where the staged rollout stands)."""

from __future__ import annotations

from typing import Any

import click

from rootctl.cli.common import (
    EXIT_INTERRUPTED,
    command,
    confirm,
    connection_options,
    emit,
    emit_text,
    engine,
    exit_code,
    output_option,
    progress_bar,
    say,
    selector,
    show,
    target_options,
)
from rootctl.models import GuardrailChange, ScpAuditReport, ScpVerdict, TargetSelector
from rootctl.render import scp as words

MODES = ("print", "apply", "detach", "fix_existing", "stage")


@click.group("scp")
def scp() -> None:
    """Service control policies and root sessions: audit, and the guardrail rollout."""


@scp.command("audit")
@target_options
@connection_options
@output_option(ScpAuditReport)
@command
def audit(output: str, **kwargs: Any) -> int:
    """Per account (TARGETS default to --all), statically from the SCPs on its path: do the
    five root task sessions pass, and is the long-term root user refused? Verdicts:
    tasks-blocked, unguarded, guarded, undecidable. Read-only. Exit 0 when every account is
    guarded and the delegated administrator may call sts:AssumeRoot, 1 otherwise."""
    chosen = selector(kwargs)
    with engine(kwargs) as ra:
        targets = ra.select_targets(chosen)
        with progress_bar("Reading SCPs") as progress:
            report = ra.scp_audit(targets, progress=progress)
    emit(report, output)
    return exit_code(report, clean=report.clean)


@scp.command("guardrail")
@click.option("--print", "print_", is_flag=True, help="Print the guardrail SCP and stop.")
@click.option("--apply", is_flag=True, help="Create the guardrail once and attach it to --ou.")
@click.option("--detach", is_flag=True, help="Detach the guardrail from --ou.")
@click.option(
    "--fix-existing",
    is_flag=True,
    help="Propose (and with confirmation, put) the smallest change to each SCP that blocks "
    "root task sessions in TARGETS.",
)
@click.option(
    "--stage",
    is_flag=True,
    help="Where the staged rollout stands, per OU, and the next step (read-only).",
)
@click.option("--dry-run", is_flag=True, help="Show the changes, make none.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@target_options
@connection_options
@output_option(GuardrailChange)
@command
def guardrail(
    print_: bool,
    apply: bool,
    detach: bool,
    fix_existing: bool,
    stage: bool,
    dry_run: bool,
    yes: bool,
    output: str,
    **kwargs: Any,
) -> int:
    """AWS's "deny root unless AssumeRoot" SCP, rolled out in stages: --print it, --apply it
    to a pilot OU (--ou OU_ID, repeatable; --ou root for every account), check it (--stage,
    rootctl scp audit, rootctl doctor), delete root credentials there, then widen. --detach
    undoes it; --fix-existing mends SCPs that block the task sessions. Every change is
    journaled."""
    chosen = selector(kwargs)
    ous = chosen.ous  # with --apply/--detach: where the guardrail goes ('root' too)
    picked = [
        m for m, on in zip(MODES, (print_, apply, detach, fix_existing, stage), strict=True) if on
    ]
    if len(picked) != 1:
        raise click.UsageError("choose one of --print, --apply, --detach, --fix-existing, --stage.")
    mode = picked[0]
    if mode in ("apply", "detach") and not ous:
        raise click.UsageError(f"--{mode} needs --ou OU_ID (repeatable; 'root' for all).")
    if mode in ("apply", "detach") and (chosen.all or chosen.accounts or chosen.accounts_file):
        raise click.UsageError(f"--{mode} takes OUs (--ou), not accounts.")
    if (dry_run or yes) and mode in ("print", "stage"):
        raise click.UsageError("--dry-run and --yes go with --apply, --detach, --fix-existing.")
    if mode == "print":
        from rootctl.core.guardrail import document  # no AWS: the document is data

        emit_text(document() + "\n")
        return 0
    with engine(kwargs) as ra:
        if not dry_run and mode != "stage":
            ra.prepare_journal()
        if mode in ("apply", "detach"):
            preview = (ra.apply_guardrail if mode == "apply" else ra.detach_guardrail)(
                ous, dry_run=True
            )
            if dry_run or not any(s.state.value == "planned" for s in preview.steps):
                emit(preview, output)
                return 0
            show(words.change_table(preview), to_stderr=True)
            confirm(f"{mode.capitalize()} rootctl's guardrail SCP as shown?", yes=yes,
                    what=f"{mode} an SCP")  # fmt: skip
            change = (ra.apply_guardrail if mode == "apply" else ra.detach_guardrail)(ous)
            emit(change, output)
            return 1 if change.failed else 0
        targets = ra.select_targets(chosen if not chosen.empty else TargetSelector(all=True))
        with progress_bar("Reading SCPs") as progress:
            report = ra.scp_audit(targets, progress=progress)
        if report.interrupted:
            return EXIT_INTERRUPTED
        if mode == "stage":
            emit(ra.guardrail_stage(report), output)
            return exit_code(report, clean=report.clean)
        fixes, unfixable = ra.plan_scp_fixes(report)
        preview = ra.fix_scps(fixes, unfixable, dry_run=True)
        if not fixes:
            emit(preview, output)
            say("No SCP to fix." if not unfixable else "Nothing rootctl can fix by itself.")
            return 1 if report.verdicts(ScpVerdict.TASKS_BLOCKED) else 0
        if dry_run:
            emit(preview, output)
            return 0
        show(words.change_table(preview), to_stderr=True)
        confirm(f"Update {len(fixes)} SCP(s) as shown? (each document is saved in the journal "
                "first)", yes=yes, what="update SCPs")  # fmt: skip
        change = ra.fix_scps(fixes, unfixable)
    emit(change, output)
    return 1 if change.failed or change.unfixable else 0
