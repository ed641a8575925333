"""`rootctl deploy`: the template passes cfn-lint in both modes and creates its stack in the
sandbox's CloudFormation (moto); the Lambda handler, invoked in-process with the function's
environment from that stack, audits the sandbox organization, enforces and writes its journal
to the stack's DynamoDB table."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from click.testing import CliRunner

import rootctl
from rootctl.cli import cli as rootctl_cli
from rootctl.integrations import aws_lambda
from rootctl.models import JournalEntry, JournalStatus
from rootctl.sandbox import Sandbox
from tests.cli.conftest import CHECKOUT, SHARED_DEV

CONFIG = f"""\
version: 1
scope: {{accounts: ["{CHECKOUT}", "{SHARED_DEV}"]}}
enforce:
  auto_apply:
    - {{rule: root_credentials, kinds: [password]}}
"""


def test_templates_pass_cfn_lint() -> None:
    from cfnlint.api import lint  # type: ignore[import-untyped]
    from cfnlint.config import ManualArgs  # type: ignore[import-untyped]

    for args in ([], ["--enforce", "--schedule", "cron(0 6 * * ? *)"]):
        result = CliRunner().invoke(rootctl_cli, ["deploy", "--print", "cloudformation", *args])
        assert result.exit_code == 0, result.output
        document = yaml.safe_load(result.stdout)
        statement = role_statements(document)[0]
        audit = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
        delete = "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"
        tasks = statement["Condition"]["StringEquals"]["sts:TaskPolicyArn"]
        assert tasks == ([audit, delete] if args else audit)
        assert lint(result.stdout, config=ManualArgs(regions=["us-east-1"])) == []
    bad = CliRunner().invoke(
        rootctl_cli, ["deploy", "--print", "cloudformation", "--schedule", "hourly"]
    )
    assert bad.exit_code == 2


def role_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    role = template["Resources"]["FunctionRole"]["Properties"]
    statements: list[dict[str, Any]] = role["Policies"][0]["PolicyDocument"]["Statement"]
    return statements


@pytest.mark.parametrize(
    ("deploy_args", "policy_for"), [((), "audit"), (("--enforce",), "audit,delete")]
)
def test_the_role_holds_what_rootctl_policy_prints_for_the_mode(
    deploy_args: tuple[str, ...], policy_for: str
) -> None:
    """Statements for rootctl's own AWS calls are `rootctl policy`'s, byte for byte; the rest
    are the function's table, topic and logs, on the stack's resources only."""
    runner = CliRunner()
    printed = runner.invoke(rootctl_cli, ["deploy", "--print", "cloudformation", *deploy_args])
    assert printed.exit_code == 0, printed.output
    statements = role_statements(yaml.safe_load(printed.stdout))
    policy = runner.invoke(
        rootctl_cli, ["policy", "--for", policy_for, "--principal", "automation"]
    )
    assert policy.exit_code == 0, policy.output
    expected = json.loads(policy.stdout)["Statement"]
    assert statements[: len(expected)] == expected
    function = statements[len(expected) :]
    assert [s["Sid"] for s in function] == [
        "FunctionJournalTable",
        "FunctionAlertTopic",
        "FunctionWatchReads",
        "FunctionLogs",
    ]
    assert [s["Resource"] for s in function] == [
        {"Fn::GetAtt": ["JournalTable", "Arn"]},
        {"Ref": "AlertTopic"},
        "*",  # LookupEvents and ListTagsForResource take no narrower resource here
        {"Fn::GetAtt": ["LogGroup", "Arn"]},
    ]
    assert all(s["Action"] not in ("*", ["*"]) for s in function)


def test_stack_creates_and_handler_writes_the_dynamodb_journal(
    in_process_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with rootctl.RootAccess(journal=tmp_path / "local.sqlite3") as ra:
        ra.enable()
    built = CliRunner().invoke(rootctl_cli, ["deploy", "--package", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    package = tmp_path / "out" / "rootctl-lambda.zip"
    names = zipfile.ZipFile(package).namelist()
    assert "rootctl/integrations/aws_lambda.py" in names
    assert "yaml/__init__.py" in names

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="rootctl-code")
    s3.upload_fileobj(io.BytesIO(package.read_bytes()), "rootctl-code", "rootctl-lambda.zip")
    text = CliRunner().invoke(rootctl_cli, ["deploy", "--print", "cloudformation", "--enforce"])
    cloudformation = boto3.client("cloudformation")
    cloudformation.create_stack(
        StackName="rootctl",
        TemplateBody=text.stdout,
        Parameters=[
            {"ParameterKey": "CodeBucket", "ParameterValue": "rootctl-code"},
            {"ParameterKey": "DesiredState", "ParameterValue": CONFIG},
        ],
        Capabilities=["CAPABILITY_IAM"],
    )
    (stack,) = cloudformation.describe_stacks(StackName="rootctl")["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    assert outputs["RoleArn"].startswith("arn:aws:iam::")
    assert outputs["TopicArn"].startswith("arn:aws:sns:")

    function = boto3.client("lambda").get_function_configuration(FunctionName="rootctl-rootctl")
    assert function["Handler"] == "rootctl.integrations.aws_lambda.handler"
    environment = function["Environment"]["Variables"]
    assert environment["ROOTCTL_JOURNAL"] == f"dynamodb://{outputs['JournalTable']}"
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    result = aws_lambda.handler({"detail-type": "Scheduled Event"}, None)
    assert result["violations"] >= 2, result
    assert result["removed"] == 2, result  # both passwords (auto_apply); the access keys stay

    with rootctl.RootAccess(journal=environment["ROOTCTL_JOURNAL"]) as ra:
        entries = [e for e in ra.journal_entries() if isinstance(e, JournalEntry)]
    assert {(e.action, e.target, e.status) for e in entries} == {
        ("delete-login-profile", CHECKOUT, JournalStatus.SUCCEEDED),
        ("delete-login-profile", SHARED_DEV, JournalStatus.SUCCEEDED),
    }
    assert in_process_sandbox.root_user(CHECKOUT).login_profile is False
