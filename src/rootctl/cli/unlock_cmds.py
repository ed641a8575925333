"""`rootctl unlock-s3` and `unlock-sqs`: remove a resource policy that locks everyone out."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from rootctl import validation
from rootctl.cli import inputs
from rootctl.cli.common import (
    EXIT_AWS,
    command,
    confirm,
    connection_options,
    emit_json,
    engine,
    output_option,
    say,
    show,
)
from rootctl.models import ResourcePolicy, UnlockResult, UnlockState
from rootctl.render import human, serialize


def pretty_policy(policy: str) -> str:
    try:
        return json.dumps(json.loads(policy), indent=2)
    except ValueError:
        return policy


def _unlock(
    output: str,
    show_only: bool,
    yes: bool,
    what: str,
    resource: str | None,
    list_all: Callable[[], list[ResourcePolicy]],
    read: Callable[[str], ResourcePolicy],
    remove: Callable[[str], UnlockResult],
) -> int:
    if resource is None:
        policies = list_all()
        if output == "json":
            emit_json(serialize.resource_policies(policies))
        else:
            show(human.resource_policies(policies))
        return 0
    before = read(resource)
    if show_only or before.policy is None:
        if output == "json":
            emit_json(serialize.resource_policies([before]))
        elif before.policy is None:
            say(f"{what} {before.resource} in {before.account_id} has no policy.")
        else:
            click.echo(pretty_policy(before.policy))
        return 0
    say(f"Policy of {what} {before.resource} in account {before.account_id}:")
    click.echo(pretty_policy(before.policy), err=True)
    confirm(
        "Delete this policy? (it is saved in the journal first)",
        yes=yes,
        what=f"delete the {what} policy",
    )
    result = remove(resource)
    if output == "json":
        emit_json(serialize.unlock_result(result))
    else:
        show(human.unlock_result(result))
    # One resource: if AWS refused the deletion, the run failed.
    return EXIT_AWS if result.state is UnlockState.FAILED else 0


@click.command("unlock-s3")
@click.argument("account")
@click.argument("bucket", required=False, callback=inputs.argument(validation.bucket_name))
@click.option("--show", "show_only", is_flag=True, help="Only print the bucket policy.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@connection_options
@output_option("table", "json")
@command
def unlock_s3(
    account: str, bucket: str | None, show_only: bool, yes: bool, output: str, **kwargs: Any
) -> int:
    """Delete BUCKET's policy in member ACCOUNT (S3UnlockBucketPolicy session), after saving
    it in the journal. Without BUCKET: list the account's buckets and whether they have one."""
    with engine(kwargs) as ra:
        return _unlock(
            output,
            show_only,
            yes,
            "bucket",
            bucket,
            lambda: ra.list_bucket_policies(account),
            lambda b: ra.bucket_policy(account, b),
            lambda b: ra.unlock_s3(account, b),
        )


@click.command("unlock-sqs")
@click.argument("account")
@click.argument("queue", required=False, callback=inputs.argument(validation.queue_name))
@click.option("--show", "show_only", is_flag=True, help="Only print the queue policy.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@connection_options
@output_option("table", "json")
@command
def unlock_sqs(
    account: str, queue: str | None, show_only: bool, yes: bool, output: str, **kwargs: Any
) -> int:
    """Remove QUEUE's policy (name or URL) in member ACCOUNT (SQSUnlockQueuePolicy session),
    after saving it in the journal. Without QUEUE: list the account's queues in --region."""
    with engine(kwargs) as ra:
        return _unlock(
            output,
            show_only,
            yes,
            "queue",
            queue,
            lambda: ra.list_queue_policies(account),
            lambda q: ra.queue_policy(account, q),
            lambda q: ra.unlock_sqs(account, q),
        )
