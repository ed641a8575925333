"""Snapshots ("nothing changed"), the task policy documents and the policy evaluator."""

from __future__ import annotations

import json

from moto.iam.aws_managed_policies import aws_managed_policies_data

from rootctl.sandbox.policies import task_policies, task_policy
from rootctl.sandbox.policyeval import Decision, Policy, PolicyType, Request, evaluate

from .conftest import AUDIT, DELETE, PROD_PAYMENTS, Aws

ROOT = f"arn:aws:iam::{PROD_PAYMENTS}:root"


def test_audit_changes_nothing_delete_does(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    before = aws.sandbox.snapshot()
    iam = aws.client("iam", aws.assume_root(PROD_PAYMENTS, AUDIT))
    iam.get_login_profile()
    iam.list_access_keys()
    iam.get_account_summary()
    assert aws.sandbox.snapshot() == before
    aws.client("iam", aws.assume_root(PROD_PAYMENTS, DELETE)).delete_login_profile()
    assert aws.sandbox.snapshot() != before
    assert json.loads(aws.sandbox.snapshot())["root_users"][PROD_PAYMENTS]["LoginProfile"] is None


def test_shipped_task_policies_are_moto_and_aws_v1() -> None:
    bundled = json.loads(aws_managed_policies_data)
    for name, policy in task_policies().items():
        assert policy["VersionId"] == "v1"
        assert policy["Document"] == bundled[name]["Document"], name


def _ctx(action: str, resource: str = ROOT, **keys: str) -> Request:
    return Request(action, resource, ROOT, PROD_PAYMENTS, keys)


def _session(task: str, request: Request) -> Decision:
    """A root session's decision: root needs no Allow, the task policy only denies."""
    return evaluate(request, [task_policy(task)], identity_required=False).decision


def test_task_policy_is_a_deny_only_ceiling() -> None:
    audit = "IAMAuditRootUserCredentials"
    assert _session(audit, _ctx("iam:GetUser")) is Decision.ALLOW  # not denied
    assert _session(audit, _ctx("iam:DeleteLoginProfile")) is Decision.DENY
    user = f"arn:aws:iam::{PROD_PAYMENTS}:user/admin"
    assert _session(audit, _ctx("iam:GetLoginProfile", user)) is Decision.DENY
    assert _session(audit, _ctx("iam:GetAccountSummary", "*")) is Decision.ALLOW
    assert _session(audit, _ctx("s3:ListAllMyBuckets", "*")) is Decision.DENY
    denied = evaluate(_ctx("iam:DeleteLoginProfile"), [task_policy(audit)])
    assert denied.policy_type is PolicyType.SESSION
    assert denied.deciding is not None
    assert denied.deciding.sid == "DenyAllOtherActionsOnAnyResource"


def test_sqs_task_denies_reading_other_accounts_queues() -> None:
    sqs = "SQSUnlockQueuePolicy"
    own = "arn:aws:sqs:us-east-1:418273645501:q"
    other = "arn:aws:sqs:us-east-1:111111111111:q"
    ctx = _ctx("sqs:GetQueueAttributes", own, **{"aws:ResourceAccount": PROD_PAYMENTS})
    assert _session(sqs, ctx) is Decision.ALLOW
    ctx = _ctx("sqs:GetQueueAttributes", other, **{"aws:ResourceAccount": "111111111111"})
    assert _session(sqs, ctx) is Decision.DENY


def test_identity_policy_conditions() -> None:
    policy = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRoot",
                "Resource": "arn:aws:iam::*:root",
                "Condition": {
                    "ArnLike": {"sts:TaskPolicyArn": "arn:aws:iam::aws:policy/root-task/S3*"}
                },
            }
        ]
    }
    s3 = _ctx(
        "sts:AssumeRoot",
        **{"sts:TaskPolicyArn": "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"},
    )
    identity = [Policy.of(PolicyType.IDENTITY, policy, "p")]
    assert evaluate(s3, identity).decision is Decision.ALLOW
    other = _ctx("sts:AssumeRoot", **{"sts:TaskPolicyArn": AUDIT})
    assert evaluate(other, identity).decision is Decision.IMPLICIT_DENY
    unknown = {"Statement": [{**policy["Statement"][0], "Condition": {"Weird": {"a": "b"}}}]}
    assert evaluate(s3, [Policy.of(PolicyType.IDENTITY, unknown)]).decision is (
        Decision.IMPLICIT_DENY
    )
