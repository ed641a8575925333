"""Stored audits ↔ rows of the ``audits`` and ``audit_accounts`` tables.

Credential facts are JSON: ids, statuses, dates and MFA serials — what the audit task policy
lets AWS return, which holds no secret. A row whose JSON cannot be read comes back as a failed
account row naming the problem, so one damaged row never hides an audit.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from rootctl.journal.rows import stamp
from rootctl.models import (
    AccessKey,
    Account,
    AccountAudit,
    AuditCounts,
    AuditScope,
    AuditSource,
    AuditState,
    AuditSummary,
    CallerIdentity,
    CallerRole,
    Capability,
    DelegatedAdmin,
    LoginProfile,
    MfaDevice,
    OrgStatus,
    RootCredentials,
    SigningCertificate,
    StoredAudit,
)

SUMMARY_COLUMNS = (
    "id", "started_at", "finished_at", "source", "caller_arn", "organization_id", "region",
    "scope", "complete", "interrupted", "accounts", "audited", "with_credentials", "failed",
    "skipped", "not_run",
)  # fmt: skip
# What an INSERT writes (the id is SQLite's; the status JSON follows the summary's columns).
WRITTEN_COLUMNS = (*SUMMARY_COLUMNS[1:10], "status", *SUMMARY_COLUMNS[10:])
ACCOUNT_COLUMNS = (
    "account_id", "name", "email", "account_state", "parent_id", "ou_path", "top_unit",
    "is_management", "state", "reason", "has_credentials", "credentials",
)  # fmt: skip


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else stamp(moment)


def _moment(text: Any) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(str(text))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# -- writing -------------------------------------------------------------------------------------


def counts(rows: tuple[AccountAudit, ...]) -> AuditCounts:
    def n(state: AuditState) -> int:
        return sum(1 for r in rows if r.state is state)

    return AuditCounts(
        accounts=len(rows),
        audited=n(AuditState.AUDITED),
        with_credentials=sum(1 for r in rows if r.has_root_credentials),
        failed=n(AuditState.FAILED),
        skipped=n(AuditState.SKIPPED),
        not_run=n(AuditState.NOT_RUN),
    )


def summary_values(audit: StoredAudit) -> tuple[object, ...]:
    s, c = audit.summary, counts(audit.accounts)
    scope = {"all": s.scope.all, "accounts": list(s.scope.accounts), "ous": list(s.scope.ous)}
    scope["exclude"] = list(s.scope.exclude)
    return (
        stamp(s.started_at), stamp(s.finished_at), s.source.value, s.caller_arn,
        s.organization_id, s.region, json.dumps(scope), int(s.complete), int(s.interrupted),
        status_json(audit.status), c.accounts, c.audited, c.with_credentials, c.failed,
        c.skipped, c.not_run,
    )  # fmt: skip


def status_json(status: OrgStatus | None) -> str | None:
    if status is None:
        return None
    delegates = status.delegated_admins
    return json.dumps(
        {
            "feature_set": status.feature_set,
            "management_account_id": status.management_account_id,
            "caller_role": status.caller_role.value,
            "trusted_access": status.trusted_access,
            "capabilities": None
            if status.capabilities is None
            else sorted(c.value for c in status.capabilities),
            "delegated_admins": None
            if delegates is None
            else [
                {"account_id": d.account_id, "name": d.name, "email": d.email} for d in delegates
            ],
        }
    )


def account_values(audit_id: int, position: int, row: AccountAudit) -> tuple[object, ...]:
    a = row.account
    return (
        audit_id, position, a.id, a.name, a.email, a.state, a.parent_id,
        json.dumps(list(a.ou_path)), top_unit(a.ou_path), int(a.is_management),
        row.state.value, row.reason,
        None if row.credentials is None else int(row.credentials.has_root_credentials),
        None if row.credentials is None else credentials_json(row.credentials),
    )  # fmt: skip


def top_unit(ou_path: tuple[str, ...]) -> str:
    """The top-level OU's name (``Root`` for an account directly under the root)."""
    return ou_path[1] if len(ou_path) > 1 else (ou_path[0] if ou_path else "Root")


