"""What applying a plan does in one account, per operation: re-read what the plan names in the
operation's own root session, leave what drifted alone (journaled as skipped), and change the
rest through the engine's one path for that operation. :mod:`rootctl.core.apply` opens the
sessions and turns these items into rows."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial

from rootctl.aws.resource_policies import PolicyStore
from rootctl.aws.root_session import RootSession
from rootctl.core import lockout_fix, recovery
from rootctl.core.clock import aware
from rootctl.core.context import Context
from rootctl.core.fanout import STOPPED_BEFORE
from rootctl.core.planfile import policy_hash
from rootctl.core.removal import REMOVALS, remove_items
from rootctl.core.unlock import DELETE_ACTION, remove_policy
from rootctl.errors import NotFound, RootctlError
from rootctl.models import (
    Account,
    AccountPlan,
    AppliedItem,
    ApplyOutcome,
    ChangePlan,
    CredentialKind,
    FixAction,
    FixState,
    ItemKind,
    ItemOutcome,
    PlanItem,
    PlannedItem,
    PlanOperation,
    PlanState,
    PlanTarget,
    RecoveryState,
    ResourceKind,
    ResourcePolicy,
    RootCredentials,
    UnlockState,
)

# An account's items applied in its root session (the session is bound to this thread).
Work = Callable[[RootSession, Account, PlanTarget, threading.Event], tuple[AppliedItem, ...]]


# -- delete-credentials -------------------------------------------------------------------------


def _delete(ctx: Context, run_id: str) -> Work:
    def work(
        session: RootSession, account: Account, target: PlanTarget, cancel: threading.Event
    ) -> tuple[AppliedItem, ...]:
        now = session.credentials(with_last_used=False)
        settled, still = _compare(target.items, now)
        settled += _new_items(target.items, now)
        for item in settled:
            if item.outcome is ApplyOutcome.DRIFTED:
                action = REMOVALS[_credential(item.item)][0]
                _skip(ctx, run_id, account, session, action, item)
        planned = AccountPlan(
            account,
            PlanState.TO_DELETE,
            tuple(PlannedItem(_credential(i), i.id, i.detail, created=i.created_at) for i in still),
        )
        removed = remove_items(ctx, run_id, session, planned, cancel) if still else ()
        by_key = {(i.kind.value, i.id): i for i in still}
        done = tuple(
            AppliedItem(
                by_key[(r.item.kind.value, r.item.id)],
                _OUTCOMES[r.outcome],
                r.reason,
                request_id=r.request_id,
                note=r.note,
            )
            for r in removed
        )
        return _in_plan_order(target.items, done + tuple(settled))

    return work


_OUTCOMES = {
    ItemOutcome.DELETED: ApplyOutcome.APPLIED,
    ItemOutcome.DEACTIVATED: ApplyOutcome.APPLIED,
    ItemOutcome.ALREADY_GONE: ApplyOutcome.ALREADY_GONE,
    ItemOutcome.FAILED: ApplyOutcome.FAILED,
    ItemOutcome.INTERRUPTED: ApplyOutcome.NOT_RUN,
    ItemOutcome.NOT_RUN: ApplyOutcome.NOT_RUN,
}


def _credential(item: PlanItem) -> CredentialKind:
    kind = item.kind.credential
    if kind is None:
        raise ValueError(f"a {item.kind.value} item in a delete-credentials plan")
    return kind


def _present(now: RootCredentials) -> dict[tuple[ItemKind, str], datetime | None]:
    """Every credential the root user has now, with when it came to be."""
    found: dict[tuple[ItemKind, str], datetime | None] = {}
    if now.login_profile is not None:
        found[(ItemKind.PASSWORD, "login-profile")] = now.login_profile.created
    found.update({(ItemKind.ACCESS_KEYS, k.id): k.created for k in now.access_keys})
    found.update({(ItemKind.CERTIFICATES, c.id): c.uploaded for c in now.signing_certificates})
    found.update({(ItemKind.MFA, d.serial): d.enabled_at for d in now.mfa_devices})
    return found


def _compare(
    items: Sequence[PlanItem], now: RootCredentials
) -> tuple[list[AppliedItem], list[PlanItem]]:
    """The planned items split into settled ones (drifted, already gone) and those still
    exactly as planned."""
    present = _present(now)
    settled: list[AppliedItem] = []
    still: list[PlanItem] = []
    for item in items:
        key = (item.kind, item.id)
        if key not in present:
            settled.append(AppliedItem(item, ApplyOutcome.ALREADY_GONE, "no longer there"))
        elif not _same_time(item.created_at, present[key]):
            settled.append(AppliedItem(item, ApplyOutcome.DRIFTED, _recreated(item, present[key])))
        else:
            still.append(item)
    return settled, still


def _new_items(items: Sequence[PlanItem], now: RootCredentials) -> list[AppliedItem]:
    """Credentials of the planned kinds that the plan does not name: never touched."""
    planned = {(i.kind, i.id) for i in items}
    kinds = {i.kind for i in items}
    return [
        AppliedItem(
            PlanItem(kind, item_id, created_at=created),
            ApplyOutcome.DRIFTED,
            "new since the plan: not in it, left alone",
            planned=False,
        )
        for (kind, item_id), created in _present(now).items()
        if kind in kinds and (kind, item_id) not in planned
    ]


def _same_time(planned: datetime | None, now: datetime | None) -> bool:
    if planned is None or now is None:
        return True  # the plan (or AWS) gave no time: the id alone identifies the item
    return aware(planned) == aware(now)


def _recreated(item: PlanItem, now: datetime | None) -> str:
    what = {ItemKind.PASSWORD: "the login profile was re-created", ItemKind.MFA: "re-enabled"}
    change = what.get(item.kind, "replaced")
    return f"{change} at {_utc(now)} (the plan has {_utc(item.created_at)}): left alone"


def _utc(moment: datetime | None) -> str:
    return "—" if moment is None else f"{aware(moment):%Y-%m-%d %H:%M:%S} UTC"


# -- allow-password-recovery --------------------------------------------------------------------


def _recovery(ctx: Context, run_id: str) -> Work:
    def work(
        session: RootSession, account: Account, target: PlanTarget, _cancel: threading.Event
    ) -> tuple[AppliedItem, ...]:
        item = target.items[0]
        result = recovery.allow_in(ctx, run_id, session, account)
        if result.state is RecoveryState.ALLOWED:
            return (AppliedItem(item, ApplyOutcome.APPLIED, request_id=result.request_id),)
        if result.state is RecoveryState.ALREADY_ALLOWED:
            drifted = AppliedItem(
                item,
                ApplyOutcome.DRIFTED,
                "a login profile exists now (the plan found none): left alone",
            )
            _skip(ctx, run_id, account, session, "create-login-profile", drifted)
            return (drifted,)
        return (
            AppliedItem(item, ApplyOutcome.FAILED, result.reason, request_id=result.request_id),
        )

    return work


# -- unlock-s3, unlock-sqs ----------------------------------------------------------------------


def _unlock(kind: ResourceKind) -> Callable[[Context, str], Work]:
    def build(ctx: Context, run_id: str) -> Work:
        def work(
            session: RootSession, account: Account, target: PlanTarget, cancel: threading.Event
        ) -> tuple[AppliedItem, ...]:
            store = session.policies(kind)
            done: list[AppliedItem] = []
            for item in target.items:
                if cancel.is_set():
                    done.append(AppliedItem(item, ApplyOutcome.NOT_RUN, STOPPED_BEFORE))
                    continue
                done.append(_unlock_item(ctx, run_id, account, session, store, item))
            return tuple(done)

        return work

    return build


def _unlock_item(
    ctx: Context,
    run_id: str,
    account: Account,
    session: RootSession,
    policies: PolicyStore,
    item: PlanItem,
) -> AppliedItem:
    read = partial(policies.get, item.id)
    before = _as_planned(ctx, run_id, account, session, item, read, DELETE_ACTION[policies.kind])
    if isinstance(before, AppliedItem):
        return before
    result = remove_policy(ctx, run_id, policies, before)
    return _changed(
        item,
        result.state is UnlockState.REMOVED,
        result.request_id,
        result.reason,
        f"policy saved in journal entry {result.journal_id}",
    )


def _changed(
    item: PlanItem, applied: bool, request_id: str | None, reason: str | None, note: str
) -> AppliedItem:
    """A policy item's outcome once its change was attempted (``note`` says where the policy
    that was there is kept)."""
    if applied:
        return AppliedItem(item, ApplyOutcome.APPLIED, request_id=request_id, note=note)
    return AppliedItem(item, ApplyOutcome.FAILED, reason, request_id=request_id)


def _as_planned(
    ctx: Context,
    run_id: str,
    account: Account,
    session: RootSession,
    item: PlanItem,
    read: Callable[[], ResourcePolicy],
    action: str,
) -> ResourcePolicy | AppliedItem:
    """The policy as it is now when it is still the one planned; otherwise the item's outcome
    (gone, unreadable, or drifted: left alone, journaled as skipped under ``action``)."""
    try:
        before = read()
    except NotFound as exc:
        return AppliedItem(item, ApplyOutcome.ALREADY_GONE, f"no longer there: {exc.message}")
    except RootctlError as exc:
        return AppliedItem(item, ApplyOutcome.FAILED, str(exc))
    if before.policy is None:
        return AppliedItem(item, ApplyOutcome.ALREADY_GONE, "it has no policy now")
    if policy_hash(before.policy) == item.policy_sha256:
        return before
    drifted = AppliedItem(
        item,
        ApplyOutcome.DRIFTED,
        f"the policy changed since the plan (sha256 {policy_hash(before.policy)[:12]}…, "
        f"the plan has {str(item.policy_sha256)[:12]}…): left alone",
    )
    _skip(ctx, run_id, account, session, action, drifted)
    return drifted


# -- fix-lockouts -------------------------------------------------------------------------------


def _fix_lockouts(ctx: Context, run_id: str, organization_id: str) -> Work:
    def work(
        session: RootSession, account: Account, target: PlanTarget, cancel: threading.Event
    ) -> tuple[AppliedItem, ...]:
        done: list[AppliedItem] = []
        for item in target.items:
            kind = _RESOURCE_KINDS.get(item.kind)
            if cancel.is_set():
                done.append(AppliedItem(item, ApplyOutcome.NOT_RUN, STOPPED_BEFORE))
            elif kind is None or item.action not in _FIXES:
                done.append(AppliedItem(item, ApplyOutcome.FAILED, "not a lock-out fix"))
            else:
                store = session.policies(kind)
                done.append(_fix_item(ctx, run_id, account, session, store, item, organization_id))
        return tuple(done)

    return work


_RESOURCE_KINDS = {
    ItemKind.BUCKET_POLICY: ResourceKind.S3_BUCKET,
    ItemKind.QUEUE_POLICY: ResourceKind.SQS_QUEUE,
}
_FIXES = (FixAction.PUT_CORRECTED, FixAction.DELETE)


def _fix_item(
    ctx: Context,
    run_id: str,
    account: Account,
    session: RootSession,
    policies: PolicyStore,
    item: PlanItem,
    organization_id: str,
) -> AppliedItem:
    """One planned fix, through the one path find-lockouts --fix takes too."""
    action = lockout_fix.ACTIONS[(policies.kind, item.action or FixAction.DELETE)]
    read = partial(policies.read, item.id, item.region)
    before = _as_planned(ctx, run_id, account, session, item, read, action)
    if isinstance(before, AppliedItem):
        return before
    replacement = item.replacement if item.action is FixAction.PUT_CORRECTED else None
    done = lockout_fix.change(ctx, policies, before, replacement, run_id, organization_id)
    return _changed(
        item,
        done.state is FixState.FIXED,
        done.request_id,
        done.reason,
        f"{item.action}; the original policy is saved in journal entry {done.journal_id}",
    )


_WORK: dict[PlanOperation, Callable[[Context, str], Work]] = {
    PlanOperation.DELETE_CREDENTIALS: _delete,
    PlanOperation.ALLOW_PASSWORD_RECOVERY: _recovery,
    PlanOperation.UNLOCK_S3: _unlock(ResourceKind.S3_BUCKET),
    PlanOperation.UNLOCK_SQS: _unlock(ResourceKind.SQS_QUEUE),
}


def work_for(ctx: Context, run_id: str, plan: ChangePlan) -> Work:
    """The per-account work of applying ``plan``, its changes journaled under ``run_id``."""
    if plan.operation is PlanOperation.FIX_LOCKOUTS:
        return _fix_lockouts(ctx, run_id, plan.organization_id)
    return _WORK[plan.operation](ctx, run_id)


# -- shared --------------------------------------------------------------------------------------


def _skip(
    ctx: Context,
    run_id: str,
    account: Account,
    session: RootSession,
    action: str,
    item: AppliedItem,
) -> None:
    ctx.journal_skip(
        run_id=run_id,
        action=action,
        target=account.id,
        task_policy=session.task,
        items=[item.item.id],
        reason=f"drifted: {item.reason}",
    )


def _in_plan_order(
    items: Sequence[PlanItem], done: Sequence[AppliedItem]
) -> tuple[AppliedItem, ...]:
    order = {(i.kind, i.id): n for n, i in enumerate(items)}
    return tuple(sorted(done, key=lambda r: order.get((r.item.kind, r.item.id), len(order))))
