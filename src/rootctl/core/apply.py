"""Applying a checked plan: claim it (single use), re-read each account in the operation's own
root session, change only the items still exactly as planned.

An item that changed since the plan (a password re-created, an MFA device re-enabled, a policy
edited) is *drifted*; one found now that the plan does not name (a new key) is reported as
drifted too and never touched; one that disappeared is *already gone*. The changes themselves
go through the engine's one path for each operation — :func:`rootctl.core.removal.remove_items`,
:func:`rootctl.core.recovery.allow_in`, :func:`rootctl.core.unlock.remove_policy` — journaled
under a run that carries ``plan:<sha256>``; drifted items get a ``skipped`` journal row.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime

from rootctl.aws.resource_policies import PolicyStore
from rootctl.aws.root_session import RootSession
from rootctl.core import recovery, review
from rootctl.core.clock import aware
from rootctl.core.context import Context
from rootctl.core.fanout import NOT_STARTED, Run, in_root_sessions
from rootctl.core.planfile import policy_hash
from rootctl.core.removal import REMOVALS, remove_items
from rootctl.core.targets import MANAGEMENT_REASON
from rootctl.core.unlock import DELETE_ACTION, remove_policy
from rootctl.errors import Advice, AdviceCode, NotFound, PlanRefused, RootctlError
from rootctl.models import (
    Account,
    AccountApply,
    AccountPlan,
    AppliedItem,
    ApplyOutcome,
    ApplyReport,
    ApplyState,
    CredentialKind,
    ItemKind,
    ItemOutcome,
    Organization,
    PlanCheck,
    PlanItem,
    PlannedItem,
    PlanOperation,
    PlanState,
    PlanTarget,
    PlanUse,
    RecoveryState,
    ResourceKind,
    RootCredentials,
    UnlockState,
)

Work = Callable[[RootSession, Account, PlanTarget, threading.Event], tuple[AppliedItem, ...]]


def apply(
    ctx: Context,
    checked: PlanCheck,
    org: Organization,
    run: Run,
    confirm: review.Confirm | None = None,
) -> ApplyReport:
    """Apply ``checked`` (judged just before, against ``org``); raises PlanRefused when it
    cannot be applied or was claimed by another run in the meantime. ``confirm`` sees the
    check before the plan is claimed; it raises to stop."""
    if not checked.ready:
        raise review.refusal(checked, "apply")
    if confirm is not None:
        confirm(checked)
    document = checked.document
    plan = document.plan
    ctx.journal.prepare_for_writing()
    caller = ctx.caller().arn
    run_id = ctx.run_for(f"plan:{document.hash}")
    earlier = ctx.journal.plans.claim(PlanUse(document.hash, plan.id, run_id, caller, ctx.now()))
    if earlier is not None:
        raise PlanRefused(
            f"cannot apply this plan: {review.used(earlier)}.", Advice(AdviceCode.MAKE_NEW_PLAN)
        )
    outcome = "interrupted"
    try:
        report = _apply(ctx, checked, org, run, run_id, caller)
        outcome = report.outcome
        return report
    finally:
        ctx.journal.plans.finish(document.hash, outcome, ctx.now())


def _apply(
    ctx: Context, checked: PlanCheck, org: Organization, run: Run, run_id: str, caller: str
) -> ApplyReport:
    plan = checked.document.plan
    by_id = {t.account_id: t for t in plan.targets}
    accounts: list[Account] = []
    gone: list[AccountApply] = []
    for target in plan.targets:
        account = org.account(target.account_id)
        if account is None or account.is_management:
            why = MANAGEMENT_REASON if account else "no longer in the organization"
            shown = account or Account(target.account_id, target.account_name, "", "", "", ())
            gone.append(_untouched(shown, target, ApplyState.SKIPPED, why))
        else:
            accounts.append(account)
    work = _WORK[plan.operation](ctx, run_id)

    def per_account(
        session: RootSession, account: Account, cancel: threading.Event
    ) -> AccountApply:
        return _summarize(account, work(session, account, by_id[account.id], cancel))

    fan = in_root_sessions(
        ctx,
        accounts,
        plan.operation.task_policy,
        per_account,
        AccountApply,
        run,
        not_run=lambda a: _untouched(a, by_id[a.id], ApplyState.NOT_RUN, NOT_STARTED),
        session_failed=lambda a, exc: _untouched(
            a, by_id[a.id], ApplyState.FAILED, f"could not open a root session: {exc}"
        ),
    )
    return ApplyReport(
        plan.organization_id,
        (*fan.rows, *gone),
        fan.interrupted,
        plan_hash=checked.document.hash,
        plan_id=plan.id,
        operation=plan.operation,
        run_id=run_id,
        applied_by=caller,
    )


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
                    done.append(AppliedItem(item, ApplyOutcome.NOT_RUN, "interrupted (Ctrl-C)"))
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
    try:
        before = policies.get(item.id)
    except NotFound as exc:
        return AppliedItem(item, ApplyOutcome.ALREADY_GONE, f"no longer there: {exc.message}")
    except RootctlError as exc:
        return AppliedItem(item, ApplyOutcome.FAILED, str(exc))
    if before.policy is None:
        return AppliedItem(item, ApplyOutcome.ALREADY_GONE, "it has no policy now")
    if policy_hash(before.policy) != item.policy_sha256:
        drifted = AppliedItem(
            item,
            ApplyOutcome.DRIFTED,
            f"the policy changed since the plan (sha256 {policy_hash(before.policy)[:12]}…, "
            f"the plan has {str(item.policy_sha256)[:12]}…): left alone",
        )
        _skip(ctx, run_id, account, session, DELETE_ACTION[policies.kind], drifted)
        return drifted
    result = remove_policy(ctx, run_id, policies, before)
    if result.state is UnlockState.REMOVED:
        return AppliedItem(
            item,
            ApplyOutcome.APPLIED,
            request_id=result.request_id,
            note=f"policy saved in journal entry {result.journal_id}",
        )
    return AppliedItem(item, ApplyOutcome.FAILED, result.reason, request_id=result.request_id)


_WORK: dict[PlanOperation, Callable[[Context, str], Work]] = {
    PlanOperation.DELETE_CREDENTIALS: _delete,
    PlanOperation.ALLOW_PASSWORD_RECOVERY: _recovery,
    PlanOperation.UNLOCK_S3: _unlock(ResourceKind.S3_BUCKET),
    PlanOperation.UNLOCK_SQS: _unlock(ResourceKind.SQS_QUEUE),
}


# -- rows ---------------------------------------------------------------------------------------


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


def _summarize(account: Account, items: tuple[AppliedItem, ...]) -> AccountApply:
    failed = [i for i in items if i.outcome is ApplyOutcome.FAILED]
    not_run = [i for i in items if i.outcome is ApplyOutcome.NOT_RUN]
    drifted = [i for i in items if i.outcome is ApplyOutcome.DRIFTED]
    if failed or not_run:
        parts = [f"{i.item.kind.value} {i.item.id}: {i.reason}" for i in failed]
        if not_run:
            parts.append(f"{len(not_run)} not attempted (interrupted)")
        return AccountApply(account, ApplyState.FAILED, items, "; ".join(parts))
    if drifted:
        reason = f"{len(drifted)} item(s) drifted since the plan and were left alone"
        return AccountApply(account, ApplyState.DRIFTED, items, reason)
    return AccountApply(account, ApplyState.APPLIED, items)


def _untouched(
    account: Account, target: PlanTarget, state: ApplyState, reason: str
) -> AccountApply:
    outcome = ApplyOutcome.FAILED if state is ApplyState.FAILED else ApplyOutcome.NOT_RUN
    items = tuple(AppliedItem(i, outcome, reason) for i in target.items)
    return AccountApply(account, state, items, reason)
