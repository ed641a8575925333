"""Removing one account's planned items inside its delete session, each journaled, then
verifying with a re-read that every item claimed removed is really gone."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

from rootctl.aws.root_session import RootSession
from rootctl.core.context import Context, JournaledCall
from rootctl.core.fanout import STOPPED_BEFORE
from rootctl.errors import AccessDenied, AdviceCode, NotFound, RootctlError
from rootctl.models import (
    AccountPlan,
    CredentialKind,
    ItemOutcome,
    ItemResult,
    MfaDevice,
    PlannedItem,
    RootCredentials,
    TaskPolicy,
)

TASK = TaskPolicy.DELETE
LOGIN_PROFILE = "login-profile"

# Per kind: the journal action, and the call that removes an item of that kind.
REMOVALS: Mapping[CredentialKind, tuple[str, Callable[[RootSession, str], str | None]]] = {
    CredentialKind.PASSWORD: ("delete-login-profile", lambda s, _id: s.delete_login_profile()),
    CredentialKind.ACCESS_KEYS: ("delete-access-key", RootSession.delete_access_key),
    CredentialKind.CERTIFICATES: (
        "delete-signing-certificate",
        RootSession.delete_signing_certificate,
    ),
    CredentialKind.MFA: ("deactivate-mfa-device", RootSession.deactivate_mfa_device),
}


def remove_items(
    ctx: Context,
    run_id: str,
    session: RootSession,
    account_plan: AccountPlan,
    cancel: threading.Event,
) -> tuple[ItemResult, ...]:
    results: list[ItemResult] = []
    for item in account_plan.items:
        if cancel.is_set():
            results.append(ItemResult(item, ItemOutcome.NOT_RUN, STOPPED_BEFORE))
        else:
            results.append(_remove(ctx, run_id, session, item))
    return tuple(_verify(session, results))


# DeleteVirtualMFADevice is not in the delete task policy on AWS today (spec §3): its refusal is
# expected, so it is journaled as skipped with this reason, not as a failure. The error and
# the consequence are two sentences.
DEVICE_KEPT = (
    "The IAMDeleteRootUserCredentials task policy does not allow DeleteVirtualMFADevice. "
    "The virtual MFA device object stays in the account, detached from the root user."
)


def _expected_denial(exc: RootctlError) -> str | None:
    """The task policy's refusal (AWS says "…in a session policy"); an SCP's is a failure."""
    by_task_policy = exc.advice is not None and exc.advice.code is AdviceCode.TASK_POLICY_DENIES
    return DEVICE_KEPT if isinstance(exc, AccessDenied) and by_task_policy else None


def _journaled(
    ctx: Context,
    run_id: str,
    session: RootSession,
    action: str,
    item_id: str,
    call: Callable[[], str | None],
    expected: Callable[[RootctlError], str | None] = lambda _e: None,
) -> JournaledCall:
    return ctx.journaled(
        run_id=run_id,
        action=action,
        target=session.account_id,
        task_policy=TASK,
        items=[item_id],
        call=call,
        already_done=lambda exc: isinstance(exc, NotFound),
        expected=expected,
    )


def _remove(ctx: Context, run_id: str, session: RootSession, item: PlannedItem) -> ItemResult:
    action, remove = REMOVALS[item.kind]
    outcome = _journaled(ctx, run_id, session, action, item.id, lambda: remove(session, item.id))
    result = _item_result(item, outcome)
    if item.kind is CredentialKind.MFA and result.outcome is ItemOutcome.DELETED:
        # Deactivation detaches the device from root; only deleting a virtual device removes it.
        result = ItemResult(item, ItemOutcome.DEACTIVATED, None, result.request_id)
        if MfaDevice(item.id, None).virtual:
            result = _delete_virtual_device(ctx, run_id, session, result)
    return result


def _delete_virtual_device(
    ctx: Context, run_id: str, session: RootSession, result: ItemResult
) -> ItemResult:
    serial = result.item.id
    outcome = _journaled(
        ctx,
        run_id,
        session,
        "delete-virtual-mfa-device",
        serial,
        lambda: session.delete_virtual_mfa_device(serial),
        _expected_denial,
    )
    if outcome.ok:
        return ItemResult(result.item, ItemOutcome.DELETED, None, result.request_id)
    if outcome.skipped:
        note = (
            "the task policy denied deleting the virtual MFA device object; "
            "it stays in the account, detached from root"
        )
    else:
        note = f"deleting the virtual MFA device object failed: {outcome.error}"
    return ItemResult(result.item, result.outcome, result.reason, result.request_id, note)


def _item_result(item: PlannedItem, outcome: JournaledCall) -> ItemResult:
    if outcome.already:
        return ItemResult(item, ItemOutcome.ALREADY_GONE, None, outcome.request_id)
    if outcome.error is not None:
        return ItemResult(item, ItemOutcome.FAILED, str(outcome.error), outcome.request_id)
    return ItemResult(item, ItemOutcome.DELETED, None, outcome.request_id)


def _verify(session: RootSession, results: list[ItemResult]) -> list[ItemResult]:
    """Re-read the credentials; an item claimed removed but still present is a failure."""
    claimed = [r for r in results if r.outcome.removed]
    if not claimed:
        return results
    try:
        now = session.credentials(with_last_used=False)
    except RootctlError as exc:
        reason = f"removal could not be verified: {exc}"
        return [
            ItemResult(r.item, ItemOutcome.FAILED, reason, r.request_id, r.note)
            if r in claimed
            else r
            for r in results
        ]
    present = _present_ids(now)
    return [
        ItemResult(r.item, ItemOutcome.FAILED, "still present after removal", r.request_id, r.note)
        if r in claimed and r.item.id in present
        else r
        for r in results
    ]


def _present_ids(credentials: RootCredentials) -> set[str]:
    present = {LOGIN_PROFILE} if credentials.login_profile else set()
    present |= {k.id for k in credentials.access_keys}
    present |= {c.id for c in credentials.signing_certificates}
    present |= {d.serial for d in credentials.mfa_devices}
    return present
