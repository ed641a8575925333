"""Applying a checked plan: claim it (single use), re-read each account in the operation's own
root session, change only the items still exactly as planned.

An item that changed since the plan (a password re-created, an MFA device re-enabled, a policy
edited) is *drifted*; one found now that the plan does not name (a new key) is reported as
drifted too and never touched; one that disappeared is *already gone*. The changes themselves
(:mod:`rootctl.core.apply_items`, per operation) go through the engine's one path for each
operation — :func:`rootctl.core.removal.remove_items`,
:func:`rootctl.core.recovery.allow_in`, :func:`rootctl.core.unlock.remove_policy`,
:func:`rootctl.core.lockout_fix.change` — journaled under a run that carries
``plan:<sha256>``; drifted items get a ``skipped`` journal row.

A fix-lockouts plan may hold buckets and queues: its S3 items are applied in S3 unlock
sessions, then its SQS items in SQS unlock sessions, and each account's two rows merged.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace

from rootctl.aws.root_session import RootSession
from rootctl.core import apply_items, review
from rootctl.core.apply_items import Work
from rootctl.core.context import Context
from rootctl.core.fanout import NOT_STARTED, FanOut, Run, in_root_sessions
from rootctl.core.targets import MANAGEMENT_REASON
from rootctl.errors import Advice, AdviceCode, PlanRefused
from rootctl.models import (
    Account,
    AccountApply,
    AppliedItem,
    ApplyOutcome,
    ApplyReport,
    ApplyState,
    ChangePlan,
    ItemKind,
    Organization,
    PlanCheck,
    PlanOperation,
    PlanTarget,
    PlanUse,
    ResourceKind,
    TaskPolicy,
)


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
    work = apply_items.work_for(ctx, run_id, plan)
    rows: dict[str, list[AccountApply]] = {}
    interrupted = False
    for task, part in _sessions(plan):
        here = {t.account_id: t for t in part}
        mine = [a for a in accounts if a.id in here]
        if interrupted:
            done = [_untouched(a, here[a.id], ApplyState.NOT_RUN, NOT_STARTED) for a in mine]
        else:
            fan = _in_sessions(ctx, task, mine, here, work, run)
            done, interrupted = list(fan.rows), fan.interrupted
        for row in done:
            rows.setdefault(row.account.id, []).append(row)
    return ApplyReport(
        plan.organization_id,
        (*(_merged(parts) for parts in rows.values()), *gone),
        interrupted,
        plan_hash=checked.document.hash,
        plan_id=plan.id,
        operation=plan.operation,
        run_id=run_id,
        applied_by=caller,
    )


def _in_sessions(
    ctx: Context,
    task: TaskPolicy,
    accounts: Sequence[Account],
    targets: dict[str, PlanTarget],
    work: Work,
    run: Run,
) -> FanOut[AccountApply]:
    def per_account(
        session: RootSession, account: Account, cancel: threading.Event
    ) -> AccountApply:
        return _summarize(account, work(session, account, targets[account.id], cancel))

    return in_root_sessions(
        ctx,
        accounts,
        task,
        per_account,
        AccountApply,
        run,
        not_run=lambda a: _untouched(a, targets[a.id], ApplyState.NOT_RUN, NOT_STARTED),
        session_failed=lambda a, exc: _untouched(
            a, targets[a.id], ApplyState.FAILED, f"could not open a root session: {exc}"
        ),
    )


# -- rows ---------------------------------------------------------------------------------------


def _sessions(plan: ChangePlan) -> list[tuple[TaskPolicy, tuple[PlanTarget, ...]]]:
    """The root sessions to open, each with the part of the plan applied in it."""
    if plan.operation is not PlanOperation.FIX_LOCKOUTS:
        return [(plan.operation.task_policy, plan.targets)]
    passes: list[tuple[TaskPolicy, tuple[PlanTarget, ...]]] = []
    for kind in ResourceKind:
        mine = (replace(t, items=tuple(i for i in t.items if i.kind is ItemKind.of(kind)))
                for t in plan.targets)  # fmt: skip
        part = tuple(t for t in mine if t.items)
        if part:
            passes.append((kind.task_policy, part))
    return passes


_WORST = (ApplyState.FAILED, ApplyState.NOT_RUN, ApplyState.DRIFTED, ApplyState.SKIPPED)


def _merged(parts: Sequence[AccountApply]) -> AccountApply:
    """One account's rows (one per session) as one."""
    if len(parts) == 1:
        return parts[0]
    states = {p.state for p in parts}
    state = next((s for s in _WORST if s in states), ApplyState.APPLIED)
    reasons = "; ".join(p.reason for p in parts if p.reason)
    items = tuple(i for p in parts for i in p.items)
    return AccountApply(parts[0].account, state, items, reasons or None)


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
