"""Issue item 4: root sessions act as the member's root, fenced by the task policy (spec §3),
with expired and forged credentials refused in each protocol's dialect."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import (
    AUDIT,
    CREATE_PASSWORD,
    DELETE,
    PROD_ORDERS,
    PROD_PAYMENTS,
    S3_UNLOCK,
    SQS_UNLOCK,
    Aws,
    error_of,
)

ROOT = f"arn:aws:iam::{PROD_PAYMENTS}:root"


def _session_denied(action: str, resource: str) -> str:
    return (
        f"User: {ROOT} is not authorized to perform: {action} on resource: {resource} "
        "with an explicit deny in a session policy"
    )


@pytest.fixture
def audit(aws: Aws) -> dict[str, Any]:
    aws.enable("root_credentials_management", "root_sessions")
    return aws.assume_root(PROD_PAYMENTS, AUDIT)


def test_get_caller_identity_is_the_root_user(aws: Aws, audit: dict[str, Any]) -> None:
    identity = aws.client("sts", audit).get_caller_identity()
    assert (identity["Arn"], identity["Account"], identity["UserId"]) == (
        ROOT,
        PROD_PAYMENTS,
        PROD_PAYMENTS,
    )


@pytest.mark.parametrize(
    ("operation", "kwargs", "action"),
    [
        ("delete_login_profile", {}, "iam:DeleteLoginProfile"),
        ("create_login_profile", {}, "iam:CreateLoginProfile"),
        ("deactivate_mfa_device", {"SerialNumber": "GAHT12345678"}, "iam:DeactivateMFADevice"),
        (
            "delete_signing_certificate",
            {"CertificateId": "A" * 24},
            "iam:DeleteSigningCertificate",
        ),
    ],
)
def test_audit_session_cannot_change_anything(
    aws: Aws, audit: dict[str, Any], operation: str, kwargs: dict[str, str], action: str
) -> None:
    iam = aws.client("iam", audit)
    with pytest.raises(iam.exceptions.ClientError) as excinfo:
        getattr(iam, operation)(**kwargs)
    assert error_of(excinfo) == ("AccessDenied", _session_denied(action, ROOT), 403)


def test_audit_session_cannot_delete_access_keys(aws: Aws, audit: dict[str, Any]) -> None:
    iam = aws.client("iam", audit)
    key = iam.list_access_keys()["AccessKeyMetadata"][0]["AccessKeyId"]
    with pytest.raises(iam.exceptions.ClientError) as excinfo:
        iam.delete_access_key(AccessKeyId=key)
    assert error_of(excinfo) == ("AccessDenied", _session_denied("iam:DeleteAccessKey", ROOT), 403)


@pytest.mark.parametrize("task", [AUDIT, DELETE, CREATE_PASSWORD])
@pytest.mark.parametrize(
    ("operation", "action"),
    [
        ("get_login_profile", "iam:GetLoginProfile"),
        ("list_access_keys", "iam:ListAccessKeys"),
    ],
)
def test_naming_a_user_is_denied(aws: Aws, task: str, operation: str, action: str) -> None:
    aws.enable("root_credentials_management")
    aws.sandbox.principal_credentials(PROD_PAYMENTS)  # the user exists
    iam = aws.client("iam", aws.assume_root(PROD_PAYMENTS, task))
    with pytest.raises(iam.exceptions.ClientError) as excinfo:
        getattr(iam, operation)(UserName="admin")
    user = f"arn:aws:iam::{PROD_PAYMENTS}:user/admin"
    assert error_of(excinfo) == ("AccessDenied", _session_denied(action, user), 403)


def test_other_iam_actions_are_denied(aws: Aws, audit: dict[str, Any]) -> None:
    iam = aws.client("iam", audit)
    with pytest.raises(iam.exceptions.ClientError) as excinfo:
        iam.create_user(UserName="backdoor")
    assert error_of(excinfo) == (
        "AccessDenied",
        _session_denied("iam:CreateUser", f"arn:aws:iam::{PROD_PAYMENTS}:user/backdoor"),
        403,
    )
    with pytest.raises(iam.exceptions.ClientError) as excinfo:
        iam.list_organizations_features()
    assert error_of(excinfo)[0] == "AccessDenied"


def test_other_services_are_denied_in_their_dialects(aws: Aws, audit: dict[str, Any]) -> None:
    s3 = aws.client("s3", audit)
    with pytest.raises(s3.exceptions.ClientError) as excinfo:
        s3.list_buckets()
    assert error_of(excinfo) == (
        "AccessDenied",
        f'User: {ROOT} is not authorized to perform: s3:ListAllMyBuckets on resource: "*" with '
        "an explicit deny in a session policy",
        403,
    )
    sqs = aws.client("sqs", audit)
    with pytest.raises(sqs.exceptions.ClientError) as excinfo:
        sqs.list_queues()
    assert error_of(excinfo) == ("AccessDenied", _session_denied("sqs:ListQueues", "*"), 403)
    org = aws.client("organizations", audit)
    with pytest.raises(org.exceptions.AccessDeniedException) as excinfo:
        org.list_accounts()
    assert error_of(excinfo)[2] == 400
    sts = aws.client("sts", audit)
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        sts.assume_root(TargetPrincipal=PROD_ORDERS, TaskPolicyArn={"arn": AUDIT})
    assert error_of(excinfo)[:1] == ("AccessDenied",)


def test_get_account_summary_only_in_audit(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    assert aws.client("iam", aws.assume_root(PROD_PAYMENTS, AUDIT)).get_account_summary()
    iam = aws.client("iam", aws.assume_root(PROD_PAYMENTS, DELETE))
    with pytest.raises(iam.exceptions.ClientError) as excinfo:
        iam.get_account_summary()
    assert error_of(excinfo) == ("AccessDenied", _session_denied("iam:GetAccountSummary", "*"), 403)


def test_resource_tasks_stay_in_their_service(aws: Aws) -> None:
    aws.enable("root_sessions")
    s3_session = aws.assume_root(PROD_PAYMENTS, S3_UNLOCK)
    with pytest.raises(aws.client("iam").exceptions.ClientError) as excinfo:
        aws.client("iam", s3_session).get_user()
    assert error_of(excinfo)[0] == "AccessDenied"
    sqs_session = aws.assume_root(PROD_ORDERS, SQS_UNLOCK)
    s3 = aws.client("s3", sqs_session)
    with pytest.raises(s3.exceptions.ClientError) as excinfo:
        s3.list_buckets()
    assert error_of(excinfo)[0] == "AccessDenied"


def _expire(aws: Aws) -> dict[str, Any]:
    aws.enable("root_credentials_management", "root_sessions")
    return aws.assume_root(PROD_PAYMENTS, AUDIT, DurationSeconds=0)


def test_expired_session_iam_and_sts(aws: Aws) -> None:
    expired = _expire(aws)
    iam = aws.client("iam", expired)
    with pytest.raises(iam.exceptions.ClientError) as excinfo:
        iam.get_user()
    assert error_of(excinfo) == (
        "ExpiredToken",
        "The security token included in the request is expired",
        403,
    )
    sts = aws.client("sts", expired)
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        sts.get_caller_identity()
    assert error_of(excinfo)[0] == "ExpiredToken"


def test_expiry_follows_the_clock(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    session = aws.assume_root(PROD_PAYMENTS, AUDIT, DurationSeconds=60)
    iam = aws.client("iam", session)
    assert iam.get_user()
    aws.sandbox.advance_clock(61)
    with pytest.raises(iam.exceptions.ClientError) as excinfo:
        iam.get_user()
    assert error_of(excinfo)[0] == "ExpiredToken"


def test_expired_session_other_dialects(aws: Aws) -> None:
    expired = _expire(aws)
    s3 = aws.client("s3", expired)
    with pytest.raises(s3.exceptions.ClientError) as excinfo:
        s3.list_buckets()
    assert error_of(excinfo) == ("ExpiredToken", "The provided token has expired.", 400)
    sqs = aws.client("sqs", expired)
    with pytest.raises(sqs.exceptions.ClientError) as excinfo:
        sqs.list_queues()
    assert error_of(excinfo)[0] == "ExpiredToken"
    org = aws.client("organizations", expired)
    with pytest.raises(org.exceptions.ClientError) as excinfo:
        org.describe_organization()
    assert error_of(excinfo)[0] == "ExpiredTokenException"


def test_forged_session_token(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    forged = dict(aws.assume_root(PROD_PAYMENTS), SessionToken="IQoJb3JpZ2luX2VjEforged")
    iam = aws.client("iam", forged)
    with pytest.raises(iam.exceptions.ClientError) as excinfo:
        iam.get_user()
    assert error_of(excinfo) == (
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
        403,
    )
    s3 = aws.client("s3", forged)
    with pytest.raises(s3.exceptions.ClientError) as excinfo:
        s3.list_buckets()
    assert error_of(excinfo) == (
        "InvalidToken",
        "The provided token is malformed or otherwise invalid.",
        400,
    )
    org = aws.client("organizations", forged)
    with pytest.raises(org.exceptions.ClientError) as excinfo:
        org.describe_organization()
    assert error_of(excinfo)[0] == "UnrecognizedClientException"
    sqs = aws.client("sqs", forged)
    with pytest.raises(sqs.exceptions.ClientError) as excinfo:
        sqs.list_queues()
    assert error_of(excinfo)[0] == "InvalidClientTokenId"


def test_unknown_temporary_key(aws: Aws) -> None:
    made_up = {
        "AccessKeyId": "ASIAZZZZZZZZZZZZZZZZ",
        "SecretAccessKey": "x" * 40,
        "SessionToken": "IQoJb3JpZ2luX2VjEmadeup",
    }
    sts = aws.client("sts", made_up)
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        sts.get_caller_identity()
    assert error_of(excinfo)[0] == "InvalidClientTokenId"


def test_services_outside_the_sandbox_are_denied_too(aws: Aws, audit: dict[str, Any]) -> None:
    ec2 = aws.client("ec2", audit)
    with pytest.raises(ec2.exceptions.ClientError) as excinfo:
        ec2.describe_instances()
    assert error_of(excinfo) == (
        "UnauthorizedOperation",
        _session_denied("ec2:DescribeInstances", "*"),
        403,
    )
    dynamodb = aws.client("dynamodb", audit)
    with pytest.raises(dynamodb.exceptions.ClientError) as excinfo:
        dynamodb.list_tables()
    assert error_of(excinfo) == (
        "AccessDeniedException",
        _session_denied("dynamodb:ListTables", "*"),
        400,
    )
    # Ordinary callers are untouched.
    assert aws.client("ec2").describe_instances()["Reservations"] == []


def test_expired_session_outside_the_sandbox(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    lambda_ = aws.client("lambda", aws.assume_root(PROD_PAYMENTS, AUDIT, DurationSeconds=0))
    with pytest.raises(lambda_.exceptions.ClientError) as excinfo:
        lambda_.list_functions()
    assert error_of(excinfo)[0] == "ExpiredTokenException"
