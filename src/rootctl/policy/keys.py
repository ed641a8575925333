"""Condition keys, as data: what a key describes in words, and whether the requester can always
satisfy a condition on it (a deny that only refuses plain HTTP or a missing encryption header
locks nobody out: everyone can comply)."""

from __future__ import annotations

from dataclasses import dataclass

from rootctl.policy.conditions import NEGATED
from rootctl.policy.document import Condition


@dataclass(frozen=True, slots=True)
class KeyInfo:
    subject: str  # "the VPC endpoint"
    requester_controlled: bool = False


KEYS: dict[str, KeyInfo] = {
    "aws:sourcevpce": KeyInfo("the VPC endpoint"),
    "aws:sourcevpc": KeyInfo("the source VPC"),
    "aws:sourceip": KeyInfo("the source IP"),
    "aws:vpcsourceip": KeyInfo("the VPC source IP"),
    "aws:principalarn": KeyInfo("the principal's ARN"),
    "aws:principalaccount": KeyInfo("the principal's account"),
    "aws:principalorgid": KeyInfo("the principal's organization"),
    "aws:principalorgpaths": KeyInfo("the principal's organization path"),
    "aws:principaltype": KeyInfo("the principal type"),
    "aws:userid": KeyInfo("the principal's id"),
    "aws:username": KeyInfo("the user name"),
    "aws:principalisawsservice": KeyInfo("whether an AWS service calls"),
    "aws:principalservicename": KeyInfo("the calling service"),
    "aws:multifactorauthpresent": KeyInfo("MFA"),
    "aws:multifactorauthage": KeyInfo("the MFA age"),
    "aws:currenttime": KeyInfo("the time"),
    "aws:epochtime": KeyInfo("the time"),
    "aws:requestedregion": KeyInfo("the Region"),
    "aws:calledvia": KeyInfo("the service calling on the principal's behalf"),
    "aws:viaawsservice": KeyInfo("whether a service calls on the principal's behalf"),
    "aws:securetransport": KeyInfo("HTTPS", requester_controlled=True),
    "aws:useragent": KeyInfo("the user agent", requester_controlled=True),
    "aws:referer": KeyInfo("the referer", requester_controlled=True),
    "s3:tlsversion": KeyInfo("the TLS version", requester_controlled=True),
    "s3:signatureversion": KeyInfo("the signature version", requester_controlled=True),
    "s3:authtype": KeyInfo("the authentication type", requester_controlled=True),
    "s3:x-amz-content-sha256": KeyInfo("the payload signing", requester_controlled=True),
}
_PREFIXES = {
    "aws:principaltag/": KeyInfo("the principal's tag"),
    "s3:x-amz-": KeyInfo("a request header", requester_controlled=True),
}
_RELATIONS = {
    "StringEquals": ("is", "is not"),
    "StringEqualsIgnoreCase": ("is", "is not"),
    "StringLike": ("matches", "does not match"),
    "ArnEquals": ("is", "is not"),
    "ArnLike": ("matches", "does not match"),
    "Bool": ("is", "is not"),
    "IpAddress": ("is in", "is not in"),
}


def key_info(key: str) -> KeyInfo:
    lowered = key.lower()
    if lowered in KEYS:
        return KEYS[lowered]
    for prefix, info in _PREFIXES.items():
        if lowered.startswith(prefix):
            return info
    return KeyInfo(key)


def _values(condition: Condition) -> str:
    return " or ".join(condition.values)


def escape(condition: Condition) -> str:
    """Who escapes a Deny conditioned on ``condition``: the requests for which it does not
    hold, in words ("requests whose VPC endpoint is vpce-1a2b")."""
    subject = key_info(condition.key).subject
    operator = condition.operator
    if operator == "Null":
        missing = any(v.lower() == "true" for v in condition.values)
        return (
            f"requests with {subject} ({condition.key})"
            if missing
            else (f"requests without {subject} ({condition.key})")
        )
    negated = operator in NEGATED
    positive = NEGATED.get(operator, operator)
    if operator == "Bool":
        wanted = {v.lower() for v in condition.values}
        escaping = sorted({"true", "false"} - wanted) or ["neither true nor false"]
        text = f"requests where {subject} ({condition.key}) is {' or '.join(escaping)}"
    else:
        match, mismatch = _RELATIONS.get(positive, (f"is {positive}", f"is not {positive}"))
        relation = match if negated else mismatch
        text = f"requests where {subject} ({condition.key}) {relation} {_values(condition)}"
    if not negated and not condition.if_exists and condition.qualifier != "ForAllValues":
        text += f", or without {condition.key}"
    return text
