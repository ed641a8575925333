"""Alerts through Amazon SNS (``watch --notify sns:TOPIC_ARN``), with the caller's credentials."""

from __future__ import annotations

from rootctl.aws.errors import translated
from rootctl.aws.session import AwsSession

SUBJECT_LIMIT = 100  # SNS refuses longer subjects


def publish(aws: AwsSession, topic_arn: str, subject: str, message: str) -> str | None:
    """Publish one message; returns its MessageId. The region is the topic's own."""
    region = topic_arn.split(":")[3]
    with translated(f"Publish({topic_arn})"):
        response = aws.client("sns", region_name=region).publish(
            TopicArn=topic_arn, Subject=subject[:SUBJECT_LIMIT], Message=message
        )
    message_id = response.get("MessageId")
    return str(message_id) if message_id else None
