"""``rootctl activity``: who did what as root, as a table, the JSON document and CSV.

Everything in a session came from CloudTrail (outside text: ARNs, source identities, event
names): it goes through ``literal``/``inert``/``csv_cell`` like every other face's outside text.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rootctl.models import (
    ActivityReport,
    FindingKind,
    RootSessionActivity,
    RootUserUse,
    SessionAction,
)
from rootctl.render.flat import JOIN, csv_rows
from rootctl.render.serialize import envelope, iso
from rootctl.render.text import inert, literal

SHOWN_ACTIONS = 6  # per session in the table; JSON and CSV have all of them
SHOWN_ACCOUNTS = 5  # per first-caller finding in the table


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S}"


def _origin(s: RootSessionActivity) -> Text:
    if not s.opened:
        return Text(f"refused ({inert(s.error_code or '')})", style="dim")
    if s.journaled:
        return Text(f"rootctl {inert(s.purpose or '')}".strip(), style="green")
    return Text("NOT rootctl", style="bold red")


def _actions_cell(s: RootSessionActivity) -> Text:
    if s.actions is None:
        return Text("actions not visible (no --trail-lake)", style="dim")
    if not s.actions:
        return Text("no actions", style="dim")
    counts = Counter(a.name for a in s.actions)
    names = [f"{inert(n)}×{c}" if c > 1 else inert(n) for n, c in counts.items()]
    shown = ", ".join(names[:SHOWN_ACTIONS])
    if len(names) > SHOWN_ACTIONS:
        shown += f", … {len(names) - SHOWN_ACTIONS} more"
    text = Text(shown)
    failed = sum(1 for a in s.actions if a.error_code)
    if failed:
        text.append(f"\n{failed} answered with an error", style="yellow")
    return text


def activity_table(report: ActivityReport) -> RenderableType:
    """One block per AssumeRoot call; identifiers (times, account ids, key ids) are never cut,
    the caller's ARN and the actions fold in the last column."""
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("Opened (UTC)", no_wrap=True)
    table.add_column("Account", overflow="fold", min_width=12)
    table.add_column("Session", no_wrap=True)
    table.add_column("Caller · task · actions", overflow="fold", ratio=1)
    for s in report.sessions:
        account = literal(s.account_id)
        if s.account_name:
            account.append("\n" + inert(s.account_name), style="dim")
        session = literal(s.access_key_id or "—")
        session.append("\n")
        session.append_text(_origin(s))
        what = literal(s.caller_arn or "unknown caller")
        what.append("\n" + inert(s.task or "unknown task"), style="dim")
        if s.source_identity:
            what.append("\nsource identity " + inert(s.source_identity), style="dim")
        what.append("\n")
        what.append_text(_actions_cell(s))
        if s.new_caller:
            what.append("\nfirst AssumeRoot by this caller into this account", style="bold yellow")
        opened = s.opened_at.astimezone(UTC)
        table.add_row(Text(f"{opened:%Y-%m-%d}\n{opened:%H:%M:%S}"), account, session, what)
        table.add_row()
    parts: list[RenderableType] = []
    window = f"{_when(report.since)} – {_when(report.until)} UTC"
    if report.sessions:
        parts.append(table)
    else:
        parts.append(Text(f"No AssumeRoot calls from {window}."))
    if report.root_user_use:
        parts += [Text(""), _root_use_table(report.root_user_use), Text("")]
    findings = report.findings
    summary = f"{len(report.sessions)} AssumeRoot call(s), {window}; {len(findings)} finding(s)"
    parts.append(Text(summary, style="bold" if findings else ""))
    parts += _findings(report)
    parts.append(Text("read: " + "; ".join(inert(s) for s in report.sources), style="dim"))
    for blind in report.blind_spots:
        parts.append(Text(f"cannot see: {inert(blind)}", style="yellow"))
    return Group(*parts)


