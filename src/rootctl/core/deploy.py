"""``rootctl deploy``: the CloudFormation stack that runs rootctl in the security (delegated
administrator) account, and the Lambda package it runs.

The stack: a DynamoDB journal table, an SNS alert topic, an IAM role for the function with the
least privilege of the chosen mode (audit, or audit + delete with ``--enforce``: the policy
`rootctl policy` prints for it, plus the function's own table, topic and logs), the function
(handler ``rootctl.integrations.aws_lambda.handler``), an EventBridge schedule, and a rule that
runs it on new accounts (Organizations ``CreateAccountResult``, ``AcceptHandshake``) and on root
``ConsoleLogin`` / password recovery. Parameters and outputs are documented in docs/deploy.md.
"""

from __future__ import annotations

import re
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any, cast

import yaml

from rootctl.aws.journal_dynamodb import ATTRIBUTES, KEYS
from rootctl.core.policy import identity_policy
from rootctl.errors import InputError
from rootctl.models import Operation, Principal

HANDLER = "rootctl.integrations.aws_lambda.handler"
RUNTIME = "python3.11"
PACKAGE_NAME = "rootctl-lambda.zip"
_SCHEDULE = re.compile(
    r"^(rate\(\d{1,5} (minute|minutes|hour|hours|day|days)\)|cron\([^)]{1,200}\))$"
)
# Distributions the handler imports at run time (boto3/botocore come with the Lambda runtime).
_RUNTIME_DISTRIBUTIONS = ("PyYAML", "click", "rich", "markdown-it-py", "mdurl", "Pygments")
# Parts of rootctl the function never imports (and whose dependencies it does not carry).
_LEFT_OUT = ("sandbox", "web", "demo")


def check_schedule(value: str) -> str:
    if not _SCHEDULE.fullmatch(value.strip()):
        raise InputError(
            f"invalid --schedule {value!r}: an EventBridge expression, rate(1 hour) or "
            "cron(0 6 * * ? *)."
        )
    return value.strip()


def operations(enforce: bool) -> tuple[Operation, ...]:
    """What the function runs: a check (an audit), and with ``--enforce`` deletions."""
    return (Operation.AUDIT, Operation.DELETE) if enforce else (Operation.AUDIT,)


# What the function needs that `rootctl policy` does not cover (a person or a pipeline brings
# its own journal and output): its table, its alert topic, its log group — each on the stack's
# own resource only. DynamoDB transactions (recovery windows) need no action of their own.
FUNCTION_STATEMENTS: tuple[dict[str, Any], ...] = (
    {
        "Sid": "FunctionJournalTable",
        "Effect": "Allow",
        "Action": [
            "dynamodb:DescribeTable",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query",
            "dynamodb:Scan",
        ],
        "Resource": {"Fn::GetAtt": ["JournalTable", "Arn"]},
    },
    {
        "Sid": "FunctionAlertTopic",
        "Effect": "Allow",
        "Action": "sns:Publish",
        "Resource": {"Ref": "AlertTopic"},
    },
    {
        # What a watch round reads beyond `rootctl policy --for audit`: AssumeRoot calls in
        # CloudTrail (alerts on a first caller/account pair; without it, one warning a round)
        # and Organizations tags (a desired state scoped by tags).
        "Sid": "FunctionWatchReads",
        "Effect": "Allow",
        "Action": ["cloudtrail:LookupEvents", "organizations:ListTagsForResource"],
        "Resource": "*",
    },
    {
        "Sid": "FunctionLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": {"Fn::GetAtt": ["LogGroup", "Arn"]},
    },
)


def role_policy(enforce: bool) -> dict[str, Any]:
    """The function's role: exactly `rootctl policy --for audit[,delete] --principal automation`
    (sts:AssumeRoot only with the mode's task policies, the Organizations and IAM reads), then
    :data:`FUNCTION_STATEMENTS`."""
    rootctl = identity_policy(operations(enforce), Principal.AUTOMATION).document
    statements = cast("list[dict[str, Any]]", rootctl["Statement"])
    return {"Version": rootctl["Version"], "Statement": [*statements, *FUNCTION_STATEMENTS]}


