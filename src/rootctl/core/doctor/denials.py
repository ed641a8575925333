"""Whose side a denial is on, and how to fix it: shared by the permission checks and the
member-account check."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from rootctl.core.doctor.facts import Facts
from rootctl.core.policy import actions_statement, assume_root_statement
from rootctl.core.requirements import REQUIREMENTS
from rootctl.errors import Advice, AdviceCode
from rootctl.models import Denial, Operation, TaskOutcome, TaskPolicy, TaskProbe
from rootctl.models.doctor import IDENTITY_POLICY, RCP


def caller_side(probe: TaskProbe) -> bool:
    """A denial of the caller's own AssumeRoot (its identity policy, its boundary, its
    account's SCPs) — not of the member account (its SCPs in the session, its RCPs)."""
    if probe.outcome is not TaskOutcome.DENIED or probe.in_session:
        return False
    return probe.denial is None or probe.denial.policy_type != RCP


def answered(facts: Facts, task: TaskPolicy) -> list[TaskProbe]:
    """The probes of ``task`` that reached a verdict (ready or denied)."""
    return [
        p
        for row in (facts.probes.accounts if facts.probes else ())
        for p in row.tasks
        if p.task is task and p.outcome in (TaskOutcome.READY, TaskOutcome.DENIED)
    ]


def caller_blocked_everywhere(facts: Facts) -> set[TaskPolicy]:
    """Tasks the caller may not AssumeRoot with in any probed account: one caller finding
    says so (check ``assume-root``), not one per account."""
    blocked: set[TaskPolicy] = set()
    for task in facts.tasks:
        probes = answered(facts, task)
        if probes and all(caller_side(p) for p in probes):
            blocked.add(task)
    return blocked


def probe_fix(facts: Facts, probe: TaskProbe) -> Advice:
    """Inside the session: exempt root sessions in the member account's policy. The
    caller's AssumeRoot: allow it (or lift the policy that denies it)."""
    denial = probe.denial or Denial(probe.step)
    if probe.in_session:
        return Advice(
            AdviceCode.EXEMPT_ASSUMED_ROOT, {"policy_type": denial.policy_type or "policy"}
        )
    return caller_fix(facts, denial, "sts:AssumeRoot", task=probe.task)


def caller_fix(
    facts: Facts, denial: Denial, action: str, *, task: TaskPolicy | None = None
) -> Advice:
    """Grant what no policy allows; an explicit deny, or a deny of another kind of policy
    (SCP, boundary, RCP), cannot be outgranted: it must be lifted where it is."""
    if denial.explicit or denial.policy_type not in (None, IDENTITY_POLICY):
        return Advice(
            AdviceCode.LIFT_CALLER_DENY,
            {"policy_type": denial.policy_type or "policy", "action": action},
        )
    if task is not None:
        return _grant(
            f"sts:AssumeRoot with {task.value}",
            [op for op in facts.operations if task in REQUIREMENTS[op].tasks],
            assume_root_statement([task]),
        )
    ops = [op for op in facts.operations if action in _actions(op)]
    return _grant(action, ops or facts.operations, actions_statement("", [action]))


def _actions(operation: Operation) -> Iterable[str]:
    return (n.action for n in REQUIREMENTS[operation].actions)


def _grant(what: str, operations: Iterable[Operation], statement: dict[str, Any]) -> Advice:
    del statement["Sid"]
    return Advice(
        AdviceCode.GRANT_ACTIONS,
        {
            "actions": what,
            "operations": ",".join(op.value for op in operations),
            "statement": json.dumps(statement, separators=(",", ":")),
        },
    )
