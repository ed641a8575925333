"""Lock-out classification, one pattern per row (the seeds' lock-outs and their healthy
look-alikes), the correction, and the guardrail's document changes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rootctl.policy import PolicyDocument, PolicyParseError
from rootctl.policy.guardrail import (
    GUARDRAIL,
    CannotExempt,
    exempt_root_sessions,
    with_exemptions,
)
from rootctl.policy.lockouts import GuardedResource, LockoutClass, classify

ACCOUNT = "111111111111"
BUCKET = "arn:aws:s3:::vault"
QUEUE = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:events"
S3 = GuardedResource("s3", BUCKET, ACCOUNT, "eu-west-1", "o-mine000001")
SQS = GuardedResource("sqs", QUEUE, ACCOUNT, "eu-west-1", "o-mine000001")


def deny(
    action: str = "s3:*", resource: Any = (BUCKET, f"{BUCKET}/*"), **extra: Any
) -> dict[str, Any]:
    statement = {"Effect": "Deny", "Principal": "*", "Action": action, "Resource": list(resource)}
    statement.update(extra)
    return statement


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


EVERYONE, OUTSIDE, NONE = (
    LockoutClass.EVERYONE,
    LockoutClass.OUTSIDE_CONDITION,
    LockoutClass.NONE,
)


@pytest.mark.parametrize(
    ("resource", "document", "expected", "who"),
    [
        pytest.param(S3, policy(deny()), EVERYONE, (), id="deny-all"),
        pytest.param(
            S3, policy(deny(Principal={"AWS": "*"}, Action="*")), EVERYONE, (), id="aws-*"
        ),
        pytest.param(S3, policy(deny("s3:PutBucketPolicy", [BUCKET])), EVERYONE, (), id="put-only"),
        pytest.param(S3, policy(deny("s3:Put*")), EVERYONE, (), id="wildcard-action"),
        pytest.param(
            S3, policy(deny(Principal={"AWS": ACCOUNT})), EVERYONE, (), id="own-account-principal"
        ),
        pytest.param(
            S3,
            policy(deny(Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b"}})),
            OUTSIDE,
            ("vpce-1a2b",),
            id="vpc-endpoint-only",
        ),
        pytest.param(
            S3,
            policy(deny(Condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
            OUTSIDE,
            ("10.0.0.0/8",),
            id="source-ip-only",
        ),
        pytest.param(
            S3,
            policy(
                deny(
                    Condition={
                        "ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/Ops"}
                    }
                )
            ),
            OUTSIDE,
            ("role/Ops",),
            id="single-role",
        ),
        pytest.param(
            S3,
            policy(
                {
                    "Effect": "Deny",
                    "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/breakglass"},
                    "Action": "s3:*",
                    "Resource": [BUCKET, f"{BUCKET}/*"],
                }
            ),
            OUTSIDE,
            ("user/breakglass",),
            id="not-principal",
        ),
        pytest.param(
            S3,
            policy(deny(NotAction=["s3:GetObject"], Action=None)),
            EVERYONE,
            (),
            id="not-action",
        ),
        pytest.param(SQS, policy(deny("sqs:*", [QUEUE])), EVERYONE, (), id="sqs-deny-all"),
        pytest.param(
            SQS, policy(deny("sqs:SetQueueAttributes", [QUEUE])), EVERYONE, (), id="sqs-set-only"
        ),
        # healthy look-alikes
        pytest.param(
            S3,
            policy(deny(Condition={"Bool": {"aws:SecureTransport": "false"}})),
            NONE,
            (),
            id="deny-plain-http",
        ),
        pytest.param(S3, policy(deny("s3:DeleteObject", [f"{BUCKET}/*"])), NONE, (), id="objects"),
        pytest.param(
            S3,
            policy(deny(Condition={"StringNotEquals": {"aws:PrincipalOrgID": "o-mine000001"}})),
            NONE,
            (),
            id="deny-outside-own-org",
        ),
        pytest.param(
            S3,
            policy(deny(Principal={"AWS": "arn:aws:iam::222222222222:root"})),
            NONE,
            (),
            id="another-account",
        ),
        pytest.param(
            S3,
            policy(deny(Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:role/Intern"})),
            NONE,
            (),
            id="one-named-role",
        ),
        pytest.param(
            S3,
            policy(
                {
                    "Effect": "Deny",
                    "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    "Action": "s3:*",
                    "Resource": [BUCKET, f"{BUCKET}/*"],
                }
            ),
            NONE,
            (),
            id="not-principal-own-account",
        ),
        pytest.param(
            S3, policy(deny(Resource=["arn:aws:s3:::other"])), NONE, (), id="other-bucket"
        ),
        pytest.param(
            S3,
            policy(
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
            ),
            NONE,
            (),
            id="public-read",
        ),
    ],
)
def test_classification(
    resource: GuardedResource,
    document: dict[str, Any],
    expected: LockoutClass,
    who: tuple[str, ...],
) -> None:
    for statement in document["Statement"]:
        for name in [k for k, v in statement.items() if v is None]:
            del statement[name]
    found = classify(json.dumps(document), resource)
    assert found.lockout is expected, found.reason
    if expected is NONE:
        assert not found.statements
        return
    assert found.statements[0].statement == document["Statement"][0]
    escapes = " ".join(found.statements[0].who_gets_in)
    for fragment in who:
        assert fragment in escapes
    assert bool(who) is (expected is OUTSIDE)


def test_the_correction_keeps_every_other_statement_as_written() -> None:
    public = {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
              "Resource": f"{BUCKET}/*"}  # fmt: skip
    tls = deny(Sid="TlsOnly", Condition={"Bool": {"aws:SecureTransport": "false"}})
    document = {"Version": "2012-10-17", "Id": "keep-me", "Statement": [public, deny(), tls]}
    found = classify(json.dumps(document), S3)
    assert found.lockout is EVERYONE
    assert found.corrected == {"Version": "2012-10-17", "Id": "keep-me", "Statement": [public, tls]}
    assert classify(json.dumps(found.corrected), S3).lockout is NONE


def test_nothing_left_means_no_corrected_policy() -> None:
    assert classify(json.dumps(policy(deny())), S3).corrected is None


@pytest.mark.parametrize(
    "text",
    [
        '{"Statement": [',  # not JSON
        "[]",
        '{"Version": "2012-10-17"}',
        '{"Statement": [{"Effect": "deny", "Action": "*"}]}',
        '{"Statement": [{"Effect": "Deny", "Action": "*", "NotAction": "s3:*"}]}',
        '{"Statement": [{"Effect": "Deny", "Action": "*", "Condition": {"StringEquals": "x"}}]}',
    ],
)
def test_a_policy_that_does_not_parse_is_reported_as_such(text: str) -> None:
    found = classify(text, S3)
    assert found.lockout is LockoutClass.UNPARSEABLE
    assert found.reason.startswith("the policy does not parse: ")
    with pytest.raises(PolicyParseError):
        PolicyDocument.parse(text)


def test_exempting_root_sessions_adds_one_condition() -> None:
    control_tower = {
        "Sid": "GRRESTRICTROOTUSER",
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {"StringLike": {"aws:PrincipalArn": ["arn:aws:iam::*:root"]}},
    }
    fixed = exempt_root_sessions(control_tower)
    assert fixed["Condition"] == {
        "StringLike": {"aws:PrincipalArn": ["arn:aws:iam::*:root"]},
        "Null": {"aws:AssumedRoot": "true"},
    }
    assert control_tower["Condition"] == {
        "StringLike": {"aws:PrincipalArn": ["arn:aws:iam::*:root"]}
    }  # the original is left alone
    assert fixed["Condition"]["Null"] == GUARDRAIL["Statement"][0]["Condition"]["Null"]
    document = {"Version": "2012-10-17", "Statement": control_tower}
    assert with_exemptions(document, [0])["Statement"] == [fixed]


def test_a_statement_about_root_sessions_is_not_changed_behind_the_users_back() -> None:
    on_purpose = {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
                  "Condition": {"Bool": {"aws:AssumedRoot": "true"}}}  # fmt: skip
    with pytest.raises(CannotExempt, match="on purpose"):
        exempt_root_sessions(on_purpose)
