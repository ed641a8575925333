"""S3 bucket and SQS queue policies, read and removed inside an unlock root session."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlparse

from rootctl.aws.errors import request_id_of, translated
from rootctl.errors import NotFound

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient


def list_buckets(s3: S3Client) -> list[tuple[str, str | None]]:
    """(name, region) of every bucket; ListBuckets reports each bucket's region (the unlock
    task policy does not allow GetBucketLocation)."""
    with translated("ListBuckets"):
        buckets = s3.list_buckets().get("Buckets", [])
    return [(b["Name"], b.get("BucketRegion")) for b in buckets]


def bucket_policy(s3: S3Client, bucket: str) -> str | None:
    """The bucket's policy document, or None when it has none."""
    try:
        with translated(f"GetBucketPolicy({bucket})"):
            return s3.get_bucket_policy(Bucket=bucket)["Policy"]
    except NotFound as exc:
        if exc.code == "NoSuchBucketPolicy":
            return None
        raise


def delete_bucket_policy(s3: S3Client, bucket: str) -> str | None:
    with translated(f"DeleteBucketPolicy({bucket})"):
        return request_id_of(s3.delete_bucket_policy(Bucket=bucket))


def list_queues(sqs: SQSClient) -> list[str]:
    urls: list[str] = []
    with translated("ListQueues"):
        for page in sqs.get_paginator("list_queues").paginate():
            urls.extend(page.get("QueueUrls", []))
    return urls


def queue_url(sqs: SQSClient, name: str, account_id: str) -> str:
    with translated(f"GetQueueUrl({name})"):
        return sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account_id)["QueueUrl"]


def queue_region(url: str) -> str | None:
    """The region in an SQS queue URL (``https://sqs.<region>.amazonaws.com/…``), if any."""
    host = urlparse(url).hostname or ""
    parts = host.split(".")
    if len(parts) >= 3 and parts[0] == "sqs" and parts[-2:] == ["amazonaws", "com"]:
        return parts[1]
    return None


def queue_policy(sqs: SQSClient, url: str) -> str | None:
    with translated(f"GetQueueAttributes({url})"):
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
    policy = attrs.get("Attributes", {}).get("Policy")
    return policy or None


def delete_queue_policy(sqs: SQSClient, url: str) -> str | None:
    # The unlock task policy allows SetQueueAttributes, not RemovePermission: clear "Policy".
    with translated(f"SetQueueAttributes({url})"):
        return request_id_of(sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""}))
