"""`rootctl doctor`'s report for people (findings, then blocked accounts grouped by denial) and
as the versioned JSON document (``rootctl/doctor``); `rootctl policy`'s documents.

Findings carry advice as data; the face's words come in through the ``RenderContext`` (the CLI
names commands, the dashboard pages), in the table and in the JSON's ``fix`` alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rootctl.errors import Advice
from rootctl.models import (
    Account,
    AccountProbe,
    BlockedGroup,
    CheckStatus,
    Denial,
    DoctorCheckList,
    DoctorFinding,
    DoctorReport,
    PolicyDocument,
    ScpStatement,
)
from rootctl.models.doctor import denied_where
from rootctl.render.registry import RenderContext
from rootctl.render.serialize import Json, account, envelope
from rootctl.render.text import inert

MARK = {
    CheckStatus.OK: ("✔", "green"),
    CheckStatus.WARN: ("!", "yellow"),
    CheckStatus.FAIL: ("✘", "bold red"),
}
SHOWN_PER_GROUP = 10  # accounts listed under a group in the table; -o json lists them all

Words = Callable[[Advice], str]


# -- for people ------------------------------------------------------------------------------


def doctor_table(report: DoctorReport, context: RenderContext) -> RenderableType:
    words = context.advice_text
    head = Text(f"rootctl doctor for {', '.join(op.value for op in report.operations)}", "bold")
    head.append(f" · region {inert(report.region)}", style="")
    if report.organization_id:
        head.append(f" · organization {inert(report.organization_id)}", style="")
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column("", no_wrap=True)
    table.add_column("Check", no_wrap=True, style="bold")
    table.add_column("Finding", overflow="fold")
    for finding in report.findings:
        if finding.account_id is None:
            table.add_row(*_mark(finding.status), Text(finding.check), _finding(finding, words))
    parts: list[RenderableType] = [head, table]
    if report.groups:
        blocked = _listing()
        for group in report.groups:
            blocked.add_row(Text("✘", style="bold red"), _group(group, words))
        parts += [Text(""), Text("Blocked member accounts, by denial", style="bold"), blocked]
    unchecked = [f for f in report.warnings if f.account_id is not None]
    if unchecked:
        parts += [
            Text(""),
            Text("Member accounts not checked", style="bold"),
            _unchecked(unchecked),
        ]
    parts += [Text(""), verdict(report)]
    return Group(*parts)


def _mark(status: CheckStatus) -> tuple[Text]:
    symbol, style = MARK[status]
    return (Text(f"{symbol} {status.value}", style=style),)


def _finding(finding: DoctorFinding, words: Words) -> Text:
    text = Text(inert(finding.message))
    if finding.status is not CheckStatus.OK:  # -o json has every field of every finding
        text.append(f"\nwhere: {inert(finding.where)}", style="dim")
        text.append(f"\nwhy: {inert(finding.why)}", style="dim")
        if finding.fix is not None:
            text.append(f"\nfix: {inert(words(finding.fix))}", style="yellow")
    if finding.accounts and finding.status is not CheckStatus.OK:
        _accounts(text, finding.accounts)
    return text


def _accounts(text: Text, accounts: Sequence[Account]) -> None:
    """The accounts a grouped finding names: the first few here, every one in -o json."""
    text.append(f"\n{len(accounts)} account(s):", style="")
    for acct in accounts[:SHOWN_PER_GROUP]:
        text.append(f"\n  {inert(acct.id)}  {inert(acct.name)}", style="")
    if len(accounts) > SHOWN_PER_GROUP:
        more = len(accounts) - SHOWN_PER_GROUP
        text.append(f"\n  … and {more} more (-o json lists them all)", "dim")


def _listing() -> Table:
    """Two columns (a mark, then text) so that folded lines stay indented."""
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column("", no_wrap=True)
    table.add_column("", overflow="fold")
    return table


def _group(group: BlockedGroup, words: Words) -> Text:
    count = len(group.accounts)
    text = Text(inert(denied_where(group.denial, group.in_session)), style="bold red")
    tasks = ", ".join(t.value for t in group.tasks)
    text.append(f" — {count} account(s); {tasks}", style="")
    for acct in group.accounts[:SHOWN_PER_GROUP]:
        text.append(f"\n  {inert(acct.id)}  {inert(acct.name)}", style="")
    if count > SHOWN_PER_GROUP:
        text.append(f"\n  … and {count - SHOWN_PER_GROUP} more (-o json lists them all)", "dim")
    if group.fix is not None:
        text.append(f"\nfix: {inert(words(group.fix))}", style="yellow")
    return text


def _unchecked(findings: Sequence[DoctorFinding]) -> Table:
    by_message: dict[str, list[DoctorFinding]] = {}
    for finding in findings:
        by_message.setdefault(finding.message, []).append(finding)
    table = _listing()
    for message, group in by_message.items():
        text = Text(f"{inert(message)} — {len(group)} account(s)", style="yellow")
        for finding in group[:SHOWN_PER_GROUP]:
            text.append(f"\n  {inert(finding.where)}", style="")
        if len(group) > SHOWN_PER_GROUP:
            text.append(f"\n  … and {len(group) - SHOWN_PER_GROUP} more", style="dim")
        table.add_row(Text("!", style="yellow"), text)
    return table


def verdict(report: DoctorReport) -> Text:
    chosen = ", ".join(op.value for op in report.operations)
    warnings = len(report.warnings)
    extra = f" ({warnings} warning(s))" if warnings else ""
    if report.interrupted:
        return Text("Interrupted: some member accounts were not checked.", style="yellow")
    if report.prevented:
        return Text("AWS prevented the check: no member account answered.", style="bold red")
    if report.ok:
        return Text(f"Nothing blocks {chosen}{extra}.", style="green")
    blocked = len(report.blocked_accounts)
    where = f", {blocked} member account(s) blocked" if blocked else ""
    failures = len(report.failures)
    return Text(f"{failures} problem(s) block {chosen}{where}{extra}.", style="bold red")


# -- JSON ------------------------------------------------------------------------------------


def _advice(advice: Advice | None) -> Json | None:
    if advice is None:
        return None
    return {"code": advice.code.value, "params": dict(advice.params)}


def _denial(denial: Denial | None) -> Json | None:
    if denial is None:
        return None
    return {
        "action": denial.action,
        "policy_type": denial.policy_type,
        "explicit": denial.explicit,
        "policy_arn": denial.policy_arn,
        "label": denial.label,
    }


def finding_json(finding: DoctorFinding, words: Words) -> Json:
    return {
        "check": finding.check,
        "status": finding.status.value,
        "account_id": finding.account_id,
        "message": finding.message,
        "where": finding.where,
        "why": finding.why,
        "fix": words(finding.fix) if finding.fix is not None else None,
        "fix_advice": _advice(finding.fix),
        "task": finding.task.value if finding.task else None,
        "denial": _denial(finding.denial),
        "account_ids": [a.id for a in finding.accounts],
        "scp_statement": _statement(finding.statement),
    }


def _statement(ref: ScpStatement | None) -> Json | None:
    if ref is None:
        return None
    return {
        "policy_id": ref.policy_id,
        "policy_name": ref.policy_name,
        "target_id": ref.target_id,
        "index": ref.index,
        "sid": ref.sid,
        "depends_on": list(ref.depends_on),
    }


def _probe(row: AccountProbe) -> Json:
    return {
        **account(row.account),
        "state": row.state.value,
        "reason": row.reason,
        "tasks": [
            {
                "task": p.task.value,
                "outcome": p.outcome.value,
                "step": p.step,
                "denial": _denial(p.denial),
                "reason": p.reason,
                "tried": p.tried,
            }
            for p in row.tasks
        ],
    }


def doctor_document(report: DoctorReport, context: RenderContext) -> Json:
    words = context.advice_text
    counts = {status.value: 0 for status in CheckStatus}
    for finding in report.findings:
        counts[finding.status.value] += 1
    body: dict[str, Any] = {
        "ok": report.ok,
        "operations": [op.value for op in report.operations],
        "region": report.region,
        "caller_arn": report.caller_arn,
        "organization_id": report.organization_id,
        "prevented": report.prevented,
        "interrupted": report.interrupted,
        "counts": counts,
        "findings": [finding_json(f, words) for f in report.findings],
        "blocked": [
            {
                "denial": _denial(g.denial),
                "in_session": g.in_session,
                "tasks": [t.value for t in g.tasks],
                "account_ids": [a.id for a in g.accounts],
                "fix": words(g.fix) if g.fix is not None else None,
                "fix_advice": _advice(g.fix),
            }
            for g in report.groups
        ],
        "accounts": [_probe(row) for row in report.probes.accounts] if report.probes else [],
    }
    return envelope("doctor", body)


def policy_document(policy: PolicyDocument) -> Json:
    """The policy itself, ready for ``aws iam put-user-policy --policy-document`` (notes go
    to people separately)."""
    return dict(policy.document)


def checks_table(listing: DoctorCheckList) -> RenderableType:
    """`rootctl doctor --list-checks`: the table of checks, in the order they run."""
    table = Table(box=None, pad_edge=False)
    table.add_column("Check", no_wrap=True, style="bold")
    table.add_column("For", no_wrap=True)
    table.add_column("What it checks, and why", overflow="fold")
    for c in listing.checks:
        operations = ", ".join(op.value for op in c.operations) or "all"
        table.add_row(Text(c.id), Text(operations), Text(f"{c.title}. {c.why}"))
    return table


def checks_document(listing: DoctorCheckList) -> Json:
    checks = [
        {
            "id": c.id,
            "title": c.title,
            "why": c.why,
            "stage": c.stage,
            "operations": [op.value for op in c.operations],
        }
        for c in listing.checks
    ]
    return envelope("doctor-checks", {"checks": checks})
