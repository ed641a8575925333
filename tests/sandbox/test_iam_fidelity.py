"""Issue 12, sandbox fidelity: the root ARN as a policy resource, the five task policies in IAM,
GetAccountProperties, request ids — each with boto3 and the AWS CLI, over HTTP and in-process."""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from typing import Any

import pytest

from rootctl.sandbox import Sandbox
from rootctl.sandbox.policies import task_policies
from rootctl.sandbox.server import SandboxServer

from .conftest import AUDIT, Aws, error_of

TASKS = sorted(task_policies())
ROOT_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRoot",
            "Resource": ["arn:aws:iam::*:root", "arn:aws:iam::418273645501:root"],
            "Condition": {"StringEquals": {"sts:TaskPolicyArn": AUDIT}},
        },
        {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:iam::*:root"},
    ],
}


# --- 1. arn:aws:iam::*:root / arn:aws:iam::<id>:root as a policy Resource ----------------------


def test_root_resources_are_accepted_by_every_policy_call(aws: Aws) -> None:
    iam = aws.client("iam")
    document = json.dumps(ROOT_POLICY)
    iam.create_user(UserName="automation")
    iam.create_group(GroupName="operators")
    iam.create_role(RoleName="pipeline", AssumeRolePolicyDocument=json.dumps(_trust()))
    iam.put_user_policy(UserName="automation", PolicyName="root", PolicyDocument=document)
    iam.put_group_policy(GroupName="operators", PolicyName="root", PolicyDocument=document)
    iam.put_role_policy(RoleName="pipeline", PolicyName="root", PolicyDocument=document)
    arn = iam.create_policy(PolicyName="assume-root", PolicyDocument=document)["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=document, SetAsDefault=True)
    stored = iam.get_user_policy(UserName="automation", PolicyName="root")["PolicyDocument"]
    assert stored["Statement"][0]["Resource"][0] == "arn:aws:iam::*:root"


def test_root_resources_with_the_aws_cli(aws: Aws) -> None:
    aws.cli("iam", "create-user", "--user-name", "cli-automation").json()
    put = aws.cli(
        "iam", "put-user-policy", "--user-name", "cli-automation", "--policy-name", "root",
        "--policy-document", json.dumps(ROOT_POLICY),
    )  # fmt: skip
    assert put.code == 0, put.stderr
    created = aws.cli(
        "iam", "create-policy", "--policy-name", "cli-assume-root",
        "--policy-document", json.dumps(ROOT_POLICY),
    ).json()  # fmt: skip
    assert created["Policy"]["PolicyName"] == "cli-assume-root"


def test_other_malformed_resources_are_still_refused(aws: Aws) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="automation")
    statement = {**ROOT_POLICY["Statement"][0], "Resource": "arn:aws:iam::*:rooty"}
    bad = {"Version": "2012-10-17", "Statement": [statement]}
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException):
        iam.put_user_policy(UserName="automation", PolicyName="p", PolicyDocument=json.dumps(bad))


def _trust() -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


# --- 2. the five task policies exist in IAM ---------------------------------------------------


def test_task_policies_are_served_by_iam(aws: Aws) -> None:
    iam = aws.client("iam")
    for name, data in task_policies().items():
        arn = f"arn:aws:iam::aws:policy/root-task/{name}"
        policy = iam.get_policy(PolicyArn=arn)["Policy"]
        assert (policy["PolicyName"], policy["Path"], policy["DefaultVersionId"]) == (
            name,
            "/root-task/",
            "v1",
        )
        assert policy["IsAttachable"] is True
        assert policy["Description"] == data["Description"]
        assert policy["CreateDate"].isoformat().startswith("2024-11-06")
        version = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
        assert version["Document"] == data["Document"]  # what the sandbox enforces
        assert version["IsDefaultVersion"] is True
    listed = iam.list_policies(PathPrefix="/root-task/")["Policies"]
    assert [p["PolicyName"] for p in listed] == TASKS
    aws_scope = iam.list_policies(Scope="AWS", PathPrefix="/root-task/")["Policies"]
    assert [p["PolicyName"] for p in aws_scope] == TASKS
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_task_policies_with_the_aws_cli(aws: Aws) -> None:
    arn = "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"
    assert aws.cli("iam", "get-policy", "--policy-arn", arn).json()["Policy"]["Arn"] == arn
    version = aws.cli("iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v1").json()
    assert (
        version["PolicyVersion"]["Document"] == task_policies()["S3UnlockBucketPolicy"]["Document"]
    )
    listed = aws.cli(
        "iam", "list-policies", "--path-prefix", "/root-task/", "--scope", "AWS"
    ).json()
    assert sorted(p["PolicyName"] for p in listed["Policies"]) == TASKS


