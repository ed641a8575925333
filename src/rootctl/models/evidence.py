"""The evidence report of one stored audit: what ``rootctl report`` renders as HTML, JSON, CSV,
SARIF, ASFF or OCSF, and what ``rootctl securityhub export`` sends.

Core builds it (:mod:`rootctl.core.evidence`); every format is a renderer of this one model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from rootctl.models.compliance import ComplianceReport, Control, ControlStatus
from rootctl.models.drift import DriftReport
from rootctl.models.history import AuditSummary, PosturePoint, StoredAudit
from rootctl.models.journal import JournalEntry


class RecordState(StrEnum):
    """Security Hub's ``RecordState``: ARCHIVED once the problem is gone."""

    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"


class WorkflowStatus(StrEnum):
    NEW = "NEW"
    RESOLVED = "RESOLVED"


@dataclass(frozen=True, slots=True)
class EvidenceFinding:
    """One control for one account (or, for an organization control, the organization).

    ``finding_id`` is the same for the same organization, control and subject in every run, so
    re-imports update a finding instead of adding one. ``resolved``: the control failed for
    this subject in an earlier stored audit and does not now (or the account left the
    organization) — exported as ARCHIVED/RESOLVED so Security Hub closes it.
    """

    control: Control
    subject_id: str
    subject_name: str
    ou_path: tuple[str, ...]
    status: ControlStatus
    reason: str
    detail: str
    finding_id: str
    resolved: bool = False

    @property
    def record_state(self) -> RecordState:
        return RecordState.ACTIVE if self.status is ControlStatus.FAILED else RecordState.ARCHIVED

    @property
    def workflow(self) -> WorkflowStatus:
        failed = self.status is ControlStatus.FAILED
        return WorkflowStatus.NEW if failed else WorkflowStatus.RESOLVED

    @property
    def for_security_hub(self) -> bool:
        """Failing now, or resolved since: what an export sends. Controls that never failed
        for a subject are not sent (they would only add archived findings)."""
        return self.status is ControlStatus.FAILED or self.resolved

    @property
    def is_organization(self) -> bool:
        return not self.subject_id.isdigit()


@dataclass(frozen=True, slots=True)
class EvidenceReport:
    """Everything an auditor gets for one stored audit.

    ``account_id`` and ``region`` say where the findings belong in Security Hub (the account
    rootctl runs in, the default product of that region); ``period_start``–``period_end`` is
    the window of the privileged actions in ``journal`` (since the previous audit).
    """

    organization_id: str
    management_account_id: str | None
    generated_at: datetime
    audit: StoredAudit
    previous: AuditSummary | None
    compliance: ComplianceReport
    findings: tuple[EvidenceFinding, ...]
    posture: tuple[PosturePoint, ...]
    drift: DriftReport | None
    journal: tuple[JournalEntry, ...]
    period_start: datetime
    period_end: datetime
    account_id: str
    region: str
    tool_version: str

    @property
    def partition(self) -> str:
        if self.region.startswith("cn-"):
            return "aws-cn"
        return "aws-us-gov" if self.region.startswith("us-gov-") else "aws"

    @property
    def product_arn(self) -> str:
        """The ``default`` product of ``account_id`` in ``region``: where an account files
        findings of its own tools (BatchImportFindings then requires ``AwsAccountId`` to be
        that account)."""
        account, region = self.account_id, self.region
        return f"arn:{self.partition}:securityhub:{region}:{account}:product/{account}/default"

    def finding(self, control_id: str, subject_id: str) -> EvidenceFinding | None:
        return next(
            (f for f in self.findings if f.control.id == control_id and f.subject_id == subject_id),
            None,
        )
