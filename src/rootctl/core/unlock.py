"""Unlock S3 buckets and SQS queues whose resource policy locks everyone out.

Before a policy is deleted it is saved in the journal (same transaction as the intent row), so
``rootctl journal show ID`` can print it for re-applying.
"""

from __future__ import annotations

from rootctl import validation
from rootctl.aws import resource_policies as policies_api
from rootctl.aws.session import RootSession
from rootctl.core.context import SESSION_SECONDS, Context
from rootctl.models import (
    ResourceKind,
    ResourcePolicy,
    UnlockResult,
    UnlockState,
)


def list_policies(ctx: Context, account_id: str, kind: ResourceKind) -> list[ResourcePolicy]:
    """Every bucket (or queue, in the session's region) of the account, with its policy."""
    task = kind.task_policy
    ctx.require(task.capability)
    with ctx.aws.assume_root(account_id, task.arn, SESSION_SECONDS[task]) as session:
        if kind is ResourceKind.S3_BUCKET:
            s3 = session.s3()
            return [
                ResourcePolicy(account_id, kind, name, region, policies_api.bucket_policy(s3, name))
                for name, region in policies_api.list_buckets(s3)
            ]
        sqs = session.sqs()
        return [
            ResourcePolicy(
                account_id,
                kind,
                url,
                policies_api.queue_region(url) or ctx.aws.region,
                policies_api.queue_policy(sqs, url),
            )
            for url in policies_api.list_queues(sqs)
        ]


def _read(ctx: Context, session: RootSession, kind: ResourceKind, resource: str) -> ResourcePolicy:
    account_id = session.account_id
    if kind is ResourceKind.S3_BUCKET:
        return ResourcePolicy(
            account_id, kind, resource, None, policies_api.bucket_policy(session.s3(), resource)
        )
    region = policies_api.queue_region(resource) if "://" in resource else None
    sqs = session.sqs(region)
    url = resource if "://" in resource else policies_api.queue_url(sqs, resource, account_id)
    region = policies_api.queue_region(url) or ctx.aws.region
    return ResourcePolicy(account_id, kind, url, region, policies_api.queue_policy(sqs, url))


def checked_name(kind: ResourceKind, resource: str) -> str:
    """The bucket name, or queue name/URL, if it is one S3/SQS could have (else InputError)."""
    if kind is ResourceKind.S3_BUCKET:
        return validation.bucket_name(resource)
    return validation.queue_name(resource)


def get_policy(ctx: Context, account_id: str, kind: ResourceKind, resource: str) -> ResourcePolicy:
    resource = checked_name(kind, resource)
    task = kind.task_policy
    ctx.require(task.capability)
    with ctx.aws.assume_root(account_id, task.arn, SESSION_SECONDS[task]) as session:
        return _read(ctx, session, kind, resource)


def unlock(ctx: Context, account_id: str, kind: ResourceKind, resource: str) -> UnlockResult:
    """Back up the policy in the journal, then delete it. Raises when it cannot even read it."""
    resource = checked_name(kind, resource)
    task = kind.task_policy
    ctx.require(task.capability)
    with ctx.aws.assume_root(account_id, task.arn, SESSION_SECONDS[task]) as session:
        before = _read(ctx, session, kind, resource)
        if before.policy is None:
            return UnlockResult(before, UnlockState.NO_POLICY)
        if kind is ResourceKind.S3_BUCKET:
            s3 = session.s3()
            action, call = (
                "delete-bucket-policy",
                lambda: policies_api.delete_bucket_policy(s3, before.resource),
            )
        else:
            sqs = session.sqs(before.region)
            action, call = (
                "delete-queue-policy",
                lambda: policies_api.delete_queue_policy(sqs, before.resource),
            )
        outcome = ctx.journaled(
            run_id=ctx.new_run_id(),
            action=action,
            target=account_id,
            task_policy=task,
            items=[before.resource],
            call=call,
            saved_policy=before,
        )
    if outcome.error is not None:
        return UnlockResult(
            before, UnlockState.FAILED, outcome.entry_id, str(outcome.error), outcome.request_id
        )
    return UnlockResult(before, UnlockState.REMOVED, outcome.entry_id, None, outcome.request_id)
