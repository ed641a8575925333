"""`rootctl check -o sarif`: valid SARIF 2.1.0 (the OASIS schema in tests/data), one result per
violation naming its rule, at the account, related to the rule's line in the file."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rootctl.core.check import evaluate
from rootctl.core.desired_state import parse
from rootctl.models import (
    AccountAudit,
    AuditReport,
    AuditState,
    LoginProfile,
    RootCredentials,
)
from rootctl.render.registry import render
from tests.cli.conftest import NETWORKING, PAYMENTS, PROD_OU_PATH, Cli
from tests.continuous.test_check_cli import EXAMPLE, write
from tests.core.factories import organization
from tests.evidence_formats import validate_sarif


def test_check_sarif_one_result_per_violation(enabled: Cli, tmp_path: Path) -> None:
    config = write(tmp_path, EXAMPLE)
    result = enabled("check", "--config", config, "-o", "sarif")
    assert result.exit_code == 1, result.stderr  # exit codes as with -o table|json
    log = json.loads(result.stdout)
    validate_sarif(log)
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [
        "root_credentials",
        "exceptions",
        "recovery_window_max",
        "new_accounts",
    ]
    assert all("rootctl enforce --config" in r["help"]["text"] for r in rules)
    assert config in rules[0]["help"]["markdown"]

    document = enabled.json("check", "--config", config, exit_code=1)
    expected = [
        (v["account_id"], v["rule"], v["kinds"], v["rule_line"])
        for row in document["accounts"]
        for v in row["violations"]
    ]
    results = run["results"]
    assert [
        (
            r["properties"]["accountId"],
            r["ruleId"],
            r["properties"]["kinds"],
            r["properties"]["ruleLine"],
        )
        for r in results
    ] == expected
    fingerprints = {r["partialFingerprints"]["rootctl/violation/v1"] for r in results}
    assert len(fingerprints) == len(results)
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["level"] == "error"  # none of these is a new_accounts warning

    by_rule = {(r["properties"]["accountId"], r["ruleId"]): r for r in results}
    expired = by_rule[(NETWORKING, "exceptions")]
    text = expired["message"]["text"]
    assert text.startswith(f"shared-networking ({NETWORKING}): root MFA device")
    assert "expired" in text
    (related,) = expired["relatedLocations"]
    assert related["physicalLocation"]["region"] == {"startLine": 12, "startColumn": 5}
    payments = by_rule[(PAYMENTS, "root_credentials")]
    (logical,) = payments["locations"][0]["logicalLocations"]
    assert logical["name"] == PAYMENTS
    assert logical["fullyQualifiedName"] == "/".join([*PROD_OU_PATH, "prod-payments"])
    assert payments["properties"]["ouPath"] == PROD_OU_PATH
    assert run["invocations"][0]["executionSuccessful"] is True
    assert run["properties"]["compliant"] is False


def test_check_sarif_compliant_and_bad_config(enabled: Cli, tmp_path: Path) -> None:
    config = write(tmp_path, "version: 1\nscope: {accounts: ['529384756601']}\n")
    result = enabled("check", "--config", config, "-o", "sarif")
    assert result.exit_code == 0, result.stderr
    log = json.loads(result.stdout)
    validate_sarif(log)
    assert log["runs"][0]["results"] == []
    bad = enabled("check", "--config", write(tmp_path, "version: 2\n"), "-o", "sarif")
    assert bad.exit_code == 2
    assert bad.stdout == ""


def test_sarif_prose_is_inert_and_exact_values_stay() -> None:
    now = datetime(2027, 1, 15, 12, tzinfo=UTC)
    org = organization()
    account = replace(org.accounts[1], name="evil\x1b[31m\u202ename")
    state = parse("version: 1\nrules:\n  new_accounts: alert-only\n")
    account = replace(account, joined_at=now - timedelta(days=1))
    report = evaluate(
        state,
        AuditReport(
            org.id,
            (
                AccountAudit(account, AuditState.AUDITED, RootCredentials(LoginProfile(now))),
                AccountAudit(org.accounts[2], AuditState.FAILED, reason="Access\ndenied"),
            ),
        ),
        now,
    )
    log = render(report, "sarif")
    assert isinstance(log, dict)
    validate_sarif(log)
    (run,) = log["runs"]
    (result,) = run["results"]
    assert result["ruleId"] == "new_accounts"
    assert result["level"] == "warning"
    assert "\x1b" not in result["message"]["text"]
    assert "\u202e" not in result["message"]["text"]
    assert result["properties"]["accountName"] == account.name  # exact, in the data
    assert "relatedLocations" not in result  # the file is a string here, not a path
    (unchecked,) = run["invocations"][0]["toolExecutionNotifications"]
    assert unchecked["level"] == "error"
    assert "\n" not in unchecked["message"]["text"]
