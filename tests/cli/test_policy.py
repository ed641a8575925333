"""`rootctl policy`: the policy it prints is put on a new IAM user (PutUserPolicy); with that
user's keys the covered commands work and the others are refused — and every call the sandbox
sees from the user is covered by the policy, and every action the policy grants is called
(rootctl/core/requirements.py must follow the code)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from rootctl.core.requirements import DOCTOR, NEEDS_NO_PERMISSION, REQUIREMENTS
from rootctl.models import Operation
from rootctl.sandbox import gate
from tests.cli.conftest import (
    ALICE,
    CHECKOUT,
    DELEGATE,
    MANAGEMENT,
    ORDERS,
    PAYMENTS,
    Cli,
)

# Per operation: the commands it covers (and the exit each must give), then a command of
# another operation that its policy must not let through (exit 3: AWS refused).
COVERED: dict[Operation, list[tuple[list[str], int]]] = {
    Operation.AUDIT: [
        (["audit", "--account", PAYMENTS, "--account", CHECKOUT], 1),  # findings
        (["compliance", "--account", PAYMENTS], 1),
    ],
    Operation.DELETE: [(["delete-credentials", "--account", CHECKOUT, "--yes"], 0)],
    Operation.RECOVERY: [(["allow-password-recovery", "--account", ALICE, "--yes"], 0)],
    Operation.UNLOCK: [
        (["unlock-s3", PAYMENTS, "prod-payments-receipts", "--yes"], 0),
        (["unlock-sqs", ORDERS, "orders-events", "--yes"], 0),
    ],
    Operation.ENABLE: [(["enable", "--delegate", DELEGATE], 0), (["status"], 0)],
}
REFUSED: dict[Operation, list[list[str]]] = {
    Operation.AUDIT: [
        ["delete-credentials", "--account", CHECKOUT, "--yes"],
        ["disable", "--yes"],
    ],
    Operation.DELETE: [["allow-password-recovery", "--account", ALICE, "--yes"]],
    Operation.RECOVERY: [["unlock-s3", PAYMENTS, "prod-payments-receipts", "--yes"]],
    Operation.UNLOCK: [["audit", "--account", PAYMENTS]],
    Operation.ENABLE: [["audit", "--account", PAYMENTS]],
}


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every (caller ARN, action) the sandbox's gate sees, refused ones included."""
    seen: list[tuple[str, str]] = []
    original = gate.run

    def recording(resp: Any, service: str, action: str, resource: str | None = None) -> Any:
        try:
            return original(resp, service, action, resource)
        finally:
            caller = gate.caller_of(resp)
            if caller is not None:
                seen.append((caller.arn, f"{service}:{action}"))

    monkeypatch.setattr(gate, "run", recording)
    return seen


def granted(policy: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The actions a policy allows, and the task policies its AssumeRoot is limited to."""
    actions: set[str] = set()
    tasks: set[str] = set()
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        listed = statement["Action"]
        actions |= {listed} if isinstance(listed, str) else set(listed)
        condition = statement.get("Condition", {}).get("StringEquals", {})
        arns = condition.get("sts:TaskPolicyArn", [])
        tasks |= {arns} if isinstance(arns, str) else set(arns)
    return actions, tasks


def new_user(cli: Cli, name: str, policy: str) -> tuple[str, dict[str, str]]:
    """A new IAM user of the management account with ``policy`` put inline; its ARN and
    the environment of a CLI run with its keys."""
    iam = boto3.client(
        "iam", endpoint_url=cli.aws.endpoint_url, **cli.sandbox.admin_credentials().boto3_kwargs()
    )
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    iam.put_user_policy(UserName=name, PolicyName="rootctl", PolicyDocument=policy)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    env = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    return arn, env


@pytest.mark.parametrize("operation", list(Operation), ids=lambda op: op.value)
def test_the_policy_covers_exactly_what_the_commands_call(
    cli: Cli, calls: list[tuple[str, str]], operation: Operation
) -> None:
    if operation is not Operation.ENABLE:
        assert cli("enable").exit_code == 0  # the organization is ready; the user only works
    printed = cli("policy", "--for", operation.value, "--principal", "automation")
    assert printed.exit_code == 0, printed.output
    policy = json.loads(printed.stdout)
    actions, tasks = granted(policy)
    arn, env = new_user(cli, f"pipeline-{operation.value}", printed.stdout)

    for args, code in COVERED[operation]:
        result = cli(*args, env=env)
        assert result.exit_code == code, (args, result.output)
    used = {action for caller, action in calls if caller == arn} - NEEDS_NO_PERMISSION
    declared = {need.action for need in REQUIREMENTS[operation].actions}
    issued = {s.task_policy_arn for s in cli.sandbox.issued_root_sessions() if s.caller_arn == arn}
    assert used - {"sts:AssumeRoot"} == declared  # every call covered, every grant used
    assert actions == declared | ({"sts:AssumeRoot"} if tasks else set())
    assert issued == tasks == {t.arn for t in REQUIREMENTS[operation].tasks}

    for args in REFUSED[operation]:
        result = cli(*args, env=env)
        assert result.exit_code == 3, (args, result.output)
        assert "AccessDenied" in result.output or "not authorized" in result.output, args


def test_a_persons_policy_also_runs_doctor_as_a_role(
    cli: Cli, calls: list[tuple[str, str]]
) -> None:
    assert cli("enable").exit_code == 0
    printed = cli("policy", "--for", "all")  # a person: doctor's reads too
    assert printed.exit_code == 0, printed.output
    actions, _tasks = granted(json.loads(printed.stdout))
    admin = cli.sandbox.admin_credentials().boto3_kwargs()
    iam = boto3.client("iam", endpoint_url=cli.aws.endpoint_url, **admin)
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
    iam.create_role(
        RoleName="security-operator", Path="/people/", AssumeRolePolicyDocument=json.dumps(trust)
    )
    iam.put_role_policy(
        RoleName="security-operator", PolicyName="rootctl", PolicyDocument=printed.stdout
    )
    sts = boto3.client("sts", endpoint_url=cli.aws.endpoint_url, **admin)
    credentials = sts.assume_role(
        RoleArn=f"arn:aws:iam::{MANAGEMENT}:role/people/security-operator", RoleSessionName="me"
    )["Credentials"]
    env = {
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials["SessionToken"],
    }
    document = cli.json("doctor", "--account", PAYMENTS, exit_code=0, env=env)
    permissions = next(f for f in document["findings"] if f["check"] == "caller-permissions")
    assert "role/people/security-operator" in permissions["message"]
    session = f"arn:aws:sts::{MANAGEMENT}:assumed-role/security-operator/me"
    used = {action for caller, action in calls if caller == session} - NEEDS_NO_PERMISSION
    assert used <= actions
    assert {need.action for need in DOCTOR} <= used
