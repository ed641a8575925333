"""`rootctl unlock-s3` and `unlock-sqs`: remove a resource policy that locks everyone out.

Both commands are one implementation over :class:`ResourceKind`; only their words differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click

from rootctl import validation
from rootctl.cli import inputs
from rootctl.cli.common import (
    EXIT_AWS,
    command,
    confirm,
    connection_options,
    emit,
    engine,
    output_option,
    say,
)
from rootctl.models import PolicyListing, ResourceKind, UnlockResult, UnlockState
from rootctl.render.text import inert, pretty_policy

__all__ = ["unlock_s3", "unlock_sqs"]


@dataclass(frozen=True)
class _Words:
    noun: str  # "bucket"
    argument: str  # the command's argument, "bucket" (shown as BUCKET)


_WORDS = {
    ResourceKind.S3_BUCKET: _Words("bucket", "bucket"),
    ResourceKind.SQS_QUEUE: _Words("queue", "queue"),
}


def _unlock(
    kind: ResourceKind,
    account: str,
    resource: str | None,
    show_only: bool,
    yes: bool,
    output: str,
    kwargs: dict[str, Any],
) -> int:
    noun = _WORDS[kind].noun
    with engine(kwargs) as ra:
        if resource is not None and not show_only:
            ra.prepare_journal()  # a journal that cannot be written stops us before AWS
        if resource is None:
            emit(ra.policies(account, kind), output)
            return 0
        before = ra.policy(account, kind, resource)
        if show_only or before.policy is None:
            if output == "json":
                emit(PolicyListing(before.account_id, kind, (before,)), output)
            elif before.policy is None:
                say(
                    f"{noun.capitalize()} {inert(before.resource)} in "
                    f"{inert(before.account_id)} has no policy."
                )
            else:
                click.echo(pretty_policy(before.policy))
            return 0
        say(f"Policy of {noun} {inert(before.resource)} in account {inert(before.account_id)}:")
        click.echo(pretty_policy(before.policy), err=True)
        confirm(
            "Delete this policy? (it is saved in the journal first)",
            yes=yes,
            what=f"delete the {noun} policy",
        )
        result = ra.unlock(account, kind, resource)
    emit(result, output)
    # One resource: if AWS refused the deletion, the run failed.
    return EXIT_AWS if result.state is UnlockState.FAILED else 0


def _command(kind: ResourceKind, name: str, docstring: str) -> click.Command:
    words = _WORDS[kind]
    check = validation.bucket_name if kind is ResourceKind.S3_BUCKET else validation.queue_name

    @click.command(name, help=docstring)
    @click.argument("account")
    @click.argument(words.argument, required=False, callback=inputs.argument(check))
    @click.option("--show", "show_only", is_flag=True, help=f"Only print the {words.noun} policy.")
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    @connection_options
    @output_option(UnlockResult)
    @command
    def unlock_command(account: str, show_only: bool, yes: bool, output: str, **kwargs: Any) -> int:
        resource = kwargs.pop(words.argument)
        return _unlock(kind, account, resource, show_only, yes, output, kwargs)

    return unlock_command


unlock_s3 = _command(
    ResourceKind.S3_BUCKET,
    "unlock-s3",
    "Delete BUCKET's policy in member ACCOUNT (S3UnlockBucketPolicy session), after saving "
    "it in the journal. Without BUCKET: list the account's buckets and whether they have one.",
)
unlock_sqs = _command(
    ResourceKind.SQS_QUEUE,
    "unlock-sqs",
    "Remove QUEUE's policy (name or URL) in member ACCOUNT (SQSUnlockQueuePolicy session), "
    "after saving it in the journal. Without QUEUE: list the account's queues in --region.",
)
