"""Root-user compliance controls (Security Hub, CIS) and their results, as data.

Which controls exist is data too (``rootctl/core/data/controls.yaml``); the evaluation lives
in :mod:`rootctl.core.compliance`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rootctl.models.credentials import RootCredentials


class ControlStatus(StrEnum):
    PASSED = "PASSED"
    FAILED = "FAILED"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    # Not the framework's word: rootctl could not see the account (audit failed or skipped,
    # or the caller may not read the organization's settings).
    NOT_EVALUATED = "NOT_EVALUATED"


class Scope(StrEnum):
    ACCOUNT = "account"
    ORGANIZATION = "organization"


class ExemptWhen(StrEnum):
    NO_ROOT_CREDENTIALS = "no-root-credentials"
    NO_PASSWORD = "no-password"  # noqa: S105 - a condition name, not a secret

    def holds(self, credentials: RootCredentials) -> bool:
        if self is ExemptWhen.NO_PASSWORD:
            return credentials.login_profile is None
        return not credentials.has_root_credentials


@dataclass(frozen=True, slots=True)
class Exemption:
    when: ExemptWhen
    status: ControlStatus
    reason: str  # the same words for every account in the same situation
    detail: str = ""  # this account's specifics: key ids, MFA serials …


@dataclass(frozen=True, slots=True)
class Control:
    id: str
    framework: str
    title: str
    severity: str
    scope: Scope
    check: str
    exempt: Exemption | None = None
    config_rule: str | None = None
    prowler_check: str | None = None
    see: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One control's result for one account (or, for organization controls, the org)."""

    control_id: str
    subject_id: str  # account id, or organization id
    subject_name: str
    status: ControlStatus
    reason: str  # the same words for every account in the same situation
    detail: str = ""  # this account's specifics: key ids, MFA serials …


@dataclass(frozen=True, slots=True)
class ControlResult:
    control: Control
    findings: tuple[Finding, ...]

    def count(self, status: ControlStatus) -> int:
        return sum(1 for f in self.findings if f.status is status)

    @property
    def status(self) -> ControlStatus:
        """Worst first: any FAILED fails the control; accounts not evaluated do not pass it."""
        for status in (ControlStatus.FAILED, ControlStatus.PASSED, ControlStatus.NOT_APPLICABLE):
            if self.count(status):
                return status
        return ControlStatus.NOT_EVALUATED


@dataclass(frozen=True, slots=True)
class ComplianceReport:
    organization_id: str
    results: tuple[ControlResult, ...]

    def control(self, control_id: str) -> ControlResult:
        for result in self.results:
            if result.control.id == control_id:
                return result
        raise KeyError(control_id)

    def for_subject(self, subject_id: str) -> tuple[Finding, ...]:
        return tuple(f for r in self.results for f in r.findings if f.subject_id == subject_id)

    @property
    def passed(self) -> bool:
        return not any(r.status is ControlStatus.FAILED for r in self.results)
