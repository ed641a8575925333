"""The compliance mapping: each control's status for each kind of root user (spec §6)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from rootctl.core.compliance import ControlsFileError, evaluate, load_controls
from rootctl.models import (
    AccessKey,
    Account,
    AccountAudit,
    AuditReport,
    AuditState,
    CallerIdentity,
    CallerRole,
    Capability,
    ComplianceReport,
    ControlStatus,
    DelegatedAdmin,
    LoginProfile,
    MfaDevice,
    OrgStatus,
    RootCredentials,
    SigningCertificate,
)
from tests.core.factories import MANAGEMENT, organization

P, F, NA, NE = (
    ControlStatus.PASSED,
    ControlStatus.FAILED,
    ControlStatus.NOT_APPLICABLE,
    ControlStatus.NOT_EVALUATED,
)
WHEN = datetime(2025, 1, 2, tzinfo=UTC)
PASSWORD = LoginProfile(WHEN)
VIRTUAL = MfaDevice("arn:aws:iam::222222222222:mfa/root-account-mfa-device", WHEN)
HARDWARE = MfaDevice("GAHT12345678", WHEN)
ACTIVE_KEY = AccessKey("AKIAEXAMPLEACTIVE01", "Active", WHEN)
INACTIVE_KEY = AccessKey("AKIAEXAMPLEINACTIV1", "Inactive", WHEN)
CERTIFICATE = SigningCertificate("CERTEXAMPLE0000000000001", "Active", WHEN)

ORG = organization()


def account(account_id: str) -> Account:
    found = ORG.account(account_id)
    assert found is not None
    return found


MEMBER = account("222222222222")

ACCOUNT_CONTROLS = ("IAM.4", "IAM.6", "IAM.9", "CIS 2.4", "CIS 2.5", "CIS 2.6")


def org_status(
    *,
    trusted: bool | None = True,
    capabilities: frozenset[Capability] | None = frozenset(Capability),
    delegates: tuple[DelegatedAdmin, ...] | None = (),
) -> OrgStatus:
    return OrgStatus(
        organization_id=ORG.id,
        feature_set="ALL",
        management_account_id=MANAGEMENT,
        caller=CallerIdentity(f"arn:aws:iam::{MANAGEMENT}:user/admin", MANAGEMENT, "AIDAEXAMPLE"),
        caller_role=CallerRole.MANAGEMENT,
        trusted_access=trusted,
        capabilities=capabilities,
        delegated_admins=delegates,
    )


def one_account(credentials: RootCredentials) -> ComplianceReport:
    audit = AuditReport(ORG.id, (AccountAudit(MEMBER, AuditState.AUDITED, credentials),))
    return evaluate(audit, org_status())


@pytest.mark.parametrize(
    ("credentials", "expected"),
    [
        pytest.param(RootCredentials(None), (NA, P, P, P, P, P), id="no-root-credentials"),
        pytest.param(
            RootCredentials(PASSWORD, mfa_devices=(VIRTUAL,)),
            (P, F, P, P, P, F),
            id="password-virtual-mfa",
        ),
        pytest.param(
            RootCredentials(PASSWORD, mfa_devices=(HARDWARE, VIRTUAL)),
            (P, P, P, P, P, P),
            id="password-hardware-mfa",
        ),
        pytest.param(RootCredentials(PASSWORD), (P, F, F, P, F, F), id="password-no-mfa"),
        pytest.param(
            RootCredentials(None, access_keys=(ACTIVE_KEY,)),
            (F, P, F, F, P, P),
            id="forgotten-active-key-no-password",
        ),
        pytest.param(
            RootCredentials(PASSWORD, access_keys=(INACTIVE_KEY,), mfa_devices=(HARDWARE,)),
            (F, P, P, P, P, P),
            id="inactive-key",
        ),
        pytest.param(
            RootCredentials(None, signing_certificates=(CERTIFICATE,)),
            (P, P, F, P, P, P),
            id="signing-certificate-only",
        ),
    ],
)
def test_account_controls(credentials: RootCredentials, expected: tuple[ControlStatus, ...]):
    report = one_account(credentials)
    got = tuple(report.control(c).findings[0].status for c in ACCOUNT_CONTROLS)
    assert dict(zip(ACCOUNT_CONTROLS, got, strict=True)) == dict(
        zip(ACCOUNT_CONTROLS, expected, strict=True)
    )
    for finding in report.for_subject(MEMBER.id):
        assert finding.reason, finding


def test_credential_less_root_reasons_cite_the_documented_rule():
    report = one_account(RootCredentials(None))
    assert "archives" in report.control("IAM.4").findings[0].reason
    assert "PASSED" in report.control("IAM.6").findings[0].reason
    assert "neither possible nor necessary" in report.control("CIS 2.6").findings[0].reason


def test_failures_share_a_reason_and_name_the_offending_credential_in_the_detail():
    report = one_account(RootCredentials(PASSWORD, (ACTIVE_KEY,), (VIRTUAL,)))
    iam4 = report.control("IAM.4").findings[0]
    assert (iam4.reason, iam4.detail) == (
        "a root access key exists",
        "AKIAEXAMPLEACTIVE01 (Active)",
    )
    iam6 = report.control("IAM.6").findings[0]
    assert (iam6.reason, iam6.detail) == ("virtual MFA only", VIRTUAL.serial)
    no_mfa = one_account(RootCredentials(None, access_keys=(ACTIVE_KEY,))).control("IAM.9")
    assert no_mfa.findings[0].reason == "no MFA device"
    assert no_mfa.findings[0].detail == "root has 1 access key(s)"


def test_accounts_rootctl_could_not_audit_are_not_evaluated():
    management = account(MANAGEMENT)
    audit = AuditReport(
        ORG.id,
        (
            AccountAudit(MEMBER, AuditState.FAILED, reason="AccessDenied by an SCP"),
            AccountAudit(management, AuditState.SKIPPED, reason="management account"),
        ),
    )
    report = evaluate(audit, org_status())
    for control in ACCOUNT_CONTROLS:
        result = report.control(control)
        assert [f.status for f in result.findings] == [NE, NE]
        assert result.status is NE
    assert "SCP" in report.for_subject(MEMBER.id)[0].detail
    assert "credential report" in report.for_subject(MANAGEMENT)[0].detail


@pytest.mark.parametrize(
    ("status", "expected", "words"),
    [
        (org_status(), P, "no delegated administrator"),
        (
            org_status(delegates=(DelegatedAdmin("444444444444", "security", "s@example.com"),)),
            P,
            "444444444444 (security)",
        ),
        (org_status(trusted=False), F, "trusted access"),
        # with trusted access off IAM hides the capabilities: still a failure, not unknown
        (org_status(trusted=False, capabilities=None), F, "trusted access"),
        (
            org_status(capabilities=frozenset({Capability.ROOT_SESSIONS})),
            F,
            "root credentials management is disabled",
        ),
        (org_status(trusted=None, capabilities=None, delegates=None), NE, "could not read"),
    ],
)
def test_cis_2_1_1_centralized_root_access(status: OrgStatus, expected: ControlStatus, words: str):
    report = evaluate(AuditReport(ORG.id, ()), status)
    (finding,) = report.control("CIS 2.1.1").findings
    assert finding.status is expected
    assert finding.subject_id == ORG.id
    assert words in f"{finding.reason}; {finding.detail}"


def test_a_control_fails_when_any_account_fails():
    other = account("333333333333")
    audit = AuditReport(
        ORG.id,
        (
            AccountAudit(MEMBER, AuditState.AUDITED, RootCredentials(None)),
            AccountAudit(other, AuditState.AUDITED, RootCredentials(None, (ACTIVE_KEY,))),
        ),
    )
    report = evaluate(audit, org_status())
    assert report.control("IAM.4").status is F
    assert report.control("IAM.4").count(NA) == 1
    assert report.control("IAM.6").status is P
    assert not report.passed
    clean = evaluate(AuditReport(ORG.id, (audit.accounts[0],)), org_status())
    assert clean.control("IAM.4").status is NA
    assert clean.passed


def test_the_shipped_mapping_covers_the_controls_the_spec_names():
    ids = [c.id for c in load_controls()]
    assert ids == ["IAM.4", "IAM.6", "IAM.9", "CIS 2.1.1", "CIS 2.4", "CIS 2.5", "CIS 2.6"]
    assert {c.config_rule for c in load_controls() if c.id.startswith("IAM.")} == {
        "iam-root-access-key-check",
        "root-account-hardware-mfa-enabled",
        "root-account-mfa-enabled",
    }


CONTROL = """
controls:
  - id: X.1
    framework: test
    title: t
    severity: low
    scope: {scope}
    check: {check}
{extra}
"""


@pytest.mark.parametrize(
    ("scope", "check", "extra", "words"),
    [
        ("account", "no-such-check", "", "unknown account check"),
        ("planet", "mfa", "", "bad or missing field"),
        ("organization", "mfa", "", "unknown organization check"),
        (
            "organization",
            "centralized-root-access",
            "    exempt: {when: no-password, status: PASSED, reason: r}",
            "only account controls",
        ),
        ("account", "mfa", "    exempt: {when: no-password, status: GREEN, reason: r}", "GREEN"),
    ],
)
def test_a_bad_controls_file_is_refused_with_the_control_named(
    tmp_path: Path, scope: str, check: str, extra: str, words: str
):
    path = tmp_path / "controls.yaml"
    path.write_text(CONTROL.format(scope=scope, check=check, extra=extra))
    with pytest.raises(ControlsFileError, match=words) as caught:
        load_controls(path)
    assert "X.1" in str(caught.value)
