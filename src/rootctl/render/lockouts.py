"""`find-lockouts` and its fix in every format: blocks for people (a finding, why, the statement
quoted, who still gets in), the JSON documents ``rootctl/lockouts`` and ``rootctl/lockout-fix``
(docs/json-schema/v1.json), CSV rows, and the diff original → corrected.

Policies and statements are outside text: shown through ``inert``/``literal`` (a policy keeps
its line breaks, nothing else acts on a terminal), exact in JSON.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rootctl.models import (
    AccountLockouts,
    FixAction,
    FixState,
    LockoutClass,
    LockoutFixReport,
    LockoutReport,
    PlannedFix,
    RegionState,
    ResourceFix,
    ResourceLockout,
    ScanState,
)
from rootctl.render.flat import JOIN, csv_rows
from rootctl.render.serialize import Json, envelope
from rootctl.render.text import inert, inert_lines, literal, pretty_policy

CLASS_WORDS = {
    LockoutClass.EVERYONE: "locks out everyone",
    LockoutClass.OUTSIDE_CONDITION: "locks out everyone outside a condition",
    LockoutClass.UNPARSEABLE: "does not parse",
    LockoutClass.HEALTHY: "not a lock-out",
}
CLASS_STYLES = {
    LockoutClass.EVERYONE: "bold red",
    LockoutClass.OUTSIDE_CONDITION: "red",
    LockoutClass.UNPARSEABLE: "yellow",
    LockoutClass.HEALTHY: "green",
}
FIX_STYLES = {
    FixState.FIXED: "green",
    FixState.PLANNED: "yellow",
    FixState.CHANGED: "yellow",
    FixState.STILL_LOCKED: "bold red",
    FixState.FAILED: "bold red",
    FixState.SKIPPED: "dim",
    FixState.NOT_RUN: "yellow",
}


def statement_json(statement: Mapping[str, Any] | None) -> str:
    return json.dumps(statement, indent=2, ensure_ascii=False) if statement is not None else ""


def _where(f: ResourceLockout, account_name: str) -> Text:
    text = Text(f"{f.short_kind} ", style="bold")
    text.append(inert(f.name), style="bold")
    text.append(f"  {inert(f.region or 'no Region')}  account {inert(f.account_id)}")
    if account_name:
        text.append(f" ({inert(account_name)})")
    return text


def finding_block(f: ResourceLockout, account_name: str = "") -> RenderableType:
    """A finding: where, its class, then each locking statement — what it denies, who still
    gets in, the statement quoted."""
    parts: list[RenderableType] = [_where(f, account_name)]
    if f.lockout is LockoutClass.UNPARSEABLE:
        verdict = Text(f"  {inert(f.reason)}", style=CLASS_STYLES[f.lockout])
    else:
        verdict = Text(f"  {CLASS_WORDS[f.lockout]}", style=CLASS_STYLES[f.lockout])
    parts.append(verdict)
    for s in f.statements:
        label = f"statement {s.index + 1}" + (f" ({inert(s.sid)})" if s.sid else "")
        parts.append(Text(f"  {label} denies {', '.join(inert(a) for a in s.denied_actions)}"))
        if s.who_gets_in:
            who = Text("  who still gets in: ", style="bold")
            who.append("; or ".join(inert(w) for w in s.who_gets_in), style="")
            parts.append(who)
        quoted = "\n".join("    " + line for line in statement_json(s.statement).splitlines())
        parts.append(Text(inert_lines(quoted), style="dim"))
    return Group(*parts)


def _summary(report: LockoutReport) -> Text:
    findings = report.findings
    by_class = {c: sum(1 for f in findings if f.lockout is c) for c in LockoutClass}
    not_enabled = {
        (a.account.id, s.region)
        for a in report.accounts
        for s in a.scans
        if s.state is RegionState.NOT_ENABLED
    }
    failed = [a for a in report.accounts if a.state in (ScanState.FAILED, ScanState.INCOMPLETE)]
    words = [
        f"{len(findings)} finding(s)",
        f"{by_class[LockoutClass.EVERYONE]} locking out everyone",
        f"{by_class[LockoutClass.OUTSIDE_CONDITION]} outside a condition",
        f"{by_class[LockoutClass.UNPARSEABLE]} unparseable",
    ]
    scanned = sum(1 for a in report.accounts if not a.is_("skipped"))
    text = Text(", ".join(words) + f"; {len(report.healthy)} healthy policies")
    text.append(f" — {scanned} account(s) read")
    if not_enabled:
        regions = len({region for _, region in not_enabled})
        accounts = len({account for account, _ in not_enabled})
        text.append(f"; {regions} Region(s) not enabled in {accounts} account(s), skipped")
    if failed:
        text.append(f", {len(failed)} account(s) not fully read", style="yellow")
    return text


def _problems(rows: tuple[AccountLockouts, ...]) -> RenderableType | None:
    bad = [
        a for a in rows if a.state in (ScanState.FAILED, ScanState.INCOMPLETE, ScanState.NOT_RUN)
    ]
    if not bad:
        return None
    table = Table(box=None, pad_edge=False, header_style="bold", title_justify="left")
    table.add_column("Account", no_wrap=True)
    table.add_column("Name", overflow="fold")
    table.add_column("State", no_wrap=True)
    table.add_column("Reason", overflow="fold")
    for a in bad:
        table.add_row(
            literal(a.account.id), literal(a.account.name), Text(a.state.value, style="yellow"),
            literal(a.reason or ""),
        )  # fmt: skip
    return table


def lockout_report(report: LockoutReport) -> RenderableType:
    names = {a.account.id: a.account.name for a in report.accounts}
    parts: list[RenderableType] = []
    for f in report.findings:
        parts += [finding_block(f, names.get(f.account_id, "")), Text("")]
    if not report.findings:
        parts.append(Text("No lock-out found.", style="green"))
    if report.show_healthy and report.healthy:
        table = Table(box=None, pad_edge=False, header_style="bold", title="Healthy policies",
                      title_justify="left")  # fmt: skip
        for column in ("Account", "Kind", "Resource", "Region"):
            table.add_column(column, overflow="fold", no_wrap=column in ("Account", "Kind"))
        for f in report.healthy:
            table.add_row(
                literal(f.account_id), f.short_kind, literal(f.name), literal(f.region or "")
            )
        parts += [table, Text("")]
    problems = _problems(report.accounts)
    if problems is not None:
        parts += [problems, Text("")]
    parts.append(_summary(report))
    return Group(*parts)


def _finding_json(f: ResourceLockout, account_name: str) -> Json:
    return {
        "account_id": f.account_id,
        "account_name": account_name,
        "kind": f.short_kind,
        "name": f.name,
        "resource": f.resource,
        "region": f.region,
        "class": f.lockout.value,
        "reason": f.reason,
        "statement": f.statement,
        "statements": [
            {
                "index": s.index,
                "sid": s.sid,
                "class": s.lockout.value,
                "denied_actions": list(s.denied_actions),
                "who_gets_in": list(s.who_gets_in),
                "reason": s.reason,
                "statement": s.statement,
            }
            for s in f.statements
        ],
        "policy": f.policy,
        "corrected_policy": f.corrected if f.lockout is not LockoutClass.UNPARSEABLE else None,
    }


def lockout_document(report: LockoutReport) -> Json:
    names = {a.account.id: a.account.name for a in report.accounts}
    findings = report.findings
    healthy = report.healthy
    return envelope(
        "lockouts",
        {
            "organization_id": report.organization_id,
            "interrupted": report.interrupted,
            "kinds": [k.value.split("-")[0] for k in report.kinds],
            "regions": list(report.regions),
            "summary": {
                "findings": len(findings),
                **{
                    c.value.replace("-", "_"): sum(1 for f in findings if f.lockout is c)
                    for c in LockoutClass
                    if c.is_finding
                },
                "healthy": len(healthy),
                "accounts": len(report.accounts),
                **{
                    f"accounts_{s.value.replace('-', '_')}": sum(
                        1 for a in report.accounts if a.state is s
                    )
                    for s in ScanState
                },
                "regions_not_enabled": sum(
                    1
                    for a in report.accounts
                    for s in a.scans
                    if s.state is RegionState.NOT_ENABLED
                ),
            },
            "findings": [_finding_json(f, names.get(f.account_id, "")) for f in findings],
            "healthy": [
                {
                    "account_id": f.account_id,
                    "account_name": names.get(f.account_id, ""),
                    "kind": f.short_kind,
                    "name": f.name,
                    "resource": f.resource,
                    "region": f.region,
                }
                for f in (healthy if report.show_healthy else ())
            ],
            "accounts": [
                {
                    "account_id": a.account.id,
                    "name": a.account.name,
                    "state": a.state.value,
                    "reason": a.reason,
                    "scans": [
                        {
                            "kind": s.kind.value.split("-")[0],
                            "region": s.region,
                            "state": s.state.value,
                            "resources": s.resources,
                            "reason": s.reason,
                        }
                        for s in a.scans
                    ],
                }
                for a in report.accounts
            ],
        },
    )


def lockout_csv(report: LockoutReport) -> str:
    names = {a.account.id: a.account.name for a in report.accounts}
    header = ["account_id", "account_name", "kind", "name", "region", "class", "reason",
              "who_gets_in", "statement"]  # fmt: skip
    listed = report.findings + (report.healthy if report.show_healthy else ())
    return csv_rows(
        header,
        (
            [
                f.account_id,
                names.get(f.account_id, ""),
                f.short_kind,
                f.name,
                f.region,
                f.lockout.value,
                f.reason,
                JOIN.join(w for s in f.statements for w in s.who_gets_in),
                json.dumps(f.statement, ensure_ascii=False) if f.statement else "",
            ]
            for f in listed
        ),
    )


# -- the fix --------------------------------------------------------------------------------------


def diff_lines(fix: PlannedFix) -> list[str]:
    """The change a fix makes, as a unified diff of the pretty-printed policies (a deletion:
    every line removed)."""
    finding = fix.finding
    before = pretty_policy(finding.policy).splitlines()
    after = pretty_policy(fix.replacement).splitlines() if fix.replacement is not None else []
    name = f"{finding.short_kind}:{finding.name}"
    return list(
        difflib.unified_diff(
            before, after, f"{name} (now)", f"{name} (corrected)", lineterm="", n=2
        )
    )


def diff_text(lines: list[str]) -> Text:
    text = Text()
    for line in lines:
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else ""
        if line.startswith(("---", "+++", "@@")):
            style = "bold"
        text.append(inert(line) + "\n", style=style)
    return text


def fix_preview(fixes: tuple[PlannedFix, ...]) -> RenderableType:
    """What --fix will do, finding by finding, with the diff."""
    parts: list[RenderableType] = []
    for fix in fixes:
        f = fix.finding
        head = Text(
            f"{fix.action.value} ",
            style="bold yellow" if fix.action is not FixAction.SKIP else "dim",
        )
        head.append_text(_where(f, ""))
        parts += [head, literal(f"  {fix.reason}", style="dim")]
        if fix.action is not FixAction.SKIP:
            parts.append(diff_text(diff_lines(fix)))
    return Group(*parts)


def fix_summary(fixes: tuple[PlannedFix, ...]) -> str:
    puts = sum(1 for f in fixes if f.action is FixAction.PUT_CORRECTED)
    deletes = sum(1 for f in fixes if f.action is FixAction.DELETE)
    skips = sum(1 for f in fixes if f.action is FixAction.SKIP)
    accounts = len({f.finding.account_id for f in fixes if f.action is not FixAction.SKIP})
    text = f"put {puts} corrected polic{'y' if puts == 1 else 'ies'} and delete {deletes}"
    text += f" in {accounts} account(s)"
    return text + (f" ({skips} left alone)" if skips else "")


def _item_json(r: ResourceFix) -> Json:
    f = r.fix.finding
    return {
        "account_id": f.account_id,
        "kind": f.short_kind,
        "name": f.name,
        "resource": f.resource,
        "region": f.region,
        "class": f.lockout.value,
        "action": r.fix.action.value,
        "state": r.state.value,
        "reason": r.reason,
        "journal_id": r.journal_id,
        "request_id": r.request_id,
        "corrected_policy": r.fix.replacement,
    }


def fix_document(report: LockoutFixReport) -> Json:
    return envelope(
        "lockout-fix",
        {
            "organization_id": report.organization_id,
            "interrupted": report.interrupted,
            "mode": report.mode.value,
            "dry_run": report.dry_run,
            "items": [_item_json(i) for i in report.items],
            "accounts": [
                {
                    "account_id": a.account.id,
                    "name": a.account.name,
                    "state": a.state.value,
                    "reason": a.reason,
                }
                for a in report.accounts
            ],
        },
    )


def fix_table(report: LockoutFixReport) -> RenderableType:
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("Account", "Resource", "Action", "State", "Journal", "Reason"):
        table.add_column(column, overflow="fold", no_wrap=column in ("Account", "State", "Journal"))
    for r in report.items:
        f = r.fix.finding
        table.add_row(
            literal(f.account_id),
            literal(f"{f.short_kind} {f.name}"),
            r.fix.action.value,
            Text(r.state.value, style=FIX_STYLES[r.state]),
            str(r.journal_id) if r.journal_id is not None else "",
            literal(r.reason or ""),
        )
    fixed = sum(1 for r in report.items if r.state is FixState.FIXED)
    words = (
        "Dry run: nothing was changed."
        if report.dry_run
        else (
            f"{fixed} of {len(report.items)} fixed; every original policy is in the journal "
            "(`rootctl journal show ID`)."
        )
    )
    return Group(table, Text(""), Text(words))


def fix_csv(report: LockoutFixReport) -> str:
    header = ["account_id", "kind", "name", "region", "action", "state", "journal_id",
              "request_id", "reason"]  # fmt: skip
    return csv_rows(
        header,
        (
            [
                r.fix.finding.account_id,
                r.fix.finding.short_kind,
                r.fix.finding.name,
                r.fix.finding.region,
                r.fix.action.value,
                r.state.value,
                r.journal_id,
                r.request_id,
                r.reason,
            ]
            for r in report.items
        ),
    )
