"""`rootctl plan …`, `rootctl approve PLAN`, `rootctl apply PLAN`: change control.

A plan is a file: made from a fresh read (`plan delete-credentials|allow-password-recovery|
unlock-s3|unlock-sqs|lockouts`), shown and checked (`plan show`), approved by other principals
(`approve`), applied once (`apply`) — changing only what is still exactly as planned.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from rootctl import validation
from rootctl.cli import inputs, lockout_cmds
from rootctl.cli.common import (
    EXIT_FINDINGS,
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
from rootctl.cli.lockout_cmds import scan_options
from rootctl.core.planning import DEFAULT_EXPIRY, MAX_EXPIRY, PlanTerms
from rootctl.errors import InputError
from rootctl.models import (
    ApplyReport,
    ChangePlan,
    CredentialKind,
    FixMode,
    LockoutClass,
    PlanCheck,
    PlanDocument,
    PlanOperation,
    ResourceKind,
    TargetSet,
)
from rootctl.render import governance
from rootctl.render import lockouts as lockout_words

if TYPE_CHECKING:
    from rootctl import RootAccess

P = ParamSpec("P")
R = TypeVar("R")

NAME_THE_ACCOUNTS = "name the accounts: --all, --account, --ou or --accounts-file."


def _expiry(value: str, what: str) -> timedelta:
    return validation.duration(value, what, minimum=timedelta(minutes=1), maximum=MAX_EXPIRY)


def _key_id(value: str, what: str) -> str:
    value = value.strip()
    if not value or any(ch.isspace() for ch in value) or len(value) > 2048:
        raise InputError(f"invalid {what} {value[:60]!r}: give a KMS key id, ARN or alias.")
    return value


sign_option = click.option(
    "--sign-with-kms",
    "sign_with",
    metavar="KEY_ID",
    callback=inputs.option(_key_id),
    help="Sign with this asymmetric KMS key (KMS Sign; verifiers need kms:Verify).",
)


def plan_terms(f: Callable[P, R]) -> Callable[P, R]:
    options = [
        click.option(
            "--expires-in",
            default=f"{int(DEFAULT_EXPIRY.total_seconds() // 3600)}h",
            show_default=True,
            callback=inputs.option(_expiry),
            help="How long the plan may be approved and applied: 90s, 30m, 2h, 1d (at most 30d).",
        ),
        click.option(
            "--required-approvals",
            type=click.IntRange(0, 20),
            default=1,
            show_default=True,
            help="Approvals by principals other than the planner that apply will require.",
        ),
        click.option(
            "--allow-no-approval",
            is_flag=True,
            help="Needed with --required-approvals 0: nobody else reviews the change.",
        ),
        click.option("--comment", help="Why: a line kept in the plan (and its hash)."),
        sign_option,
        click.option(
            "--out",
            type=click.Path(dir_okay=False, allow_dash=True),
            default="-",
            help="Write the plan here (default: standard output).",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


Producer = Callable[["RootAccess", TargetSet, PlanTerms], ChangePlan]


def _fresh_read(operation: PlanOperation, **what: Any) -> Producer:
    def produce(ra: RootAccess, targets: TargetSet, terms: PlanTerms) -> ChangePlan:
        with progress_bar("Planning") as progress:
            return ra.make_plan(operation, targets, terms=terms, progress=progress, **what)

    return produce


def _make(operation: PlanOperation, kwargs: dict[str, Any], **what: Any) -> int:
    return _write_plan(_fresh_read(operation, **what), kwargs)


def _write_plan(produce: Producer, kwargs: dict[str, Any]) -> int:
    chosen = selector(kwargs)
    if chosen.empty:
        raise click.UsageError(NAME_THE_ACCOUNTS)
    required = kwargs.pop("required_approvals")
    if required == 0 and not kwargs.pop("allow_no_approval"):
        raise InputError(
            "--required-approvals 0 means nobody else reviews the change; add "
            "--allow-no-approval if that is what you want."
        )
    kwargs.pop("allow_no_approval", None)
    comment = kwargs.pop("comment")
    terms = PlanTerms(
        expires_in=kwargs.pop("expires_in"),
        required_approvals=required,
        comment=validation.note(comment, "--comment") if comment is not None else None,
    )
    sign_with, out = kwargs.pop("sign_with"), kwargs.pop("out")
    with engine(kwargs) as ra:
        targets = ra.select_targets(chosen)
        plan = produce(ra, targets, terms)
        if plan.incomplete:
            say("Interrupted: some accounts were not read, so no plan was written.")
            return EXIT_INTERRUPTED
        document = ra.plan_document(plan, sign_with=sign_with)
        if out == "-":
            click.echo(ra.plan_text(document), nl=False)
        else:
            ra.write_plan(document, out)
    show(governance.plan_items(plan), to_stderr=True)
    say(governance.plan_summary(plan))
    say(next_steps(plan, document, "the file" if out == "-" else out))
    return EXIT_FINDINGS if plan.failed else 0


def next_steps(plan: ChangePlan, document: PlanDocument, where: str) -> str:
    """The plan's hash and what its reviewers run next (``where``: the file)."""
    step = (
        f"another principal runs `rootctl approve {where}`; then `rootctl apply {where}`"
        if plan.required_approvals
        else f"`rootctl apply {where}` (no approval needed)"
    )
    signed = " (signed with KMS)" if document.signature else ""
    return f"sha256 {document.hash}{signed}.\nNext: {step}."


