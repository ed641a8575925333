"""Hypothesis strategies: IAM statements and requests over small alphabets, so that wildcards,
conditions and principals collide often enough to exercise every branch."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

ACCOUNTS = ("111111111111", "222222222222")
ACTIONS = ("s3:GetBucketPolicy", "s3:PutBucketPolicy", "iam:GetUser", "sqs:SetQueueAttributes")
ACTION_PATTERNS = (
    "*",
    "s3:*",
    "S3:get*",
    "s3:?utBucketPolicy",
    "iam:GetUser",
    "iam:*",
    "sqs:*",
    "s3:PutBucketPolicy",
    "sqs:Set*",
)
RESOURCES = (
    "arn:aws:s3:::alpha",
    "arn:aws:s3:::alpha/key",
    "arn:aws:iam::111111111111:root",
    "arn:aws:sqs:eu-west-1:111111111111:q",
)
RESOURCE_PATTERNS = (
    "*",
    "arn:aws:s3:::alpha",
    "arn:aws:s3:::*",
    "arn:aws:s3:::alpha/*",
    "arn:aws:iam::*:root",
    "arn:aws:iam::111111111111:*",
    "arn:aws:sqs:*:111111111111:*",
    "arn:aws:s3:::ALPHA",
)
PRINCIPALS = (
    "arn:aws:iam::111111111111:root",
    "arn:aws:iam::111111111111:user/alice",
    "arn:aws:iam::111111111111:role/Ops",
    "arn:aws:iam::222222222222:role/Ops",
)
PRINCIPAL_NAMES = (
    "*",
    "111111111111",
    "arn:aws:iam::111111111111:root",
    "arn:aws:iam::222222222222:root",
    "arn:aws:iam::111111111111:role/Ops",
    "arn:aws:iam::*:role/Ops",
    "arn:aws:iam::111111111111:user/*",
)
KEYS = ("aws:PrincipalArn", "aws:AssumedRoot", "aws:SourceVpce", "aws:tags", "aws:PrincipalAccount")
KEY_VALUES = ("true", "false", "vpce-1", "vpce-2", "a", "b")
CONDITION_VALUES = (
    "true",
    "false",
    "TRUE",
    "vpce-1",
    "vpce-*",
    "a",
    "?",
    "arn:aws:iam::*:root",
    "arn:aws:iam::111111111111:role/*",
    "arn:aws:iam::*:*",
    "${aws:PrincipalAccount}",
    "111111111111",
    "${aws:Unknown}",
)
OPERATORS = (
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "ArnEquals",
    "ArnLike",
    "ArnNotLike",
    "ArnNotEquals",
    "Bool",
)


def _one_or_many(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(values, st.lists(values, min_size=1, max_size=3))


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    block: dict[str, dict[str, Any]] = {}
    for _ in range(draw(st.integers(0, 2))):
        if draw(st.integers(0, 5)) == 0:
            operator = "Null"
            value: Any = draw(st.sampled_from(["true", "false", True, False]))
        else:
            operator = draw(st.sampled_from(OPERATORS))
            if draw(st.booleans()):
                operator += "IfExists"
            qualifier = draw(st.sampled_from(["", "", "ForAnyValue:", "ForAllValues:"]))
            operator = qualifier + operator
            value = draw(_one_or_many(st.sampled_from(CONDITION_VALUES)))
        block.setdefault(operator, {})[draw(st.sampled_from(KEYS))] = value
    return block


@st.composite
def statements(draw: st.DrawFn, *, resource_side: bool = False) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Deny"]))}
    statement["NotAction" if draw(st.booleans()) else "Action"] = draw(
        _one_or_many(st.sampled_from(ACTION_PATTERNS))
    )
    where = draw(
        st.sampled_from(["Resource", "NotResource", None if resource_side else "Resource"])
    )
    if where is not None:
        statement[where] = draw(_one_or_many(st.sampled_from(RESOURCE_PATTERNS)))
    if resource_side:
        kind = draw(st.sampled_from(["Principal", "Principal", "NotPrincipal"]))
        if draw(st.integers(0, 3)) == 0:
            statement[kind] = "*"
        else:
            statement[kind] = {"AWS": draw(_one_or_many(st.sampled_from(PRINCIPAL_NAMES)))}
    block = draw(conditions())
    if block:
        statement["Condition"] = block
    return statement


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    """A concrete request: every key either given (one or several values) or absent."""
    keys: dict[str, Any] = {}
    for key in KEYS:
        if key == "aws:PrincipalArn" or key == "aws:PrincipalAccount":
            continue  # they come from the principal
        if draw(st.booleans()):
            values = draw(st.lists(st.sampled_from(KEY_VALUES), min_size=1, max_size=2))
            keys[key] = values[0] if len(values) == 1 else values
    principal = draw(st.sampled_from(PRINCIPALS))
    return {
        "action": draw(st.sampled_from(ACTIONS)),
        "resource": draw(st.sampled_from(RESOURCES)),
        "principal": principal,
        "account": principal.split(":")[4],
        "keys": keys,
    }
