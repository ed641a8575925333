"""Enable / disable root access management and the IAM delegated administrator."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from rootctl.aws import iam_features
from rootctl.aws import organizations as orgs_api
from rootctl.core.context import Context
from rootctl.core.organization import read_status
from rootctl.core.targets import check_account_id
from rootctl.errors import Advice, AdviceCode, CallerNotManagement, Conflict, InputError
from rootctl.models import (
    CallerRole,
    Capability,
    ChangeStep,
    FeatureChange,
    Organization,
    StepState,
)


@dataclass(frozen=True)
class _Step:
    description: str
    action: str  # journal action name
    item: str
    call: Callable[[], str | None]
    needed: bool


def _require_management(role: CallerRole, what: str) -> None:
    if role in (CallerRole.DELEGATED_ADMIN, CallerRole.MEMBER):
        raise CallerNotManagement(
            f"{what} can only be done from the management account (caller is {role.value}).",
            Advice(AdviceCode.USE_MANAGEMENT_ACCOUNT),
        )


def _run(ctx: Context, org_id: str, steps: Sequence[_Step], dry_run: bool) -> list[ChangeStep]:
    run_id = ctx.new_run_id()
    done: list[ChangeStep] = []
    failed = False
    for step in steps:
        if not step.needed:
            done.append(ChangeStep(step.description, StepState.ALREADY))
        elif dry_run:
            done.append(ChangeStep(step.description, StepState.PLANNED))
        elif failed:
            done.append(ChangeStep(step.description, StepState.NOT_RUN, "an earlier step failed"))
        else:
            outcome = ctx.journaled(
                run_id=run_id,
                action=step.action,
                target=org_id,
                task_policy=None,
                items=[step.item],
                call=step.call,
            )
            if outcome.error is not None:
                failed = True
                done.append(ChangeStep(step.description, StepState.FAILED, str(outcome.error)))
            else:
                done.append(ChangeStep(step.description, StepState.DONE))
    return done


def enable(
    ctx: Context,
    org: Organization,
    capabilities: Sequence[Capability],
    delegate: str | None,
    dry_run: bool,
) -> FeatureChange:
    if delegate is not None:
        delegate = check_account_id(delegate, "delegate account id")
        if org.account(delegate) is None:
            raise InputError(f"account {delegate} is not in organization {org.id}.")
        if delegate == org.management_account_id:
            raise InputError("the management account cannot be the IAM delegated administrator.")
    before = read_status(ctx)
    _require_management(before.caller_role, "Enabling root access management")
    registered = {d.account_id for d in before.delegated_admins or ()}
    steps = [
        _Step(
            "enable IAM trusted access (iam.amazonaws.com)",
            "enable-trusted-access",
            "iam.amazonaws.com",
            lambda: orgs_api.enable_trusted_access(ctx.aws),
            before.trusted_access is not True,
        ),
        *(
            _Step(
                f"enable {cap.label} ({cap.value})",
                "enable-capability",
                cap.value,
                partial(iam_features.enable_feature, ctx.aws, cap),
                not before.has(cap),
            )
            for cap in capabilities
        ),
    ]
    if delegate is not None:
        steps.append(
            _Step(
                f"register {delegate} as IAM delegated administrator",
                "register-delegate",
                delegate,
                lambda: orgs_api.register_delegate(ctx.aws, delegate),
                delegate not in registered,
            )
        )
    result = _run(ctx, before.organization_id, steps, dry_run)
    after = before if dry_run else read_status(ctx)
    return FeatureChange(before, after, tuple(result), dry_run)


def disable(
    ctx: Context, capabilities: Sequence[Capability], trusted_access: bool, dry_run: bool
) -> FeatureChange:
    before = read_status(ctx)
    if trusted_access:
        _require_management(before.caller_role, "Disabling IAM trusted access")
        if before.delegated_admins:
            # AWS refuses this; say so before changing anything else.
            raise Conflict(
                "IAM trusted access cannot be disabled while an IAM delegated administrator "
                f"({before.delegated_admins[0].account_id}) is registered.",
                Advice(AdviceCode.DEREGISTER_DELEGATE_FIRST),
            )
    features_known = before.capabilities is not None
    steps = [
        _Step(
            f"disable {cap.label} ({cap.value})",
            "disable-capability",
            cap.value,
            partial(iam_features.disable_feature, ctx.aws, cap),
            before.has(cap) or not features_known,
        )
        for cap in capabilities
    ]
    if trusted_access:
        steps.append(
            _Step(
                "disable IAM trusted access (iam.amazonaws.com)",
                "disable-trusted-access",
                "iam.amazonaws.com",
                lambda: orgs_api.disable_trusted_access(ctx.aws),
                before.trusted_access is not False,
            )
        )
    result = _run(ctx, before.organization_id, steps, dry_run)
    after = before if dry_run else read_status(ctx)
    return FeatureChange(before, after, tuple(result), dry_run)


def deregister_delegate(ctx: Context, account_id: str | None, dry_run: bool) -> FeatureChange:
    if account_id is not None:
        account_id = check_account_id(account_id)
    before = read_status(ctx)
    _require_management(before.caller_role, "Deregistering the IAM delegated administrator")
    registered = [d.account_id for d in before.delegated_admins or ()]
    if account_id is not None and account_id not in registered:
        raise InputError(f"account {account_id} is not the IAM delegated administrator.")
    targets = [account_id] if account_id else registered
    steps = [
        _Step(
            f"deregister {target} as IAM delegated administrator",
            "deregister-delegate",
            target,
            partial(orgs_api.deregister_delegate, ctx.aws, target),
            True,
        )
        for target in targets
    ]
    result = _run(ctx, before.organization_id, steps, dry_run)
    if not targets:
        result = [
            ChangeStep(
                "deregister the IAM delegated administrator", StepState.ALREADY, "none registered"
            )
        ]
    after = before if dry_run else read_status(ctx)
    return FeatureChange(before, after, tuple(result), dry_run)
