"""S3 bucket and SQS queue policies, read and changed inside an unlock root session.

One surface for both kinds (:class:`PolicyStore`): core asks a root session for the store of a
kind and never branches on S3 versus SQS itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlparse

from rootctl.aws.errors import request_id_of, translated
from rootctl.errors import NotFound
from rootctl.models import ResourceKind, ResourcePolicy

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient


class PolicyStore(Protocol):
    """The resource policies of one kind in one member account."""

    kind: ResourceKind

    def names(self) -> list[str]:
        """Every resource of the kind without reading policies: bucket names, queue URLs."""
        ...

    def list(self) -> list[ResourcePolicy]:
        """Every resource of the kind (queues: in the session's region), with its policy."""
        ...

    def get(self, resource: str) -> ResourcePolicy:
        """One resource by name (bucket name; queue name or URL)."""
        ...

    def read(self, resource: str, region: str | None) -> ResourcePolicy:
        """One resource as listed (bucket name or queue URL) and the Region it is in."""
        ...

    def delete(self, policy: ResourcePolicy) -> str | None:
        """Remove the resource's policy; returns the AWS request id."""
        ...

    def put(self, policy: ResourcePolicy, document: str) -> str | None:
        """Replace the resource's policy with ``document``; returns the AWS request id."""
        ...


class BucketPolicies:
    kind = ResourceKind.S3_BUCKET

    def __init__(self, account_id: str, s3: Callable[[str | None], S3Client]) -> None:
        self.account_id = account_id
        self._s3 = s3  # a client for a region (None: the session's)

    def buckets(self) -> list[tuple[str, str | None]]:
        """(name, region) of every bucket. ListBuckets reports each bucket's region (the
        unlock task policy does not allow GetBucketLocation)."""
        with translated("ListBuckets"):
            buckets = self._s3(None).list_buckets().get("Buckets", [])
        return [(str(b["Name"]), b.get("BucketRegion")) for b in buckets]

    def names(self) -> list[str]:
        return [name for name, _region in self.buckets()]

    def list(self) -> list[ResourcePolicy]:
        return [self.read(name, region) for name, region in self.buckets()]

    def get(self, resource: str) -> ResourcePolicy:
        return self.read(resource, None)

    def read(self, bucket: str, region: str | None) -> ResourcePolicy:
        """The bucket's policy, asked of its own region (no redirect round trip)."""
        try:
            with translated(f"GetBucketPolicy({bucket})"):
                document: str | None = self._s3(region).get_bucket_policy(Bucket=bucket)["Policy"]
        except NotFound as exc:
            if exc.code != "NoSuchBucketPolicy":
                raise
            document = None
        return ResourcePolicy(self.account_id, self.kind, bucket, region, document)

    def put(self, policy: ResourcePolicy, document: str) -> str | None:
        """Replace the bucket's policy with ``document`` (the S3 unlock task allows it)."""
        with translated(f"PutBucketPolicy({policy.resource})"):
            return request_id_of(
                self._s3(policy.region).put_bucket_policy(Bucket=policy.resource, Policy=document)
            )

    def delete(self, policy: ResourcePolicy) -> str | None:
        with translated(f"DeleteBucketPolicy({policy.resource})"):
            return request_id_of(
                self._s3(policy.region).delete_bucket_policy(Bucket=policy.resource)
            )


class QueuePolicies:
    kind = ResourceKind.SQS_QUEUE

    def __init__(
        self, account_id: str, region: str, sqs: Callable[[str | None], SQSClient]
    ) -> None:
        self.account_id = account_id
        self.region = region
        self._sqs = sqs

    def names(self) -> list[str]:
        return self.queue_urls(None)

    def queue_urls(self, region: str | None) -> list[str]:
        """Every queue of the account in ``region`` (None: the session's), all pages."""
        urls: list[str] = []
        with translated(f"ListQueues({region or self.region})"):
            for page in self._sqs(region).get_paginator("list_queues").paginate():
                urls.extend(page.get("QueueUrls", []))
        return urls

    def list(self) -> list[ResourcePolicy]:
        return [self.read(url) for url in self.queue_urls(None)]

    def get(self, resource: str) -> ResourcePolicy:
        if "://" in resource:
            return self.read(resource)
        with translated(f"GetQueueUrl({resource})"):
            url = self._sqs(None).get_queue_url(
                QueueName=resource, QueueOwnerAWSAccountId=self.account_id
            )["QueueUrl"]
        return self.read(url)

    def read(self, url: str, region: str | None = None) -> ResourcePolicy:
        """The queue's policy; ``region``: where it was listed, when its URL does not say."""
        region = queue_region(url) or region or self.region
        with translated(f"GetQueueAttributes({url})"):
            attrs = self._sqs(region).get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
        document = attrs.get("Attributes", {}).get("Policy") or None
        return ResourcePolicy(self.account_id, self.kind, url, region, document)

    def put(self, policy: ResourcePolicy, document: str) -> str | None:
        """Replace the queue's policy with ``document`` (SetQueueAttributes)."""
        sqs = self._sqs(policy.region)
        with translated(f"SetQueueAttributes({policy.resource})"):
            return request_id_of(
                sqs.set_queue_attributes(QueueUrl=policy.resource, Attributes={"Policy": document})
            )

    def delete(self, policy: ResourcePolicy) -> str | None:
        # The unlock task policy allows SetQueueAttributes, not RemovePermission: clear "Policy".
        sqs = self._sqs(policy.region)
        with translated(f"SetQueueAttributes({policy.resource})"):
            return request_id_of(
                sqs.set_queue_attributes(QueueUrl=policy.resource, Attributes={"Policy": ""})
            )


def queue_region(url: str) -> str | None:
    """The region in an SQS queue URL (``https://sqs.<region>.amazonaws.com/…``), if any."""
    host = urlparse(url).hostname or ""
    parts = host.split(".")
    if len(parts) >= 3 and parts[0] == "sqs" and parts[-2:] == ["amazonaws", "com"]:
        return parts[1]
    return None
