"""Checks of the set-up: the STS endpoint, who the caller is, the organization, IAM trusted
access, the two capabilities and the IAM delegated administrator."""

from __future__ import annotations

from collections.abc import Iterator

from rootctl.core.doctor.facts import Facts
from rootctl.core.doctor.registry import Stage, check
from rootctl.errors import Advice, AdviceCode
from rootctl.models import CallerRole, CheckStatus, DoctorFinding, TaskOutcome, TaskProbe

Findings = Iterator[DoctorFinding]
OK, WARN, FAIL = CheckStatus.OK, CheckStatus.WARN, CheckStatus.FAIL


def organization_where(facts: Facts) -> str:
    return f"organization {facts.organization.id}" if facts.organization else "organization"


def caller_where(facts: Facts) -> str:
    return f"caller {facts.caller.arn}" if facts.caller else "caller"


@check(
    "sts-endpoint",
    "Regional STS endpoint",
    "AssumeRoot exists only on Regional STS endpoints; the global endpoint answers "
    "'Unknown Operation'.",
    stage=Stage.SETUP,
)
def sts_endpoint(facts: Facts) -> Findings:
    where = f"region {facts.region}"
    if facts.sts_problem is not None:
        fix = facts.sts_problem.advice
        yield sts_endpoint.finding(FAIL, facts.sts_problem.message, where, fix)
        return
    reached = f"STS answered at {facts.sts_endpoint} (Regional, {facts.region})"
    if facts.ctx.aws.configured_sts_endpoints == "legacy":
        yield sts_endpoint.finding(
            WARN,
            f"{reached}; but the configuration says sts_regional_endpoints=legacy: rootctl "
            "overrides it, other tools that follow it send AssumeRoot to the global endpoint",
            where,
            Advice(AdviceCode.USE_REGIONAL_STS),
        )
        return
    yield sts_endpoint.finding(OK, reached, where)


@check(
    "caller-identity",
    "Caller is an IAM principal",
    "AssumeRoot accepts IAM users and role sessions; root user credentials cannot call it.",
    stage=Stage.SETUP,
)
def caller_identity(facts: Facts) -> Findings:
    if facts.caller is None:
        return
    arn, where = facts.caller.arn, caller_where(facts)
    if facts.is_root_user:
        message = "the caller is an account's root user: root credentials cannot call AssumeRoot"
        yield caller_identity.finding(FAIL, message, where, Advice(AdviceCode.USE_IAM_PRINCIPAL))
    elif ":assumed-role/" in arn:
        yield caller_identity.finding(OK, "the caller is an IAM role session", where)
    elif ":user/" in arn:
        yield caller_identity.finding(OK, "the caller is an IAM user", where)
    else:
        message = "the caller is neither an IAM user nor a role session: AssumeRoot may refuse it"
        yield caller_identity.finding(WARN, message, where, Advice(AdviceCode.USE_IAM_PRINCIPAL))


@check(
    "caller-account",
    "Caller's account may open root sessions",
    "Only principals of the management account or of the IAM delegated administrator may "
    "AssumeRoot into member accounts.",
    stage=Stage.SETUP,
)
def caller_account(facts: Facts) -> Findings:
    if facts.caller is None or facts.organization is None:
        return
    where = f"account {facts.caller.account_id}"
    role = facts.role
    if role is CallerRole.MANAGEMENT:
        yield caller_account.finding(OK, "the caller's account is the management account", where)
    elif role is CallerRole.DELEGATED_ADMIN:
        message = "the caller's account is the IAM delegated administrator"
        yield caller_account.finding(OK, message, where)
    elif role is CallerRole.MEMBER:
        message = (
            "the caller's account is a member: neither the management account nor the IAM "
            "delegated administrator"
        )
        yield caller_account.finding(FAIL, message, where, Advice(AdviceCode.USE_ADMIN_ACCOUNT))
    else:
        message = (
            "could not tell whether the caller's account is the management account or the IAM "
            "delegated administrator"
        )
        yield caller_account.finding(WARN, message, where, Advice(AdviceCode.USE_ADMIN_ACCOUNT))


@check(
    "organization",
    "AWS Organizations with all features",
    "Root access management needs an organization with all features enabled.",
    stage=Stage.SETUP,
)
def organization(facts: Facts) -> Findings:
    if facts.caller is None:
        return
    problem = facts.organization_problem
    call = facts.call("organizations:DescribeOrganization")
    if facts.organization is None:
        if problem is not None:
            yield organization.finding(FAIL, problem.message, caller_where(facts), problem.advice)
        elif call is not None and call.error is not None:
            message = f"could not read the organization: {call.error.message}"
            yield organization.finding(FAIL, message, caller_where(facts), call.error.advice)
        return
    where = organization_where(facts)
    if facts.organization.feature_set != "ALL":
        message = f"the organization's feature set is {facts.organization.feature_set}, not ALL"
        yield organization.finding(FAIL, message, where, Advice(AdviceCode.NEED_ALL_FEATURES))
    else:
        yield organization.finding(OK, "all features are enabled", where)


