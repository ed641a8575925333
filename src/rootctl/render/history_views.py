"""The audit history, drift, pruning and a Security Hub export for people (tables) and
spreadsheets (CSV). Outside text goes in through ``literal``/``inert``/``csv_cell``."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rootctl.models import (
    AuditSummary,
    ChangeKind,
    DriftReport,
    DriftState,
    EvidenceReport,
    History,
    PruneResult,
    SecurityHubExport,
)
from rootctl.render.flat import _csv
from rootctl.render.history_docs import describe_change
from rootctl.render.serialize import iso
from rootctl.render.text import inert, literal

DRIFT_STYLES = {
    DriftState.CHANGED: "bold",
    DriftState.JOINED: "bold",
    DriftState.LEFT: "bold",
    DriftState.NOT_COMPARABLE: "yellow",
    DriftState.UNCHANGED: "green",
}
ALARMING = (ChangeKind.CREDENTIAL_APPEARED, ChangeKind.RECOVERY_ALLOWED)


def _table(*columns: str) -> Table:
    table = Table(header_style="bold", box=None, pad_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _when(s: AuditSummary) -> str:
    return f"{s.started_at:%Y-%m-%d %H:%M:%S}"


def history_table(h: History) -> RenderableType:
    if not h.audits:
        return Text(f"No audits in the history ({inert(h.location)}): run rootctl audit.")
    table = _table("ID", "Started (UTC)", "Scope", "Accounts", "Audited", "With creds", "Failed")
    table.add_column("Caller", overflow="fold")
    for s in h.audits:
        c = s.counts
        scope = literal(s.scope.text)
        if not s.complete:
            scope.append(" (partial)", style="dim")
        if s.interrupted:
            scope.append(" interrupted", style="yellow")
        table.add_row(
            str(s.id),
            _when(s),
            scope,
            str(c.accounts),
            str(c.audited),
            Text(str(c.with_credentials), style="bold red" if c.with_credentials else "green"),
            Text(str(c.failed + c.not_run), style="yellow" if c.failed + c.not_run else ""),
            literal(f"{s.caller_arn or '—'} ({s.source.value})"),
        )
    return Group(table, Text(f"\n{len(h.audits)} audit(s) in {inert(h.location)}.", style="dim"))


HISTORY_HEADER = (
    "id", "started_at", "finished_at", "source", "caller_arn", "organization_id", "region",
    "scope", "complete", "interrupted", "accounts", "audited", "with_root_credentials",
    "failed", "skipped", "not_run",
)  # fmt: skip


def history_csv(h: History) -> str:
    return _csv(
        HISTORY_HEADER,
        (
            [
                s.id,
                iso(s.started_at),
                iso(s.finished_at),
                s.source.value,
                s.caller_arn,
                s.organization_id,
                s.region,
                s.scope.text,
                s.complete,
                s.interrupted,
                s.counts.accounts,
                s.counts.audited,
                s.counts.with_credentials,
                s.counts.failed,
                s.counts.skipped,
                s.counts.not_run,
            ]
            for s in h.audits
        ),
    )


def drift_table(d: DriftReport) -> RenderableType:
    head = Text(
        f"Drift from audit {d.before.id} ({_when(d.before)}) to audit {d.after.id} "
        f"({_when(d.after)}), organization {inert(d.organization_id)}"
    )
    table = _table("Account", "Name", "State", "Changes")
    quiet: list[str] = []
    for a in d.accounts:
        if not a.changes and a.state is DriftState.UNCHANGED:
            continue
        if not a.changes:  # not comparable, nothing else known: listed compactly below
            quiet.append(f"{inert(a.account_id)} {inert(a.name)}: {inert(a.reason or '')}")
            continue
        changes = Text()
        for index, c in enumerate(a.changes):
            style = "bold red" if c.kind in ALARMING else ""
            changes.append(("\n" if index else "") + inert(describe_change(c)), style=style)
        if a.reason:
            changes.append("\n" + inert(a.reason), style="dim")
        table.add_row(
            literal(a.account_id),
            literal(a.name),
            Text(a.state.value, style=DRIFT_STYLES[a.state]),
            changes,
        )
    parts: list[RenderableType] = [head, Text("")]
    parts.append(table if table.row_count else Text("No account changed."))
    if quiet:
        parts += [
            Text(f"\nNot comparable ({len(quiet)}): credentials not read in both audits", "bold"),
            Text("\n".join(quiet)),
        ]
    counts = ", ".join(f"{d.count(s)} {s.value}" for s in DriftState)
    verdict = "Root credentials appeared." if d.credentials_appeared else "No credential appeared."
    parts.append(Text(f"\n{counts}. {verdict}", style="bold red" if d.credentials_appeared else ""))
    return Group(*parts)


DRIFT_HEADER = (
    "account_id", "name", "ou_path", "state", "reason", "change", "credential", "id",
    "before", "after", "text",
)  # fmt: skip


def drift_csv(d: DriftReport) -> str:
    """One row per change (an account without a change: one row with the change empty)."""
    rows: list[list[object]] = []
    for a in d.accounts:
        head = [a.account_id, a.name, "/".join(a.ou_path), a.state.value, a.reason]
        if not a.changes:
            rows.append([*head, None, None, None, None, None, None])
        for c in a.changes:
            kind = c.credential.value if c.credential else None
            rows.append([*head, c.kind.value, kind, c.id, c.before, c.after, describe_change(c)])
    return _csv(DRIFT_HEADER, rows)


def prune_table(p: PruneResult) -> RenderableType:
    return Text(
        f"Pruned {p.audits} audit(s) ({p.account_rows} account rows) started before "
        f"{p.cutoff:%Y-%m-%d %H:%M:%S} UTC from {inert(p.location)}. "
        "The journal of privileged actions is kept."
    )


def export_table(e: SecurityHubExport) -> RenderableType:
    where = f"account {e.account_id}, {e.region} ({inert(e.product_arn)})"
    if e.dry_run:
        head = (
            f"Dry run: would import {e.total} finding(s) of audit {e.audit_id} into Security "
            f"Hub, {where}: {e.active} active, {e.archived} archived (resolved)."
        )
        return Text(head)
    lines: list[RenderableType] = [
        Text(
            f"Imported {e.imported} of {e.total} finding(s) of audit {e.audit_id} into Security "
            f"Hub, {where}, in {e.batches} call(s): {e.active} active, {e.archived} archived."
        )
    ]
    if e.failed:
        table = _table("Finding", "Error", "Message")
        for f in e.failed:
            table.add_row(literal(f.id), literal(f.error_code), literal(f.error_message))
        lines += [Text(f"\n{len(e.failed)} finding(s) refused:", style="bold red"), table]
    if e.error:
        lines.append(Text(f"A batch failed: {inert(e.error)}", style="bold red"))
    return Group(*lines)


FINDINGS_HEADER = (
    "audit_id", "finding_id", "control_id", "framework", "title", "security_control_id",
    "subject_id", "subject_name", "ou_path", "status", "reason", "detail", "record_state",
    "workflow_status", "resolved",
)  # fmt: skip


def evidence_csv(r: EvidenceReport) -> str:
    """The report's rows: one per account (or organization) and control."""
    return _csv(
        FINDINGS_HEADER,
        (
            [
                r.audit.id,
                f.finding_id,
                f.control.id,
                f.control.framework,
                f.control.title,
                f.control.security_control_id,
                f.subject_id,
                f.subject_name,
                "/".join(f.ou_path),
                f.status.value,
                f.reason,
                f.detail,
                f.record_state.value,
                f.workflow.value,
                f.resolved,
            ]
            for f in r.findings
        ),
    )