@click.group()
def plan() -> None:
    """Make a change plan from a fresh read (a file: --out), or show one (`plan show`)."""


@plan.command("delete-credentials")
@target_options
@click.option(
    "--only",
    metavar="KINDS",
    callback=inputs.credential_kinds,
    help="Comma list of password,access-keys,mfa,certificates (default: all).",
)
@plan_terms
@connection_options
@command
def plan_delete(only: tuple[CredentialKind, ...] | None, **kwargs: Any) -> int:
    """Plan deleting root credentials: the exact password (by its creation time), access
    keys, signing certificates and MFA devices of each account, as a fresh audit finds them."""
    return _make(PlanOperation.DELETE_CREDENTIALS, kwargs, kinds=only or tuple(CredentialKind))


@plan.command("allow-password-recovery")
@target_options
@plan_terms
@connection_options
@command
def plan_recovery(**kwargs: Any) -> int:
    """Plan allowing root password recovery in each account that has no login profile now."""
    return _make(PlanOperation.ALLOW_PASSWORD_RECOVERY, kwargs)


def _unlock_command(operation: PlanOperation, name: str, flag: str, noun: str) -> click.Command:
    check = validation.bucket_name if flag == "--bucket" else validation.queue_name

    @plan.command(name, help=f"Plan removing the named {noun}s' policies (their SHA-256 is "
                  f"recorded) in the selected accounts that hold them.")  # fmt: skip
    @target_options
    @click.option(
        flag,
        "resources",
        multiple=True,
        required=True,
        metavar="NAME",
        callback=lambda ctx, _p, values: tuple(inputs.argument(check)(ctx, _p, v) for v in values),
        help=f"A {noun} to unlock (repeatable){'; a name or URL' if noun == 'queue' else ''}.",
    )
    @plan_terms
    @connection_options
    @command
    def unlock(resources: tuple[str, ...], **kwargs: Any) -> int:
        return _make(operation, kwargs, resources=resources)

    return unlock


_unlock_command(PlanOperation.UNLOCK_S3, "unlock-s3", "--bucket", "bucket")
_unlock_command(PlanOperation.UNLOCK_SQS, "unlock-sqs", "--queue", "queue")


@plan.command("lockouts")
@target_options
@scan_options
@click.option(
    "--fix",
    type=click.Choice([m.value for m in FixMode]),
    default=FixMode.CORRECT.value,
    show_default=True,
    help="'correct': put each policy back without its locking statements (the corrected "
    "document is in the plan); 'delete': the whole policy.",
)
@plan_terms
@connection_options
@command
def plan_lockouts(
    kinds: tuple[ResourceKind, ...] | None,
    regions: str | tuple[str, ...] | None,
    statuses: tuple[LockoutClass, ...] | None,
    fix: str,
    **kwargs: Any,
) -> int:
    """Plan fixing lock-outs: what `find-lockouts --fix` would do, as a plan — each policy's
    SHA-256 as scanned, the action, and for a correction the document to put."""

    def produce(ra: RootAccess, targets: TargetSet, terms: PlanTerms) -> ChangePlan:
        report = lockout_cmds.scan(ra, targets, kinds, regions, statuses)
        if report.interrupted:  # some accounts not looked at: the plan says so, none is written
            return ra.plan_from_lockouts(report, (), terms)
        fixes = ra.plan_lockout_fixes(report, FixMode(fix))
        if fixes:
            show(lockout_words.fix_preview(fixes), to_stderr=True)
        return ra.plan_from_lockouts(report, fixes, terms)

    return _write_plan(produce, kwargs)


