"""An evidence report as AWS Security Finding Format: ``{"Findings": [...]}``, the request of
BatchImportFindings (``aws securityhub batch-import-findings --cli-input-json file://…``).

One finding per account (the organization control: the management account) and control —
those failing now, and those that failed in an earlier audit and are resolved now (ARCHIVED,
workflow RESOLVED); a control that never failed for an account is not sent. Findings belong to
the ``default`` product of the account rootctl runs in (BatchImportFindings then requires it as
``AwsAccountId``); ``Resources`` names the member account (``AwsAccount``). Ids are stable, so
a re-import updates a finding instead of adding one. Lengths follow the ASFF limits; free text
keeps its exact characters (JSON escapes them).
"""

from __future__ import annotations

from typing import Any

from rootctl.models import Control, ControlStatus, EvidenceFinding, EvidenceReport
from rootctl.render.serialize import iso
from rootctl.render.text import inert

SCHEMA_VERSION = "2018-10-08"
LIMITS = {"Title": 256, "Description": 1024, "Text": 512, "Id": 512, "Field": 2048}
SEVERITIES = ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")
FSBP_TYPE = "Software and Configuration Checks/Industry and Regulatory Standards/AWS-Foundational-Security-Best-Practices"  # noqa: E501
CIS_TYPE = "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"  # noqa: E501
COMPLIANCE = {
    ControlStatus.PASSED: "PASSED",
    ControlStatus.FAILED: "FAILED",
    ControlStatus.NOT_APPLICABLE: "NOT_AVAILABLE",  # what Security Hub shows for N/A
    ControlStatus.NOT_EVALUATED: "WARNING",
}


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` characters, never blank (ASFF strings must hold a non-space)."""
    text = text if text.strip() else "—"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def severity(report: EvidenceReport, control: Control) -> str:
    """The control's own label; a CIS control takes its Security Hub control's (CIS 2.4 →
    IAM.4 CRITICAL), CIS 2.1.1 is HIGH (Prowler's severity for the same check)."""
    if control.severity.upper() in SEVERITIES:
        return control.severity.upper()
    mapped = control.security_control_id
    for result in report.compliance.results:
        if result.control.id == mapped and result.control.severity.upper() in SEVERITIES:
            return result.control.severity.upper()
    return "HIGH"


def _resource(report: EvidenceReport, f: EvidenceFinding) -> dict[str, Any]:
    account = f.subject_id if not f.is_organization else report.management_account_id
    details = {"Organization": report.organization_id, "AccountName": _cut(f.subject_name, 256)}
    if f.ou_path:
        details["OuPath"] = _cut("/".join(f.ou_path), LIMITS["Field"])
    if account is None:  # an organization control whose management account is unknown
        return {
            "Type": "Other",
            "Id": f"arn:{report.partition}:organizations::{report.organization_id}",
            "Partition": report.partition,
            "Region": report.region,
            "Details": {"Other": details},
        }
    return {
        "Type": "AwsAccount",
        "Id": f"AWS::::Account:{account}",
        "Partition": report.partition,
        "Region": report.region,
        "Details": {"Other": details},
    }


def finding(report: EvidenceReport, f: EvidenceFinding) -> dict[str, Any]:
    control = f.control
    audit = report.audit.summary
    label = severity(report, control)
    types = [CIS_TYPE if control.framework.startswith("CIS") else FSBP_TYPE]
    # Shown in the Security Hub console: outside text (names, MFA serials) made inert.
    description = f"{inert(f.reason)}." + (f" {inert(f.detail)}" if f.detail else "")
    compliance: dict[str, Any] = {"Status": COMPLIANCE[f.status]}
    if control.security_control_id:
        compliance["SecurityControlId"] = control.security_control_id
    if control.related_requirements:
        compliance["RelatedRequirements"] = list(control.related_requirements[:32])
    recommendation: dict[str, str] = {
        "Text": _cut(control.remediation or control.title, LIMITS["Text"])
    }
    if control.see:
        recommendation["Url"] = control.see
    return {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": _cut(f.finding_id, LIMITS["Id"]),
        "ProductArn": report.product_arn,
        "ProductName": "rootctl",
        "CompanyName": "rootctl",
        "GeneratorId": _cut(f"rootctl/{control.id}", LIMITS["Id"]),
        "AwsAccountId": report.account_id,
        "Types": types,
        "CreatedAt": iso(audit.started_at),
        "UpdatedAt": iso(audit.finished_at),
        "FirstObservedAt": iso(audit.started_at),
        "LastObservedAt": iso(audit.finished_at),
        "Severity": {"Label": label, "Original": control.severity},
        "FindingProviderFields": {"Severity": {"Label": label}, "Types": types},
        "Title": _cut(f"{control.id} {control.title}", LIMITS["Title"]),
        "Description": _cut(description, LIMITS["Description"]),
        "Remediation": {"Recommendation": recommendation},
        "ProductFields": {
            "rootctl/AuditId": str(audit.id),
            "rootctl/ControlId": control.id,
            "rootctl/Framework": control.framework,
            "rootctl/Resolved": "true" if f.resolved else "false",
        },
        "Resources": [_resource(report, f)],
        "Compliance": compliance,
        "Workflow": {"Status": f.workflow.value},
        "RecordState": f.record_state.value,
    }


def findings(report: EvidenceReport) -> list[dict[str, Any]]:
    return [finding(report, f) for f in report.findings if f.for_security_hub]


def document(report: EvidenceReport) -> dict[str, Any]:
    return {"Findings": findings(report)}