@check(
    "trusted-access",
    "IAM trusted access",
    "Without IAM trusted access AWS refuses every AssumeRoot ('Service not enabled for AWS "
    "Organizations').",
    stage=Stage.SETUP,
)
def trusted_access(facts: Facts) -> Findings:
    if not facts.organization_read:
        return
    where = organization_where(facts)
    refused = any(_probes_said(facts, TaskOutcome.TRUSTED_ACCESS_OFF))
    if facts.trusted_access is False or refused:
        message = "IAM trusted access (iam.amazonaws.com) is off"
        yield trusted_access.finding(FAIL, message, where, Advice(AdviceCode.ENABLE_TRUSTED_ACCESS))
    elif facts.trusted_access:
        yield trusted_access.finding(OK, "IAM trusted access (iam.amazonaws.com) is on", where)
    else:
        yield trusted_access.finding(
            WARN,
            "could not read whether IAM trusted access is on",
            where,
            _read_fix(facts, "organizations:ListAWSServiceAccessForOrganization"),
        )


@check(
    "capabilities",
    "Root access capabilities",
    "Each capability gates its tasks: AWS refuses their root sessions while it is off.",
    stage=Stage.SETUP,
)
def capabilities(facts: Facts) -> Findings:
    if not facts.organization_read:
        return
    where = organization_where(facts)
    for capability in dict.fromkeys(task.capability for task in facts.tasks):
        tasks = ", ".join(t.value for t in facts.tasks if t.capability is capability)
        why = f"{capability.value} gates {tasks}: AWS refuses those root sessions while it is off."
        name = f"{capability.label} ({capability.value})"
        advice = Advice(AdviceCode.ENABLE_CAPABILITY, {"capability": capability.value})
        said_off = any(
            p.task.capability is capability for p in _probes_said(facts, TaskOutcome.CAPABILITY_OFF)
        )
        if (facts.capabilities is not None and capability not in facts.capabilities) or said_off:
            yield capabilities.finding(FAIL, f"{name} is off", where, advice, why=why)
        elif facts.capabilities is not None:
            yield capabilities.finding(OK, f"{name} is on", where, why=why)
        elif facts.trusted_access is False:
            message = f"{name}: unknown while IAM trusted access is off (AWS hides it)"
            yield capabilities.finding(WARN, message, where, why=why)
        else:
            fix = _read_fix(facts, "iam:ListOrganizationsFeatures")
            yield capabilities.finding(WARN, f"{name}: could not be read", where, fix, why=why)


@check(
    "delegate",
    "IAM delegated administrator",
    "A delegated administrator lets a security account run rootctl instead of the management "
    "account; SCPs apply to it (not to the management account).",
    stage=Stage.SETUP,
)
def delegate(facts: Facts) -> Findings:
    if not facts.organization_read:
        return
    where = organization_where(facts)
    names = {a.id: a for a in facts.tree.accounts} if facts.tree else {}
    if facts.role is CallerRole.DELEGATED_ADMIN and facts.caller is not None:
        message = (
            f"the caller's account {facts.caller.account_id} is the IAM delegated administrator"
        )
        yield delegate.finding(OK, message, where)
    elif facts.delegates is None:
        yield delegate.finding(
            WARN,
            "could not read the IAM delegated administrator",
            where,
            _read_fix(facts, "organizations:ListDelegatedAdministrators"),
        )
    elif not facts.delegates:
        message = (
            "none registered (optional: a delegated administrator lets a security account run "
            "rootctl instead of the management account)"
        )
        yield delegate.finding(OK, message, where)
    for admin in facts.delegates or ():
        account = names.get(admin.account_id)
        if account is not None and account.state != "ACTIVE":
            message = f"the IAM delegated administrator {admin.account_id} is {account.state}"
            yield delegate.finding(WARN, message, where, Advice(AdviceCode.USE_MANAGEMENT_ACCOUNT))
        elif facts.role is not CallerRole.DELEGATED_ADMIN:
            message = f"{admin.account_id} ({admin.name}) is the IAM delegated administrator"
            yield delegate.finding(OK, message, where)


def _probes_said(facts: Facts, outcome: TaskOutcome) -> Iterator[TaskProbe]:
    """The per-account task probes that AWS answered with this organization-level refusal."""
    for row in facts.probes.accounts if facts.probes else ():
        yield from (p for p in row.tasks if p.outcome is outcome)


def _read_fix(facts: Facts, action: str) -> Advice | None:
    call = facts.call(action)
    return call.error.advice if call is not None and call.error is not None else None
