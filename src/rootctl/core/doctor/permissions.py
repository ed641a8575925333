"""The caller's own permissions for the chosen commands: IAM's policy simulator where the
caller may use it (a role session simulates its role), else what doctor's own reads and the
per-account AssumeRoot probes showed. ``sts:AssumeRoot`` is decided per task policy, with
``sts:TaskPolicyArn`` in the simulation's context so conditions on it count."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from rootctl.aws.iam_simulation import simulate, simulation_source
from rootctl.core.doctor.denials import answered, caller_fix, caller_side, probe_fix
from rootctl.core.doctor.facts import Facts
from rootctl.core.doctor.registry import Stage, check
from rootctl.core.doctor.setup import caller_where
from rootctl.core.policy import ANY_ROOT, root_arn
from rootctl.core.requirements import NEEDS_NO_PERMISSION, REQUIREMENTS, Need
from rootctl.errors import (
    AccessDenied,
    InvalidRequest,
    NotFound,
    NotManagementOrDelegate,
    OrganizationUnavailable,
    TrustedAccessDisabled,
)
from rootctl.models import (
    Account,
    CallerRole,
    CheckStatus,
    Denial,
    DoctorFinding,
    SimulatedDecision,
    TaskPolicy,
)

Findings = Iterator[DoctorFinding]


def gather_simulation(facts: Facts) -> None:
    """Fill ``facts.simulated`` and ``facts.simulated_tasks``, or say why not."""
    if facts.caller is None or facts.is_root_user:
        return
    aws = facts.ctx.aws
    try:
        source = simulation_source(aws, facts.caller.arn)
        if source is None:
            facts.simulation_problem = "IAM's policy simulator cannot simulate this principal"
            return
        actions = [n.action for n in facts.needs if n.action not in NEEDS_NO_PERMISSION]
        if actions:
            facts.simulated = {d.action: d for d in simulate(aws, source, actions)}
        targets = facts.targets.selected if facts.targets else ()
        resource = root_arn(targets[0].id) if targets else ANY_ROOT
        for task in facts.tasks:
            (decided,) = _assume_root(facts, source, task, [resource])
            facts.simulated_tasks[task] = decided
            if decided.denial is not None and targets:
                facts.simulated_refusals[task] = _refusals(facts, source, task, targets)
    except (AccessDenied, NotFound, InvalidRequest) as exc:
        facts.simulated.clear()
        facts.simulated_tasks.clear()
        facts.simulated_refusals.clear()
        facts.simulation_problem = (
            "the caller may not use IAM's policy simulator"
            if isinstance(exc, AccessDenied)
            else f"IAM's policy simulator could not be used: {exc.message}"
        )
        return
    facts.simulation_source = source


SIMULATED_PER_CALL = 100  # root ARNs per SimulatePrincipalPolicy call


def _assume_root(
    facts: Facts, source: str, task: TaskPolicy, resources: Sequence[str]
) -> tuple[SimulatedDecision, ...]:
    context = {"sts:TaskPolicyArn": task.arn}
    return simulate(facts.ctx.aws, source, ["sts:AssumeRoot"], resources=resources, context=context)


def _refusals(
    facts: Facts, source: str, task: TaskPolicy, targets: Sequence[Account]
) -> dict[str, Denial]:
    """The first target's root was refused: which targets' roots are (a policy may name
    some accounts only). Account id → the simulator's denial."""
    refused: dict[str, Denial] = {}
    for start in range(0, len(targets), SIMULATED_PER_CALL):
        chunk = [root_arn(a.id) for a in targets[start : start + SIMULATED_PER_CALL]]
        for decided in _assume_root(facts, source, task, chunk):
            account_id = decided.resource.split(":")[4] if decided.resource.count(":") >= 5 else ""
            if decided.denial is not None and account_id:
                refused[account_id] = decided.denial
    return refused


def _method(facts: Facts, *, short: bool = False) -> str:
    if facts.simulation_source is not None:
        return "simulated" if short else f"IAM's policy simulator, for {facts.simulation_source}"
    return "probed" if short else f"probed: {facts.simulation_problem or 'no simulation'}"


UNKNOWN = Denial(None, "unknown")  # the verdict when nothing showed whether it is allowed


