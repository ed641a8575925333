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
from tests.cli.principals import new_user, role_session

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
    orgs = boto3.client(
        "organizations",
        endpoint_url=cli.aws.endpoint_url,
        **cli.sandbox.admin_credentials().boto3_kwargs(),
    )  # SCPs on: doctor reads them (scps)
    orgs.enable_policy_type(
        RootId=orgs.list_roots()["Roots"][0]["Id"], PolicyType="SERVICE_CONTROL_POLICY"
    )
    printed = cli("policy", "--for", "all")  # a person: doctor's reads too
    assert printed.exit_code == 0, printed.output
    actions, _tasks = granted(json.loads(printed.stdout))
    env = role_session(cli, "security-operator", "/people/", printed.stdout, "me")
    document = cli.json("doctor", "--account", PAYMENTS, exit_code=0, env=env)
    findings = {f["check"]: f for f in document["findings"] if f["account_id"] is None}
    assert findings["caller-identity"]["message"] == "the caller is an IAM role session"
    # simulated as its role, with the path only iam:GetRole knows
    role = f"IAM's policy simulator, for arn:aws:iam::{MANAGEMENT}:role/people/security-operator"
    assert role in findings["caller-permissions"]["message"]
    session = f"arn:aws:sts::{MANAGEMENT}:assumed-role/security-operator/me"
    used = {action for caller, action in calls if caller == session} - NEEDS_NO_PERMISSION
    assert used <= actions
    assert {need.action for need in DOCTOR} <= used
