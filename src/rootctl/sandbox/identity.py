"""Identity-based authorization of IAM principals for the operations the sandbox adds
(``sts:AssumeRoot`` and the five IAM feature operations).

moto's own IAM authorization stays off (its default): every other call of an IAM principal is
allowed, as in plain moto. Only the new operations check the caller's identity policies, so a
principal without ``sts:AssumeRoot`` is refused the way AWS refuses it.
"""

from __future__ import annotations

from typing import Any

from moto.iam.models import iam_backends

from .callers import Caller
from .policies import Decision, RequestContext, evaluate


def _managed_document(policy: Any) -> str | None:
    for version in getattr(policy, "versions", []):
        if getattr(version, "is_default", False):
            return str(version.document)
    return None


def _documents(holder: Any) -> list[str]:
    documents = [str(d) for d in getattr(holder, "policies", {}).values()]
    for policy in getattr(holder, "managed_policies", {}).values():
        document = _managed_document(policy)
        if document:
            documents.append(document)
    return documents


def identity_documents(caller: Caller) -> list[str] | None:
    """The policies that apply to an IAM principal; None when it has no moto identity."""
    per_account = dict.get(iam_backends, caller.account_id)
    if per_account is None or not dict.__contains__(per_account, "aws"):
        return None
    backend = per_account["aws"]
    if caller.kind == "user" and caller.user_name in backend.users:
        user = backend.users[caller.user_name]
        documents = _documents(user)
        for group in backend.groups.values():
            if user in group.users:
                documents.extend(_documents(group))
        return documents
    if caller.kind == "role" and caller.role_arn:
        role = backend.roles.get(caller.role_arn.rsplit("/", 1)[-1])
        if role is None:
            role = next((r for r in backend.roles.values() if r.arn == caller.role_arn), None)
        return _documents(role) if role is not None else None
    return None


def decide(caller: Caller, action: str, resource: str, keys: dict[str, str]) -> Decision:
    """Allow / explicit deny / implicit deny for an IAM principal's identity policies.

    Unknown access keys (moto's default principal) and principals without a moto identity are
    allowed: they stand for "some administrator", as they do everywhere else in moto.
    """
    documents = identity_documents(caller)
    if documents is None:
        return Decision.ALLOW
    ctx = RequestContext(action, resource, caller.arn, caller.account_id, keys)
    return evaluate(documents, ctx)


def denial(caller: Caller, action: str, resource: str = "*") -> str | None:
    """IAM's AccessDenied message when the caller's identity policies do not allow ``action``
    (naming why, as AWS's current messages do), or None when they do."""
    decision = decide(caller, action, resource, {})
    prefix = f"User: {caller.arn} is not authorized to perform: {action} on resource: {resource}"
    if decision is Decision.DENY:
        return f"{prefix} with an explicit deny in an identity-based policy"
    if decision is Decision.IMPLICIT_DENY:
        return f"{prefix} because no identity-based policy allows the {action} action"
    return None
