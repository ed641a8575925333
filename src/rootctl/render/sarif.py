"""An evidence report as SARIF 2.1.0 (valid against the OASIS schema; GitHub code scanning
reads it): one rule per control, with help text; one result per account (or organization)
and control — ``kind`` fail, pass, notApplicable, or open where rootctl could not see the
account. Accounts are not files: each result's location is the account as a logical location
and a stable pseudo-path ``aws/<organization>/<account>`` (code scanning wants one).
``partialFingerprints`` hash the organization, control and account, so dashboards follow a
result from run to run.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from rootctl.models import Control, ControlStatus, EvidenceFinding, EvidenceReport
from rootctl.render.asff import severity
from rootctl.render.serialize import iso
from rootctl.render.text import inert

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/rootctl/rootctl"
FINGERPRINT = "rootctl/finding/v1"
KINDS = {
    ControlStatus.FAILED: "fail",
    ControlStatus.PASSED: "pass",
    ControlStatus.NOT_APPLICABLE: "notApplicable",
    ControlStatus.NOT_EVALUATED: "open",
}
LEVELS = {"CRITICAL": "error", "HIGH": "error", "MEDIUM": "warning", "LOW": "note"}
SECURITY_SEVERITY = {"CRITICAL": "9.5", "HIGH": "8.0", "MEDIUM": "5.5", "LOW": "3.0"}


def rule_id(control: Control) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", control.id)


def _rule(report: EvidenceReport, control: Control, label: str) -> dict[str, Any]:
    exempt = (
        f" Without root credentials: {control.exempt.status.value} ({control.exempt.reason})."
        if control.exempt
        else ""
    )
    text = f"{control.framework} {control.id}: {control.title}.{exempt}"
    remediation = control.remediation or control.title
    markdown = f"**{control.framework} {control.id}** — {control.title}\n\n{remediation}"
    if control.related_requirements:
        markdown += "\n\nRelated: " + ", ".join(control.related_requirements)
    rule: dict[str, Any] = {
        "id": rule_id(control),
        "name": control.id,
        "shortDescription": {"text": control.title},
        "fullDescription": {"text": text},
        "help": {"text": f"{text} {remediation}", "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS.get(label, "warning")},
        "properties": {
            "tags": ["security", "aws", "root-user", control.framework],
            "security-severity": SECURITY_SEVERITY.get(label, "5.5"),
            "precision": "very-high",
            "framework": control.framework,
            "severity": control.severity,
        },
    }
    if control.see:
        rule["helpUri"] = control.see
    return rule


def _result(report: EvidenceReport, f: EvidenceFinding, index: int, label: str) -> dict[str, Any]:
    kind = KINDS[f.status]
    # Prose a person reads (code scanning shows it): outside text made inert; the exact
    # values stay in the properties.
    message = f"{inert(f.subject_name)} ({f.subject_id}): {f.status.value} — {inert(f.reason)}"
    if f.detail:
        message += f" ({inert(f.detail)})"
    return {
        "ruleId": rule_id(f.control),
        "ruleIndex": index,
        "kind": kind,
        "level": LEVELS.get(label, "warning") if kind == "fail" else "none",
        "message": {"text": message},
        "locations": [
            account_location(report.organization_id, f.subject_id, f.subject_name, f.ou_path)
        ],
        "partialFingerprints": {FINGERPRINT: fingerprint(f.finding_id)},
        "properties": {
            "findingId": f.finding_id,
            "accountId": f.subject_id,
            "accountName": f.subject_name,
            "ouPath": list(f.ou_path),
            "status": f.status.value,
            "resolved": f.resolved,
        },
    }


def document(report: EvidenceReport) -> dict[str, Any]:
    controls = [r.control for r in report.compliance.results]
    labels = {c.id: severity(report, c) for c in controls}
    index = {c.id: i for i, c in enumerate(controls)}
    audit = report.audit.summary
    return sarif_log(
        version=report.tool_version,
        rules=[_rule(report, c, labels[c.id]) for c in controls],
        automation_id=f"rootctl/{report.organization_id}/",
        invocation={
            "executionSuccessful": not audit.interrupted,
            "startTimeUtc": iso(audit.started_at),
            "endTimeUtc": iso(audit.finished_at),
        },
        results=[
            _result(report, f, index[f.control.id], labels[f.control.id])
            for f in report.findings
            if f.control.id in index
        ],
        properties={
            "organizationId": report.organization_id,
            "auditId": audit.id,
            "callerArn": audit.caller_arn,
        },
    )


# -- shared with the other SARIF documents (render/desired_sarif.py) ---------------------------


def fingerprint(text: str) -> str:
    """A stable ``partialFingerprints`` value: dashboards follow a result across runs by it."""
    return hashlib.sha256(text.encode()).hexdigest()


def account_location(
    organization_id: str, account_id: str, name: str, ou_path: Sequence[str]
) -> dict[str, Any]:
    """An account as a SARIF location: the pseudo-path ``aws/<organization>/<account>`` (code
    scanning wants a physical location) and the account as a logical location under its OU
    path (exact names: JSON carries them as they are)."""
    path = "/".join(ou_path) or "organization"
    return {
        "physicalLocation": {"artifactLocation": {"uri": f"aws/{organization_id}/{account_id}"}},
        "logicalLocations": [
            {"name": account_id, "fullyQualifiedName": f"{path}/{name}", "kind": "resource"}
        ],
    }


def sarif_log(
    *,
    version: str,
    rules: list[dict[str, Any]],
    results: list[dict[str, Any]],
    automation_id: str,
    invocation: dict[str, Any],
    properties: dict[str, Any],
) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one rootctl run."""
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "rootctl",
                        "version": version,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "automationDetails": {"id": automation_id},
                "invocations": [invocation],
                "results": results,
                "properties": properties,
            }
        ],
    }
