"""The caller's own permissions, as IAM's policy simulator decides them
(``iam:SimulatePrincipalPolicy``), and the IAM principal to simulate for a caller."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rootctl.aws.errors import translated
from rootctl.errors import AccessDenied
from rootctl.models import Denial, SimulatedDecision
from rootctl.models.doctor import IDENTITY_POLICY, SCP

if TYPE_CHECKING:
    from rootctl.aws.session import AwsSession

_USER = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:user/")
_ASSUMED_ROLE = re.compile(r"^arn:(aws[\w-]*):sts::(\d{12}):assumed-role/([\w+=,.@-]+)/")


def simulation_source(aws: AwsSession, caller_arn: str) -> str | None:
    """The ARN to simulate for ``caller_arn``: an IAM user as it is; for a role session its
    role — with the role's path, which only ``iam:GetRole`` knows (the session ARN drops it);
    without that permission, the role ARN without a path. None for anything else (the root
    user, federated users): IAM cannot simulate them."""
    if _USER.match(caller_arn):
        return caller_arn
    role = _ASSUMED_ROLE.match(caller_arn)
    if role is None:
        return None
    partition, account, name = role.groups()
    try:
        with translated(f"GetRole({name})"):
            return str(aws.iam().get_role(RoleName=name)["Role"]["Arn"])
    except AccessDenied:
        return f"arn:{partition}:iam::{account}:role/{name}"


def simulate(
    aws: AwsSession,
    source_arn: str,
    actions: Sequence[str],
    *,
    resources: Sequence[str] = (),
    context: Mapping[str, str] | None = None,
) -> tuple[SimulatedDecision, ...]:
    """Decide ``actions`` (on ``resources``; default ``*``) for the principal ``source_arn``,
    with ``context`` keys (e.g. ``sts:TaskPolicyArn``) as single string values."""
    request: dict[str, Any] = {"PolicySourceArn": source_arn, "ActionNames": list(actions)}
    if resources:
        request["ResourceArns"] = list(resources)
    if context:
        request["ContextEntries"] = [
            {"ContextKeyName": key, "ContextKeyValues": [value], "ContextKeyType": "string"}
            for key, value in context.items()
        ]
    pages = aws.iam().get_paginator("simulate_principal_policy")
    with translated("SimulatePrincipalPolicy"):
        results = [r for page in pages.paginate(**request) for r in page["EvaluationResults"]]
    return tuple(_decision(dict(r)) for r in results)


def _decision(result: dict[str, Any]) -> SimulatedDecision:
    action = str(result["EvalActionName"])
    decision = str(result["EvalDecision"])
    matched = tuple(
        dict.fromkeys(str(m.get("SourcePolicyId", "")) for m in result.get("MatchedStatements", []))
    )
    return SimulatedDecision(
        action=action,
        resource=str(result.get("EvalResourceName", "*")),
        decision=decision,
        denial=None if decision == "allowed" else _denial(action, decision, result),
        matched=tuple(m for m in matched if m),
    )


def _denial(action: str, decision: str, result: dict[str, Any]) -> Denial:
    explicit = decision == "explicitDeny"
    organizations = result.get("OrganizationsDecisionDetail") or {}
    boundary = result.get("PermissionsBoundaryDecisionDetail") or {}
    if organizations.get("AllowedByOrganizations") is False:
        return Denial(action, SCP, explicit)
    if boundary.get("AllowedByPermissionsBoundary") is False:
        return Denial(action, "permissions boundary", explicit)
    return Denial(action, IDENTITY_POLICY, explicit)
