"""Issue 12, sandbox fidelity: policy simulation, denials named like AWS's SCP and RCP
denials, propagation delays, the legacy global STS endpoint — each with boto3 and the AWS CLI,
over HTTP and in-process."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config

from rootctl.sandbox import Sandbox
from rootctl.sandbox.server import SandboxServer

from .conftest import (
    AUDIT,
    AWS_CLI,
    DELETE,
    MANAGEMENT,
    PROD_ORDERS,
    PROD_PAYMENTS,
    S3_UNLOCK,
    SECURITY_TOOLING,
    Aws,
    error_of,
)

AUDITOR = f"arn:aws:iam::{MANAGEMENT}:user/auditor"
TARGET = f"arn:aws:iam::{PROD_PAYMENTS}:root"


def _task(arn: str) -> list[dict[str, Any]]:
    return [
        {
            "ContextKeyName": "sts:TaskPolicyArn",
            "ContextKeyValues": [arn],
            "ContextKeyType": "string",
        }
    ]


# --- 3. iam:SimulatePrincipalPolicy / SimulateCustomPolicy -------------------------------------


def test_simulate_assume_root_honours_task_policy_conditions(aws: Aws) -> None:
    iam = aws.client("iam")

    def decision(task: str | None) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"ContextEntries": _task(task)} if task else {}
        response = iam.simulate_principal_policy(
            PolicySourceArn=AUDITOR, ActionNames=["sts:AssumeRoot"], ResourceArns=[TARGET], **kwargs
        )
        result: dict[str, Any] = response["EvaluationResults"][0]
        return result

    allowed = decision(AUDIT)
    assert allowed["EvalDecision"] == "allowed"
    assert allowed["MatchedStatements"][0]["SourcePolicyType"] == "user"
    assert allowed["MatchedStatements"][0]["StartPosition"]["Line"] >= 1
    assert allowed["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": True}
    assert decision(DELETE)["EvalDecision"] == "implicitDeny"
    missing = decision(None)
    assert (missing["EvalDecision"], missing["MissingContextValues"]) == (
        "implicitDeny",
        ["sts:TaskPolicyArn"],
    )


def test_simulation_agrees_with_what_the_sandbox_enforces(aws: Aws) -> None:
    """The same evaluator decides the simulation and the real call."""
    aws.enable("root_credentials_management")
    auditor = aws.sandbox.principal_credentials(MANAGEMENT, "auditor")
    iam = aws.client("iam")
    for task, expected in ((AUDIT, "allowed"), (DELETE, "implicitDeny")):
        simulated = iam.simulate_principal_policy(
            PolicySourceArn=AUDITOR,
            ActionNames=["sts:AssumeRoot"],
            ResourceArns=[TARGET],
            ContextEntries=_task(task),
        )["EvaluationResults"][0]["EvalDecision"]
        assert simulated == expected
        sts = aws.client("sts", auditor)
        if expected == "allowed":
            sts.assume_root(TargetPrincipal=PROD_PAYMENTS, TaskPolicyArn={"arn": task})
        else:
            with pytest.raises(sts.exceptions.ClientError):
                sts.assume_root(TargetPrincipal=PROD_PAYMENTS, TaskPolicyArn={"arn": task})


def test_simulation_shows_scp_like_denials(aws: Aws) -> None:
    aws.sandbox.faults.deny(MANAGEMENT, "sts:AssumeRoot")
    result = aws.client("iam").simulate_principal_policy(
        PolicySourceArn=AUDITOR, ActionNames=["sts:AssumeRoot"], ContextEntries=_task(AUDIT)
    )["EvaluationResults"][0]
    assert result["EvalDecision"] == "explicitDeny"
    assert result["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": False}


def test_simulate_groups_roles_and_custom_policies(aws: Aws) -> None:
    iam = aws.client("iam")
    allow_list = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "organizations:List*", "Resource": "*"}],
        }
    )
    iam.create_group(GroupName="readers")
    iam.put_group_policy(GroupName="readers", PolicyName="list", PolicyDocument=allow_list)
    iam.create_user(UserName="reader")
    iam.add_user_to_group(GroupName="readers", UserName="reader")
    role = iam.create_role(RoleName="lister", AssumeRolePolicyDocument=_trust())["Role"]["Arn"]
    iam.put_role_policy(RoleName="lister", PolicyName="list", PolicyDocument=allow_list)
    for arn in (
        f"arn:aws:iam::{MANAGEMENT}:user/reader",
        f"arn:aws:iam::{MANAGEMENT}:group/readers",
        role,
    ):
        results = iam.simulate_principal_policy(
            PolicySourceArn=arn, ActionNames=["organizations:ListAccounts", "iam:DeleteUser"]
        )["EvaluationResults"]
        assert [r["EvalDecision"] for r in results] == ["allowed", "implicitDeny"], arn
    deny = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:iam::*:root"}],
    }
    custom = iam.simulate_custom_policy(
        PolicyInputList=[allow_list, json.dumps(deny)],
        ActionNames=["organizations:ListAccounts"],
        ResourceArns=["*", TARGET],
    )["EvaluationResults"]
    assert [r["EvalDecision"] for r in custom] == ["explicitDeny", "allowed"]


def test_simulation_refused_without_permission_and_for_unknown_principals(aws: Aws) -> None:
    intern = aws.client("iam", aws.sandbox.principal_credentials(MANAGEMENT, "intern"))
    with pytest.raises(intern.exceptions.ClientError) as excinfo:
        intern.simulate_principal_policy(PolicySourceArn=AUDITOR, ActionNames=["sts:AssumeRoot"])
    assert error_of(excinfo)[0] == "AccessDenied"
    assert (
        "because no identity-based policy allows the iam:SimulatePrincipalPolicy"
        in error_of(excinfo)[1]
    )
    iam = aws.client("iam")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{MANAGEMENT}:user/nobody", ActionNames=["s3:*"]
        )


def test_simulation_with_the_aws_cli(aws: Aws) -> None:
    result = aws.cli(
        "iam", "simulate-principal-policy", "--policy-source-arn", AUDITOR,
        "--action-names", "sts:AssumeRoot", "--resource-arns", TARGET,
        "--context-entries",
        f"ContextKeyName=sts:TaskPolicyArn,ContextKeyValues={AUDIT},ContextKeyType=string",
    ).json()  # fmt: skip
    assert result["EvaluationResults"][0]["EvalDecision"] == "allowed"
    allow = {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}
    document = json.dumps({"Version": "2012-10-17", "Statement": [allow]})
    custom = aws.cli(
        "iam", "simulate-custom-policy", "--action-names", "s3:GetObject",
        "--policy-input-list", document,
    ).json()  # fmt: skip
    assert custom["EvaluationResults"][0]["EvalDecision"] == "allowed"


def _trust() -> str:
    principal = {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"}
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


# --- 4. denials named like AWS's: service and resource control policies ------------------------


def test_scp_denial_message_in_boto3_and_the_cli(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    aws.sandbox.faults.deny(PROD_PAYMENTS, "iam:ListAccessKeys")
    session = aws.assume_root(PROD_PAYMENTS, AUDIT)
    iam = aws.client("iam", session)
    with pytest.raises(iam.exceptions.ClientError) as excinfo:
        iam.list_access_keys()
    expected = (
        f"User: {TARGET} is not authorized to perform: iam:ListAccessKeys on resource: {TARGET} "
        "with an explicit deny in a service control policy"
    )
    assert error_of(excinfo) == ("AccessDenied", expected, 403)
    cli = aws.cli("iam", "list-access-keys", creds=session)
    assert cli.code in (254, 255)  # a service error (awscli v1: 255)
    assert expected in cli.stderr


def test_rcp_denial_for_buckets_and_queues(aws: Aws) -> None:
    aws.enable("root_sessions")
    aws.sandbox.faults.deny(PROD_PAYMENTS, "s3:*", policy="rcp")
    aws.sandbox.faults.deny(PROD_ORDERS, "sqs:*", policy="rcp")
    # Even the root session that could override the bucket policy: the RCP binds everyone.
    s3 = aws.client("s3", aws.assume_root(PROD_PAYMENTS, S3_UNLOCK))
    with pytest.raises(s3.exceptions.ClientError) as excinfo:
        s3.get_bucket_policy(Bucket="prod-payments-receipts")
    code, message, status = error_of(excinfo)
    assert (code, status) == ("AccessDenied", 403)
    assert message.endswith(
        '"arn:aws:s3:::prod-payments-receipts" with an explicit deny in a resource control policy'
    )
    admin_sqs = aws.client("sqs")
    url = f"https://sqs.us-east-1.amazonaws.com/{PROD_ORDERS}/orders-events"
    with pytest.raises(admin_sqs.exceptions.ClientError) as excinfo:
        admin_sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
    assert error_of(excinfo)[1].endswith("with an explicit deny in a resource control policy")
    cli = aws.cli("s3api", "get-bucket-policy", "--bucket", "prod-payments-receipts")
    assert "with an explicit deny in a resource control policy" in cli.stderr
    # Other accounts' resources are untouched.
    aws.client("s3").list_buckets()


def test_rcp_rules_refuse_other_services_and_tasks(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="resource control policies apply to"):
        sandbox.faults.deny(PROD_PAYMENTS, "iam:DeleteLoginProfile", policy="rcp")
    with pytest.raises(ValueError, match="not tasks"):
        sandbox.faults.deny(PROD_PAYMENTS, "IAMAuditRootUserCredentials", policy="rcp")


def test_rcp_over_the_sandbox_api_and_cli_flag(
    sandbox: Sandbox, sandbox_server: SandboxServer
) -> None:
    body = json.dumps({"account": PROD_PAYMENTS, "action": "s3:Get*", "policy": "rcp"}).encode()
    request = urllib.request.Request(  # noqa: S310 - a loopback URL
        f"{sandbox_server.endpoint_url}/_sandbox/faults/deny", data=body, method="POST"
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        rules = json.loads(response.read())["deny"]
    assert rules == [{"account": PROD_PAYMENTS, "action": "s3:Get*", "task": None, "policy": "rcp"}]


# --- 5. propagation delay -----------------------------------------------------------------------


@pytest.fixture
def lagging(sandbox: Sandbox) -> Sandbox:
    sandbox.propagation_delay = 60
    return sandbox


@pytest.mark.usefixtures("lagging")
def test_assume_root_outlives_disabled_trusted_access_for_the_delay(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    aws.client("organizations").disable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    iam = aws.client("iam")
    with pytest.raises(iam.exceptions.ServiceAccessNotEnabledException):
        iam.list_organizations_features()  # IAM's reads see it at once (spec §1.2)
    aws.sandbox.advance_clock(30)
    aws.assume_root(PROD_PAYMENTS, AUDIT)  # still issued
    cli = aws.cli(
        "sts",
        "assume-root",
        "--target-principal",
        PROD_PAYMENTS,
        "--task-policy-arn",
        f"arn={AUDIT}",
    )
    assert cli.code == 0, cli.stderr
    aws.sandbox.advance_clock(31)
    with pytest.raises(aws.client("sts").exceptions.ClientError) as excinfo:
        aws.assume_root(PROD_PAYMENTS, AUDIT)
    assert error_of(excinfo)[1] == "Service not enabled for AWS Organizations."


@pytest.mark.usefixtures("lagging")
def test_assume_root_outlives_a_disabled_feature_and_a_deregistered_delegate(aws: Aws) -> None:
    aws.enable("root_credentials_management", delegate=SECURITY_TOOLING)
    delegate = aws.sandbox.principal_credentials(SECURITY_TOOLING, "admin")
    aws.client("iam").disable_organizations_root_credentials_management()
    aws.client("organizations").deregister_delegated_administrator(
        AccountId=SECURITY_TOOLING, ServicePrincipal="iam.amazonaws.com"
    )
    aws.assume_root(PROD_PAYMENTS, AUDIT)
    aws.assume_root(PROD_PAYMENTS, AUDIT, creds=delegate)
    aws.sandbox.advance_clock(61)
    sts = aws.client("sts", delegate)
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        aws.assume_root(PROD_PAYMENTS, AUDIT, creds=delegate)
    assert "is not authorized to perform: sts:AssumeRoot" in error_of(excinfo)[1]
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        aws.assume_root(PROD_PAYMENTS, AUDIT)
    assert error_of(excinfo)[1].startswith("Root credentials management feature is not enabled")


def test_no_delay_by_default(aws: Aws) -> None:
    assert aws.sandbox.propagation_delay == 0
    aws.enable("root_credentials_management")
    aws.client("iam").disable_organizations_root_credentials_management()
    with pytest.raises(aws.client("sts").exceptions.ClientError):
        aws.assume_root(PROD_PAYMENTS, AUDIT)


def test_propagation_delay_settings(sandbox_server: SandboxServer) -> None:
    sb = Sandbox.example(propagation_delay=15)
    assert sb.reset().propagation_delay == 15
    with pytest.raises(ValueError, match="propagation delay"):
        sb.propagation_delay = -1

    def call(method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(  # noqa: S310 - a loopback URL
            sandbox_server.endpoint_url + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
        )
        with urllib.request.urlopen(request) as response:  # noqa: S310
            return json.loads(response.read())

    assert call("GET", "/_sandbox/propagation-delay") == {"delay_seconds": 15.0}
    assert call("PUT", "/_sandbox/propagation-delay", {"delay_seconds": 30}) == {
        "delay_seconds": 30.0
    }
    call("POST", "/_sandbox/reset", {"example": True, "propagation_delay": 5})
    assert call("GET", "/_sandbox/propagation-delay") == {"delay_seconds": 5.0}
    Sandbox.example(scps=False)  # back to no delay for the other tests


# --- 6. the legacy global STS endpoint ------------------------------------------------------------


def test_legacy_resolution_in_process_is_refused(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws = Aws("inproc", sandbox, None)
    monkeypatch.setenv("AWS_STS_REGIONAL_ENDPOINTS", "legacy")
    with sandbox.in_process(env=False):
        aws.enable("root_credentials_management")
        session = boto3.Session(botocore_session=botocore.session.get_session())
        sts = session.client("sts", **sandbox.admin_credentials().boto3_kwargs())
        assert sts.meta.endpoint_url == "https://sts.amazonaws.com"
        with pytest.raises(sts.exceptions.ClientError) as excinfo:
            sts.assume_root(TargetPrincipal=PROD_PAYMENTS, TaskPolicyArn={"arn": AUDIT})
        assert error_of(excinfo) == ("InvalidAction", "Unknown Operation", 400)
        result = aws.cli(
            "sts", "assume-root", "--target-principal", PROD_PAYMENTS,
            "--task-policy-arn", f"arn={AUDIT}", AWS_STS_REGIONAL_ENDPOINTS="legacy",
        )  # fmt: skip
        assert result.code != 0
        assert "(InvalidAction)" in result.stderr


@pytest.mark.parametrize(("mode", "expected"), [("legacy", "InvalidAction"), ("regional", None)])
def test_legacy_resolution_over_http_through_the_sandbox_as_proxy(
    sandbox: Sandbox,
    sandbox_server: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    expected: str | None,
) -> None:
    """botocore's own resolution (no endpoint override) reaches the sandbox as an HTTP proxy:
    the Host it aims at tells global from Regional, as in AWS."""
    Aws("http", sandbox, sandbox_server.endpoint_url).enable("root_credentials_management")
    monkeypatch.setenv("AWS_STS_REGIONAL_ENDPOINTS", mode)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    session = boto3.Session(
        botocore_session=botocore.session.get_session(),
        **sandbox.admin_credentials().boto3_kwargs(),
    )
    proxy = Config(proxies={"http": sandbox_server.endpoint_url}, retries={"total_max_attempts": 1})
    sts = session.client("sts", use_ssl=False, config=proxy)
    host = "sts.amazonaws.com" if mode == "legacy" else "sts.us-east-1.amazonaws.com"
    assert sts.meta.endpoint_url == f"http://{host}"
    if expected is None:
        sts.assume_root(TargetPrincipal=PROD_PAYMENTS, TaskPolicyArn={"arn": AUDIT})
    else:
        with pytest.raises(sts.exceptions.ClientError) as excinfo:
            sts.assume_root(TargetPrincipal=PROD_PAYMENTS, TaskPolicyArn={"arn": AUDIT})
        assert error_of(excinfo) == ("InvalidAction", "Unknown Operation", 400)
    env = dict(os.environ, HTTP_PROXY=sandbox_server.endpoint_url, AWS_CONFIG_FILE=os.devnull)
    env.update(
        AWS_ACCESS_KEY_ID=sandbox.admin_credentials().access_key_id,
        AWS_SECRET_ACCESS_KEY=sandbox.admin_credentials().secret_access_key,
        AWS_DEFAULT_REGION="us-east-1",
    )
    cli = subprocess.run(
        [AWS_CLI, "--endpoint-url", f"http://{host}", "sts", "assume-root",
         "--target-principal", PROD_PAYMENTS, "--task-policy-arn", f"arn={AUDIT}"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    if expected is None:
        assert cli.returncode == 0, cli.stderr
    else:
        assert "(InvalidAction)" in cli.stderr


def test_an_endpoint_override_is_regional_unless_signed_for_aws_global(aws: Aws) -> None:
    """With one endpoint_url, legacy and Regional requests are identical on the wire: they
    count as Regional; only region_name="aws-global" shows (docs/sandbox.md)."""
    aws.enable("root_credentials_management")
    assert aws.client("sts", region="us-east-1").assume_root(
        TargetPrincipal=PROD_PAYMENTS, TaskPolicyArn={"arn": AUDIT}
    )
    with pytest.raises(aws.client("sts").exceptions.ClientError) as excinfo:
        aws.client("sts", region="aws-global").assume_root(
            TargetPrincipal=PROD_PAYMENTS, TaskPolicyArn={"arn": AUDIT}
        )
    assert error_of(excinfo)[0] == "InvalidAction"
