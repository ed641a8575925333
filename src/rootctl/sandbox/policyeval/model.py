"""What the evaluator works on: policies of a type, the request, and the result naming the
statement and the policy type that decided."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class PolicyType(enum.Enum):
    """The policy types of AWS's evaluation logic; the value is how AWS's AccessDenied
    messages name them ("… with an explicit deny in a service control policy")."""

    SCP = "service control policy"
    RCP = "resource control policy"
    RESOURCE = "resource-based policy"
    IDENTITY = "identity-based policy"
    PERMISSIONS_BOUNDARY = "permissions boundary"
    SESSION = "session policy"

    @property
    def with_article(self) -> str:
        return f"an {self.value}" if self.value[0] in "aeiou" else f"a {self.value}"


class Decision(enum.Enum):
    """The three outcomes, valued as ``SimulatePrincipalPolicy`` names them."""

    ALLOW = "allowed"
    DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"


class MalformedPolicy(ValueError):
    """A document that is no policy (not JSON, no Statement)."""


@dataclass(frozen=True)
class Policy:
    """One policy document of one type.

    ``name`` identifies it in results (a policy ARN, ``user/admin/inline``…); ``source`` is its
    ``SourcePolicyType`` in a simulation (user, group, role, aws-managed, user-managed,
    resource, none). A ``ceiling`` is deny-only: it can refuse but is never required to allow
    — AssumeRoot's task policies (spec §3), and the sandbox's SCP imitations, which stand on an
    implied ``FullAWSAccess``.
    """

    kind: PolicyType
    document: Mapping[str, Any]
    name: str = ""
    source: str = "none"
    ceiling: bool = False
    text: str | None = None  # the JSON as stored, for positions of statements

    @classmethod
    def of(
        cls,
        kind: PolicyType,
        document: str | Mapping[str, Any],
        name: str = "",
        *,
        source: str = "none",
        ceiling: bool = False,
    ) -> Policy:
        text = document if isinstance(document, str) else None
        if isinstance(document, str):
            try:
                document = json.loads(document)
            except ValueError as exc:
                raise MalformedPolicy(f"{name or 'policy'}: not JSON") from exc
        if not isinstance(document, Mapping) or "Statement" not in document:
            raise MalformedPolicy(f"{name or 'policy'}: no Statement")
        return cls(kind, document, name, source, ceiling, text)

    def statements(self) -> list[Mapping[str, Any]]:
        found = self.document.get("Statement")
        items = found if isinstance(found, list) else [found]
        return [s for s in items if isinstance(s, Mapping)]


@dataclass(frozen=True)
class Request:
    """One authorization question: may ``principal_arn`` do ``action`` on ``resource``?

    ``keys`` are the request's context keys (``sts:TaskPolicyArn``, ``aws:ResourceAccount`` …);
    ``aws:PrincipalArn`` and ``aws:PrincipalAccount`` come from the principal unless ``keys``
    give them (a role session's ``aws:PrincipalArn`` is its role's ARN)."""

    action: str  # "iam:GetUser"
    resource: str  # an ARN, or "*"
    principal_arn: str
    principal_account: str
    keys: Mapping[str, str | Sequence[str]] = field(default_factory=dict)

    def value(self, key: str) -> list[str] | None:
        lowered = key.lower()
        for name, found in self.keys.items():
            if name.lower() == lowered:
                return [found] if isinstance(found, str) else list(found)
        if lowered == "aws:principalarn":
            return [self.principal_arn]
        if lowered == "aws:principalaccount":
            return [self.principal_account]
        return None


@dataclass(frozen=True)
class Match:
    """A statement that applied to the request."""

    policy: Policy
    index: int  # position in the policy's Statement list
    effect: str  # "Allow" | "Deny"

    @property
    def sid(self) -> str | None:
        sid = self.policy.statements()[self.index].get("Sid")
        return str(sid) if sid is not None else None


@dataclass(frozen=True)
class Evaluation:
    """The outcome: ``decision``; ``deciding``, the statement that decided (the explicit Deny,
    or an Allow of the last type that had to allow); ``policy_type``, the type that decided
    (for an implicit deny, the type in which no statement allowed); ``matches``, every
    statement that applied."""

    decision: Decision
    deciding: Match | None
    policy_type: PolicyType | None
    matches: tuple[Match, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.decision is Decision.ALLOW

    def reason(self, action: str) -> str:
        """The end of AWS's AccessDenied message: "with an explicit deny in a service control
        policy", "because no identity-based policy allows the iam:X action"; "" if allowed."""
        if self.decision is Decision.DENY and self.policy_type is not None:
            return f"with an explicit deny in {self.policy_type.with_article}"
        if self.decision is Decision.IMPLICIT_DENY and self.policy_type is not None:
            return f"because no {self.policy_type.value} allows the {action} action"
        return ""

    def message(self, request: Request, *, quote_resource: bool = False) -> str:
        """AWS's AccessDenied message for this outcome (S3 quotes the resource)."""
        resource = f'"{request.resource}"' if quote_resource else request.resource
        text = (
            f"User: {request.principal_arn} is not authorized to perform: {request.action} "
            f"on resource: {resource}"
        )
        reason = self.reason(request.action)
        return f"{text} {reason}" if reason else text
