"""An evidence report as OCSF 1.1 Compliance Finding events (class 2003, category Findings):
one per account (or organization) and control, as a JSON array — the shape Prowler's OCSF
output has.

Required by the class: ``activity_id``, ``category_uid``, ``class_uid``, ``compliance``
(with ``standards``), ``finding_info`` (``uid``, ``title``), ``metadata`` (``product``,
``version``), ``severity_id``, ``time``, ``type_uid`` (= class_uid × 100 + activity_id).
``status_id`` follows the finding's life: New while failing, Resolved once it passed after
failing (activity Close), else the compliance result alone says Pass.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rootctl.models import ControlStatus, EvidenceFinding, EvidenceReport
from rootctl.render.asff import severity
from rootctl.render.text import inert

OCSF_VERSION = "1.1.0"
CLASS_UID, CATEGORY_UID = 2003, 2
ACTIVITIES = {1: "Create", 2: "Update", 3: "Close"}
SEVERITY_IDS = {"INFORMATIONAL": 1, "LOW": 2, "MEDIUM": 3, "HIGH": 4, "CRITICAL": 5}
COMPLIANCE_STATUS = {  # compliance.status_id: 1 Pass, 2 Warning, 3 Fail, 99 Other
    ControlStatus.PASSED: (1, "Pass"),
    ControlStatus.FAILED: (3, "Fail"),
    ControlStatus.NOT_APPLICABLE: (99, "Not applicable"),
    ControlStatus.NOT_EVALUATED: (2, "Warning"),
}


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def event(report: EvidenceReport, f: EvidenceFinding) -> dict[str, Any]:
    audit = report.audit.summary
    control = f.control
    label = severity(report, control)
    activity = 3 if f.resolved else (2 if report.previous is not None else 1)
    compliance_id, compliance_word = COMPLIANCE_STATUS[f.status]
    status_id, status = (1, "New") if f.status is ControlStatus.FAILED else (4, "Resolved")
    if not f.resolved and f.status is not ControlStatus.FAILED:
        status_id, status = 99, "Other"
    account = f.subject_id if not f.is_organization else report.management_account_id
    message = inert(f.reason) + (f" ({inert(f.detail)})" if f.detail else "")  # prose: inert
    return {
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "activity_id": activity,
        "activity_name": ACTIVITIES[activity],
        "type_uid": CLASS_UID * 100 + activity,
        "type_name": f"Compliance Finding: {ACTIVITIES[activity]}",
        "time": _ms(audit.finished_at),
        "severity_id": SEVERITY_IDS[label],
        "severity": label.capitalize(),
        "status_id": status_id,
        "status": status,
        "message": message,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": "rootctl",
                "vendor_name": "rootctl",
                "version": report.tool_version,
            },
            "uid": f.finding_id,
        },
        "finding_info": {
            "uid": f.finding_id,
            "title": f"{control.id} {control.title}",
            "desc": message,
            "types": [control.framework],
            "created_time": _ms(audit.started_at),
            "modified_time": _ms(audit.finished_at),
        },
        "compliance": {
            "standards": [control.framework],
            "control": control.id,
            "requirements": list(control.related_requirements),
            "status_id": compliance_id,
            "status": compliance_word,
            "status_detail": message,
        },
        "remediation": {"desc": control.remediation or control.title},
        "cloud": {
            "provider": "AWS",
            "region": report.region,
            "account": {"uid": account or report.organization_id, "type": "AWS Account"},
            "org": {"uid": report.organization_id},
        },
        "resources": [_resource(report, f, account)],
        "unmapped": {"audit_id": audit.id, "resolved": f.resolved},
    }


def _resource(report: EvidenceReport, f: EvidenceFinding, account: str | None) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "uid": account or report.organization_id,
        "name": f.subject_name,
        "type": "AwsAccount" if account else "AwsOrganization",
        "cloud_partition": report.partition,
        "region": report.region,
    }
    if f.ou_path:
        resource["group"] = {"name": "/".join(f.ou_path)}
    return resource


def document(report: EvidenceReport) -> list[dict[str, Any]]:
    return [event(report, f) for f in report.findings]
