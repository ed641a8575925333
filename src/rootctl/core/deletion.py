"""Delete root credentials: plan from a fresh audit, remove each item on its own, verify.

Items are removed in the safe order (password → access keys → signing certificates → MFA) so
an account is never left with a password but no MFA. Each removal is journaled; one failure
does not stop the other items or accounts; nothing is called "deleted" until a re-read shows it
gone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rootctl.aws import root_credentials as creds_api
from rootctl.core.audit import audit_account, read_credentials
from rootctl.core.context import SESSION_SECONDS, Context, JournaledCall, is_not_found
from rootctl.core.runner import run_per_account
from rootctl.errors import AccessDenied, RootctlError
from rootctl.models import (
    Account,
    AccountDeletion,
    AccountPlan,
    AuditState,
    CredentialKind,
    DeleteState,
    DeletionPlan,
    DeletionReport,
    ItemOutcome,
    ItemResult,
    MfaDevice,
    PlannedItem,
    PlanState,
    ProgressCallback,
    RootCredentials,
    TargetSet,
    TaskPolicy,
)

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

ALL_KINDS = tuple(CredentialKind)
_REMOVED = (ItemOutcome.DELETED, ItemOutcome.DEACTIVATED, ItemOutcome.ALREADY_GONE)
_ORDER = {kind: i for i, kind in enumerate(CredentialKind)}
LOGIN_PROFILE = "login-profile"


def items_of(credentials: RootCredentials, kinds: Sequence[CredentialKind]) -> list[PlannedItem]:
    items: list[PlannedItem] = []
    if CredentialKind.PASSWORD in kinds and credentials.login_profile:
        created = credentials.login_profile.created
        items.append(
            PlannedItem(
                CredentialKind.PASSWORD,
                LOGIN_PROFILE,
                f"created {created:%Y-%m-%d}" if created else "",
            )
        )
    if CredentialKind.ACCESS_KEYS in kinds:
        for key in credentials.access_keys:
            used = f", last used {key.last_used:%Y-%m-%d}" if key.last_used else ", never used"
            items.append(PlannedItem(CredentialKind.ACCESS_KEYS, key.id, f"{key.status}{used}"))
    if CredentialKind.CERTIFICATES in kinds:
        for cert in credentials.signing_certificates:
            items.append(PlannedItem(CredentialKind.CERTIFICATES, cert.id, cert.status))
    if CredentialKind.MFA in kinds:
        for device in credentials.mfa_devices:
            items.append(PlannedItem(CredentialKind.MFA, device.serial, device.kind))
    return sorted(items, key=lambda i: _ORDER[i.kind])


def plan(
    ctx: Context,
    targets: TargetSet,
    kinds: Sequence[CredentialKind],
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
) -> DeletionPlan:
    ctx.require(TaskPolicy.DELETE.capability)
    kinds = tuple(k for k in ALL_KINDS if k in kinds)

    def plan_account(account: Account, _cancel: threading.Event) -> AccountPlan:
        audited = audit_account(ctx, account)
        if audited.state is not AuditState.AUDITED or audited.credentials is None:
            return AccountPlan(account, PlanState.FAILED, reason=audited.reason)
        items = items_of(audited.credentials, kinds)
        state = PlanState.TO_DELETE if items else PlanState.NOTHING_TO_DELETE
        return AccountPlan(account, state, tuple(items))

    fan = run_per_account(
        targets.selected,
        plan_account,
        concurrency=ctx.concurrency,
        not_run=lambda a: AccountPlan(a, PlanState.NOT_RUN, reason="interrupted before it ran"),
        failed=lambda a, e: AccountPlan(a, PlanState.FAILED, reason=f"unexpected error: {e!r}"),
        state_of=lambda r: r.state.value,
        progress=progress,
        cancel=cancel,
        phase="audit",
    )
    skipped = [AccountPlan(s.account, PlanState.SKIPPED, reason=s.reason) for s in targets.skipped]
    return DeletionPlan(targets.organization_id, kinds, (*fan.results, *skipped), fan.interrupted)


def delete(
    ctx: Context,
    deletion_plan: DeletionPlan,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
) -> DeletionReport:
    run_id = ctx.new_run_id()
    ctx.caller()  # resolve once, before the workers journal under it
    to_run = [p for p in deletion_plan.accounts if p.state is PlanState.TO_DELETE]
    by_id = {p.account.id: p for p in to_run}
    fan = run_per_account(
        [p.account for p in to_run],
        lambda account, stop: _delete_account(ctx, run_id, by_id[account.id], stop),
        concurrency=ctx.concurrency,
        not_run=lambda a: _not_run(by_id[a.id], "interrupted before it ran"),
        failed=lambda a, e: AccountDeletion(
            a, DeleteState.FAILED, reason=f"unexpected error: {e!r}"
        ),
        state_of=lambda r: r.state.value,
        progress=progress,
        cancel=cancel,
        phase="delete",
    )
    done = {r.account.id: r for r in fan.results}
    accounts = tuple(done.get(p.account.id) or _unchanged(p) for p in deletion_plan.accounts)
    return DeletionReport(
        deletion_plan.organization_id, deletion_plan.kinds, accounts, fan.interrupted
    )


def _unchanged(account_plan: AccountPlan) -> AccountDeletion:
    state = {
        PlanState.NOTHING_TO_DELETE: DeleteState.NOTHING_TO_DELETE,
        PlanState.SKIPPED: DeleteState.SKIPPED,
        PlanState.FAILED: DeleteState.FAILED,
        PlanState.NOT_RUN: DeleteState.NOT_RUN,
        PlanState.TO_DELETE: DeleteState.NOT_RUN,
    }[account_plan.state]
    return AccountDeletion(account_plan.account, state, reason=account_plan.reason)


def _not_run(account_plan: AccountPlan, reason: str) -> AccountDeletion:
    items = tuple(ItemResult(i, ItemOutcome.NOT_RUN, reason) for i in account_plan.items)
    return AccountDeletion(account_plan.account, DeleteState.NOT_RUN, items, reason)


def _delete_account(
    ctx: Context, run_id: str, account_plan: AccountPlan, cancel: threading.Event
) -> AccountDeletion:
    account = account_plan.account
    try:
        with ctx.aws.assume_root(
            account.id, TaskPolicy.DELETE.arn, SESSION_SECONDS[TaskPolicy.DELETE]
        ) as session:
            iam = session.iam()
            results: list[ItemResult] = []
            for item in account_plan.items:
                if cancel.is_set():
                    results.append(ItemResult(item, ItemOutcome.NOT_RUN, "interrupted (Ctrl-C)"))
                else:
                    results.append(_remove(ctx, run_id, account.id, iam, item))
            results = _verify(iam, results)
    except RootctlError as exc:
        reason = f"could not open a root session: {exc}"
        items = tuple(ItemResult(i, ItemOutcome.NOT_RUN, reason) for i in account_plan.items)
        return AccountDeletion(account, DeleteState.FAILED, items, reason)
    return _summarize(account_plan, tuple(results))


def _remove(
    ctx: Context, run_id: str, account_id: str, iam: IAMClient, item: PlannedItem
) -> ItemResult:
    calls: dict[CredentialKind, tuple[str, Callable[[], str | None]]] = {
        CredentialKind.PASSWORD: (
            "delete-login-profile",
            lambda: creds_api.delete_login_profile(iam),
        ),
        CredentialKind.ACCESS_KEYS: (
            "delete-access-key",
            lambda: creds_api.delete_access_key(iam, item.id),
        ),
        CredentialKind.CERTIFICATES: (
            "delete-signing-certificate",
            lambda: creds_api.delete_signing_certificate(iam, item.id),
        ),
        CredentialKind.MFA: (
            "deactivate-mfa-device",
            lambda: creds_api.deactivate_mfa_device(iam, item.id),
        ),
    }
    action, call = calls[item.kind]
    outcome = _journaled(ctx, run_id, account_id, action, item.id, call)
    result = _item_result(item, outcome)
    if item.kind is CredentialKind.MFA and result.outcome is ItemOutcome.DELETED:
        # Deactivation detaches the device from root; only deleting a virtual device removes it.
        result = ItemResult(item, ItemOutcome.DEACTIVATED, None, result.request_id)
        if MfaDevice(item.id, None).virtual:
            result = _delete_virtual_device(ctx, run_id, account_id, iam, result)
    return result


def _delete_virtual_device(
    ctx: Context, run_id: str, account_id: str, iam: IAMClient, result: ItemResult
) -> ItemResult:
    serial = result.item.id
    outcome = _journaled(
        ctx,
        run_id,
        account_id,
        "delete-virtual-mfa-device",
        serial,
        lambda: creds_api.delete_virtual_mfa_device(iam, serial),
    )
    if outcome.ok:
        return ItemResult(result.item, ItemOutcome.DELETED, None, result.request_id)
    if isinstance(outcome.error, AccessDenied):
        note = (
            "the task policy denied deleting the virtual MFA device object; "
            "it stays in the account, detached from root"
        )
    else:
        note = f"deleting the virtual MFA device object failed: {outcome.error}"
    return ItemResult(result.item, result.outcome, result.reason, result.request_id, note)


def _journaled(
    ctx: Context,
    run_id: str,
    account_id: str,
    action: str,
    item_id: str,
    call: Callable[[], str | None],
) -> JournaledCall:
    return ctx.journaled(
        run_id=run_id,
        action=action,
        target=account_id,
        task_policy=TaskPolicy.DELETE,
        items=[item_id],
        call=call,
        already_done=is_not_found,
    )


def _item_result(item: PlannedItem, outcome: JournaledCall) -> ItemResult:
    if outcome.already:
        return ItemResult(item, ItemOutcome.ALREADY_GONE, None, outcome.request_id)
    if outcome.error is not None:
        return ItemResult(item, ItemOutcome.FAILED, str(outcome.error), outcome.request_id)
    return ItemResult(item, ItemOutcome.DELETED, None, outcome.request_id)


def _verify(iam: IAMClient, results: list[ItemResult]) -> list[ItemResult]:
    """Re-read the credentials; an item claimed removed but still present is a failure."""
    claimed = [r for r in results if r.outcome in _REMOVED]
    if not claimed:
        return results
    try:
        now = read_credentials(iam, with_last_used=False)
    except RootctlError as exc:
        reason = f"removal could not be verified: {exc}"
        return [
            ItemResult(r.item, ItemOutcome.FAILED, reason, r.request_id, r.note)
            if r in claimed
            else r
            for r in results
        ]
    present = (
        {PlannedItem(CredentialKind.PASSWORD, LOGIN_PROFILE).id} if now.login_profile else set()
    )
    present |= {k.id for k in now.access_keys}
    present |= {c.id for c in now.signing_certificates}
    present |= {d.serial for d in now.mfa_devices}
    return [
        ItemResult(r.item, ItemOutcome.FAILED, "still present after removal", r.request_id, r.note)
        if r in claimed and r.item.id in present
        else r
        for r in results
    ]


def _summarize(account_plan: AccountPlan, results: tuple[ItemResult, ...]) -> AccountDeletion:
    removed = [r for r in results if r.outcome in _REMOVED]
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
