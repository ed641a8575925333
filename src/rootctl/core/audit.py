"""Audit: one IAMAuditRootUserCredentials session per member account, its reads side by side."""

from __future__ import annotations

import threading

from rootctl.aws.root_session import RootSession
from rootctl.core.context import Context
from rootctl.core.fanout import Run, in_root_sessions
from rootctl.models import Account, AccountAudit, AuditReport, AuditState, TargetSet, TaskPolicy

TASK = TaskPolicy.AUDIT


def audit_in(session: RootSession, account: Account, _cancel: threading.Event) -> AccountAudit:
    return AccountAudit(account, AuditState.AUDITED, session.credentials())


def audit(ctx: Context, targets: TargetSet, run: Run) -> AuditReport:
    ctx.require(TASK.capability)
    fan = in_root_sessions(
        ctx, targets.selected, TASK, audit_in, AccountAudit, run, skipped=targets
    )
    return AuditReport(targets.organization_id, fan.rows, fan.interrupted)
