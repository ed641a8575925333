"""``iam:SimulatePrincipalPolicy`` and ``iam:SimulateCustomPolicy`` over what the sandbox
enforces: the principal's identity policies (user, its groups, role), its permissions
boundary, the SCP-like denials of its account, an optional resource policy — decided by the
same evaluator that refuses the real calls, with the request's ``ContextEntries`` (so
``sts:AssumeRoot`` with ``sts:TaskPolicyArn`` conditions simulates as it is authorized).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import identity
from ..faults import FAULTS
from ..organizations import organization_of
from ..organizations import scps as org_scps
from ..policyeval import (
    Evaluation,
    MalformedPolicy,
    Match,
    Policy,
    PolicyType,
    Request,
    condition_keys,
    evaluate,
    statement_span,
)
from ..policyeval.evaluate import statement_targets
from .exceptions import InvalidInput, NoSuchEntity

_BUILTIN_KEYS = frozenset({"aws:principalarn", "aws:principalaccount"})


@dataclass(frozen=True)
class Simulation:
    """One simulation request, parsed: what to evaluate for whom."""

    actions: Sequence[str]
    resources: Sequence[str]
    principal_arn: str
    principal_account: str
    policies: Sequence[Policy]  # identity (+ boundary) policies under test
    context: dict[str, list[str]] = field(default_factory=dict)
    resource_policy: Policy | None = None


def _missing_context(policies: Iterable[Policy], request: Request) -> list[str]:
    """Condition keys of statements that cover the action and resource but that the
    request's context does not give (AWS's ``MissingContextValues``)."""
    missing: list[str] = []
    for policy in policies:
        if policy.kind in (PolicyType.SCP, PolicyType.RCP):
            continue  # AWS leaves the keys of organization policies out
        resource_side = policy.kind in (PolicyType.RESOURCE, PolicyType.RCP)
        for statement in policy.statements():
            if not statement_targets(statement, request, resource_side=resource_side):
                continue
            for key in condition_keys(statement.get("Condition") or {}):
                if key.lower() in _BUILTIN_KEYS or request.value(key) is not None:
                    continue
                if key not in missing:
                    missing.append(key)
    return missing


def _position(line_column: tuple[int, int]) -> dict[str, int]:
    return {"Line": line_column[0], "Column": line_column[1]}


def _matched_statement(match: Match) -> dict[str, Any]:
    policy = match.policy
    found: dict[str, Any] = {"SourcePolicyId": policy.name, "SourcePolicyType": policy.source}
    span = statement_span(policy.text or identity.policy_text(policy), match.index)
    if span is not None:
        found["StartPosition"], found["EndPosition"] = map(_position, span)
    return found


def _result(simulation: Simulation, action: str, resource: str, listed: bool) -> dict[str, Any]:
    principal = simulation.principal_arn
    request = Request(action, resource, principal, simulation.principal_account, simulation.context)
    scps = FAULTS.scp_policies(simulation.principal_account, action)
    policies = [*scps, *simulation.policies]
    if simulation.resource_policy is not None:
        policies.append(simulation.resource_policy)
    # The organization's real SCPs decide first (AWS names them when several types deny).
    outcome: Evaluation = org_scps.refusal(simulation.principal_account, request) or evaluate(
        request, policies
    )
    matched = [
        _matched_statement(m)
        for m in outcome.matches
        if m.policy.kind not in (PolicyType.SCP, PolicyType.RCP)
    ]
    missing = _missing_context(policies, request)
    result: dict[str, Any] = {
        "EvalActionName": action,
        "EvalResourceName": resource,
        "EvalDecision": outcome.decision.value,
        "MatchedStatements": matched,
        "MissingContextValues": missing,
    }
    if listed:  # ResourceArns were given: the per-resource detail too
        result["ResourceSpecificResults"] = [
            {
                "EvalResourceName": resource,
                "EvalResourceDecision": outcome.decision.value,
                "MatchedStatements": matched,
                "MissingContextValues": missing,
            }
        ]
    if organization_of(simulation.principal_account) is not None:
        blocked = not outcome.allowed and outcome.policy_type is PolicyType.SCP
        result["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": not blocked}
    if any(p.kind is PolicyType.PERMISSIONS_BOUNDARY for p in simulation.policies):
        boundary_denied = outcome.policy_type is PolicyType.PERMISSIONS_BOUNDARY
        result["PermissionsBoundaryDecisionDetail"] = {
            "AllowedByPermissionsBoundary": not (boundary_denied and not outcome.allowed)
        }
    return result


def simulate(simulation: Simulation) -> list[dict[str, Any]]:
    """``EvaluationResults``: one per action and resource, actions first."""
    if not simulation.actions:
        raise InvalidInput("ActionNames must contain at least one action.")
    listed = bool(simulation.resources)
    return [
        _result(simulation, action, resource, listed)
        for action in simulation.actions
        for resource in simulation.resources or ["*"]
    ]


def input_policies(texts: Sequence[str], kind: PolicyType, prefix: str) -> list[Policy]:
    """Policies given as text in the request (``PolicyInputList.N`` …)."""
    found: list[Policy] = []
    for number, text in enumerate(texts, start=1):
        try:
            found.append(Policy.of(kind, text, f"{prefix}.{number}"))
        except MalformedPolicy as exc:
            raise InvalidInput(f"{prefix}.{number} is not a valid policy document.") from exc
    return found


def principal_simulation(
    source_arn: str,
    actions: Sequence[str],
    resources: Sequence[str],
    context: dict[str, list[str]],
    extra: Sequence[Policy] = (),
) -> Simulation:
    """A simulation of the user, group or role ``source_arn`` (its own policies + ``extra``)."""
    try:
        account, policies = identity.entity_policies(source_arn)
    except ValueError as exc:
        raise InvalidInput(f"Invalid ARN: {source_arn}") from exc
    except LookupError as exc:
        raise NoSuchEntity(str(exc.args[0])) from exc
    return Simulation(actions, resources, source_arn, account, [*policies, *extra], context=context)
