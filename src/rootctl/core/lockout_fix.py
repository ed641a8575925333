"""Fixing lock-outs surgically: by default put the policy back without its locking statements
(the S3 unlock task allows PutBucketPolicy, the SQS one SetQueueAttributes), so legitimate
statements survive; or delete the whole policy (what the console does).

For each resource, inside its account's unlock session: read the policy again and leave it
alone if it changed since the scan; journal the intent with the original policy saved and the
corrected draft next to it; put (or delete); read it back and classify it again — "fixed" only
when no lock-out is left. Applying a fix-lockouts plan goes through the same :func:`change`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from rootctl.aws.resource_policies import PolicyStore
from rootctl.core.context import SESSION_SECONDS, Context
from rootctl.core.fanout import Run, fan_out
from rootctl.core.lockouts import classify
from rootctl.errors import RootctlError
from rootctl.models import (
    Account,
    AccountFixState,
    AccountLockoutFix,
    FixAction,
    FixMode,
    FixState,
    LockoutClass,
    LockoutFixReport,
    LockoutReport,
    PlannedFix,
    ResourceFix,
    ResourceKind,
    ResourceLockout,
    ResourcePolicy,
)

ACTIONS = {
    (ResourceKind.S3_BUCKET, FixAction.PUT_CORRECTED): "put-bucket-policy",
    (ResourceKind.S3_BUCKET, FixAction.DELETE): "delete-bucket-policy",
    (ResourceKind.SQS_QUEUE, FixAction.PUT_CORRECTED): "put-queue-policy",
    (ResourceKind.SQS_QUEUE, FixAction.DELETE): "delete-queue-policy",
}


def plan(report: LockoutReport, mode: FixMode) -> tuple[PlannedFix, ...]:
    """What fixing each finding of ``report`` means (nothing is read or changed)."""
    fixes: list[PlannedFix] = []
    for finding in report.findings:
        kept = len(_statements(finding)) - len(finding.statements)
        if finding.lockout is LockoutClass.UNPARSEABLE:
            if mode is FixMode.DELETE:
                fixes.append(PlannedFix(finding, FixAction.DELETE, "the whole policy, as asked"))
            else:
                fixes.append(
                    PlannedFix(
                        finding,
                        FixAction.SKIP,
                        "a policy that does not parse cannot be corrected; --fix delete deletes it",
                    )
                )
        elif mode is FixMode.DELETE:
            fixes.append(PlannedFix(finding, FixAction.DELETE, "the whole policy, as asked"))
        elif finding.corrected is None:
            fixes.append(
                PlannedFix(
                    finding,
                    FixAction.DELETE,
                    "every statement locks the account out: nothing legitimate remains, so the "
                    "policy is deleted",
                )
            )
        else:
            removed = ", ".join(str(s.index + 1) for s in finding.statements)
            fixes.append(
                PlannedFix(
                    finding,
                    FixAction.PUT_CORRECTED,
                    f"statement(s) {removed} removed, {kept} kept as written",
                )
            )
    return tuple(fixes)


def _statements(finding: ResourceLockout) -> list[object]:
    try:
        found = json.loads(finding.policy).get("Statement", [])
    except (ValueError, AttributeError):
        return []
    return found if isinstance(found, list) else [found]


@dataclass(frozen=True, slots=True)
class Change:
    """What putting (or deleting) one policy did."""

    state: FixState  # FIXED, STILL_LOCKED or FAILED
    journal_id: int | None = None
    request_id: str | None = None
    reason: str | None = None


def change(
    ctx: Context,
    store: PolicyStore,
    current: ResourcePolicy,
    replacement: str | None,
    run_id: str,
    organization_id: str,
) -> Change:
    """Put ``replacement`` in place of ``current`` (None: delete it), journaled before and
    after with ``current`` saved; then read it back and classify it again. The caller has
    made sure ``current`` is what it meant to change (find-lockouts --fix: the policy as
    scanned; apply: the policy the plan hashed)."""
    action = FixAction.PUT_CORRECTED if replacement is not None else FixAction.DELETE
    outcome = ctx.journaled(
        run_id=run_id,
        action=ACTIONS[(store.kind, action)],
        target=current.account_id,
        task_policy=store.kind.task_policy,
        items=[current.resource],
        call=(
            (lambda: store.put(current, replacement))
            if replacement is not None
            else (lambda: store.delete(current))
        ),
        saved_policy=current,
        replacement_policy=replacement,
    )
    if outcome.error is not None:
        return Change(FixState.FAILED, outcome.entry_id, outcome.request_id, str(outcome.error))
    try:
        after = store.read(current.resource, current.region)
    except RootctlError as exc:
        return Change(
            FixState.FAILED,
            outcome.entry_id,
            outcome.request_id,
            f"done, but reading it back failed: {exc}",
        )
    if after.policy is not None and classify(after, organization_id).lockout.is_finding:
        return Change(
            FixState.STILL_LOCKED,
            outcome.entry_id,
            outcome.request_id,
            "the policy read back still locks the account out",
        )
    return Change(FixState.FIXED, outcome.entry_id, outcome.request_id)


def _fix_one(
    ctx: Context, store: PolicyStore, fix: PlannedFix, run_id: str, organization_id: str
) -> ResourceFix:
    finding = fix.finding
    if fix.action is FixAction.SKIP:
        return ResourceFix(fix, FixState.SKIPPED, reason=fix.reason)
    try:
        current = store.read(finding.resource, finding.region)
    except RootctlError as exc:
        return ResourceFix(fix, FixState.FAILED, reason=f"cannot read the policy again: {exc}")
    if current.policy != finding.policy:
        return ResourceFix(
            fix,
            FixState.CHANGED,
            reason="the policy changed since it was read; run find-lockouts again",
        )
    done = change(ctx, store, current, fix.replacement, run_id, organization_id)
    return ResourceFix(fix, done.state, done.journal_id, done.request_id, done.reason)


def _account_state(items: Sequence[ResourceFix]) -> AccountFixState:
    done = [i.state is FixState.FIXED for i in items]
    if all(done):
        return AccountFixState.FIXED
    return AccountFixState.PARTIAL if any(done) else AccountFixState.FAILED


def fix(
    ctx: Context,
    report: LockoutReport,
    fixes: Sequence[PlannedFix],
    mode: FixMode,
    run: Run,
    *,
    dry_run: bool = False,
) -> LockoutFixReport:
    """Apply ``fixes`` (from :func:`plan`), account by account, journaled."""
    accounts = {row.account.id: row.account for row in report.accounts}
    by_account = {
        account_id: list(items)
        for account_id, items in groupby(
            sorted(fixes, key=lambda f: f.finding.account_id), key=lambda f: f.finding.account_id
        )
    }
    targets = [accounts[a] for a in by_account]
    if dry_run:
        rows = tuple(
            AccountLockoutFix(
                accounts[a],
                AccountFixState.PLANNED,
                tuple(
                    ResourceFix(
                        f,
                        FixState.SKIPPED if f.action is FixAction.SKIP else (FixState.PLANNED),
                        reason=f.reason,
                    )
                    for f in items
                ),
            )
            for a, items in by_account.items()
        )
        return LockoutFixReport(report.organization_id, rows, mode=mode, dry_run=True)
    for kind in {f.finding.kind for f in fixes if f.action is not FixAction.SKIP}:
        ctx.require(kind.task_policy.capability)
    run_id = ctx.new_run_id()

    def work(account: Account, cancel: threading.Event) -> AccountLockoutFix:
        results: list[ResourceFix] = []
        items = by_account[account.id]
        for kind in (ResourceKind.S3_BUCKET, ResourceKind.SQS_QUEUE):
            mine = [f for f in items if f.finding.kind is kind]
            if not mine:
                continue
            if all(f.action is FixAction.SKIP for f in mine) or cancel.is_set():
                results += [
                    ResourceFix(
                        f,
                        FixState.SKIPPED if f.action is FixAction.SKIP else FixState.NOT_RUN,
                        reason=f.reason if f.action is FixAction.SKIP else "interrupted",
                    )
                    for f in mine
                ]
                continue
            task = kind.task_policy
            try:
                with ctx.aws.assume_root(account.id, task, SESSION_SECONDS[task]) as session:
                    store = session.policies(kind)
                    for item in mine:
                        if cancel.is_set():
                            results.append(
                                ResourceFix(item, FixState.NOT_RUN, reason="interrupted")
                            )
                            continue
                        results.append(_fix_one(ctx, store, item, run_id, report.organization_id))
            except RootctlError as exc:
                results += [ResourceFix(f, FixState.FAILED, reason=str(exc)) for f in mine]
        state = _account_state([r for r in results if r.state is not FixState.SKIPPED] or results)
        if all(r.state is FixState.SKIPPED for r in results):
            state = AccountFixState.SKIPPED
        reasons = "; ".join(
            dict.fromkeys(r.reason for r in results if r.state is FixState.FAILED and r.reason)
        )
        return AccountLockoutFix(account, state, tuple(results), reasons or None)

    fan = fan_out(targets, work, AccountLockoutFix, run)
    return LockoutFixReport(report.organization_id, fan.rows, fan.interrupted, mode=mode)
