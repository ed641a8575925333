"""Issue item 6: buckets and queues whose policies lock everyone out except the root unlock
tasks."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from rootctl.sandbox import Sandbox
from rootctl.sandbox.server import SandboxServer

from .conftest import AUDIT, PROD_ORDERS, PROD_PAYMENTS, S3_UNLOCK, SQS_UNLOCK, Aws, error_of

BUCKET = "prod-payments-receipts"
QUEUE = "orders-events"


def _resource_denied(principal: str, action: str, resource: str) -> str:
    return (
        f"User: {principal} is not authorized to perform: {action} on resource: {resource} "
        "with an explicit deny in a resource-based policy"
    )


def test_locked_bucket_refuses_the_account_admin(aws: Aws) -> None:
    admin = aws.sandbox.principal_credentials(PROD_PAYMENTS)
    s3 = aws.client("s3", admin)
    calls: list[tuple[Callable[[], object], str]] = [
        (lambda: s3.get_bucket_policy(Bucket=BUCKET), "s3:GetBucketPolicy"),
        (lambda: s3.delete_bucket_policy(Bucket=BUCKET), "s3:DeleteBucketPolicy"),
        (lambda: s3.list_objects_v2(Bucket=BUCKET), "s3:ListBucket"),
        (lambda: s3.put_object(Bucket=BUCKET, Key="k", Body=b"x"), "s3:PutObject"),
    ]
    for call, action in calls:
        with pytest.raises(s3.exceptions.ClientError) as excinfo:
            call()
        code, message, status = error_of(excinfo)
        assert (code, status) == ("AccessDenied", 403)
        assert message.startswith(f"User: {admin.arn} is not authorized to perform: {action}")
        assert message.endswith("with an explicit deny in a resource-based policy")
    # The bucket next to it is not locked.
    assert s3.list_objects_v2(Bucket="prod-payments-exports")["KeyCount"] == 0


def test_s3_unlock_task_removes_the_policy(aws: Aws) -> None:
    aws.enable("root_sessions")
    session = aws.client("s3", aws.assume_root(PROD_PAYMENTS, S3_UNLOCK))
    listed = {b["Name"]: b["BucketRegion"] for b in session.list_buckets()["Buckets"]}
    assert listed == {"prod-payments-receipts": "eu-west-1", "prod-payments-exports": "eu-west-1"}
    policy = json.loads(session.get_bucket_policy(Bucket=BUCKET)["Policy"])
    assert policy["Statement"][0]["Effect"] == "Deny"
    with pytest.raises(session.exceptions.ClientError) as excinfo:
        session.list_objects_v2(Bucket=BUCKET)  # the task policy allows only policy actions
    assert error_of(excinfo)[0] == "AccessDenied"
    session.delete_bucket_policy(Bucket=BUCKET)
    admin = aws.client("s3", aws.sandbox.principal_credentials(PROD_PAYMENTS))
    assert admin.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0


def test_s3_unlock_may_put_a_sane_policy(aws: Aws) -> None:
    aws.enable("root_sessions")
    session = aws.client("s3", aws.assume_root(PROD_PAYMENTS, S3_UNLOCK))
    sane = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:DeleteObject",
                "Resource": f"arn:aws:s3:::{BUCKET}/*",
            }
        ],
    }
    session.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(sane))
    admin = aws.client("s3", aws.sandbox.principal_credentials(PROD_PAYMENTS))
    admin.put_object(Bucket=BUCKET, Key="receipt.json", Body=b"{}")
    with pytest.raises(admin.exceptions.ClientError):
        admin.delete_object(Bucket=BUCKET, Key="receipt.json")


def test_locked_queue_refuses_the_account_admin(aws: Aws) -> None:
    admin = aws.sandbox.principal_credentials(PROD_ORDERS)
    sqs = aws.client("sqs", admin)
    url = sqs.get_queue_url(QueueName="orders-dead-letter")["QueueUrl"].replace(
        "orders-dead-letter", QUEUE
    )
    resource = f"arn:aws:sqs:us-east-1:{PROD_ORDERS}:{QUEUE}"
    with pytest.raises(sqs.exceptions.ClientError) as excinfo:
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    assert error_of(excinfo) == (
        "AccessDenied",
        _resource_denied(admin.arn, "sqs:GetQueueAttributes", resource),
        403,
    )
    assert excinfo.value.response["Error"]["QueryErrorCode"] == "AccessDenied"
    with pytest.raises(sqs.exceptions.ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="order")
    assert error_of(excinfo)[0] == "AccessDenied"


def test_sqs_unlock_task_removes_the_policy(aws: Aws) -> None:
    aws.enable("root_sessions")
    session = aws.client("sqs", aws.assume_root(PROD_ORDERS, SQS_UNLOCK))
    url = session.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    assert url.endswith(f"/{PROD_ORDERS}/{QUEUE}")
    attributes = session.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
    assert json.loads(attributes["Attributes"]["Policy"])["Statement"][0]["Effect"] == "Deny"
    assert sorted(u.rsplit("/", 1)[1] for u in session.list_queues()["QueueUrls"]) == [
        "orders-dead-letter",
        QUEUE,
    ]
    with pytest.raises(session.exceptions.ClientError):
        session.send_message(QueueUrl=url, MessageBody="x")  # not in the task policy
    session.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    admin = aws.client("sqs", aws.sandbox.principal_credentials(PROD_ORDERS))
    admin.send_message(QueueUrl=url, MessageBody="order")
    assert (
        "Policy"
        not in admin.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    )


def test_unlock_tasks_are_scoped_to_their_service(aws: Aws) -> None:
    aws.enable("root_credentials_management", "root_sessions")
    audit = aws.client("s3", aws.assume_root(PROD_PAYMENTS, AUDIT))
    with pytest.raises(audit.exceptions.ClientError):
        audit.delete_bucket_policy(Bucket=BUCKET)
    sqs_task = aws.client("s3", aws.assume_root(PROD_PAYMENTS, SQS_UNLOCK))
    with pytest.raises(sqs_task.exceptions.ClientError):
        sqs_task.delete_bucket_policy(Bucket=BUCKET)


def test_sqs_query_protocol_errors_are_xml(sandbox: Sandbox, sandbox_server: SandboxServer) -> None:
    """Older SDKs speak SQS's query protocol: the same denial comes back as query XML."""
    admin = sandbox.principal_credentials(PROD_ORDERS)
    body = urlencode(
        {
            "Action": "GetQueueAttributes",
            "Version": "2012-11-05",
            "QueueUrl": f"{sandbox_server.endpoint_url}/{PROD_ORDERS}/{QUEUE}",
            "AttributeName.1": "All",
        }
    )
    request = AWSRequest(
        method="POST",
        url=sandbox_server.endpoint_url + "/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    credentials = BotoCredentials(admin.access_key_id, admin.secret_access_key)
    SigV4Auth(credentials, "sqs", "us-east-1").add_auth(request)
    prepared = urllib.request.Request(  # noqa: S310 - a loopback URL
        str(request.url), data=body.encode(), headers=dict(request.headers), method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(prepared)  # noqa: S310
    assert excinfo.value.code == 403
    text = excinfo.value.read().decode()
    assert "<Code>AccessDenied</Code>" in text
    assert "<Type>Sender</Type>" in text
    assert text.startswith("<ErrorResponse")
