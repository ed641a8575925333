"""AWS's policy evaluation logic, for one request: which statements apply, then which policy
type decides.

Order (IAM user guide, "Policy evaluation logic", within one account and organization): an
explicit Deny in any policy wins; then service control policies must allow, then resource
control policies; then an Allow in a resource-based policy grants; then identity-based
policies must allow (unless the principal needs none: the root user), then a permissions
boundary and session policies, where present. Deny-only ``ceiling`` policies (task policies,
the sandbox's SCP imitations) are never required to allow.

Statement matching is literal: ``Action``/``NotAction`` (case-insensitive wildcards),
``Resource``/``NotResource`` (case-sensitive wildcards), ``Principal``/``NotPrincipal`` in
resource-based policies, then the ``Condition`` block — a Deny with ``NotResource`` is a Deny.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .conditions import conditions_hold, wildcard_match
from .model import Decision, Evaluation, Match, Policy, PolicyType, Request

# The order in which policy types are considered (for naming the deciding type).
ORDER = (
    PolicyType.SCP,
    PolicyType.RCP,
    PolicyType.RESOURCE,
    PolicyType.IDENTITY,
    PolicyType.PERMISSIONS_BOUNDARY,
    PolicyType.SESSION,
)
# When several types deny, the one the refusal names: the organization's policies first, then
# the session's, then the resource's own, then the principal's.
DENY_ORDER = (
    PolicyType.SCP,
    PolicyType.RCP,
    PolicyType.SESSION,
    PolicyType.RESOURCE,
    PolicyType.IDENTITY,
    PolicyType.PERMISSIONS_BOUNDARY,
)
_RESOURCE_SIDE = (PolicyType.RESOURCE, PolicyType.RCP)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _matches_any(patterns: Iterable[Any], value: str, *, ignore_case: bool = False) -> bool:
    return any(wildcard_match(str(p), value, ignore_case=ignore_case) for p in patterns)


def principal_matches(principal: Any, request: Request) -> bool:
    """Does a resource policy's ``Principal`` name the requester? An account principal
    (``123456789012`` or ``arn:aws:iam::123456789012:root``) covers its whole account."""
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    for value in _as_list(principal.get("AWS")):
        text = str(value)
        if text == "*" or text in (request.principal_arn, request.principal_account):
            return True
        if text == f"arn:aws:iam::{request.principal_account}:root":
            return True
        if wildcard_match(text, request.principal_arn):
            return True
    return False


def statement_targets(
    statement: Mapping[str, Any], request: Request, *, resource_side: bool = False
) -> bool:
    """Does the statement name this request's principal, action and resource (conditions
    aside)?"""
    if resource_side:
        if "Principal" in statement and not principal_matches(statement["Principal"], request):
            return False
        if "NotPrincipal" in statement and principal_matches(statement["NotPrincipal"], request):
            return False
    if "Action" in statement:
        if not _matches_any(_as_list(statement["Action"]), request.action, ignore_case=True):
            return False
    elif "NotAction" in statement:
        if _matches_any(_as_list(statement["NotAction"]), request.action, ignore_case=True):
            return False
    else:
        return False
    if "Resource" in statement:
        if not _matches_any(_as_list(statement["Resource"]), request.resource):
            return False
    elif "NotResource" in statement:
        if _matches_any(_as_list(statement["NotResource"]), request.resource):
            return False
    elif not resource_side:
        return False  # identity policies need a Resource (resource policies imply their own)
    return True


def statement_applies(
    statement: Mapping[str, Any], request: Request, *, resource_side: bool = False
) -> bool:
    """Does the statement cover this request: its targets, then its conditions?"""
    if not statement_targets(statement, request, resource_side=resource_side):
        return False
    return conditions_hold(statement.get("Condition") or {}, request)


def matching_statements(policies: Iterable[Policy], request: Request) -> list[Match]:
    found: list[Match] = []
    for policy in policies:
        resource_side = policy.kind in _RESOURCE_SIDE
        for index, statement in enumerate(policy.statements()):
            effect = str(statement.get("Effect", ""))
            if effect in ("Allow", "Deny") and statement_applies(
                statement, request, resource_side=resource_side
            ):
                found.append(Match(policy, index, effect))
    return found


def evaluate(
    request: Request, policies: Sequence[Policy], *, identity_required: bool = True
) -> Evaluation:
    """Decide ``request`` under ``policies``. ``identity_required``: the principal needs an
    identity-based Allow (False for the root user, whose permissions are inherent)."""
    matches = tuple(matching_statements(policies, request))
    denies = [m for m in matches if m.effect == "Deny"]
    if denies:
        first = min(denies, key=lambda m: DENY_ORDER.index(m.policy.kind))
        return Evaluation(Decision.DENY, first, first.policy.kind, matches)
    allows: dict[PolicyType, Match] = {}
    for match in matches:
        allows.setdefault(match.policy.kind, match)
    required = {p.kind for p in policies if not p.ceiling}

    def implicit(kind: PolicyType) -> Evaluation:
        return Evaluation(Decision.IMPLICIT_DENY, None, kind, matches)

    for kind in (PolicyType.SCP, PolicyType.RCP):
        if kind in required and kind not in allows:
            return implicit(kind)
    if PolicyType.RESOURCE in allows:
        return Evaluation(Decision.ALLOW, allows[PolicyType.RESOURCE], PolicyType.RESOURCE, matches)
    if identity_required and PolicyType.IDENTITY not in allows:
        return implicit(PolicyType.IDENTITY)
    for kind in (PolicyType.PERMISSIONS_BOUNDARY, PolicyType.SESSION):
        if kind in required and kind not in allows:
            return implicit(kind)
    deciding = allows.get(PolicyType.IDENTITY)
    return Evaluation(Decision.ALLOW, deciding, PolicyType.IDENTITY if deciding else None, matches)