def test_task_policies_exist_in_member_accounts_too(aws: Aws) -> None:
    creds = aws.sandbox.principal_credentials("210987654321", "admin")
    iam = aws.client("iam", creds)
    assert len(iam.list_policies(PathPrefix="/root-task/")["Policies"]) == 5


# --- 7. GetAccountProperties and AWS-looking request ids --------------------------------------


def test_get_account_properties(aws: Aws) -> None:
    iam = aws.client("iam")
    assert iam.get_account_properties()["Properties"] == {}
    iam.put_account_properties(Properties={"RoleManager/Enabled": "true"})
    assert iam.get_account_properties()["Properties"] == {"RoleManager/Enabled": "true"}
    with pytest.raises(iam.exceptions.InvalidInputException):
        iam.put_account_properties(Properties={"A/x": "1", "B/y": "2"})
    result = aws.cli("iam", "get-account-properties")
    if result.code == 0:
        assert json.loads(result.stdout)["Properties"] == {"RoleManager/Enabled": "true"}
    else:  # the `aws` program of awscli 1.46 reads models that predate the operation
        assert result.code == 2
        assert "Invalid choice" in result.stderr


def test_get_account_properties_is_outside_every_task_policy(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    iam = aws.client("iam", aws.assume_root("418273645501", AUDIT))
    with pytest.raises(iam.exceptions.ClientError) as excinfo:
        iam.get_account_properties()
    assert error_of(excinfo)[0] == "AccessDenied"


def test_operations_nobody_emulates_answer_in_the_dialect(aws: Aws) -> None:
    iam = aws.client("iam")
    with pytest.raises(iam.exceptions.ClientError) as excinfo:
        iam.get_organizations_access_report(JobId="x" * 36)
    assert error_of(excinfo) == (
        "NotImplemented",
        "The sandbox does not emulate iam:GetOrganizationsAccessReport.",
        501,
    )


@pytest.mark.parametrize(
    ("service", "call"),
    [
        ("iam", lambda c: c.list_users()),
        ("iam", lambda c: c.get_login_profile(UserName="nobody")),  # moto's own error
        ("iam", lambda c: c.list_organizations_features()),  # an error of the sandbox
        ("sts", lambda c: c.get_caller_identity()),
        (
            "sts",
            lambda c: c.assume_root(TargetPrincipal="418273645501", TaskPolicyArn={"arn": AUDIT}),
        ),
    ],
)
def test_one_uuid_request_id_over_http(
    sandbox: Sandbox, sandbox_server: SandboxServer, service: str, call: Any
) -> None:
    aws = Aws("http", sandbox, sandbox_server.endpoint_url)
    client = aws.client(service)
    raw: list[Any] = []
    client.meta.events.register("needs-retry", lambda response, **_: raw.append(response[0]))
    with contextlib.suppress(client.exceptions.ClientError):
        call(client)
    headers = raw[0].raw.headers  # urllib3's: every header as sent, repeats kept
    ids = [v for k in set(headers) if k.lower() == "x-amzn-requestid" for v in headers.getlist(k)]
    assert len(ids) == 1, dict(headers)
    assert uuid.UUID(ids[0]).version == 4
    assert f"<RequestId>{ids[0]}</RequestId>" in raw[0].text


def test_request_ids_everywhere(aws: Aws) -> None:
    calls: list[tuple[str, Any]] = [
        ("organizations", lambda c: c.describe_organization()),
        ("sqs", lambda c: c.list_queues()),
        ("ec2", lambda c: c.describe_regions()),
    ]
    for service, call in calls:
        response = call(aws.client(service))
        request_id = response["ResponseMetadata"]["RequestId"]
        assert uuid.UUID(request_id).version == 4, service
        headers = response["ResponseMetadata"]["HTTPHeaders"]
        assert headers["x-amzn-requestid"] == request_id
    s3 = aws.client("s3").list_buckets()["ResponseMetadata"]
    assert re.fullmatch(r"[0-9A-F]{16}", s3["RequestId"])  # S3's own format
    assert s3["HostId"]
    assert "x-amzn-requestid" not in s3["HTTPHeaders"]
