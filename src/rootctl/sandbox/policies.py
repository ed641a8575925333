"""IAM policy evaluation, small and literal: enough for task policies, identity policies of
sandbox principals, and the Deny statements of S3 bucket / SQS queue policies.

Why not moto's evaluator: it is off by default, needs moto users for every caller and treats a
``Deny`` with ``NotResource`` as permitting — which would let an audit session read an ordinary
user's login profile. Here a Deny is a Deny, ``NotAction``/``NotResource``/``NotPrincipal`` are
honoured, and unknown condition operators make a statement not apply (documented).
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

TASK_POLICY_PREFIX = "arn:aws:iam::aws:policy/root-task/"
ROOT_CREDENTIALS_MANAGEMENT = "RootCredentialsManagement"
ROOT_SESSIONS = "RootSessions"

# Which organization feature gates which task (spec §2.4; the live matrix, not the console doc).
TASK_FEATURE: dict[str, str] = {
    "IAMAuditRootUserCredentials": ROOT_CREDENTIALS_MANAGEMENT,
    "IAMDeleteRootUserCredentials": ROOT_CREDENTIALS_MANAGEMENT,
    "IAMCreateRootUserPassword": ROOT_CREDENTIALS_MANAGEMENT,
    "S3UnlockBucketPolicy": ROOT_SESSIONS,
    "SQSUnlockQueuePolicy": ROOT_SESSIONS,
}
TASK_POLICY_ARNS: tuple[str, ...] = tuple(TASK_POLICY_PREFIX + name for name in TASK_FEATURE)


def task_name(policy_arn_or_name: str) -> str | None:
    """``IAMAuditRootUserCredentials`` for its ARN or its name; None if it is no task policy."""
    name = policy_arn_or_name.removeprefix(TASK_POLICY_PREFIX)
    return name if name in TASK_FEATURE else None


@cache
def task_policies() -> dict[str, Any]:
    """The five AWS managed task policies, live version v1 (spec §3), by name."""
    text = resources.files(__package__).joinpath("data/task-policies.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


def task_policy_document(name: str) -> dict[str, Any]:
    document: dict[str, Any] = task_policies()[name]["Document"]
    return document


class Decision(enum.Enum):
    ALLOW = "allow"
    DENY = "deny"  # an explicit Deny matched
    IMPLICIT_DENY = "implicit"  # nothing allowed it


@dataclass(frozen=True)
class RequestContext:
    """One authorization question: may ``principal_arn`` do ``action`` on ``resource``?"""

    action: str  # "iam:GetUser"
    resource: str  # an ARN, or "*"
    principal_arn: str
    principal_account: str
    keys: Mapping[str, str | Sequence[str]] = field(default_factory=dict)

    def value(self, key: str) -> list[str] | None:
        lowered = key.lower()
        builtin = {
            "aws:principalarn": self.principal_arn,
            "aws:principalaccount": self.principal_account,
        }
        if lowered in builtin:
            return [builtin[lowered]]
        for name, found in self.keys.items():
            if name.lower() == lowered:
                return [found] if isinstance(found, str) else list(found)
        return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


@lru_cache(maxsize=4096)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    return _wildcard(pattern, ignore_case).match(value) is not None


def _matches_any(patterns: Iterable[str], value: str, *, ignore_case: bool = False) -> bool:
    return any(wildcard_match(p, value, ignore_case=ignore_case) for p in patterns)


_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def _substitute(text: str, ctx: RequestContext) -> str:
    def replace(match: re.Match[str]) -> str:
        found = ctx.value(match.group(1))
        return found[0] if found else match.group(0)

    return _VARIABLE.sub(replace, text)


def _string_test(op: str, actual: str, wanted: str) -> bool:
    if op in ("StringEquals", "ArnEquals"):
        return actual == wanted
    if op == "StringEqualsIgnoreCase":
        return actual.lower() == wanted.lower()
    if op in ("StringLike", "ArnLike"):
        return wildcard_match(wanted, actual)
    if op == "Bool":
        return actual.lower() == wanted.lower()
    raise KeyError(op)


_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
_POSITIVE = {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "Bool"}


def _condition_holds(operator: str, key: str, wanted: Any, ctx: RequestContext) -> bool:
    """One ``Operator: {key: values}`` entry. Unknown operators raise KeyError."""
    qualifier = ""
    if ":" in operator:
        qualifier, operator = operator.split(":", 1)
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    wanted_values = [_substitute(str(w), ctx) for w in _as_list(wanted)]
    actual = ctx.value(key)
    if operator == "Null":
        is_null = actual is None
        return any((w.lower() == "true") == is_null for w in wanted_values)
    if actual is None:
        if if_exists:
            return True
        return operator in _NEGATED  # a negated operator holds for a missing key
    if operator in _NEGATED:
        positive = _NEGATED[operator]
        hits = [any(_string_test(positive, a, w) for w in wanted_values) for a in actual]
        return not any(hits) if qualifier != "ForAllValues" else not all(hits)
    if operator in _POSITIVE:
        hits = [any(_string_test(operator, a, w) for w in wanted_values) for a in actual]
        return all(hits) if qualifier == "ForAllValues" else any(hits)
    raise KeyError(operator)


def _conditions_hold(conditions: Mapping[str, Any], ctx: RequestContext) -> bool:
    try:
        return all(
            _condition_holds(op, key, wanted, ctx)
            for op, block in conditions.items()
            for key, wanted in dict(block).items()
        )
    except KeyError:
        return False  # an operator this evaluator does not know: the statement does not apply


def _principal_matches(principal: Any, ctx: RequestContext) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    for value in _as_list(principal.get("AWS")):
        text = str(value)
        if text == "*" or text in (ctx.principal_arn, ctx.principal_account):
            return True
        if text == f"arn:aws:iam::{ctx.principal_account}:root":
            return True  # an account principal covers every principal of that account
        if wildcard_match(text, ctx.principal_arn):
            return True
    return False


def statement_applies(
    statement: Mapping[str, Any], ctx: RequestContext, *, resource_policy: bool = False
) -> bool:
    if resource_policy:
        if "Principal" in statement and not _principal_matches(statement["Principal"], ctx):
            return False
        if "NotPrincipal" in statement and _principal_matches(statement["NotPrincipal"], ctx):
            return False
    if "Action" in statement:
        if not _matches_any(_as_list(statement["Action"]), ctx.action, ignore_case=True):
            return False
    elif "NotAction" in statement:
        if _matches_any(_as_list(statement["NotAction"]), ctx.action, ignore_case=True):
            return False
    else:
        return False
    if "Resource" in statement:
        if not _matches_any(_as_list(statement["Resource"]), ctx.resource):
            return False
    elif "NotResource" in statement:
        if _matches_any(_as_list(statement["NotResource"]), ctx.resource):
            return False
    elif not resource_policy:
        return False
    return _conditions_hold(statement.get("Condition") or {}, ctx)


def evaluate(
    documents: Iterable[Mapping[str, Any] | str],
    ctx: RequestContext,
    *,
    resource_policy: bool = False,
) -> Decision:
    """Explicit Deny beats Allow beats nothing (the IAM rule within one policy type)."""
    allowed = False
    for document in documents:
        parsed = json.loads(document) if isinstance(document, str) else document
        for statement in _as_list(parsed.get("Statement")):
            if not statement_applies(statement, ctx, resource_policy=resource_policy):
                continue
            if statement.get("Effect") == "Deny":
                return Decision.DENY
            if statement.get("Effect") == "Allow":
                allowed = True
    return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY


def denies(
    documents: Iterable[Mapping[str, Any] | str], ctx: RequestContext, **kwargs: Any
) -> bool:
    """Only the Deny side: for task policies and resource policies, which work as ceilings."""
    return evaluate(documents, ctx, **kwargs) is Decision.DENY


ADMIN_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}

DENY_EVERYONE_BUCKET_POLICY = "deny-all"


def deny_everyone_policy(service: str, resource_arn: str) -> dict[str, Any]:
    """The classic lock-out: a resource policy that denies every principal every action."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyEveryone",
                "Effect": "Deny",
                "Principal": "*",
                "Action": f"{service}:*",
                "Resource": [resource_arn, f"{resource_arn}/*"]
                if service == "s3"
                else resource_arn,
            }
        ],
    }
