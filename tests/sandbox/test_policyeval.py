"""The IAM policy evaluator (rootctl.sandbox.policyeval): matching, condition operators,
precedence across policy types, and the result naming what decided."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rootctl.sandbox.policyeval import (
    Decision,
    MalformedPolicy,
    Policy,
    PolicyType,
    Request,
    evaluate,
    statement_span,
    wildcard_match,
)

USER = "arn:aws:iam::111111111111:user/alice"
ROOT = "arn:aws:iam::222222222222:root"


def _request(action: str = "iam:GetUser", resource: str = ROOT, **keys: Any) -> Request:
    return Request(action, resource, USER, "111111111111", keys)


def _statement(**fields: Any) -> Policy:
    statement = {"Effect": "Allow", "Action": "*", "Resource": "*", **fields}
    return Policy.of(PolicyType.IDENTITY, {"Version": "2012-10-17", "Statement": [statement]})


def _decide(policy: Policy, request: Request) -> Decision:
    return evaluate(request, [policy]).decision


@pytest.mark.parametrize(
    ("pattern", "value", "matched"),
    [
        ("iam:*", "iam:GetUser", True),
        ("iam:Get?ser", "iam:GetUser", True),
        ("iam:Get?", "iam:GetUser", False),
        ("arn:aws:iam::*:root", ROOT, True),
        ("arn:aws:iam::*:root", USER, False),
        ("a.b", "axb", False),  # regex characters are literal
    ],
)
def test_wildcards(pattern: str, value: str, matched: bool) -> None:
    assert wildcard_match(pattern, value) is matched


@pytest.mark.parametrize(
    ("fields", "request_", "decision"),
    [
        ({"Action": "IAM:getuser"}, _request(), Decision.ALLOW),  # actions ignore case
        ({"Action": ["s3:*", "iam:Get*"]}, _request(), Decision.ALLOW),
        ({"Action": "s3:*"}, _request(), Decision.IMPLICIT_DENY),
        ({"NotAction": "s3:*", "Action": None}, _request(), Decision.ALLOW),
        ({"NotAction": "iam:*", "Action": None}, _request(), Decision.IMPLICIT_DENY),
        ({"Resource": "arn:aws:iam::*:ROOT"}, _request(), Decision.IMPLICIT_DENY),  # case matters
        ({"Resource": None, "NotResource": "arn:aws:iam::*:user/*"}, _request(), Decision.ALLOW),
        (
            {"Resource": None, "NotResource": "arn:aws:iam::*:root"},
            _request(),
            Decision.IMPLICIT_DENY,
        ),
        ({"Resource": None}, _request(), Decision.IMPLICIT_DENY),  # no Resource: never applies
    ],
)
def test_action_and_resource_matching(
    fields: dict[str, Any], request_: Request, decision: Decision
) -> None:
    cleaned = {k: v for k, v in fields.items() if v is not None}
    statement = {"Effect": "Allow", **cleaned}
    if "Action" not in fields:
        statement["Action"] = "*"
    if "Resource" not in fields:
        statement["Resource"] = "*"
    policy = Policy.of(PolicyType.IDENTITY, {"Statement": [statement]})
    assert _decide(policy, request_) is decision


TASK = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"


@pytest.mark.parametrize(
    ("condition", "keys", "applies"),
    [
        ({"StringEquals": {"sts:TaskPolicyArn": TASK}}, {"sts:TaskPolicyArn": TASK}, True),
        ({"StringEquals": {"sts:TaskPolicyArn": TASK}}, {}, False),
        ({"StringEquals": {"sts:TaskPolicyArn": [TASK, "x"]}}, {"sts:TaskPolicyArn": "x"}, True),
        ({"StringEquals": {"STS:TASKPOLICYARN": TASK}}, {"sts:TaskPolicyArn": TASK}, True),
        ({"StringLike": {"k": "a*c"}}, {"k": "abbc"}, True),
        ({"StringNotLike": {"k": "a*c"}}, {"k": "abbc"}, False),
        ({"StringNotLike": {"k": "a*c"}}, {}, True),  # negated: a missing key holds
        ({"StringNotEquals": {"k": "a"}}, {"k": "b"}, True),
        ({"StringEqualsIfExists": {"k": "a"}}, {}, True),
        ({"StringEqualsIfExists": {"k": "a"}}, {"k": "b"}, False),
        ({"ArnEquals": {"aws:PrincipalArn": USER}}, {}, True),  # built in from the principal
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}, {}, True),
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:*:*:*:user/*"}}, {}, True),
        ({"ArnLike": {"k": "arn:aws:iam::*:root"}}, {"k": "arn:aws:sts::1:root"}, False),
        ({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}, {}, True),
        ({"ArnNotLikeIfExists": {"k": "arn:*"}}, {}, True),
        ({"Null": {"aws:AssumedRoot": "true"}}, {}, True),
        ({"Null": {"aws:AssumedRoot": "true"}}, {"aws:AssumedRoot": "true"}, False),
        ({"Null": {"aws:AssumedRoot": "false"}}, {"aws:AssumedRoot": "true"}, True),
        ({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "TRUE"}, True),
        ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}, {}, True),
        ({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {}, False),
        ({"ForAllValues:StringLike": {"k": "a*"}}, {"k": ["ab", "ac"]}, True),
        ({"ForAllValues:StringLike": {"k": "a*"}}, {"k": ["ab", "b"]}, False),
        ({"ForAnyValue:StringEquals": {"k": "b"}}, {"k": ["a", "b"]}, True),
        (
            {"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}},
            {"aws:ResourceAccount": "111111111111"},
            True,
        ),
        ({"StringEquals": {"k": "a"}, "StringLike": {"j": "b*"}}, {"k": "a", "j": "c"}, False),
        ({"NumericLessThan": {"k": "3"}}, {"k": "1"}, False),  # unknown operator: never applies
    ],
)
def test_condition_operators(
    condition: dict[str, Any], keys: dict[str, Any], applies: bool
) -> None:
    policy = _statement(Condition=condition)
    expected = Decision.ALLOW if applies else Decision.IMPLICIT_DENY
    assert _decide(policy, _request(**keys)) is expected


def test_explicit_deny_wins_and_names_its_statement_and_type() -> None:
    allow = Policy.of(
        PolicyType.IDENTITY,
        {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
        "allow-all",
    )
    scp = Policy.of(
        PolicyType.SCP,
        {"Statement": [{"Sid": "NoRoot", "Effect": "Deny", "Action": "iam:*", "Resource": "*"}]},
        "guardrail",
        ceiling=True,
    )
    request = _request()
    outcome = evaluate(request, [allow, scp])
    assert outcome.decision is Decision.DENY
    assert outcome.policy_type is PolicyType.SCP
    assert outcome.deciding is not None
    assert (outcome.deciding.policy.name, outcome.deciding.sid) == ("guardrail", "NoRoot")
    assert outcome.message(request) == (
        f"User: {USER} is not authorized to perform: iam:GetUser on resource: {ROOT} "
        "with an explicit deny in a service control policy"
    )
    assert outcome.message(request, quote_resource=True).count(f'"{ROOT}"') == 1


@pytest.mark.parametrize(
    ("kinds", "missing"),
    [
        ([PolicyType.IDENTITY], None),
        ([], PolicyType.IDENTITY),
        ([PolicyType.IDENTITY, PolicyType.SCP], None),
        ([PolicyType.SCP], PolicyType.IDENTITY),
        ([PolicyType.IDENTITY, PolicyType.PERMISSIONS_BOUNDARY], None),
    ],
)
def test_every_type_present_must_allow(kinds: list[PolicyType], missing: PolicyType | None) -> None:
    allow = {"Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}
    policies = [Policy.of(kind, allow) for kind in kinds]
    never = {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    outcome = evaluate(_request(), policies)
    assert outcome.decision is (Decision.ALLOW if missing is None else Decision.IMPLICIT_DENY)
    assert outcome.policy_type is (PolicyType.IDENTITY if missing is None else missing)
    # A type present that does not allow: the implicit deny names it.
    for kind in (PolicyType.SCP, PolicyType.PERMISSIONS_BOUNDARY, PolicyType.SESSION):
        blocked = evaluate(
            _request(), [Policy.of(PolicyType.IDENTITY, allow), Policy.of(kind, never)]
        )
        assert (blocked.decision, blocked.policy_type) == (Decision.IMPLICIT_DENY, kind)
        assert (
            blocked.reason("iam:GetUser")
            == f"because no {kind.value} allows the iam:GetUser action"
        )


def test_ceilings_only_deny() -> None:
    deny_s3 = {"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
    session = Policy.of(PolicyType.SESSION, deny_s3, ceiling=True)
    root = Request("iam:GetUser", ROOT, ROOT, "222222222222")
    assert evaluate(root, [session], identity_required=False).decision is Decision.ALLOW
    denied = evaluate(Request("s3:GetObject", "*", ROOT, "222222222222"), [session])
    assert (denied.decision, denied.policy_type) == (Decision.DENY, PolicyType.SESSION)


def test_resource_policies_match_principals_and_grant() -> None:
    def bucket(principal: Any, effect: str = "Allow") -> Policy:
        statement = {
            "Effect": effect,
            "Principal": principal,
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/*",
        }
        return Policy.of(PolicyType.RESOURCE, {"Statement": [statement]})

    request = Request("s3:GetObject", "arn:aws:s3:::b/k", USER, "111111111111")
    assert evaluate(request, [bucket({"AWS": USER})]).decision is Decision.ALLOW
    assert evaluate(request, [bucket({"AWS": "111111111111"})]).decision is Decision.ALLOW
    assert evaluate(request, [bucket({"AWS": "arn:aws:iam::111111111111:root"})]).allowed
    assert evaluate(request, [bucket({"AWS": "arn:aws:iam::999999999999:root"})]).decision is (
        Decision.IMPLICIT_DENY
    )
    everyone = evaluate(request, [bucket("*", "Deny")])
    assert (everyone.decision, everyone.policy_type) == (Decision.DENY, PolicyType.RESOURCE)


def test_malformed_policies() -> None:
    with pytest.raises(MalformedPolicy):
        Policy.of(PolicyType.IDENTITY, "{not json")
    with pytest.raises(MalformedPolicy):
        Policy.of(PolicyType.IDENTITY, {"Version": "2012-10-17"})


def test_statement_positions() -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow"}, {"Effect": "Deny", "Action": "*"}],
    }
    text = json.dumps(document, indent=4)
    first, second = statement_span(text, 0), statement_span(text, 1)
    assert first is not None
    assert second is not None
    assert first[0] < second[0]
    lines = text.splitlines()
    assert lines[second[0][0] - 1][second[0][1] - 1] == "{"
    assert lines[second[1][0] - 1][second[1][1] - 2] == "}"
    assert statement_span(text, 2) is None
    assert statement_span('{"Statement": {"Effect": "Allow"}}', 0) == ((1, 15), (1, 34))