@plan.command("show")
@click.argument("plan_file", metavar="PLAN", type=click.Path(dir_okay=False))
@connection_options
@output_option(PlanCheck)
@command
def plan_show(plan_file: str, output: str, **kwargs: Any) -> int:
    """Show a plan and check it: its hash, KMS signature, approvals, expiry and whether the
    journal says it was applied. Exit 1 when it was changed or its signature does not verify."""
    with engine(kwargs) as ra:
        checked = ra.check_plan(ra.read_plan(plan_file), organization=False)
    emit(checked, output)
    broken = not checked.document.intact or checked.status.value == "bad-signature"
    return EXIT_FINDINGS if broken else 0


def _asking(
    question: Callable[[PlanCheck], str], what: str, yes: bool
) -> Callable[[PlanCheck], None]:
    def ask(checked: PlanCheck) -> None:
        if yes:
            say(question(checked).rstrip("?") + ": yes (--yes).")
            return
        show(governance.plan_check(checked), to_stderr=True)
        confirm(question(checked), yes=yes, what=what)

    return ask


@click.command()
@click.argument("plan_file", metavar="PLAN", type=click.Path(dir_okay=False, exists=False))
@sign_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@connection_options
@output_option(PlanCheck)
@command
def approve(plan_file: str, sign_with: str | None, yes: bool, output: str, **kwargs: Any) -> int:
    """Approve PLAN as the current AWS principal (not the planner, not an earlier approver):
    the approval is recorded in the journal and written into the file."""
    with engine(kwargs) as ra:
        ra.prepare_journal()
        document = ra.read_plan(plan_file)
        plan = document.plan
        question = _asking(
            lambda c: (
                f"Approve plan {plan.id} ({plan.operation.value}, {plan.item_count} "
                f"item(s) in {len(plan.targets)} account(s))?"
            ),
            "approve the plan",
            yes,
        )
        approved = ra.approve_plan(document, sign_with=sign_with, confirm=question)
        ra.write_plan(approved, plan_file)
        checked = ra.check_plan(approved)
    emit(checked, output)
    say(f"Approved by {approved.approvals[-1].approver_arn}: {checked.counted} of "
        f"{plan.required_approvals} approval(s).")  # fmt: skip
    return 0


@click.command("apply")
@click.argument("plan_file", metavar="PLAN", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Only check the plan as apply would (organization included) and show it; nothing is "
    "claimed or changed. Exit 0 when apply would accept it, 1 when not.",
)
@connection_options
@output_option(ApplyReport)
@command
def apply_(plan_file: str, yes: bool, dry_run: bool, output: str, **kwargs: Any) -> int:
    """Apply PLAN once: refuse it when expired, changed, for another organization, short of
    approvals or already applied; else re-read each account and change only the items still
    exactly as planned (drifted ones are reported and left alone)."""
    if dry_run:
        if output == "csv":
            raise InputError("apply --dry-run shows the plan's check: use -o table or -o json.")
        with engine(kwargs) as ra:
            checked = ra.check_plan(ra.read_plan(plan_file))
        emit(checked, output)
        say("Apply would accept it." if checked.ready else "Apply would refuse it.")
        return 0 if checked.ready else EXIT_FINDINGS
    with engine(kwargs) as ra:
        ra.prepare_journal()
        document = ra.read_plan(plan_file)
        plan = document.plan
        question = _asking(
            lambda c: (
                f"Apply plan {plan.id}: {plan.operation.value}, {plan.item_count} "
                f"item(s) in {len(plan.targets)} account(s)?"
            ),
            "apply the plan",
            yes,
        )
        with progress_bar("Applying") as progress:
            report = ra.apply_plan(document, progress=progress, confirm=question)
    emit(report, output)
    return exit_code(report, clean=report.clean)
