"""Unlock S3 buckets and SQS queues whose resource policy locks everyone out.

One code path for both kinds: the root session hands out the kind's policy store. Before a
policy is deleted it is saved in the journal (same transaction as the intent row), so
``rootctl journal show ID`` can print it for re-applying.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from rootctl import validation
from rootctl.aws.resource_policies import PolicyStore
from rootctl.core.context import SESSION_SECONDS, Context
from rootctl.models import PolicyListing, ResourceKind, ResourcePolicy, UnlockResult, UnlockState

T = TypeVar("T")

# Journal action names, by kind.
DELETE_ACTION = {
    ResourceKind.S3_BUCKET: "delete-bucket-policy",
    ResourceKind.SQS_QUEUE: "delete-queue-policy",
}


def _in_store(
    ctx: Context,
    account_id: str,
    kind: ResourceKind,
    work: Callable[[PolicyStore], T],
    *,
    writes: bool = False,
) -> T:
    task = kind.task_policy
    ctx.require(task.capability)
    try:
        with ctx.aws.assume_root(account_id, task, SESSION_SECONDS[task]) as session:
            purpose = f"{'unlock' if writes else 'list'}-{kind.value}"
            ctx.opened(session, run_id=ctx.new_run_id(), purpose=purpose, durable=writes)
            return work(session.policies(kind))
    finally:
        ctx.flush_sessions()


def list_policies(ctx: Context, account_id: str, kind: ResourceKind) -> PolicyListing:
    """Every bucket (or queue, in the session's region) of the account, with its policy."""
    resources = _in_store(ctx, account_id, kind, lambda store: store.list())
    return PolicyListing(account_id, kind, tuple(resources))


def checked_name(kind: ResourceKind, resource: str) -> str:
    """The bucket name, or queue name/URL, if it is one S3/SQS could have (else InputError)."""
    if kind is ResourceKind.S3_BUCKET:
        return validation.bucket_name(resource)
    return validation.queue_name(resource)


def get_policy(ctx: Context, account_id: str, kind: ResourceKind, resource: str) -> ResourcePolicy:
    resource = checked_name(kind, resource)
    return _in_store(ctx, account_id, kind, lambda store: store.get(resource))


def remove_policy(
    ctx: Context, run_id: str, store: PolicyStore, before: ResourcePolicy
) -> UnlockResult:
    """Delete ``before``'s policy, journaled, the policy saved in the same transaction as the
    intent."""
    kind = store.kind
    outcome = ctx.journaled(
        run_id=run_id,
        action=DELETE_ACTION[kind],
        target=before.account_id,
        task_policy=kind.task_policy,
        items=[before.resource],
        call=lambda: store.delete(before),
        saved_policy=before,
    )
    if outcome.error is not None:
        return UnlockResult(
            before, UnlockState.FAILED, outcome.entry_id, str(outcome.error), outcome.request_id
        )
    return UnlockResult(before, UnlockState.REMOVED, outcome.entry_id, None, outcome.request_id)


def unlock(ctx: Context, account_id: str, kind: ResourceKind, resource: str) -> UnlockResult:
    """Back up the policy in the journal, then delete it. Raises when it cannot even read it."""
    resource = checked_name(kind, resource)

    def remove(store: PolicyStore) -> UnlockResult:
        before = store.get(resource)
        if before.policy is None:
            return UnlockResult(before, UnlockState.NO_POLICY)
        return remove_policy(ctx, ctx.new_run_id(), store, before)

    return _in_store(ctx, account_id, kind, remove, writes=True)
