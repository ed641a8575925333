"""Security Hub export through the library, in-process: more than 100 findings go in batches of
100; a finding Security Hub refuses is reported alone while the others are imported; throttled
calls are retried; every batch is journaled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3

import rootctl
from rootctl.models import JournalEntry
from rootctl.render import asff
from rootctl.sandbox import Sandbox

OTHER_ACCOUNT = "999999999999"


def test_batches_partial_failures_and_throttling(
    in_process_sandbox: Sandbox, tmp_path: Path
) -> None:
    with rootctl.RootAccess(journal=tmp_path / "journal.sqlite3") as engine:
        engine.enable()
        engine.audit(engine.select_targets(rootctl.TargetSelector(all=True)))
        boto3.client("securityhub", region_name="us-east-1").enable_security_hub()
        report = engine.security_hub_report()
        base = asff.findings(report)
        findings: list[dict[str, Any]] = [
            {**f, "Id": f"{f['Id']}/copy-{n}"} for n in range(1 + 230 // len(base)) for f in base
        ][:230]
        refused_id = findings[150]["Id"]
        findings[150] = {**findings[150], "AwsAccountId": OTHER_ACCOUNT}
        in_process_sandbox.faults.update(
            throttle_rate=0.5, match=["securityhub:BatchImportFindings"], seed=3
        )
        result = engine.export_to_security_hub(report, findings)
        throttled = engine.throttled_calls
        in_process_sandbox.faults.update(throttle_rate=0)
        entries = engine.journal_entries()
        journal = [e for e in entries if isinstance(e, JournalEntry)]
        journal = [e for e in journal if e.action == "import-findings"]
        assert len(journal) == len(entries) - 3  # and enable's three steps

    assert result.batches == 3  # 100 + 100 + 30
    assert result.imported == 229
    assert [f.id for f in result.failed] == [refused_id]
    assert result.failed[0].error_code
    assert result.error is None
    assert throttled > 0  # throttled calls were retried, none lost
    stored = boto3.client("securityhub", region_name="us-east-1").get_findings(MaxResults=100)
    assert stored["Findings"]
    assert [e.outcome for e in journal] == ["succeeded"] * 3
