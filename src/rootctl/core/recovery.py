"""Allow password recovery: an empty root login profile (CreateLoginProfile, no password).

Afterwards whoever reads the account's root e-mail can use "Forgot password" on the root
sign-in page; nothing else (old password, MFA) comes back.
"""

from __future__ import annotations

import threading

from rootctl.aws import root_credentials as creds_api
from rootctl.core.context import SESSION_SECONDS, Context
from rootctl.core.runner import run_per_account
from rootctl.errors import RootctlError
from rootctl.models import (
    Account,
    AccountRecovery,
    ProgressCallback,
    RecoveryReport,
    RecoveryState,
    TargetSet,
    TaskPolicy,
)

TASK = TaskPolicy.CREATE_PASSWORD


def _already_exists(exc: RootctlError) -> bool:
    return getattr(exc, "code", None) == "EntityAlreadyExists"


def _allow(ctx: Context, run_id: str, account: Account) -> AccountRecovery:
    try:
        with ctx.aws.assume_root(account.id, TASK.arn, SESSION_SECONDS[TASK]) as session:
            iam = session.iam()
            if creds_api.login_profile(iam) is not None:
                return AccountRecovery(account, RecoveryState.ALREADY_ALLOWED)
            outcome = ctx.journaled(
                run_id=run_id,
                action="create-login-profile",
                target=account.id,
                task_policy=TASK,
                items=["login-profile"],
                call=lambda: creds_api.create_login_profile(iam),
                already_done=_already_exists,
            )
    except RootctlError as exc:
        return AccountRecovery(account, RecoveryState.FAILED, str(exc))
    if outcome.already:
        return AccountRecovery(account, RecoveryState.ALREADY_ALLOWED, None, outcome.request_id)
    if outcome.error is not None:
        return AccountRecovery(
            account, RecoveryState.FAILED, str(outcome.error), outcome.request_id
        )
    return AccountRecovery(account, RecoveryState.ALLOWED, None, outcome.request_id)


def allow_password_recovery(
    ctx: Context,
    targets: TargetSet,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
) -> RecoveryReport:
    ctx.require(TASK.capability)
    run_id = ctx.new_run_id()
    ctx.caller()  # resolve once, before the workers journal under it
    fan = run_per_account(
        targets.selected,
        lambda account, _stop: _allow(ctx, run_id, account),
        concurrency=ctx.concurrency,
        not_run=lambda a: AccountRecovery(a, RecoveryState.NOT_RUN, "interrupted before it ran"),
        failed=lambda a, e: AccountRecovery(a, RecoveryState.FAILED, f"unexpected error: {e!r}"),
        state_of=lambda r: r.state.value,
        progress=progress,
        cancel=cancel,
        phase="recovery",
    )
    skipped = [AccountRecovery(s.account, RecoveryState.SKIPPED, s.reason) for s in targets.skipped]
    return RecoveryReport(targets.organization_id, (*fan.results, *skipped), fan.interrupted)
