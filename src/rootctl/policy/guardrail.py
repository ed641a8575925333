"""AWS's recommended "deny root unless AssumeRoot" SCP, and the smallest change that lets root
task sessions through an existing SCP.

The pattern (IAM user guide, condition key ``aws:AssumedRoot``): deny everything when the
principal is an account's root user *and* ``aws:AssumedRoot`` is missing. Long-term root
credentials (password, access keys) are refused; sessions opened with ``sts:AssumeRoot``
carry ``aws:AssumedRoot = true`` and pass.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

ASSUMED_ROOT = "aws:AssumedRoot"
EXEMPT_ROOT_SESSIONS = {"Null": {ASSUMED_ROOT: "true"}}

GUARDRAIL_SID = "DenyRootUserExceptAssumeRoot"
GUARDRAIL: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": GUARDRAIL_SID,
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {
                "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"},
                "Null": {ASSUMED_ROOT: "true"},
            },
        }
    ],
}


class CannotExempt(ValueError):
    """The statement cannot be given the exemption without changing what it means."""


def _mentions_assumed_root(condition: Mapping[str, Any]) -> str | None:
    for operator, block in condition.items():
        if isinstance(block, Mapping) and any(
            str(k).lower() == ASSUMED_ROOT.lower() for k in block
        ):
            return str(operator)
    return None


def exempt_root_sessions(statement: Mapping[str, Any]) -> dict[str, Any]:
    """The statement with ``"Null": {"aws:AssumedRoot": "true"}`` added to its conditions:
    it then applies only where ``aws:AssumedRoot`` is missing — to everyone it applied to
    before except root task sessions."""
    changed = copy.deepcopy(dict(statement))
    condition = dict(changed.get("Condition") or {})
    operator = _mentions_assumed_root(condition)
    if operator is not None:
        raise CannotExempt(
            f"it already tests {ASSUMED_ROOT} ({operator}): it treats root sessions on purpose"
        )
    null = dict(condition.get("Null") or {})
    null[ASSUMED_ROOT] = "true"
    condition["Null"] = null
    changed["Condition"] = condition
    return changed


def with_exemptions(document: Mapping[str, Any], indexes: Sequence[int]) -> dict[str, Any]:
    """The document with the statements at ``indexes`` exempting root sessions."""
    changed = copy.deepcopy(dict(document))
    found = changed["Statement"]
    statements = list(found) if isinstance(found, list) else [found]
    for index in indexes:
        statements[index] = exempt_root_sessions(statements[index])
    changed["Statement"] = statements
    return changed


def allow_root_sessions(
    actions: Sequence[str], sid: str = "AllowRootTaskSessions"
) -> dict[str, Any]:
    """An Allow statement for an allow-list SCP: the task sessions' actions, for root task
    sessions only."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(set(actions)),
        "Resource": "*",
        "Condition": {"Bool": {ASSUMED_ROOT: "true"}},
    }


def with_statement(document: Mapping[str, Any], statement: Mapping[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(dict(document))
    found = changed["Statement"]
    statements = list(found) if isinstance(found, list) else [found]
    changed["Statement"] = [*statements, dict(statement)]
    return changed
