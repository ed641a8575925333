"""Exporting an evidence report's ASFF findings into Security Hub, in batches of 100.

Each batch is journaled (intent before, outcome after). Findings Security Hub refuses are
reported one by one; throttling is retried by the client (adaptive retries). A first batch
that fails whole stops the export (Security Hub not enabled, access denied: nothing was
imported); a later one is reported with its findings and the export goes on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rootctl.aws import securityhub as api
from rootctl.core.context import Context
from rootctl.models import EvidenceReport, FailedFinding, RecordState, SecurityHubExport

ACTION = "import-findings"


def export(
    ctx: Context,
    report: EvidenceReport,
    findings: Sequence[Mapping[str, Any]],
    *,
    dry_run: bool,
) -> SecurityHubExport:
    archived = sum(1 for f in findings if f.get("RecordState") == RecordState.ARCHIVED.value)
    arn = report.product_arn
    result = SecurityHubExport(
        audit_id=report.audit.id,
        account_id=report.account_id,
        region=report.region,
        product_arn=arn,
        dry_run=dry_run,
        active=len(findings) - archived,
        archived=archived,
    )
    if dry_run or not findings:
        return result
    client = api.client_for(ctx.aws)
    run_id = ctx.new_run_id()
    imported, batches = 0, 0
    failed: list[FailedFinding] = []
    error: str | None = None
    for start in range(0, len(findings), api.BATCH_SIZE):
        batch = findings[start : start + api.BATCH_SIZE]
        outcome: list[tuple[int, tuple[FailedFinding, ...]]] = []

        def call(
            batch: Sequence[Mapping[str, Any]] = batch,
            outcome: list[tuple[int, tuple[FailedFinding, ...]]] = outcome,
        ) -> str | None:
            count, refused, request_id = api.batch_import(client, batch)
            outcome.append((count, refused))
            return request_id

        journaled = ctx.journaled(
            run_id=run_id,
            action=ACTION,
            target=report.account_id,
            task_policy=None,
            items=(f"audit {report.audit.id}", f"{len(batch)} findings", arn),
            call=call,
        )
        batches += 1
        if journaled.error is not None:
            if imported == 0 and not failed:
                raise journaled.error  # nothing imported: say why, once
            error = str(journaled.error)
            failed += [_whole(f, journaled.error.message) for f in batch]
            continue
        count, refused = outcome[0]
        imported += count
        failed += refused
    return SecurityHubExport(
        audit_id=result.audit_id,
        account_id=result.account_id,
        region=result.region,
        product_arn=arn,
        dry_run=False,
        active=result.active,
        archived=result.archived,
        imported=imported,
        batches=batches,
        failed=tuple(failed),
        error=error,
    )


def _whole(finding: Mapping[str, Any], message: str) -> FailedFinding:
    return FailedFinding(str(finding.get("Id", "")), "BatchFailed", message)
