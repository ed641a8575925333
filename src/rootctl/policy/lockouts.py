"""Does a bucket or queue policy lock its own account out, and what is the smallest fix?

The question asked of every ``Deny`` statement: does it apply when one of the account's
administrators (an IAM user or role of the owning account, in its organization, over HTTPS,
from wherever they work) calls one of the policy-management actions on this resource — the
calls the unlock task sessions exist for (S3: Get/Put/DeleteBucketPolicy; SQS:
Get/SetQueueAttributes)?

- it never applies → **not a lock-out** (other principals, other actions, other resources;
  or a condition every requester can meet, such as HTTPS);
- it applies whatever the request → **locks out everyone**;
- it applies unless a condition (or a ``NotPrincipal``) lets the request through → **locks out
  everyone outside a condition**, naming who still gets in;
- the document does not parse → **unparseable** (never guessed at).

The correction drops the locking statements and keeps every other one as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from rootctl.policy.context import ABSENT, OneOf, RequestContext, Values
from rootctl.policy.document import PolicyDocument, PolicyParseError, Principals, Statement
from rootctl.policy.evaluate import Applies, statement_applies
from rootctl.policy.keys import escape, key_info
from rootctl.policy.tri import Tri

# The calls that manage the resource's policy: what an unlock task session uses.
MANAGEMENT_ACTIONS: dict[str, tuple[str, ...]] = {
    "s3": ("s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"),
    "sqs": ("sqs:GetQueueAttributes", "sqs:SetQueueAttributes"),
}


class LockoutClass(StrEnum):
    EVERYONE = "locks-out-everyone"
    OUTSIDE_CONDITION = "locks-out-outside-condition"
    NONE = "not-a-lock-out"
    UNPARSEABLE = "unparseable"


_SEVERITY = {
    LockoutClass.NONE: 0,
    LockoutClass.OUTSIDE_CONDITION: 1,
    LockoutClass.EVERYONE: 2,
    LockoutClass.UNPARSEABLE: 3,
}


@dataclass(frozen=True, slots=True)
class GuardedResource:
    """The bucket or queue a policy guards, and what is known about its administrators."""

    service: str  # "s3" | "sqs"
    arn: str
    account_id: str
    region: str | None = None
    organization_id: str | None = None


@dataclass(frozen=True, slots=True)
class LockingStatement:
    index: int
    sid: str | None
    lockout: LockoutClass
    denied_actions: tuple[str, ...]
    who_gets_in: tuple[str, ...]  # empty for locks-out-everyone
    reason: str
    statement: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Classification:
    lockout: LockoutClass
    reason: str
    statements: tuple[LockingStatement, ...] = ()  # the locking ones, worst first
    corrected: Mapping[str, Any] | None = None  # the policy without them (None: nothing left)

    @property
    def is_finding(self) -> bool:
        return self.lockout is not LockoutClass.NONE


def administrators(resource: GuardedResource) -> RequestContext:
    """Any administrator of the owning account calling about ``resource``."""
    account = resource.account_id
    keys: dict[str, Any] = {
        "aws:ResourceAccount": Values(account),
        "aws:SecureTransport": Values("true"),
        "aws:PrincipalType": OneOf("User", "AssumedRole"),
        "aws:ViaAWSService": Values("false"),
        "aws:PrincipalIsAWSService": Values("false"),
        "aws:SourceArn": ABSENT,
        "aws:SourceAccount": ABSENT,
        "aws:AssumedRoot": ABSENT,
    }
    if resource.organization_id:
        keys["aws:PrincipalOrgID"] = Values(resource.organization_id)
    if resource.region:
        keys["aws:RequestedRegion"] = Values(resource.region)
    return RequestContext(
        action=MANAGEMENT_ACTIONS[resource.service][0],
        resource=(resource.arn,),
        principal_arn=OneOf(f"arn:aws:iam::{account}:user/*", f"arn:aws:iam::{account}:role/*"),
        principal_account=account,
        keys=keys,
    )


def _principal_names(principals: Principals) -> tuple[str, ...]:
    if principals.everyone:
        return ("everyone",)
    return (*principals.aws, *(f"{kind} {name}" for kind, name in principals.others))


def _classify_statement(statement: Statement, resource: GuardedResource) -> LockingStatement | None:
    if statement.effect != "Deny":
        return None
    admins = administrators(resource)
    found: dict[str, Applies] = {}
    for action in MANAGEMENT_ACTIONS[resource.service]:
        applies = statement_applies(statement, admins.with_action(action), resource_side=True)
        if applies.tri is not Tri.NO:
            found[action] = applies
    if not found:
        return None
    denied = tuple(found)
    what = ", ".join(denied)
    if all(a.tri is Tri.YES for a in found.values()):
        return LockingStatement(
            statement.index,
            statement.sid,
            LockoutClass.EVERYONE,
            denied,
            (),
            f"denies {what} to every principal of account {resource.account_id}; "
            "no condition lets them through",
            statement.raw,
        )
    elements = {e for a in found.values() for e in a.elements}
    if "Principal" in elements and statement.principal is not None:
        # It names particular principals, not everyone: the other administrators get in.
        return None
    escapes: list[str] = []
    if "NotPrincipal" in elements and statement.not_principal is not None:
        names = ", ".join(_principal_names(statement.not_principal))
        escapes.append(f"the principals its NotPrincipal names ({names})")
    conditions = {c: None for a in found.values() for c in a.undecided}
    if any(key_info(c.key).requester_controlled for c in conditions):
        return None  # every requester can meet the condition (HTTPS, a header …)
    escapes.extend(escape(c) for c in conditions)
    if not escapes:
        escapes.append("requests the statement's elements do not cover")
    return LockingStatement(
        statement.index,
        statement.sid,
        LockoutClass.OUTSIDE_CONDITION,
        denied,
        tuple(escapes),
        f"denies {what} to every principal of account {resource.account_id} except "
        + "; or ".join(escapes),
        statement.raw,
    )


def corrected_document(document: PolicyDocument, drop: set[int]) -> dict[str, Any] | None:
    """The document without the statements at ``drop`` (None when none would remain)."""
    kept = [s.raw for s in document.statements if s.index not in drop]
    if not kept:
        return None
    corrected = dict(document.raw)
    corrected["Statement"] = kept
    return corrected


def classify(policy: str | Mapping[str, Any], resource: GuardedResource) -> Classification:
    """The worst class among the policy's statements, each locking statement, and the
    corrected policy."""
    try:
        document = PolicyDocument.parse(policy)
    except PolicyParseError as exc:
        return Classification(LockoutClass.UNPARSEABLE, f"the policy does not parse: {exc}")
    locking = [
        found
        for statement in document.statements
        if (found := _classify_statement(statement, resource)) is not None
    ]
    if not locking:
        return Classification(
            LockoutClass.NONE,
            "no statement denies the account's administrators the policy-management actions",
        )
    locking.sort(key=lambda s: (-_SEVERITY[s.lockout], s.index))
    worst = locking[0]
    corrected = corrected_document(document, {s.index for s in locking})
    where = f"statement {worst.index + 1}" + (f" ({worst.sid})" if worst.sid else "")
    return Classification(worst.lockout, f"{where} {worst.reason}", tuple(locking), corrected)
