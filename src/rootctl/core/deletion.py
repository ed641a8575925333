"""Delete root credentials: plan from a fresh audit, remove each item on its own, verify.

Items are removed in the safe order (password → access keys → signing certificates → MFA) so
an account is never left with a password but no MFA. Each removal is journaled; one failure
does not stop the other items or accounts; nothing is called "deleted" until a re-read shows it
gone (:mod:`rootctl.core.removal`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from rootctl.aws.root_session import RootSession
from rootctl.core.audit import read_account, recovery_grants
from rootctl.core.context import Context
from rootctl.core.fanout import NOT_STARTED, Run, in_root_sessions
from rootctl.core.removal import LOGIN_PROFILE, remove_items
from rootctl.models import (
    Account,
    AccountDeletion,
    AccountPlan,
    CredentialKind,
    DeleteState,
    DeletionPlan,
    DeletionReport,
    ItemOutcome,
    ItemResult,
    PlannedItem,
    PlanState,
    RootCredentials,
    TargetSet,
    TaskPolicy,
)

ALL_KINDS = tuple(CredentialKind)
_ORDER = {kind: i for i, kind in enumerate(CredentialKind)}


def all_items(credentials: RootCredentials) -> list[PlannedItem]:
    """Every root credential as an item to delete, in the safe deletion order."""
    items: list[PlannedItem] = []
    profile = credentials.login_profile
    if profile:
        created = f"created {profile.created:%Y-%m-%d}" if profile.created else ""
        what = {"recovery-allowed": "recovery allowed, no password"}.get(profile.kind.value, "")
        signed_in = profile.password_last_used
        last = f"last used {signed_in:%Y-%m-%d}" if signed_in else ""
        detail = ", ".join(part for part in (what, created, last) if part)
        items.append(
            PlannedItem(
                CredentialKind.PASSWORD, LOGIN_PROFILE, detail, signed_in, created=profile.created
            )
        )
    for key in credentials.access_keys:
        if key.last_used:
            where = "/".join(p for p in (key.last_used_service, key.last_used_region) if p)
            used = f", last used {key.last_used:%Y-%m-%d}" + (f" ({where})" if where else "")
        else:
            used = ", never used"
        items.append(
            PlannedItem(
                CredentialKind.ACCESS_KEYS,
                key.id,
                f"{key.status}{used}",
                key.last_used,
                key.last_used_service,
                key.last_used_region,
                created=key.created,
            )
        )
    for cert in credentials.signing_certificates:
        items.append(
            PlannedItem(CredentialKind.CERTIFICATES, cert.id, cert.status, created=cert.uploaded)
        )
    for device in credentials.mfa_devices:
        items.append(
            PlannedItem(CredentialKind.MFA, device.serial, device.kind, created=device.enabled_at)
        )
    return sorted(items, key=lambda i: _ORDER[i.kind])


def plan(
    ctx: Context, targets: TargetSet, kinds: Sequence[CredentialKind], run: Run
) -> DeletionPlan:
    ctx.require(TaskPolicy.DELETE.capability)
    kinds = tuple(k for k in ALL_KINDS if k in kinds)
    grants = recovery_grants(ctx)

    def plan_in(session: RootSession, account: Account, _cancel: threading.Event) -> AccountPlan:
        credentials = read_account(session, account, grants).credentials
        present = all_items(credentials) if credentials else []
        items = tuple(i for i in present if i.kind in kinds)
        kept = tuple(i for i in present if i.kind not in kinds)
        state = PlanState.TO_DELETE if items else PlanState.NOTHING_TO_DELETE
        return AccountPlan(account, state, items, kept=kept)

    fan = in_root_sessions(
        ctx, targets.selected, TaskPolicy.AUDIT, plan_in, AccountPlan, run, skipped=targets
    )
    return DeletionPlan(targets.organization_id, fan.rows, fan.interrupted, kinds=kinds)


def delete(ctx: Context, deletion_plan: DeletionPlan, run: Run) -> DeletionReport:
    run_id = ctx.new_run_id()
    ctx.caller()  # resolve once, before the workers journal under it
    by_id = {p.account.id: p for p in deletion_plan.to_delete}

    def delete_in(
        session: RootSession, account: Account, cancel: threading.Event
    ) -> AccountDeletion:
        account_plan = by_id[account.id]
        return _summarize(account_plan, remove_items(ctx, run_id, session, account_plan, cancel))

    fan = in_root_sessions(
        ctx,
        [p.account for p in deletion_plan.to_delete],
        TaskPolicy.DELETE,
        delete_in,
        AccountDeletion,
        run,
        not_run=lambda a: _unrun(by_id[a.id], DeleteState.NOT_RUN, NOT_STARTED),
        session_failed=lambda a, exc: _unrun(
            by_id[a.id], DeleteState.FAILED, f"could not open a root session: {exc}"
        ),
    )
    done = {r.account.id: r for r in fan.rows}
    rows = tuple(done.get(p.account.id) or _unchanged(p) for p in deletion_plan.accounts)
    return DeletionReport(
        deletion_plan.organization_id, rows, fan.interrupted, kinds=deletion_plan.kinds
    )


def _unchanged(account_plan: AccountPlan) -> AccountDeletion:
    """The row of an account the plan did not send to deletion."""
    state = {
        PlanState.NOTHING_TO_DELETE: DeleteState.NOTHING_TO_DELETE,
        PlanState.SKIPPED: DeleteState.SKIPPED,
        PlanState.FAILED: DeleteState.FAILED,
        PlanState.NOT_RUN: DeleteState.NOT_RUN,
        PlanState.TO_DELETE: DeleteState.NOT_RUN,
    }[account_plan.state]
    return AccountDeletion(account_plan.account, state, reason=account_plan.reason)


def _unrun(account_plan: AccountPlan, state: DeleteState, reason: str) -> AccountDeletion:
    """An account none of whose items was attempted."""
    items = tuple(ItemResult(i, ItemOutcome.NOT_RUN, reason) for i in account_plan.items)
    return AccountDeletion(account_plan.account, state, items, reason)


def _summarize(account_plan: AccountPlan, results: tuple[ItemResult, ...]) -> AccountDeletion:
    removed = [r for r in results if r.outcome.removed]
    failed = [r for r in results if r.outcome is ItemOutcome.FAILED]
    not_run = [r for r in results if r.outcome is ItemOutcome.NOT_RUN]
    account = account_plan.account
    if len(removed) == len(results):
        return AccountDeletion(account, DeleteState.DELETED, results)
    parts = [f"{len(removed)} of {len(results)} items removed"]
    parts += [f"{r.item.kind.value} {r.item.id}: {r.reason}" for r in failed]
    if not_run:
        parts.append(f"{len(not_run)} not attempted (interrupted)")
    return AccountDeletion(account, DeleteState.FAILED, results, "; ".join(parts))
