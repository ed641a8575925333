"""The static SCP evaluation of `rootctl scp audit` (issue 17), as one of doctor's checks.

For the targeted accounts and only the task sessions the chosen commands need, the SCPs on
each account's path are read once per target and per policy and decided by the same function
as `scp audit` (:func:`rootctl.core.scp_audit.assess`). Accounts that one statement blocks
make one finding that names every one of them: a failure per blocking statement (or per level
where nothing allows), a warning per statement rootctl cannot decide (never guessed). When the
caller is the IAM delegated administrator, its own SCPs on ``sts:AssumeRoot`` are checked too.

The long-term root user is a warning only for ``--for delete``: deleting root credentials is
the step the guardrail should be staged before; the other commands do not depend on it.
SCPs that cannot be read (a denied ListPoliciesForTarget/DescribePolicy) are a warning naming
the permission that is missing; they never stop doctor. SCPs not enabled block nothing: a
warning for ``--for delete`` (no guardrail possible), else an ok finding.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from rootctl.aws import service_control as scp_api
from rootctl.aws.errors import denial_in
from rootctl.core import scp_audit
from rootctl.core.doctor.denials import caller_fix
from rootctl.core.doctor.facts import Facts
from rootctl.core.doctor.registry import Stage, check
from rootctl.core.fanout import Run, fan_out
from rootctl.errors import AccessDenied, Advice, AdviceCode, RootctlError
from rootctl.models import (
    Account,
    AccountScp,
    ActionCheck,
    CallerRole,
    CheckStatus,
    Denial,
    DoctorFinding,
    Operation,
    Organization,
    ScpDecision,
    ScpStatement,
    ScpVerdict,
    TaskCheck,
    TaskPolicy,
)
from rootctl.models.doctor import SCP

Findings = Iterator[DoctorFinding]
OK, WARN, FAIL = CheckStatus.OK, CheckStatus.WARN, CheckStatus.FAIL
BLOCKING = (ScpDecision.DENIED, ScpDecision.IMPLICITLY_DENIED)


@dataclass
class _Group:
    """Accounts that one cause (a statement, or a level where nothing allows) concerns."""

    statement: ScpStatement | None
    level: str | None = None  # implicitly denied: the target where nothing allows
    tasks: list[TaskPolicy] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)

    def add(self, account: Account | None, task: TaskPolicy, action: str) -> None:
        if task not in self.tasks:
            self.tasks.append(task)
        if action not in self.actions:
            self.actions.append(action)
        if account is not None and account not in self.accounts:
            self.accounts.append(account)


@check(
    "scps",
    "Service control policies on the targets' paths (static)",
    "An SCP that denies the actions of a root task session, or a level of the path where "
    "no SCP allows them, refuses that session in every account below it; the guardrail "
    "SCP refuses the long-term root user.",
    stage=Stage.MORE,
)
def scps(facts: Facts) -> Findings:
    if facts.tree is None or facts.targets is None or facts.caller is None:
        return  # the organization check says why
    org, aws = facts.tree, facts.ctx.aws
    try:
        enabled = scp_api.scps_enabled(aws)
    except AccessDenied as exc:
        yield _unreadable(facts, exc, len(facts.targets.selected))
        return
    where = f"organization {org.id}"
    if not enabled:  # nothing to read; it matters only to the guardrail, staged before delete
        message = "SCPs are not enabled in the organization (the SERVICE_CONTROL_POLICY type)"
        if Operation.DELETE in facts.operations:
            message += ": none can refuse the long-term root user once its credentials are gone"
            yield scps.finding(WARN, message, where, Advice(AdviceCode.STAGE_GUARDRAIL))
        else:
            yield scps.finding(OK, message + ": none blocks a root session", where)
        return
    reader = scp_audit.PolicyReader(facts.ctx)
    rows, denied = _assess(facts, reader, org)
    if denied:
        yield _unreadable(facts, denied[0][1], len(denied))
    unread = {exc_account for exc_account, _exc in denied}
    yield from _accounts(facts, [r for r in rows if r.account.id not in unread], where)
    if facts.role is CallerRole.DELEGATED_ADMIN:
        yield from _delegate(facts, reader, org)


def _assess(
    facts: Facts, reader: scp_audit.PolicyReader, org: Organization
) -> tuple[tuple[AccountScp, ...], list[tuple[str, AccessDenied]]]:
    """Every targeted account's SCP verdict (on doctor's fan-out, without a progress bar:
    the reads are cached), and the accounts whose SCPs the caller may not read."""
    denials: list[tuple[str, AccessDenied]] = []
    run = facts.run or Run(1)

    def work(account: Account, _cancel: threading.Event) -> AccountScp:
        try:
            return scp_audit.assess(reader, org, account, enabled=True)
        except AccessDenied as exc:
            denials.append((account.id, exc))
            return AccountScp.failed(account, exc.message)
        except RootctlError as exc:
            return AccountScp.failed(account, str(exc))

    quiet = Run(run.concurrency, None, run.cancel, "doctor-scps")
    assert facts.targets is not None
    fan = fan_out(facts.targets.selected, work, AccountScp, quiet)
    return fan.rows, denials


def _unreadable(facts: Facts, exc: AccessDenied, accounts: int) -> DoctorFinding:
    action = f"organizations:{exc.operation or 'DescribePolicy'}"
    denial = denial_in(exc.message) or Denial(action)
    message = f"SCPs could not be read: {denial.label}; {accounts} account(s) not evaluated"
    return scps.finding(
        WARN, message, "caller", caller_fix(facts, denial, denial.action or action), denial=denial
    )


def _accounts(facts: Facts, rows: Sequence[AccountScp], where: str) -> Findings:
    blocked: dict[tuple[object, ...], _Group] = {}
    undecided: dict[tuple[object, ...], _Group] = {}
    unguarded: list[Account] = []
    failed: dict[str, list[Account]] = {}
    passed = 0
    for row in rows:
        if row.is_("failed"):
            failed.setdefault(row.reason or "failed", []).append(row.account)
            continue
        if row.state not in _EVALUATED:
            continue  # not run (interrupted): doctor's interruption says so
        tasks = [t for t in row.tasks if t.task in facts.tasks]
        for task in tasks:
            if task.blocking:
                for action in task.blocking:
                    _collect(blocked, row.account, task, action)
            elif task.decision is ScpDecision.UNDECIDABLE:
                for action in task.actions:
                    if action.decision is ScpDecision.UNDECIDABLE:
                        _collect(undecided, row.account, task, action)
        if not any(t.blocking or t.decision is ScpDecision.UNDECIDABLE for t in tasks):
            passed += 1
        if row.root_user is not None and row.root_user.decision is ScpDecision.ALLOWED:
            unguarded.append(row.account)
    for group in blocked.values():
        yield _blocking(facts, group)
    for group in undecided.values():
        yield _undecidable(group)
    for reason, accounts in failed.items():
        message = f"SCPs not evaluated: {reason}"
        yield scps.finding(WARN, message, where, accounts=tuple(accounts))
    if unguarded and Operation.DELETE in facts.operations:
        message = (
            f"{len(unguarded)} account(s): no SCP refuses the long-term root user (password or "
            "access keys): stage the guardrail before deleting root credentials"
        )
        fix = Advice(AdviceCode.STAGE_GUARDRAIL)
        yield scps.finding(WARN, message, where, fix, accounts=tuple(unguarded))
    if passed:
        names = ", ".join(t.value for t in facts.tasks)
        message = f"in {passed} member account(s) the SCPs let the root sessions through: {names}"
        yield scps.finding(OK, message, where)


_EVALUATED = (
    ScpVerdict.TASKS_BLOCKED,
    ScpVerdict.UNDECIDABLE,
    ScpVerdict.UNGUARDED,
    ScpVerdict.GUARDED,
)


def _collect(
    groups: dict[tuple[object, ...], _Group],
    account: Account | None,
    task: TaskCheck,
    action: ActionCheck,
) -> None:
    if action.decision is ScpDecision.IMPLICITLY_DENIED and action.level:
        groups.setdefault(("level", action.level), _Group(None, action.level)).add(
            account, task.task, action.action
        )
    for ref in action.statements:
        key = ("statement", ref.policy_id, ref.index, ref.target_id)
        groups.setdefault(key, _Group(ref)).add(account, task.task, action.action)


def statement_label(ref: ScpStatement) -> str:
    """``SCP p-… (name), statement 2 (Sid), attached to ou-…`` (as `scp audit` numbers it)."""
    where = f"statement {ref.index + 1}" if ref.index is not None else "the whole policy"
    if ref.sid:
        where += f" ({ref.sid})"
    return f"SCP {ref.policy_id} ({ref.policy_name}), {where}, attached to {ref.target_id}"


def _tasks(group: _Group) -> str:
    return ", ".join(t.value for t in group.tasks)


SHOWN_ACTIONS = 3  # the message names a few; the statement (JSON) says what it covers


def _actions(group: _Group) -> str:
    shown = ", ".join(group.actions[:SHOWN_ACTIONS])
    more = len(group.actions) - SHOWN_ACTIONS
    return f"{shown} and {more} more action(s)" if more > 0 else shown


def _policy_arn(facts: Facts, policy_id: str) -> str | None:
    org = facts.organization
    if org is None or policy_id == "p-FullAWSAccess":
        return None
    return (
        f"arn:aws:organizations::{org.management_account_id}:policy/{org.id}/"
        f"service_control_policy/{policy_id}"
    )


def _blocking(facts: Facts, group: _Group) -> DoctorFinding:
    count = len(group.accounts)
    ref = group.statement
    if ref is None:
        message = (
            f"no SCP attached to {group.level} allows {_actions(group)}: it refuses the root "
            f"sessions of {_tasks(group)} in {count} account(s)"
        )
        where = f"target {group.level}"
        denial = Denial(group.actions[0], SCP)
        fix = Advice(AdviceCode.FIX_BLOCKING_SCP, {"policy": f"a customer SCP on {group.level}"})
    else:
        message = (
            f"{statement_label(ref)}: denies {_actions(group)}, refusing the root sessions of "
            f"{_tasks(group)} in {count} account(s)"
        )
        where = f"SCP {ref.policy_id} on {ref.target_id}"
        denial = Denial(group.actions[0], SCP, True, _policy_arn(facts, ref.policy_id))
        fix = Advice(AdviceCode.FIX_BLOCKING_SCP, {"policy": f"SCP {ref.policy_id}"})
    return scps.finding(
        FAIL,
        message,
        where,
        fix,
        task=group.tasks[0],
        denial=denial,
        accounts=tuple(group.accounts),
        statement=ref,
    )


def _undecidable(group: _Group, whose: str | None = None) -> DoctorFinding:
    ref = group.statement
    assert ref is not None  # only statements are undecided, never a whole level
    depends = "; ".join(ref.depends_on) or "the request"
    who = whose or f"in {len(group.accounts)} account(s)"
    message = (
        f"{statement_label(ref)}: cannot be decided statically for {_tasks(group)} {who} "
        f"(it depends on {depends}); rootctl does not guess"
    )
    return scps.finding(
        WARN,
        message,
        f"SCP {ref.policy_id} on {ref.target_id}",
        task=group.tasks[0],
        accounts=tuple(group.accounts),
        statement=ref,
    )


def _delegate(facts: Facts, reader: scp_audit.PolicyReader, org: Organization) -> Findings:
    """The caller's own account (the IAM delegated administrator) is bound by its SCPs: do
    they let its sts:AssumeRoot through with each task?"""
    assert facts.caller is not None
    account = org.account(facts.caller.account_id)
    if account is None:
        return
    try:
        delegate = scp_audit.assess_delegate(reader, org, account, facts.region, enabled=True)
    except AccessDenied as exc:
        yield _unreadable(facts, exc, 1)
        return
    whose = f"for the caller's account {account.id} (IAM delegated administrator)"
    blocked: dict[tuple[object, ...], _Group] = {}
    undecided: dict[tuple[object, ...], _Group] = {}
    for task in delegate.tasks:
        if task.task not in facts.tasks:
            continue
        for action in task.actions:
            if action.decision in BLOCKING:
                _collect(blocked, None, task, action)
            elif action.decision is ScpDecision.UNDECIDABLE:
                _collect(undecided, None, task, action)
    where = f"account {account.id}"
    fix = Advice(AdviceCode.LIFT_CALLER_DENY, {"policy_type": SCP, "action": "sts:AssumeRoot"})
    for group in blocked.values():
        ref = group.statement
        cause = statement_label(ref) if ref else f"no SCP attached to {group.level} allows it"
        message = f"sts:AssumeRoot {whose} with {_tasks(group)} in {facts.region}: {cause}"
        denial = Denial(
            "sts:AssumeRoot",
            SCP,
            ref is not None,
            _policy_arn(facts, ref.policy_id) if ref else None,
        )
        yield scps.finding(
            FAIL, message, where, fix, task=group.tasks[0], denial=denial, statement=ref
        )
    for group in undecided.values():
        yield _undecidable(group, whose)
    if not blocked and not undecided:
        message = f"sts:AssumeRoot {whose}: its SCPs let it through in {facts.region}"
        yield scps.finding(OK, message, where)