def _findings(report: ActivityReport) -> list[Text]:
    """Sessions outside rootctl one per line; first callers grouped per caller (an
    organization-wide first audit would otherwise print one line per account)."""
    lines: list[Text] = []
    first: dict[str, list[str]] = {}
    for finding in report.findings:
        if finding.kind is FindingKind.NEW_CALLER:
            first.setdefault(finding.who or "an unknown caller", []).append(finding.account_id)
        else:
            lines.append(Text(f"finding: {inert(finding.detail)}", style="red"))
    for caller, accounts in first.items():
        shown = ", ".join(inert(a) for a in accounts[:SHOWN_ACCOUNTS])
        if len(accounts) > SHOWN_ACCOUNTS:
            shown += f" … ({len(accounts)} accounts)"
        lines.append(
            Text(f"finding: {inert(caller)} assumed root for the first time into {shown}", "red")
        )
    return lines


def _action(a: SessionAction) -> dict[str, Any]:
    return {
        "time": iso(a.time),
        "event_name": a.name,
        "event_source": a.source,
        "region": a.region,
        "read_only": a.read_only,
        "error_code": a.error_code,
    }


def _session(s: RootSessionActivity) -> dict[str, Any]:
    return {
        "opened_at": iso(s.opened_at),
        "account_id": s.account_id,
        "account_name": s.account_name,
        "caller_arn": s.caller_arn,
        "task_policy": s.task,
        "session_key_id": s.access_key_id,
        "source_identity": s.source_identity,
        "error_code": s.error_code,
        "opened_by_rootctl": s.journaled,
        "purpose": s.purpose,
        "new_caller": s.new_caller,
        "actions": [_action(a) for a in s.actions] if s.actions is not None else None,
    }


def _root_use(u: RootUserUse) -> dict[str, Any]:
    return {
        "time": iso(u.time),
        "account_id": u.account_id,
        "account_name": u.account_name,
        "event_name": u.name,
        "event_source": u.source,
        "region": u.region,
        "access_key_id": u.access_key_id,
        "source_ip": u.source_ip,
        "succeeded": u.succeeded,
        "error": u.error,
    }


def _root_use_table(uses: tuple[RootUserUse, ...]) -> Table:
    table = Table(
        title="The long-term root users' own use",
        title_justify="left",
        box=None,
        pad_edge=False,
        header_style="bold",
    )
    table.add_column("Time (UTC)", no_wrap=True)
    table.add_column("Account", overflow="fold", min_width=12)
    table.add_column("Event · how · from", overflow="fold", ratio=1)
    for u in uses:
        account = literal(u.account_id)
        if u.account_name:
            account.append("\n" + inert(u.account_name), style="dim")
        what = literal(u.name, style="bold")
        how = f"access key {inert(u.access_key_id)}" if u.access_key_id else "password"
        what.append(f"\n{how}, from {inert(u.source_ip or '?')}", style="dim")
        if not u.succeeded:
            what.append(f"\nfailed: {inert(u.error or 'refused')}", style="yellow")
        when = u.time.astimezone(UTC)
        table.add_row(Text(f"{when:%Y-%m-%d}\n{when:%H:%M:%S}"), account, what)
    return table


def activity_document(report: ActivityReport) -> dict[str, Any]:
    return envelope(
        "activity",
        {
            "since": iso(report.since),
            "until": iso(report.until),
            "history_since": iso(report.history_since),
            "sources": list(report.sources),
            "blind_spots": list(report.blind_spots),
            "sessions": [_session(s) for s in report.sessions],
            "findings": [
                {
                    "kind": f.kind.value,
                    "session_key_id": f.session.access_key_id if f.session else None,
                    "account_id": f.account_id,
                    "caller_arn": f.who,
                    "detail": f.detail,
                }
                for f in report.findings
            ],
            "root_user_use": None
            if report.root_user_use is None
            else [_root_use(u) for u in report.root_user_use],
        },
    )


def activity_csv(report: ActivityReport) -> str:
    header = [
        "opened_at", "account_id", "account_name", "caller_arn", "task_policy",
        "session_key_id", "source_identity", "error_code", "opened_by_rootctl", "purpose",
        "new_caller", "actions", "changes",
    ]  # fmt: skip
    rows = []
    for s in report.sessions:
        rows.append(
            [
                iso(s.opened_at),
                s.account_id,
                s.account_name,
                s.caller_arn,
                s.task,
                s.access_key_id,
                s.source_identity,
                s.error_code,
                s.journaled,
                s.purpose,
                s.new_caller,
                JOIN.join(a.name for a in s.actions) if s.actions is not None else None,
                s.changes if s.actions is not None else None,
            ]
        )
    return csv_rows(header, rows)
