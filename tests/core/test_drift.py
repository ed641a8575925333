"""Drift between two stored audits, on hand-built audits (no AWS): every kind of change the
end-to-end story (tests/cli/test_history_cli.py) does not make, and the rules for accounts
that cannot be compared."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rootctl.core.drift import compare
from rootctl.errors import InputError
from rootctl.journal.audit_rows import top_unit
from rootctl.journal.audits import SqliteAuditStore
from rootctl.journal.sqlite import SqliteJournal
from rootctl.models import (
    AccessKey,
    AccountAudit,
    AuditCounts,
    AuditScope,
    AuditSource,
    AuditState,
    AuditSummary,
    ChangeKind,
    CredentialType,
    DriftReport,
    DriftState,
    HistoryQuery,
    LoginProfile,
    MfaDevice,
    RootCredentials,
    SigningCertificate,
    StoredAudit,
)
from tests.core.factories import organization

ORG = organization()
ACCOUNTS = {a.id: a for a in ORG.accounts}
PROD_API, PROD_WEB, DEV = "222222222222", "333333333333", "444444444444"
WHEN = datetime(2026, 1, 1, tzinfo=UTC)
KEY = AccessKey("AKIAEXAMPLEKEY000001", "Active", WHEN)
MFA = MfaDevice("GAHT12345678", WHEN)
CERT = SigningCertificate("CERTEXAMPLE0000000000000000000001", "Active", WHEN)


def audited(account_id: str, credentials: RootCredentials) -> AccountAudit:
    return AccountAudit(ACCOUNTS[account_id], AuditState.AUDITED, credentials)


def stored(audit_id: int, *rows: AccountAudit, complete: bool = True) -> StoredAudit:
    summary = AuditSummary(
        id=audit_id,
        started_at=WHEN.replace(day=audit_id),
        finished_at=WHEN.replace(day=audit_id),
        source=AuditSource.LIBRARY,
        caller_arn=None,
        organization_id=ORG.id,
        region="us-east-1",
        scope=AuditScope(all=complete),
        complete=complete,
        interrupted=False,
        counts=AuditCounts(),
    )
    return StoredAudit(summary, rows)


def kinds(report: DriftReport, account_id: str) -> list[tuple[ChangeKind, CredentialType | None]]:
    drift = next(d for d in report.accounts if d.account_id == account_id)
    return [(c.kind, c.credential) for c in drift.changes]


def test_every_credential_kind_and_recovery_withdrawn() -> None:
    before = stored(
        1,
        audited(PROD_API, RootCredentials(LoginProfile(WHEN), (KEY,))),
        audited(PROD_WEB, RootCredentials(None)),
        audited(DEV, RootCredentials(None, (KEY,))),
    )
    after = stored(
        2,
        audited(PROD_API, RootCredentials(None)),  # password and key deleted
        audited(PROD_WEB, RootCredentials(None, (), (MFA,), (CERT,))),
        audited(DEV, RootCredentials(None, (replace(KEY, status="Inactive"),))),
    )
    report = compare(before, after)
    assert kinds(report, PROD_API) == [
        (ChangeKind.CREDENTIAL_REMOVED, CredentialType.PASSWORD),
        (ChangeKind.CREDENTIAL_REMOVED, CredentialType.ACCESS_KEY),
        (ChangeKind.RECOVERY_WITHDRAWN, None),
    ]
    assert kinds(report, PROD_WEB) == [
        (ChangeKind.CREDENTIAL_APPEARED, CredentialType.SIGNING_CERTIFICATE),
        (ChangeKind.CREDENTIAL_APPEARED, CredentialType.MFA_DEVICE),
    ]
    assert kinds(report, DEV) == [(ChangeKind.CREDENTIAL_CHANGED, CredentialType.ACCESS_KEY)]
    assert report.credentials_appeared


def test_a_password_created_again_is_a_new_credential() -> None:
    before = stored(1, audited(DEV, RootCredentials(LoginProfile(WHEN))))
    after = stored(2, audited(DEV, RootCredentials(LoginProfile(WHEN.replace(month=6)))))
    assert kinds(compare(before, after), DEV) == [
        (ChangeKind.CREDENTIAL_APPEARED, CredentialType.PASSWORD)
    ]


def test_left_joined_and_not_comparable() -> None:
    failed = AccountAudit(ACCOUNTS[PROD_WEB], AuditState.FAILED, None, "AccessDenied")
    before = stored(
        1, audited(PROD_API, RootCredentials(None)), audited(PROD_WEB, RootCredentials(None))
    )
    after = stored(2, failed, audited(DEV, RootCredentials(None, (KEY,))))
    report = compare(before, after)
    states = {d.account_id: d.state for d in report.accounts}
    assert states == {
        PROD_API: DriftState.LEFT,
        PROD_WEB: DriftState.NOT_COMPARABLE,  # never "unchanged": the later audit failed
        DEV: DriftState.JOINED,
    }
    web = next(d for d in report.accounts if d.account_id == PROD_WEB)
    assert web.reason == "failed in the later audit: AccessDenied"
    assert kinds(report, DEV) == [
        (ChangeKind.JOINED, None),
        (ChangeKind.CREDENTIAL_APPEARED, CredentialType.ACCESS_KEY),
    ]
    assert report.credentials_appeared  # a newcomer with a root access key


def test_an_account_outside_a_partial_audit_did_not_leave() -> None:
    before = stored(
        1, audited(PROD_API, RootCredentials(None)), audited(DEV, RootCredentials(None))
    )
    after = stored(2, audited(DEV, RootCredentials(None)), complete=False)
    report = compare(before, after)
    api = next(d for d in report.accounts if d.account_id == PROD_API)
    assert api.state is DriftState.NOT_COMPARABLE
    assert not api.changes
    assert "did not cover the whole organization" in (api.reason or "")
    assert not report.credentials_appeared


def test_an_audit_is_not_compared_with_itself() -> None:
    one = stored(1, audited(DEV, RootCredentials(None)))
    with pytest.raises(InputError):
        compare(one, one)


def test_posture_counts_an_ou_whose_every_audit_failed_as_unknown(tmp_path: Path) -> None:
    # SQL's SUM over only NULLs is NULL: an OU of failed rows once broke the posture chart.
    store = SqliteAuditStore(SqliteJournal(tmp_path / "j.sqlite3"))
    store.prepare_for_writing()
    failed = AccountAudit(ACCOUNTS[DEV], AuditState.FAILED, None, "AccessDenied")
    store.save_audit(stored(1, audited(PROD_API, RootCredentials(None)), failed))
    [point] = store.posture(HistoryQuery())
    units = {u.unit: (u.with_credentials, u.without, u.unknown) for u in point.units}
    assert units[top_unit(ACCOUNTS[DEV].ou_path)] == (0, 0, 1)
    assert point.with_credentials == 0
    store.close()
