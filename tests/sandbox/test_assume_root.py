"""Issue item 3: STS AssumeRoot — endpoint, validation, authorization, feature gates (spec §2)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from .conftest import (
    AUDIT,
    CLOSED_POC,
    CREATE_PASSWORD,
    DELETE,
    MANAGEMENT,
    PROD_PAYMENTS,
    S3_UNLOCK,
    SECURITY_TOOLING,
    SQS_UNLOCK,
    Aws,
    error_of,
)

ALL_TASKS = [AUDIT, DELETE, CREATE_PASSWORD, S3_UNLOCK, SQS_UNLOCK]
IAM_TASKS = [AUDIT, DELETE, CREATE_PASSWORD]
RESOURCE_TASKS = [S3_UNLOCK, SQS_UNLOCK]


def _denied(caller_arn: str, target: str) -> str:
    return (
        f"User: {caller_arn} is not authorized to perform: sts:AssumeRoot on resource: "
        f"arn:aws:iam::{target}:root"
    )


def test_global_endpoint_is_an_unknown_operation(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    sts = aws.client("sts", region="aws-global")
    if aws.mode == "inproc":
        assert sts.meta.endpoint_url == "https://sts.amazonaws.com"
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        sts.assume_root(TargetPrincipal=PROD_PAYMENTS, TaskPolicyArn={"arn": AUDIT})
    assert error_of(excinfo) == ("InvalidAction", "Unknown Operation", 400)


def test_regional_endpoint_issues_credentials(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    sts = aws.client("sts", region="eu-west-1")
    if aws.mode == "inproc":
        assert sts.meta.endpoint_url == "https://sts.eu-west-1.amazonaws.com"
    credentials = sts.assume_root(TargetPrincipal=PROD_PAYMENTS, TaskPolicyArn={"arn": AUDIT})
    assert credentials["Credentials"]["AccessKeyId"].startswith("ASIA")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"TargetPrincipal": f"arn:aws:iam::{PROD_PAYMENTS}:user/admin"},
            "Request must contain a valid target principal",
        ),
        ({"TargetPrincipal": "not-an-account"}, "Request must contain a valid target principal"),
        (
            {"DurationSeconds": 901},
            "1 validation error detected: Value '901' at 'durationSeconds' failed to satisfy "
            "constraint: Member must have value less than or equal to 900",
        ),
        (
            {"TaskPolicyArn": {}},
            "1 validation error detected: Value null at 'taskPolicyArn' failed to satisfy "
            "constraint: Member must not be null",
        ),
        (
            {"TaskPolicyArn": {"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}},
            "Request must contain valid AWS managed task policy ARN",
        ),
        (
            {"TaskPolicyArn": {"arn": "arn:aws:iam::123456789012:policy/root-task/Mine"}},
            "Request must contain valid AWS managed task policy ARN",
        ),
    ],
)
def test_validation_errors_come_before_authorization(
    aws: Aws, kwargs: dict[str, object], message: str
) -> None:
    # The caller has no permissions and trusted access is off: validation still answers first.
    sts = aws.client("sts", aws.sandbox.principal_credentials(MANAGEMENT, "intern"))
    request: dict[str, object] = {"TargetPrincipal": PROD_PAYMENTS, "TaskPolicyArn": {"arn": AUDIT}}
    request.update(kwargs)
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        sts.assume_root(**request)
    assert error_of(excinfo) == ("ValidationError", message, 400)


def test_both_target_forms_and_duration_range(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    for target in (PROD_PAYMENTS, f"arn:aws:iam::{PROD_PAYMENTS}:root"):
        for duration in (0, 1, 900):
            credentials = aws.assume_root(target, AUDIT, DurationSeconds=duration)
            assert credentials["AccessKeyId"].startswith("ASIA")


@pytest.mark.parametrize("duration", [None, 0, 60, 900])
def test_expiration_is_issue_time_plus_duration(aws: Aws, duration: int | None) -> None:
    aws.enable("root_credentials_management")
    before = datetime.now(UTC).replace(microsecond=0)
    extra: dict[str, Any] = {} if duration is None else {"DurationSeconds": duration}
    credentials = aws.assume_root(PROD_PAYMENTS, AUDIT, **extra)
    after = datetime.now(UTC)
    expiration = credentials["Expiration"]
    assert expiration.microsecond == 0
    lifetime = timedelta(seconds=900 if duration is None else duration)
    assert before + lifetime <= expiration <= after + lifetime
    assert len(credentials["SecretAccessKey"]) == 40
    assert len(credentials["SessionToken"]) > 100


def test_credentials_act_in_the_target_account(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    credentials = aws.assume_root(PROD_PAYMENTS)
    identity = aws.client("sts", credentials).get_caller_identity()
    assert identity["Account"] == PROD_PAYMENTS
    assert identity["Arn"] == f"arn:aws:iam::{PROD_PAYMENTS}:root"
    assert identity["UserId"] == PROD_PAYMENTS


@pytest.mark.parametrize("task", IAM_TASKS)
def test_iam_tasks_need_root_credentials_management(aws: Aws, task: str) -> None:
    aws.enable("root_sessions")
    with pytest.raises(aws.client("sts").exceptions.ClientError) as excinfo:
        aws.assume_root(PROD_PAYMENTS, task)
    assert error_of(excinfo) == (
        "AccessDenied",
        "Root credentials management feature is not enabled for your AWS Organization.",
        403,
    )


@pytest.mark.parametrize("task", RESOURCE_TASKS)
def test_resource_tasks_need_root_sessions(aws: Aws, task: str) -> None:
    aws.enable("root_credentials_management")
    with pytest.raises(aws.client("sts").exceptions.ClientError) as excinfo:
        aws.assume_root(PROD_PAYMENTS, task)
    assert error_of(excinfo) == (
        "AccessDenied",
        "Root sessions feature is not enabled for your AWS Organization.",
        403,
    )


@pytest.mark.parametrize("task", ALL_TASKS)
def test_trusted_access_off(aws: Aws, task: str) -> None:
    aws.enable("root_credentials_management", "root_sessions")
    aws.client("organizations").disable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    with pytest.raises(aws.client("sts").exceptions.ClientError) as excinfo:
        aws.assume_root(PROD_PAYMENTS, task)
    assert error_of(excinfo) == ("AccessDenied", "Service not enabled for AWS Organizations.", 403)


def test_each_feature_opens_exactly_its_tasks(aws: Aws) -> None:
    aws.enable("root_credentials_management", "root_sessions")
    for task in ALL_TASKS:
        assert aws.assume_root(PROD_PAYMENTS, task)["AccessKeyId"].startswith("ASIA")


@pytest.mark.parametrize("target", [MANAGEMENT, CLOSED_POC, "999999999999"])
def test_ineligible_targets(aws: Aws, target: str) -> None:
    aws.enable("root_credentials_management")
    admin = aws.sandbox.admin_credentials()
    with pytest.raises(aws.client("sts").exceptions.ClientError) as excinfo:
        aws.assume_root(target)
    assert error_of(excinfo) == ("AccessDenied", _denied(admin.arn, target), 403)


def test_plain_member_cannot_assume_root(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    member = aws.sandbox.principal_credentials(PROD_PAYMENTS)
    with pytest.raises(aws.client("sts").exceptions.ClientError) as excinfo:
        aws.assume_root(SECURITY_TOOLING, creds=member)
    assert error_of(excinfo) == ("AccessDenied", _denied(member.arn, SECURITY_TOOLING), 403)


def test_delegate_can_assume_root_until_deregistered(aws: Aws) -> None:
    aws.enable("root_credentials_management", delegate=SECURITY_TOOLING)
    delegate = aws.sandbox.principal_credentials(SECURITY_TOOLING)
    session = aws.assume_root(PROD_PAYMENTS, creds=delegate)
    aws.client("organizations").deregister_delegated_administrator(
        AccountId=SECURITY_TOOLING, ServicePrincipal="iam.amazonaws.com"
    )
    with pytest.raises(aws.client("sts").exceptions.ClientError) as excinfo:
        aws.assume_root(PROD_PAYMENTS, creds=delegate)
    assert error_of(excinfo)[0] == "AccessDenied"
    # ... but the session issued before keeps working until it expires (spec §2.7).
    assert aws.client("iam", session).get_user()["User"]["UserId"] == PROD_PAYMENTS


def test_caller_identity_policy_is_honoured(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    intern = aws.sandbox.principal_credentials(MANAGEMENT, "intern")
    with pytest.raises(aws.client("sts").exceptions.ClientError) as excinfo:
        aws.assume_root(PROD_PAYMENTS, creds=intern)
    assert error_of(excinfo) == ("AccessDenied", _denied(intern.arn, PROD_PAYMENTS), 403)
    # The auditor may assume root only with the audit task (sts:TaskPolicyArn condition).
    auditor = aws.sandbox.principal_credentials(MANAGEMENT, "auditor")
    assert aws.assume_root(PROD_PAYMENTS, AUDIT, creds=auditor)["AccessKeyId"].startswith("ASIA")
    with pytest.raises(aws.client("sts").exceptions.ClientError) as excinfo:
        aws.assume_root(PROD_PAYMENTS, DELETE, creds=auditor)
    assert error_of(excinfo) == ("AccessDenied", _denied(auditor.arn, PROD_PAYMENTS), 403)


def test_root_user_credentials_cannot_assume_root(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    sts = aws.client("sts", aws.sandbox.root_access_key(PROD_PAYMENTS))
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        sts.assume_root(TargetPrincipal=PROD_PAYMENTS, TaskPolicyArn={"arn": AUDIT})
    assert error_of(excinfo) == (
        "AccessDenied",
        _denied(f"arn:aws:iam::{PROD_PAYMENTS}:root", PROD_PAYMENTS),
        403,
    )


def test_issued_sessions_survive_feature_and_trust_changes(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    session = aws.assume_root(PROD_PAYMENTS)
    aws.client("iam").disable_organizations_root_credentials_management()
    aws.client("organizations").disable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    assert aws.client("iam", session).get_user()["User"]["Arn"] == (
        f"arn:aws:iam::{PROD_PAYMENTS}:root"
    )


def test_role_sessions_may_assume_root(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    iam = aws.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    for name, allowed in (("RootAccessOperator", True), ("NoPermissions", False)):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
        if allowed:
            iam.put_role_policy(
                RoleName=name,
                PolicyName="assume-root",
                PolicyDocument=json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Action": "sts:AssumeRoot", "Resource": "*"}
                        ],
                    }
                ),
            )
    sts = aws.client("sts")
    for name in ("RootAccessOperator", "NoPermissions"):
        role = sts.assume_role(
            RoleArn=f"arn:aws:iam::{MANAGEMENT}:role/{name}", RoleSessionName="audit-run"
        )["Credentials"]
        session_sts = aws.client("sts", role)
        request = {"TargetPrincipal": PROD_PAYMENTS, "TaskPolicyArn": {"arn": AUDIT}}
        if name == "RootAccessOperator":
            assert session_sts.assume_root(**request)["Credentials"]["AccessKeyId"].startswith(
                "ASIA"
            )
            continue
        with pytest.raises(session_sts.exceptions.ClientError) as excinfo:
            session_sts.assume_root(**request)
        caller = f"arn:aws:sts::{MANAGEMENT}:assumed-role/NoPermissions/audit-run"
        assert error_of(excinfo) == ("AccessDenied", _denied(caller, PROD_PAYMENTS), 403)


def test_issued_sessions_are_listed(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    assert aws.sandbox.issued_root_sessions() == []
    first = aws.assume_root(PROD_PAYMENTS, AUDIT, DurationSeconds=300)
    second = aws.assume_root(SECURITY_TOOLING, DELETE)
    issued = aws.sandbox.issued_root_sessions()
    assert [s.access_key_id for s in issued] == [first["AccessKeyId"], second["AccessKeyId"]]
    assert issued[0].secret_access_key == first["SecretAccessKey"]
    assert issued[0].session_token == first["SessionToken"]
    assert (issued[0].account_id, issued[0].task_policy_arn, issued[0].duration_seconds) == (
        PROD_PAYMENTS,
        AUDIT,
        300,
    )
    assert issued[1].caller_arn == aws.sandbox.admin_credentials().arn
    assert [s.account_id for s in aws.sandbox.issued_root_sessions(SECURITY_TOOLING)] == [
        SECURITY_TOOLING
    ]