def credentials_json(c: RootCredentials) -> str:
    return json.dumps(
        {
            "login_profile": None
            if c.login_profile is None
            else {"created": _iso(c.login_profile.created)},
            "access_keys": [
                {
                    "id": k.id,
                    "status": k.status,
                    "created": _iso(k.created),
                    "last_used": _iso(k.last_used),
                    "last_used_service": k.last_used_service,
                    "last_used_region": k.last_used_region,
                }
                for k in c.access_keys
            ],
            "mfa_devices": [
                {"serial": d.serial, "enabled_at": _iso(d.enabled_at)} for d in c.mfa_devices
            ],
            "signing_certificates": [
                {"id": s.id, "status": s.status, "uploaded": _iso(s.uploaded)}
                for s in c.signing_certificates
            ],
        },
        sort_keys=True,
    )


# -- reading -------------------------------------------------------------------------------------


def summary(row: tuple[Any, ...]) -> AuditSummary:
    values = dict(zip(SUMMARY_COLUMNS, row, strict=True))
    scope = json.loads(values["scope"])
    return AuditSummary(
        id=int(values["id"]),
        started_at=_moment(values["started_at"]) or datetime.min.replace(tzinfo=UTC),
        finished_at=_moment(values["finished_at"]) or datetime.min.replace(tzinfo=UTC),
        source=AuditSource(values["source"]),
        caller_arn=values["caller_arn"],
        organization_id=str(values["organization_id"]),
        region=values["region"],
        scope=AuditScope(
            all=bool(scope.get("all")),
            accounts=tuple(scope.get("accounts", ())),
            ous=tuple(scope.get("ous", ())),
            exclude=tuple(scope.get("exclude", ())),
        ),
        complete=bool(values["complete"]),
        interrupted=bool(values["interrupted"]),
        counts=AuditCounts(
            *(int(values[c]) for c in SUMMARY_COLUMNS[10:]),
        ),
    )


def status(text: str | None, summary: AuditSummary) -> OrgStatus | None:
    if text is None:
        return None
    raw = json.loads(text)
    arn = summary.caller_arn or ""
    capabilities = raw.get("capabilities")
    delegates = raw.get("delegated_admins")
    return OrgStatus(
        organization_id=summary.organization_id,
        feature_set=str(raw.get("feature_set", "")),
        management_account_id=str(raw.get("management_account_id", "")),
        caller=CallerIdentity(arn, summary.caller_account_id or "", ""),
        caller_role=CallerRole(raw.get("caller_role", "unknown")),
        trusted_access=raw.get("trusted_access"),
        capabilities=None if capabilities is None else frozenset(map(Capability, capabilities)),
        delegated_admins=None
        if delegates is None
        else tuple(DelegatedAdmin(d["account_id"], d["name"], d["email"]) for d in delegates),
    )


def account_audit(row: tuple[Any, ...]) -> AccountAudit:
    v = dict(zip(ACCOUNT_COLUMNS, row, strict=True))
    account = Account(
        id=str(v["account_id"]),
        name=str(v["name"]),
        email=str(v["email"]),
        state=str(v["account_state"]),
        parent_id=str(v["parent_id"]),
        ou_path=tuple(json.loads(v["ou_path"])),
        is_management=bool(v["is_management"]),
    )
    try:
        state = AuditState(v["state"])
        creds = None if v["credentials"] is None else credentials(json.loads(v["credentials"]))
    except (ValueError, KeyError, TypeError) as exc:
        return AccountAudit(account, AuditState.FAILED, None, f"stored row unreadable: {exc}")
    return AccountAudit(account, state, creds, v["reason"])


def credentials(raw: dict[str, Any]) -> RootCredentials:
    profile = raw.get("login_profile")
    return RootCredentials(
        login_profile=None if profile is None else LoginProfile(_moment(profile.get("created"))),
        access_keys=tuple(
            AccessKey(
                k["id"],
                k["status"],
                _moment(k.get("created")),
                _moment(k.get("last_used")),
                k.get("last_used_service"),
                k.get("last_used_region"),
            )
            for k in raw.get("access_keys", ())
        ),
        mfa_devices=tuple(
            MfaDevice(d["serial"], _moment(d.get("enabled_at"))) for d in raw.get("mfa_devices", ())
        ),
        signing_certificates=tuple(
            SigningCertificate(s["id"], s["status"], _moment(s.get("uploaded")))
            for s in raw.get("signing_certificates", ())
        ),
    )
