"""Audit: one IAMAuditRootUserCredentials session per member account, five kinds of read."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rootctl.aws import root_credentials as creds_api
from rootctl.core.context import SESSION_SECONDS, Context
from rootctl.core.runner import run_per_account
from rootctl.errors import RootctlError
from rootctl.models import (
    AccessKey,
    Account,
    AccountAudit,
    AuditReport,
    AuditState,
    LoginProfile,
    MfaDevice,
    ProgressCallback,
    RootCredentials,
    SigningCertificate,
    TargetSet,
    TaskPolicy,
)

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient


def read_credentials(iam: IAMClient, *, with_last_used: bool = True) -> RootCredentials:
    """The root user's credentials as seen from a root session (audit or delete policy)."""
    profile = creds_api.login_profile(iam)
    return RootCredentials(
        login_profile=LoginProfile(_date(profile.get("CreateDate"))) if profile else None,
        access_keys=tuple(
            _access_key(k) for k in creds_api.access_keys(iam, with_last_used=with_last_used)
        ),
        mfa_devices=tuple(
            MfaDevice(d["SerialNumber"], _date(d.get("EnableDate")))
            for d in creds_api.mfa_devices(iam)
        ),
        signing_certificates=tuple(
            SigningCertificate(
                c["CertificateId"], str(c.get("Status", "")), _date(c.get("UploadDate"))
            )
            for c in creds_api.signing_certificates(iam)
        ),
    )


def _access_key(raw: dict[str, Any]) -> AccessKey:
    used = raw.get("LastUsed") or {}
    service = used.get("ServiceName")
    region = used.get("Region")
    return AccessKey(
        id=raw["AccessKeyId"],
        status=str(raw.get("Status", "")),
        created=_date(raw.get("CreateDate")),
        last_used=_date(used.get("LastUsedDate")),
        # IAM says "N/A" for never-used keys; say nothing instead.
        last_used_service=None if service in (None, "N/A") else str(service),
        last_used_region=None if region in (None, "N/A") else str(region),
    )


def _date(value: object) -> datetime | None:
    return value if isinstance(value, datetime) else None


def audit_account(ctx: Context, account: Account) -> AccountAudit:
    try:
        with ctx.aws.assume_root(
            account.id, TaskPolicy.AUDIT.arn, SESSION_SECONDS[TaskPolicy.AUDIT]
        ) as session:
            credentials = read_credentials(session.iam())
    except RootctlError as exc:
        return AccountAudit(account, AuditState.FAILED, reason=str(exc))
    return AccountAudit(account, AuditState.AUDITED, credentials)


def audit(
    ctx: Context,
    targets: TargetSet,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
) -> AuditReport:
    ctx.require(TaskPolicy.AUDIT.capability)
    fan = run_per_account(
        targets.selected,
        lambda account, _cancel: audit_account(ctx, account),
        concurrency=ctx.concurrency,
        not_run=lambda a: AccountAudit(a, AuditState.NOT_RUN, reason="interrupted before it ran"),
        failed=lambda a, e: AccountAudit(a, AuditState.FAILED, reason=f"unexpected error: {e!r}"),
        state_of=lambda r: r.state.value,
        progress=progress,
        cancel=cancel,
        phase="audit",
    )
    skipped = [
        AccountAudit(s.account, AuditState.SKIPPED, reason=s.reason) for s in targets.skipped
    ]
    return AuditReport(targets.organization_id, (*fan.results, *skipped), fan.interrupted)
