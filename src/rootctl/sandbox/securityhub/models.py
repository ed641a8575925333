"""What the sandbox adds to moto's Security Hub backend (its state: ``enabled``, ``findings``).

BatchImportFindings, as AWS documents it for the ``default`` product of an account:

- the hub must be enabled in the calling account and region (``InvalidAccessException``);
- each finding needs the required ASFF fields; its ``ProductArn`` must be the calling account's
  default product in this region and its ``AwsAccountId`` the calling account — otherwise that
  finding alone is refused (``FailedFindings``);
- at most 100 findings per call (``InvalidInputException``);
- an import with an existing ``Id`` updates that finding. ``Workflow`` cannot be changed by an
  update: Security Hub sets it itself — RESOLVED when the record is archived or compliance
  turns PASSED, NEW when an archived record becomes active again.

GetFindings applies string filters (EQUALS, NOT_EQUALS, PREFIX) on the fields listed in
``FILTERS``; others are ignored, as moto does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from moto.securityhub.models import Finding as MotoFinding

from .exceptions import invalid_input

MAX_BATCH = 100
REQUIRED = (
    "SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "CreatedAt",
    "UpdatedAt", "Title", "Description", "Resources",
)  # fmt: skip

Finding = dict[str, Any]


def default_product(region: str, account_id: str) -> str:
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    partition = "aws-us-gov" if region.startswith("us-gov-") else partition
    return f"arn:{partition}:securityhub:{region}:{account_id}:product/{account_id}/default"


def problem(finding: Any, account_id: str, region: str) -> tuple[str, str] | None:
    """Why ``finding`` may not be imported by ``account_id`` (error code, message), or None."""
    if not isinstance(finding, dict):
        return "InvalidInput", "Finding must be an object"
    missing = [name for name in REQUIRED if not finding.get(name)]
    if missing:
        return "InvalidInput", f"Finding is missing required fields: {', '.join(missing)}"
    if not isinstance(finding["Resources"], list):
        return "InvalidInput", "Resources must be a list"
    product = default_product(region, account_id)
    if finding["ProductArn"] != product:
        return (
            "AccessDeniedException",
            f"Account {account_id} is not allowed to import findings for product "
            f"{finding['ProductArn']}; its own findings go to {product}",
        )
    if finding["AwsAccountId"] != account_id:
        return (
            "AccessDeniedException",
            f"With the default product, AwsAccountId must be the calling account {account_id}, "
            f"not {finding['AwsAccountId']}",
        )
    return None


def _workflow(old: Finding, new: Finding) -> Mapping[str, str]:
    status = str(old.get("Workflow", {}).get("Status", "NEW"))
    archived = new.get("RecordState") == "ARCHIVED" and old.get("RecordState") != "ARCHIVED"
    passed = new.get("Compliance", {}).get("Status") == "PASSED"
    was_passed = old.get("Compliance", {}).get("Status") == "PASSED"
    if archived or (passed and not was_passed):
        status = "RESOLVED"
    elif new.get("RecordState") == "ACTIVE" and old.get("RecordState") == "ARCHIVED":
        status = "NEW"
    return {"Status": status}


def import_findings(
    backend: Any, findings: list[Any], account_id: str, region: str
) -> tuple[int, int, list[dict[str, str]]]:
    """(failed count, success count, failed findings) — the answer of BatchImportFindings."""
    if len(findings) > MAX_BATCH:
        raise invalid_input(f"Findings must have at most {MAX_BATCH} items")
    by_id = {f.id: f for f in backend.findings}
    failed: list[dict[str, str]] = []
    for raw in findings:
        why = problem(raw, account_id, region)
        if why is not None:
            finding_id = str(raw.get("Id", "")) if isinstance(raw, dict) else ""
            failed.append({"Id": finding_id, "ErrorCode": why[0], "ErrorMessage": why[1]})
            continue
        existing = by_id.get(raw["Id"])
        if existing is None:
            new = dict(raw)
            new.setdefault("Workflow", {"Status": "NEW"})
            new.setdefault("RecordState", "ACTIVE")
            backend.findings.append(MotoFinding(raw["Id"], new))
            by_id[raw["Id"]] = backend.findings[-1]
            continue
        workflow = _workflow(existing.data, raw)
        existing.data.update({k: v for k, v in raw.items() if k != "Workflow"})
        existing.data["Workflow"] = dict(workflow)
    return len(failed), len(findings) - len(failed), failed


def _resource(f: Finding, key: str) -> list[str]:
    return [str(r.get(key, "")) for r in f.get("Resources", [])]


FILTERS: Mapping[str, Callable[[Finding], list[str]]] = {
    "Id": lambda f: [str(f.get("Id", ""))],
    "ProductArn": lambda f: [str(f.get("ProductArn", ""))],
    "AwsAccountId": lambda f: [str(f.get("AwsAccountId", ""))],
    "GeneratorId": lambda f: [str(f.get("GeneratorId", ""))],
    "Title": lambda f: [str(f.get("Title", ""))],
    "RecordState": lambda f: [str(f.get("RecordState", ""))],
    "WorkflowStatus": lambda f: [str(f.get("Workflow", {}).get("Status", ""))],
    "ComplianceStatus": lambda f: [str(f.get("Compliance", {}).get("Status", ""))],
    "ComplianceSecurityControlId": lambda f: [
        str(f.get("Compliance", {}).get("SecurityControlId", ""))
    ],
    "SeverityLabel": lambda f: [str(f.get("Severity", {}).get("Label", ""))],
    "ResourceId": lambda f: _resource(f, "Id"),
    "ResourceType": lambda f: _resource(f, "Type"),
}


def _matches(values: list[str], conditions: list[dict[str, str]]) -> bool:
    """AWS: EQUALS/PREFIX conditions on one field are ORed, NOT_EQUALS ones ANDed."""
    positive = [c for c in conditions if c.get("Comparison") in ("EQUALS", "PREFIX")]
    negative = [c for c in conditions if c.get("Comparison") == "NOT_EQUALS"]
    for c in negative:
        if c.get("Value") in values:
            return False
    if not positive:
        return True
    return any(
        (v == c.get("Value")) if c["Comparison"] == "EQUALS" else v.startswith(c.get("Value", ""))
        for c in positive
        for v in values
    )


def filtered(findings: list[Finding], filters: Mapping[str, Any] | None) -> list[Finding]:
    if not filters:
        return findings
    chosen = []
    for f in findings:
        if all(
            _matches(FILTERS[name](f), conditions)
            for name, conditions in filters.items()
            if name in FILTERS and isinstance(conditions, list)
        ):
            chosen.append(f)
    return chosen
