"""Root-user compliance controls (Security Hub, CIS) and their results, as data.

Which controls exist is data too (``rootctl/core/data/controls.yaml``); the evaluation lives
in :mod:`rootctl.core.compliance`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from rootctl.errors import Advice
from rootctl.models.base import RowStatus
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
    # Account controls: the kinds of root credential whose deletion makes a failing account
    # pass (empty: all kinds). Organization controls get their fix from the check.
    fix_kinds: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """One control's result for one account (or, for organization controls, the org)."""

    control_id: str
    subject_id: str  # account id, or organization id
    subject_name: str
    status: ControlStatus
    reason: str  # the same words for every account in the same situation
    detail: str = ""  # this account's specifics: key ids, MFA serials …
    has_root_credentials: bool | None = None  # the account's audit (None: not seen / the org)
    is_management: bool = False

    @property
    def row_statuses(self) -> frozenset[RowStatus]:
        """The ``--status`` words this finding answers to: ``failed`` is a failing control,
        ``clean`` a passing (or not applicable) one, ``skipped`` one rootctl could not
        evaluate; ``with-credentials`` when the account has root credentials."""
        word = {
            ControlStatus.FAILED: RowStatus.FAILED,
            ControlStatus.PASSED: RowStatus.CLEAN,
            ControlStatus.NOT_APPLICABLE: RowStatus.CLEAN,
            ControlStatus.NOT_EVALUATED: RowStatus.SKIPPED,
        }[self.status]
        if self.has_root_credentials:
            return frozenset({word, RowStatus.WITH_CREDENTIALS})
        return frozenset({word})


@dataclass(frozen=True, slots=True)
class ControlResult:
    control: Control
    findings: tuple[Finding, ...]
    fix: Advice | None = None  # what makes the failing subjects pass, as data the faces word

    def count(self, status: ControlStatus) -> int:
        return sum(1 for f in self.findings if f.status is status)

    def shown(self, statuses: Collection[RowStatus] = ()) -> tuple[Finding, ...]:
        """The findings a ``--status`` filter keeps (all when ``statuses`` is empty)."""
        if not statuses:
            return self.findings
        return tuple(f for f in self.findings if f.row_statuses & set(statuses))

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

    @property
    def management_findings(self) -> tuple[Finding, ...]:
        """The management account's findings: never evaluated (AssumeRoot cannot reach it)."""
        return tuple(f for r in self.results for f in r.findings if f.is_management)

    def accounts_failing(self) -> tuple[str, ...]:
        """Every account id that fails at least one control, in first-seen order."""
        return tuple(
            dict.fromkeys(
                f.subject_id
                for r in self.results
                for f in r.findings
                if f.status is ControlStatus.FAILED and r.control.scope is Scope.ACCOUNT
            )
        )
