"""Least-privilege IAM policies for the principals that run rootctl, and the SCP exemption
that keeps service control policies from blocking root sessions — both from the table of
what each command calls (:mod:`rootctl.core.requirements`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rootctl.core.requirements import (
    DOCTOR,
    NEEDS_NO_PERMISSION,
    REQUIREMENTS,
    Need,
    actions_of,
    tasks_of,
)
from rootctl.models import Operation, PolicyDocument, Principal, TaskPolicy

VERSION = "2012-10-17"
ANY_ROOT = "arn:aws:iam::*:root"
Statement = dict[str, Any]


# Actions that change the organization: only the enable operation is given them.
_WRITES = frozenset(
    n.action for n in REQUIREMENTS[Operation.ENABLE].actions if ":Enable" in n.action
) | {"organizations:RegisterDelegatedAdministrator"}


def root_arn(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


def assume_root_statement(
    tasks: Sequence[TaskPolicy], account_ids: Sequence[str] | None = None
) -> Statement:
    """``sts:AssumeRoot`` on member roots (all, or ``account_ids``), only with ``tasks``."""
    arns = [task.arn for task in tasks]
    resources = [root_arn(a) for a in account_ids] if account_ids is not None else [ANY_ROOT]
    return {
        "Sid": "RootctlAssumeRootForTasks",
        "Effect": "Allow",
        "Action": "sts:AssumeRoot",
        "Resource": resources[0] if len(resources) == 1 else resources,
        "Condition": {"StringEquals": {"sts:TaskPolicyArn": arns[0] if len(arns) == 1 else arns}},
    }


def actions_statement(sid: str, actions: Iterable[str]) -> Statement:
    listed = sorted(set(actions))
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": listed[0] if len(listed) == 1 else listed,
        "Resource": "*",
    }


def identity_policy(
    operations: Iterable[Operation],
    principal: Principal = Principal.HUMAN,
    account_ids: Sequence[str] | None = None,
) -> PolicyDocument:
    """The IAM policy for a principal running ``operations`` (on ``account_ids`` only, when
    given; else on every member account)."""
    chosen = tuple(dict.fromkeys(operations))
    extra: tuple[Need, ...] = DOCTOR if principal is Principal.HUMAN else ()
    actions = [n.action for n in actions_of(chosen, *extra) if n.action not in NEEDS_NO_PERMISSION]
    statements: list[Statement] = []
    tasks = tasks_of(chosen)
    if tasks:
        statements.append(assume_root_statement(tasks, account_ids))
    reads = [a for a in actions if a not in _WRITES]
    writes = [a for a in actions if a in _WRITES]
    statements.append(actions_statement("RootctlRead", reads))
    if writes:
        statements.append(actions_statement("RootctlEnableRootAccessManagement", writes))
    notes = [
        f"for: {', '.join(op.value for op in chosen)} "
        f"(commands: {', '.join(c for op in chosen for c in REQUIREMENTS[op].commands)})"
    ]
    if principal is Principal.HUMAN:
        notes.append("includes what doctor and status read")
    if account_ids is not None:
        notes.append(
            f"AssumeRoot is limited to {len(account_ids)} account(s) as they are now; "
            "accounts added later are not covered"
        )
    if tasks:
        notes.append(
            "attach it to a principal of the management account or of the IAM delegated "
            "administrator; SCPs and RCPs of member accounts must exempt root sessions "
            "(aws:AssumedRoot: see the SCP exemption)"
        )
    return PolicyDocument({"Version": VERSION, "Statement": statements}, tuple(notes))


# The condition that exempts AssumeRoot sessions from a Deny statement: aws:AssumedRoot is
# present (and true) only in requests made with AssumeRoot credentials.
EXEMPT_ROOT_SESSIONS = {"Null": {"aws:AssumedRoot": "true"}}


def scp_exemption() -> PolicyDocument:
    """AWS's pattern: deny everything to member accounts' root users except inside
    centralized root sessions. Add the ``Null`` condition to your own Deny statements that
    name root (or everyone) to exempt the sessions rootctl opens."""
    statement: Statement = {
        "Sid": "DenyRootUserExceptCentralizedRootSessions",
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {"ArnLike": {"aws:PrincipalArn": ANY_ROOT}, **EXEMPT_ROOT_SESSIONS},
    }
    notes = (
        'to exempt root sessions in an existing Deny statement, add "Null": '
        '{"aws:AssumedRoot": "true"} to its Condition (the same works in resource control '
        "policies)",
        "SCPs never apply to the management account; they do apply to the IAM delegated "
        "administrator's account",
    )
    return PolicyDocument({"Version": VERSION, "Statement": [statement]}, notes)