def _verdict(facts: Facts, need: Need) -> Denial | None:
    """The denial that keeps ``need`` from the caller; None when allowed; UNKNOWN."""
    simulated = facts.simulated.get(need.action)
    if simulated is not None:
        return simulated.denial
    call = facts.call(need.action)
    if call is None:
        return UNKNOWN
    # IAM authorizes before it checks the organization: such an answer proves the permission.
    organization_state = (NotManagementOrDelegate, TrustedAccessDisabled, OrganizationUnavailable)
    if call.ok or isinstance(call.error, organization_state):
        return None
    return call.denial or UNKNOWN


@check(
    "caller-permissions",
    "Caller's permissions",
    "The chosen commands call these actions with the caller's credentials.",
    stage=Stage.CALLER,
)
def caller_permissions(facts: Facts) -> Findings:
    if facts.caller is None or facts.is_root_user or facts.role is CallerRole.MEMBER:
        return
    where = caller_where(facts)
    needs = [n for n in facts.needs if n.action not in NEEDS_NO_PERMISSION]
    missing = 0
    for need in needs:
        verdict = _verdict(facts, need)
        if verdict is None:
            continue
        missing += 1
        commands = _commands(facts, need)
        why = f"{need.why} ({commands})"
        if verdict is UNKNOWN:
            message = f"{need.action}: could not be checked"
            yield caller_permissions.finding(CheckStatus.WARN, message, where, why=why)
            continue
        status = CheckStatus.FAIL if need.required else CheckStatus.WARN
        message = f"{verdict.label}" + ("" if need.required else " (the commands go on without it)")
        yield caller_permissions.finding(
            status, message, where, caller_fix(facts, verdict, need.action), why=why, denial=verdict
        )
    if not missing:
        message = (
            f"the {len(needs)} actions the chosen commands call are allowed ({_method(facts)})"
        )
        yield caller_permissions.finding(CheckStatus.OK, message, where)


def _commands(facts: Facts, need: Need) -> str:
    ops = [op for op in facts.operations if need in REQUIREMENTS[op].actions]
    return "for " + ", ".join(op.value for op in ops) if ops else "for doctor"


@check(
    "assume-root",
    "Caller may AssumeRoot with each task",
    "The chosen commands open their root sessions with sts:AssumeRoot and these task policies.",
    stage=Stage.CALLER,
)
def assume_root(facts: Facts) -> Findings:
    if facts.caller is None or facts.is_root_user or facts.role is CallerRole.MEMBER:
        return
    where = caller_where(facts)
    for task in facts.tasks:
        yield from _task_finding(facts, task, where)


def _task_finding(facts: Facts, task: TaskPolicy, where: str) -> Findings:
    ok, fail = CheckStatus.OK, CheckStatus.FAIL
    probes = answered(facts, task)
    simulated = facts.simulated_tasks.get(task)
    denied = [p for p in probes if caller_side(p)]
    name = f"sts:AssumeRoot with {task.value}"
    if probes and not denied:
        yield assume_root.finding(
            ok, f"{name}: opened in {len(probes)} account(s)", where, task=task
        )
    elif probes and len(denied) == len(probes):
        denial = simulated.denial if simulated and simulated.denial else denied[0].denial
        why = f" ({denial.label})" if denial and denial.policy_type else ""
        if any(p.tried for p in denied):
            message = f"{name}: not allowed in any of the {len(probes)} account(s) tried{why}"
        else:  # the simulator refused every one: none was tried
            message = f"{name}: not allowed in any of the {len(probes)} account(s){why} (simulated)"
        fix = probe_fix(facts, denied[0])
        yield assume_root.finding(fail, message, where, fix, task=task, denial=denial)
    elif probes:
        message = (
            f"{name}: allowed in {len(probes) - len(denied)} of {len(probes)} account(s); "
            "the others are listed under member-accounts"
        )
        yield assume_root.finding(fail, message, where, probe_fix(facts, denied[0]), task=task)
    elif simulated is not None and simulated.allowed:
        yield assume_root.finding(
            ok, f"{name}: allowed ({_method(facts, short=True)})", where, task=task
        )
    elif simulated is not None and simulated.denial is not None:
        message = f"{name}: {simulated.denial.label} ({_method(facts, short=True)})"
        fix = caller_fix(facts, simulated.denial, "sts:AssumeRoot", task=task)
        yield assume_root.finding(fail, message, where, fix, task=task, denial=simulated.denial)
    else:
        reason = facts.probes_skipped or facts.simulation_problem or "no account probed"
        message = f"{name}: could not be checked ({reason})"
        yield assume_root.finding(CheckStatus.WARN, message, where, task=task)


__all__ = ["assume_root", "caller_permissions", "gather_simulation"]
