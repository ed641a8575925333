"""What a request acts on, as AWS authorization sees it: the resource ARN of an IAM, S3 or SQS
call, the account that owns it, and the resource policy (bucket or queue policy) that guards it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from .callers import iam_key

# IAM operations that act on the caller itself when no UserName is given: for a root caller,
# the root user (``arn:aws:iam::<acct>:root``), which is what the task policies' statement 2
# lets through.
_ROOT_SCOPED_IAM = frozenset(
    {
        "GetUser",
        "GetLoginProfile",
        "CreateLoginProfile",
        "DeleteLoginProfile",
        "UpdateLoginProfile",
        "ListAccessKeys",
        "CreateAccessKey",
        "ListSigningCertificates",
        "UploadSigningCertificate",
        "DeleteSigningCertificate",
        "ListMFADevices",
        "DeactivateMFADevice",
        "EnableMFADevice",
        "ResyncMFADevice",
    }
)
_KEY_SCOPED_IAM = frozenset({"GetAccessKeyLastUsed", "DeleteAccessKey", "UpdateAccessKey"})

# Root can always manage the policy of its own bucket / queue, whatever that policy says
# (S3 API reference; the SQS equivalent is assumed — see docs/sandbox.md).
ROOT_POLICY_EXEMPT = frozenset(
    {
        "s3:GetBucketPolicy",
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
        "sqs:GetQueueAttributes",
        "sqs:SetQueueAttributes",
        "sqs:GetQueueUrl",
    }
)


@dataclass(frozen=True)
class Target:
    """The resource of one request: its ARN (or ``*``), owner, and resource policy if any."""

    arn: str
    account_id: str | None
    policy: str | None = None  # the bucket or queue policy (JSON text), when it has one


def iam_resource(resp: Any, action: str, account_id: str) -> str:
    """The resource an IAM call acts on, as IAM's authorization sees it."""
    user_name = resp._get_param("UserName")
    if user_name:
        return f"arn:aws:iam::{account_id}:user/{user_name}"
    if action in _KEY_SCOPED_IAM:
        found = iam_key(account_id, resp._get_param("AccessKeyId") or "")
        if found is not None and found[1].user_name:
            return f"arn:aws:iam::{account_id}:user/{found[1].user_name}"
        return f"arn:aws:iam::{account_id}:root"
    if action == "DeleteVirtualMFADevice":
        return str(resp._get_param("SerialNumber") or "*")
    if action in _ROOT_SCOPED_IAM:
        return f"arn:aws:iam::{account_id}:root"
    return "*"


def queue_coordinates(resp: Any) -> tuple[str, str] | None:
    """(owner account, queue name) of the queue an SQS call names, if it names one."""
    url = resp._get_param("QueueUrl")
    if url:
        parts = [p for p in urlparse(url).path.split("/") if p]
        if len(parts) >= 2 and parts[-2].isdigit():
            return parts[-2], parts[-1]
        return None
    name = resp._get_param("QueueName")
    if name and resp._get_action() == "GetQueueUrl":
        owner = resp._get_param("QueueOwnerAWSAccountId") or resp.current_account
        return str(owner), str(name)
    return None


def bucket_target(arn: str, caller_account: str) -> Target:
    """An S3 resource (``arn:aws:s3:::bucket[/key]``): the bucket's owner and policy."""
    from moto.s3.models import s3_backends

    bucket_name = arn.removeprefix("arn:aws:s3:::").split("/", 1)[0]
    located = s3_backends.bucket_accounts.get(bucket_name)
    bucket = None
    if located is not None:
        partition, owner = located
        bucket = s3_backends[owner][partition].buckets.get(bucket_name)
    if bucket is None:
        return Target(arn, caller_account)
    policy = bucket.policy.decode() if isinstance(bucket.policy, bytes) else bucket.policy
    return Target(arn, owner, str(policy) if policy else None)


def queue_target(resp: Any, caller_account: str) -> Target:
    """The queue an SQS call names (owner and policy), or ``*`` when it names none."""
    coordinates = queue_coordinates(resp)
    if coordinates is None:
        return Target("*", caller_account)
    owner, name = coordinates
    return Target(
        f"arn:aws:sqs:{resp.region}:{owner}:{name}", owner, _queue_policy(owner, name, resp.region)
    )


def _queue_policy(owner: str, name: str, region: str) -> str | None:
    from moto.sqs.models import sqs_backends

    per_account = dict.get(sqs_backends, owner)
    if per_account is None or not dict.__contains__(per_account, region):
        return None
    queue = per_account[region].queues.get(name)
    policy = queue.policy if queue is not None else None
    return str(policy) if policy else None


def target_of(
    resp: Any, service: str, action_name: str, caller_account: str, arn: str | None
) -> Target:
    """The resource of a request to ``service`` (``arn``: already known, as S3 knows it)."""
    if arn is None:
        if service == "iam":
            return Target(iam_resource(resp, action_name, caller_account), caller_account)
        if service == "sqs":
            return queue_target(resp, caller_account)
        return Target("*", caller_account)
    if service == "s3" and arn.startswith("arn:aws:s3:::"):
        return bucket_target(arn, caller_account)
    return Target(arn, caller_account)
