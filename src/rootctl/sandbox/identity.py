"""Identity-based policies of IAM principals (users with their groups, roles with their
permissions boundary), as ``policyeval`` policies, and the identity check of the operations
the sandbox authorizes itself (``sts:AssumeRoot``, the five IAM feature operations, the
policy simulations).

moto's own IAM authorization stays off (its default): every other call of an IAM principal is
allowed, as in plain moto.
"""

from __future__ import annotations

import json
import re
from typing import Any

from moto.iam.models import iam_backends

from .callers import Caller
from .policyeval import Evaluation, MalformedPolicy, Policy, PolicyType, Request, evaluate

_ENTITY_ARN = re.compile(r"^arn:aws:iam::(\d{12}):(user|group|role)/(?:.*/)?([^/]+)$")


def _managed_document(policy: Any) -> str | None:
    for version in getattr(policy, "versions", []):
        if getattr(version, "is_default", False):
            return str(version.document)
    return None


def _parsed(kind: PolicyType, text: str, name: str, source: str) -> list[Policy]:
    try:
        return [Policy.of(kind, text, name, source=source)]
    except MalformedPolicy:
        return []  # moto validated it when it was stored; an unreadable one grants nothing


def _holder_policies(holder: Any, source: str) -> list[Policy]:
    """Inline policies (``source``: user, group, role) and attached managed policies."""
    found: list[Policy] = []
    for name, text in getattr(holder, "policies", {}).items():
        found += _parsed(PolicyType.IDENTITY, str(text), str(name), source)
    for policy in getattr(holder, "managed_policies", {}).values():
        document = _managed_document(policy)
        managed = "aws-managed" if ":iam::aws:policy/" in str(policy.arn) else "user-managed"
        if document:
            found += _parsed(PolicyType.IDENTITY, document, str(policy.arn), managed)
    return found


def _boundary(backend: Any, holder: Any) -> list[Policy]:
    arn = getattr(holder, "permissions_boundary_arn", None)
    policy = backend.managed_policies.get(arn) if arn else None
    document = _managed_document(policy) if policy is not None else None
    if not document:
        return []
    return _parsed(PolicyType.PERMISSIONS_BOUNDARY, document, str(arn), "user-managed")


def _user_policies(backend: Any, user: Any) -> list[Policy]:
    found = _holder_policies(user, "user")
    for group in backend.groups.values():
        if user in group.users:
            found += _holder_policies(group, "group")
    return found


def _role_policies(backend: Any, role: Any) -> list[Policy]:
    return _holder_policies(role, "role") + _boundary(backend, role)


def _backend(account_id: str) -> Any | None:
    per_account = dict.get(iam_backends, account_id)
    if per_account is None or not dict.__contains__(per_account, "aws"):
        return None
    return per_account["aws"]


def caller_policies(caller: Caller) -> list[Policy] | None:
    """The policies that apply to an IAM principal; None when it has no moto identity."""
    backend = _backend(caller.account_id)
    if backend is None:
        return None
    if caller.kind == "user" and caller.user_name in backend.users:
        return _user_policies(backend, backend.users[caller.user_name])
    if caller.kind == "role" and caller.role_arn:
        role = backend.roles.get(caller.role_arn.rsplit("/", 1)[-1])
        if role is None:
            role = next((r for r in backend.roles.values() if r.arn == caller.role_arn), None)
        return _role_policies(backend, role) if role is not None else None
    return None


def entity_policies(arn: str) -> tuple[str, list[Policy]]:
    """(account, policies) of the user, group or role ``arn``. Raises ``ValueError`` for an
    ARN that names none of them and ``LookupError`` for one that does not exist."""
    match = _ENTITY_ARN.match(arn)
    if match is None:
        raise ValueError(arn)
    account, kind, name = match.groups()
    backend = _backend(account)
    holders = {"user": "users", "group": "groups", "role": "roles"}
    found = getattr(backend, holders[kind]).values() if backend is not None else []
    entity = next((e for e in found if e.name == name), None)  # roles are keyed by id
    if entity is None:
        raise LookupError(f"The {kind} with name {name} cannot be found.")
    if kind == "user":
        return account, _user_policies(backend, entity)
    if kind == "role":
        return account, _role_policies(backend, entity)
    return account, _holder_policies(entity, "group")


def policy_text(policy: Policy) -> str:
    """The policy's JSON as stored, or as the sandbox writes it."""
    return policy.text if policy.text is not None else json.dumps(policy.document, indent=4)


def evaluate_identity(
    caller: Caller, action: str, resource: str = "*", keys: dict[str, str] | None = None
) -> Evaluation:
    """The caller's identity policies on one request. Unknown access keys (moto's default
    principal) and principals without a moto identity are allowed: they stand for "some
    administrator", as they do everywhere else in moto."""
    request = Request(action, resource, caller.arn, caller.account_id, keys or {})
    policies = caller_policies(caller)
    return evaluate(request, policies or [], identity_required=policies is not None)


def denial(caller: Caller, action: str, resource: str = "*") -> str | None:
    """IAM's AccessDenied message when the caller's identity policies do not allow ``action``
    (naming why, as AWS's current messages do), or None when they do."""
    outcome = evaluate_identity(caller, action, resource)
    if outcome.allowed:
        return None
    return outcome.message(Request(action, resource, caller.arn, caller.account_id))
