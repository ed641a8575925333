"""The policies the sandbox enforces, as data: the five AWS managed task policies (live v1,
``data/task-policies.json``), which feature gates each task, the administrator's policy and
the classic lock-out resource policy. They are evaluated by ``policyeval``.

Why not moto's evaluator: it is off by default, needs moto users for every caller and treats a
``Deny`` with ``NotResource`` as permitting — which would let an audit session read an ordinary
user's login profile.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from .policyeval import Policy, PolicyType

TASK_POLICY_PREFIX = "arn:aws:iam::aws:policy/root-task/"
ROOT_CREDENTIALS_MANAGEMENT = "RootCredentialsManagement"
ROOT_SESSIONS = "RootSessions"

# Which organization feature gates which task (spec §2.4; the live matrix, not the console doc).
TASK_FEATURE: dict[str, str] = {
    "IAMAuditRootUserCredentials": ROOT_CREDENTIALS_MANAGEMENT,
    "IAMDeleteRootUserCredentials": ROOT_CREDENTIALS_MANAGEMENT,
    "IAMCreateRootUserPassword": ROOT_CREDENTIALS_MANAGEMENT,
    "S3UnlockBucketPolicy": ROOT_SESSIONS,
    "SQSUnlockQueuePolicy": ROOT_SESSIONS,
}
TASK_POLICY_ARNS: tuple[str, ...] = tuple(TASK_POLICY_PREFIX + name for name in TASK_FEATURE)


def task_name(policy_arn_or_name: str) -> str | None:
    """``IAMAuditRootUserCredentials`` for its ARN or its name; None if it is no task policy."""
    name = policy_arn_or_name.removeprefix(TASK_POLICY_PREFIX)
    return name if name in TASK_FEATURE else None


@cache
def task_policies() -> dict[str, Any]:
    """The five AWS managed task policies, live version v1 (spec §3), by name."""
    text = resources.files(__package__).joinpath("data/task-policies.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


def task_policy(name: str) -> Policy:
    """A task policy as AssumeRoot applies it: a session policy that only denies (spec §3)."""
    return _task_policies_parsed()[name]


@cache
def _task_policies_parsed() -> dict[str, Policy]:
    return {
        name: Policy.of(
            PolicyType.SESSION,
            data["Document"],
            TASK_POLICY_PREFIX + name,
            source="aws-managed",
            ceiling=True,
        )
        for name, data in task_policies().items()
    }


ADMIN_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}

DENY_EVERYONE_BUCKET_POLICY = "deny-all"


def deny_everyone_policy(service: str, resource_arn: str) -> dict[str, Any]:
    """The classic lock-out: a resource policy that denies every principal every action."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyEveryone",
                "Effect": "Deny",
                "Principal": "*",
                "Action": f"{service}:*",
                "Resource": [resource_arn, f"{resource_arn}/*"]
                if service == "s3"
                else resource_arn,
            }
        ],
    }
