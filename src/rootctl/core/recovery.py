"""Allow password recovery: an empty root login profile (CreateLoginProfile, no password).

Afterwards whoever reads the account's root e-mail can use "Forgot password" on the root
sign-in page; nothing else (old password, MFA) comes back.
"""

from __future__ import annotations

import threading

from rootctl.aws.root_session import RootSession
from rootctl.core.context import Context
from rootctl.core.fanout import Run, in_root_sessions
from rootctl.errors import AlreadyExists
from rootctl.models import (
    Account,
    AccountRecovery,
    RecoveryReport,
    RecoveryState,
    TargetSet,
    TaskPolicy,
)

TASK = TaskPolicy.CREATE_PASSWORD


def allow_in(ctx: Context, run_id: str, session: RootSession, account: Account) -> AccountRecovery:
    """Allow recovery in one account's CreateRootUserPassword session (journaled): nothing
    when a login profile exists already."""
    if session.login_profile() is not None:
        return AccountRecovery(account, RecoveryState.ALREADY_ALLOWED)
    outcome = ctx.journaled(
        run_id=run_id,
        action="create-login-profile",
        target=account.id,
        task_policy=TASK,
        items=["login-profile"],
        call=session.create_login_profile,
        already_done=lambda exc: isinstance(exc, AlreadyExists),
    )
    if outcome.already:
        return AccountRecovery(account, RecoveryState.ALREADY_ALLOWED, None, outcome.request_id)
    if outcome.error is not None:
        return AccountRecovery(
            account, RecoveryState.FAILED, str(outcome.error), outcome.request_id
        )
    return AccountRecovery(account, RecoveryState.ALLOWED, None, outcome.request_id)


def allow_password_recovery(ctx: Context, targets: TargetSet, run: Run) -> RecoveryReport:
    ctx.require(TASK.capability)
    run_id = ctx.new_run_id()
    ctx.caller()  # resolve once, before the workers journal under it

    def allow(session: RootSession, account: Account, _cancel: threading.Event) -> AccountRecovery:
        return allow_in(ctx, run_id, session, account)

    fan = in_root_sessions(
        ctx, targets.selected, TASK, allow, AccountRecovery, run, skipped=targets
    )
    return RecoveryReport(targets.organization_id, fan.rows, fan.interrupted)
