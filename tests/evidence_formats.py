"""Validators for the evidence formats, each against its own authority:

- SARIF: the official OASIS SARIF 2.1.0 JSON schema (tests/data/sarif-schema-2.1.0.json, the
  errata01 schema as published in oasis-tcs/sarif-spec), plus code scanning's expectations
  (a location per result, partial fingerprints);
- ASFF: botocore's ``AwsSecurityFinding`` shape (required members, types, enums, patterns)
  walked member by member, plus the length limits the ASFF documentation states;
- OCSF: the Compliance Finding class (2003) of OCSF 1.1: the attributes the class and its base
  event require, with their types and the type_uid rule.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import botocore.session
import jsonschema

SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)

# ASFF limits from the Security Hub user guide (the service model states none of them).
ASFF_MAX = {
    ("Id",): 512,
    ("GeneratorId",): 512,
    ("Title",): 256,
    ("Description",): 1024,
    ("Remediation", "Recommendation", "Text"): 512,
}


def validate_sarif(log: dict[str, Any]) -> None:
    """Valid against the OASIS SARIF 2.1.0 schema (any rootctl SARIF document)."""
    validator = jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message[:200]}" for e in errors[:5]]


def check_sarif(log: dict[str, Any]) -> None:
    """An evidence report's SARIF: valid, and what code scanning expects of it."""
    validate_sarif(log)
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert {r["name"] for r in rules} == {
        "IAM.4", "IAM.6", "IAM.9", "CIS 2.1.1", "CIS 2.4", "CIS 2.5", "CIS 2.6",
    }  # fmt: skip
    assert all(r["help"]["text"] and r["help"]["markdown"] for r in rules)
    fingerprints = set()
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        fingerprints.add(result["partialFingerprints"]["rootctl/finding/v1"])
        assert (result["level"] == "none") == (result["kind"] != "fail")
    assert len(fingerprints) == len(run["results"])  # one per account and control


def _shape_errors(value: Any, shape: Any, path: tuple[str, ...]) -> list[str]:
    where = ".".join(path) or "finding"
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{where}: not an object"]
        errors = [f"{where}.{m}: required" for m in shape.required_members if m not in value]
        for key, item in value.items():
            if key not in shape.members:
                errors.append(f"{where}.{key}: not a member of {shape.name}")
            else:
                errors += _shape_errors(item, shape.members[key], (*path, key))
        return errors
    if kind == "list":
        if not isinstance(value, list):
            return [f"{where}: not a list"]
        return [
            e for i, v in enumerate(value) for e in _shape_errors(v, shape.member, (*path, str(i)))
        ]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{where}: not a map"]
        errors = []
        for k, v in value.items():
            errors += _shape_errors(k, shape.key, (*path, "<key>"))
            errors += _shape_errors(v, shape.value, (*path, k))
        return errors
    if kind == "string":
        if not isinstance(value, str):
            return [f"{where}: not a string"]
        enum = shape.metadata.get("enum")
        if enum and value not in enum:
            return [f"{where}: {value!r} not in {enum}"]
        pattern = shape.metadata.get("pattern")
        if pattern and not re.fullmatch(pattern, value, re.DOTALL):
            return [f"{where}: {value!r} does not match {pattern}"]
        return []
    if kind in ("integer", "long"):
        return [] if type(value) is int else [f"{where}: not an integer"]
    if kind in ("double", "float"):
        return [] if isinstance(value, int | float) else [f"{where}: not a number"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{where}: not a boolean"]
    return [f"{where}: unchecked type {kind}"]


def check_asff(findings: list[dict[str, Any]], *, account_id: str, region: str) -> None:
    model = botocore.session.get_session().get_service_model("securityhub")
    shape = model.shape_for("AwsSecurityFinding")
    assert findings, "no finding to check"
    product = f"arn:aws:securityhub:{region}:{account_id}:product/{account_id}/default"
    ids = set()
    for finding in findings:
        errors = _shape_errors(finding, shape, ())
        assert not errors, errors[:5]
        for path, limit in ASFF_MAX.items():
            value: Any = finding
            for key in path:
                value = value[key]
            assert len(value) <= limit, (path, len(value))
        assert len(finding["ProductFields"]) <= 50
        assert all(len(k) <= 128 and len(v) <= 2048 for k, v in finding["ProductFields"].items())
        for moment in ("CreatedAt", "UpdatedAt"):
            datetime.fromisoformat(finding[moment].replace("Z", "+00:00"))
        assert finding["ProductArn"] == product
        assert finding["AwsAccountId"] == account_id
        (resource,) = finding["Resources"]
        assert resource["Type"] == "AwsAccount"
        assert re.fullmatch(r"AWS::::Account:\d{12}", resource["Id"])
        compliance = finding["Compliance"]
        if finding["GeneratorId"] != "rootctl/CIS 2.1.1":
            assert compliance["SecurityControlId"] in ("IAM.4", "IAM.6", "IAM.9")
        archived = finding["RecordState"] == "ARCHIVED"
        assert archived == (compliance["Status"] != "FAILED")
        assert finding["Workflow"]["Status"] == ("RESOLVED" if archived else "NEW")
        ids.add(finding["Id"])
    assert len(ids) == len(findings)


OCSF_REQUIRED = {  # OCSF 1.1 Compliance Finding: attribute -> type
    "activity_id": int,
    "category_uid": int,
    "class_uid": int,
    "compliance": dict,
    "finding_info": dict,
    "metadata": dict,
    "severity_id": int,
    "time": int,
    "type_uid": int,
}


def check_ocsf(events: list[dict[str, Any]]) -> None:
    assert events
    for event in events:
        for name, kind in OCSF_REQUIRED.items():
            assert isinstance(event.get(name), kind), (name, event.get(name))
        assert (event["class_uid"], event["category_uid"]) == (2003, 2)
        assert event["activity_id"] in (1, 2, 3)
        assert event["type_uid"] == event["class_uid"] * 100 + event["activity_id"]
        assert 0 <= event["severity_id"] <= 6
        assert event["metadata"]["version"].startswith("1.")
        assert event["metadata"]["product"]["vendor_name"]
        assert event["finding_info"]["uid"]
        assert event["finding_info"]["title"]
        compliance = event["compliance"]
        assert compliance["standards"]
        assert compliance["status_id"] in (1, 2, 3, 99)
        assert event["cloud"]["provider"] == "AWS"
        assert event["time"] > 1_500_000_000_000  # milliseconds since the epoch
