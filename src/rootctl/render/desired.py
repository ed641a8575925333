"""``check``'s report for people (a table of violations) and for machines (JSON; the SARIF
is render/desired_sarif.py).

Messages, owners and names come from the file and from AWS: every one goes through
``inert``/``literal`` like any outside text.
"""

from __future__ import annotations

from collections import Counter

from rich.console import Group, RenderableType
from rich.text import Text

from rootctl.models import Account, AccountCheck, CheckReport, CheckState, RuleException, Violation
from rootctl.render.human import _add_row, _table
from rootctl.render.serialize import Json, _report, account, iso, planned_item
from rootctl.render.styles import STATE_STYLES, day
from rootctl.render.text import inert, literal

_STYLES = {"compliant": "green", "excepted": "cyan", "pending": "yellow", "violation": "bold red"}


def check_table(report: CheckReport) -> RenderableType:
    table = _table("Account", "Name", "State", "Rule", "Finding")
    for row in report.accounts:
        state = literal(
            row.state.value, _STYLES.get(row.state.value, STATE_STYLES.get(row.state.value, ""))
        )
        if not row.violations:
            _add_row(table, *_who(row.account), state, "", literal(_quiet_detail(row)))
            continue
        for i, violation in enumerate(row.violations):
            who = _who(row.account) if i == 0 else (Text(""), Text(""))
            _add_row(
                table,
                *who,
                state if i == 0 else Text(""),
                literal(_rule_at(violation)),
                literal(violation.message + (" [auto-apply]" if violation.auto_apply else "")),
            )
    parts: list[RenderableType] = [table, Text(""), Text(check_summary(report))]
    parts += [literal(f"note: {note}", "dim") for note in report.notes]
    return Group(*parts)


def _who(account: Account) -> tuple[Text, Text]:
    return literal(account.id), literal(account.name)


def _rule_at(violation: Violation) -> str:
    return violation.rule.value  # its line is in the JSON (rule_line): the column stays narrow


def _quiet_detail(row: AccountCheck) -> str:
    if row.state is CheckState.EXCEPTED and row.exception is not None:
        kinds = ", ".join(k.value for k in row.allowed)
        return (
            f"{kinds} allowed until {day(row.exception.expires_at)} (owner {row.exception.owner})"
        )
    if row.state is CheckState.EXCEPTED:
        return f"{', '.join(k.value for k in row.allowed)} allowed (recovery window open)"
    if row.state is CheckState.PENDING:
        return f"new account: credentials become violations at {row.due_at:%Y-%m-%d %H:%M} UTC"
    return row.reason or ""


def check_summary(report: CheckReport) -> str:
    counts = Counter(row.state for row in report.accounts)
    states = ", ".join(f"{counts[s]} {s.value}" for s in CheckState if counts[s])
    verdict = "compliant" if report.compliant else f"{len(report.violations)} violation(s)"
    text = f"{inert(report.source)}: {verdict} — {len(report.accounts)} accounts: {states}"
    if report.interrupted:
        text += " (interrupted)"
    return text


# -- JSON ------------------------------------------------------------------------------------


def _exception(e: RuleException | None) -> Json | None:
    if e is None:
        return None
    return {
        "account_id": e.account_id,
        "allow": [k.value for k in e.allow],
        "owner": e.owner,
        "reason": e.reason,
        "ticket": e.ticket,
        "expires_at": iso(e.expires_at),
    }


def violation(v: Violation) -> Json:
    return {
        "account_id": v.account.id,
        "rule": v.rule.value,
        "message": v.message,
        "kinds": [k.value for k in v.kinds],
        "items": [planned_item(i) for i in v.items],
        "auto_apply": v.auto_apply,
        "new_account": v.new_account,
        "exception": _exception(v.exception),
        "rule_line": v.place.line if v.place else None,
    }


def account_check(row: AccountCheck) -> Json:
    return {
        **account(row.account),
        "state": row.state.value,
        "reason": row.reason,
        "violations": [violation(v) for v in row.violations],
        "allowed": [k.value for k in row.allowed],
        "exception": _exception(row.exception),
        "due_at": iso(row.due_at),
    }


def check_report(report: CheckReport) -> Json:
    return _report(
        "check",
        report,
        CheckState,
        account_check,
        head={
            "config": report.source,
            "checked_at": iso(report.checked_at),
            "compliant": report.compliant,
            "notes": list(report.notes),
        },
        summary_first={"violations": len(report.violations)},
    )