def template(*, schedule: str = "rate(1 hour)", enforce: bool = False) -> dict[str, Any]:
    schedule = check_schedule(schedule)
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": (
            f"rootctl continuous control ({'audit and enforce' if enforce else 'audit only'}): "
            "checks root credentials against the desired state on a schedule and on account events."
        ),
        "Parameters": {
            "CodeBucket": {
                "Type": "String",
                "Description": "S3 bucket holding the package built by `rootctl deploy --package`.",
            },
            "CodeKey": {
                "Type": "String",
                "Default": PACKAGE_NAME,
                "Description": "S3 key of the package.",
            },
            "DesiredState": {
                "Type": "String",
                "Default": "version: 1\n",
                "Description": "The rootctl.yaml text (docs/config.md); at most 4 KB.",
                "MaxLength": 4000,
            },
            "Schedule": {
                "Type": "String",
                "Default": schedule,
                "Description": "EventBridge schedule expression of the regular run.",
            },
            "JournalTableName": {
                "Type": "String",
                "Default": "rootctl-journal",
                "Description": "DynamoDB table of the journal and the watch state.",
            },
        },
        "Resources": {
            "JournalTable": {
                "Type": "AWS::DynamoDB::Table",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": {
                    "TableName": {"Ref": "JournalTableName"},
                    "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": ATTRIBUTES,
                    "KeySchema": KEYS,
                    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                },
            },
            "AlertTopic": {
                "Type": "AWS::SNS::Topic",
                "Properties": {"DisplayName": "rootctl alerts"},
            },
            "FunctionRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "lambda.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    },
                    "Policies": [{"PolicyName": "rootctl", "PolicyDocument": role_policy(enforce)}],
                },
            },
            "LogGroup": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {
                    "LogGroupName": {"Fn::Sub": "/aws/lambda/${AWS::StackName}-rootctl"},
                    "RetentionInDays": 365,
                },
            },
            "Function": {
                "Type": "AWS::Lambda::Function",
                "DependsOn": "LogGroup",
                "Properties": {
                    "FunctionName": {"Fn::Sub": "${AWS::StackName}-rootctl"},
                    "Runtime": RUNTIME,
                    "Handler": HANDLER,
                    "Role": {"Fn::GetAtt": ["FunctionRole", "Arn"]},
                    "Code": {"S3Bucket": {"Ref": "CodeBucket"}, "S3Key": {"Ref": "CodeKey"}},
                    "Timeout": 900,
                    "MemorySize": 1024,
                    "ReservedConcurrentExecutions": 1,
                    "Environment": {
                        "Variables": {
                            "ROOTCTL_JOURNAL": {"Fn::Sub": "dynamodb://${JournalTable}"},
                            "ROOTCTL_CONFIG": {"Ref": "DesiredState"},
                            "ROOTCTL_TOPIC_ARN": {"Ref": "AlertTopic"},
                            "ROOTCTL_ENFORCE": "true" if enforce else "false",
                        }
                    },
                },
            },
            "ScheduleRule": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "ScheduleExpression": {"Ref": "Schedule"},
                    "Targets": [{"Arn": {"Fn::GetAtt": ["Function", "Arn"]}, "Id": "rootctl"}],
                },
            },
            "AccountEventsRule": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "Description": "New accounts, root sign-in and root password recovery.",
                    "EventPattern": {
                        "source": ["aws.organizations", "aws.signin"],
                        "detail": {
                            "eventName": [
                                "CreateAccountResult",
                                "AcceptHandshake",
                                "ConsoleLogin",
                                "PasswordRecoveryRequested",
                                "PasswordRecoveryCompleted",
                            ]
                        },
                    },
                    "Targets": [{"Arn": {"Fn::GetAtt": ["Function", "Arn"]}, "Id": "rootctl"}],
                },
            },
            "SchedulePermission": _permission("ScheduleRule"),
            "AccountEventsPermission": _permission("AccountEventsRule"),
        },
        "Outputs": {
            "RoleArn": {"Value": {"Fn::GetAtt": ["FunctionRole", "Arn"]}},
            "TopicArn": {"Value": {"Ref": "AlertTopic"}},
            "FunctionArn": {"Value": {"Fn::GetAtt": ["Function", "Arn"]}},
            "JournalTable": {"Value": {"Ref": "JournalTable"}},
        },
    }


def _permission(rule: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Ref": "Function"},
            "Principal": "events.amazonaws.com",
            "SourceArn": {"Fn::GetAtt": [rule, "Arn"]},
        },
    }


def template_text(*, schedule: str = "rate(1 hour)", enforce: bool = False) -> str:
    return yaml.safe_dump(template(schedule=schedule, enforce=enforce), sort_keys=False, width=100)


def package(directory: str | Path) -> Path:
    """A zip of the installed rootctl and what its handler imports, for the Lambda function.
    Build it on Linux x86_64 with the runtime's Python (PyYAML carries compiled code)."""
    out = Path(directory)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {out}: {exc.strerror}.") from None
    target = out / PACKAGE_NAME
    written: set[str] = set()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        # rootctl from its package directory (an editable install has no file list).
        root = Path(__file__).resolve().parents[1]
        for source in sorted(root.rglob("*")):
            relative = source.relative_to(root)
            if source.is_dir() or "__pycache__" in relative.parts:
                continue
            if relative.parts[0] in _LEFT_OUT:
                continue
            archive.write(source, str(Path("rootctl") / relative))
        for name in _RUNTIME_DISTRIBUTIONS:
            try:
                distribution = metadata.distribution(name)
            except metadata.PackageNotFoundError:
                raise InputError(f"cannot package: {name} is not installed.") from None
            for file in distribution.files or ():
                name_in_zip = str(file)
                if name_in_zip.startswith("..") or "__pycache__" in name_in_zip:
                    continue
                located = Path(str(distribution.locate_file(file)))
                if located.is_file() and name_in_zip not in written:
                    archive.write(located, name_in_zip)
                    written.add(name_in_zip)
    return target
