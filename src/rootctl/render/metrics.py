"""``watch --metrics-port``: the watch's state in the Prometheus text exposition format."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Protocol

from rootctl.models import CheckReport, CheckState, CredentialKind, RuleName

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Status(Protocol):
    last_report: CheckReport | None
    last_audit_at: datetime | None
    rounds: int
    api_errors: int
    throttles: int
    removed: int
    alerts_failed: int
    new_root_callers: int


def _metric(
    lines: list[str], name: str, kind: str, help_: str, samples: list[tuple[str, float]]
) -> None:
    lines += [f"# HELP {name} {help_}", f"# TYPE {name} {kind}"]
    lines += [f"{name}{labels} {value:g}" for labels, value in samples]


def prometheus(status: Status, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    report = status.last_report
    lines: list[str] = []
    states: Counter[str] = Counter()
    kinds: Counter[CredentialKind] = Counter()
    rules: Counter[RuleName] = Counter()
    if report is not None:
        states.update(r.state.value for r in report.accounts)
        for row in report.accounts:
            if row.credentials is not None:
                kinds.update(CredentialKind(k) for k in row.credentials.kinds)
        rules.update(v.rule for v in report.violations)
    _metric(
        lines,
        "rootctl_accounts",
        "gauge",
        "Accounts in the last check, by state.",
        [(f'{{state="{s.value}"}}', states[s.value]) for s in CheckState],
    )
    _metric(
        lines,
        "rootctl_accounts_with_credentials",
        "gauge",
        "Accounts with root credentials of a kind, in the last check.",
        [(f'{{kind="{k.value}"}}', kinds[k]) for k in CredentialKind],
    )
    _metric(
        lines,
        "rootctl_violations",
        "gauge",
        "Violations in the last check, by rule.",
        [(f'{{rule="{r.value}"}}', rules[r]) for r in RuleName],
    )
    age = (now - status.last_audit_at).total_seconds() if status.last_audit_at else -1
    _metric(
        lines,
        "rootctl_last_audit_age_seconds",
        "gauge",
        "Seconds since the last audit finished (-1: none yet).",
        [("", round(age, 3))],
    )
    _metric(lines, "rootctl_rounds_total", "counter", "Rounds run.", [("", status.rounds)])
    _metric(
        lines,
        "rootctl_api_errors_total",
        "counter",
        "Accounts that could not be checked (AWS errors), summed over rounds.",
        [("", status.api_errors)],
    )
    _metric(
        lines,
        "rootctl_throttles_total",
        "counter",
        "AWS calls throttled (then retried).",
        [("", status.throttles)],
    )
    _metric(
        lines,
        "rootctl_removed_total",
        "counter",
        "Root credentials removed by enforcement.",
        [("", status.removed)],
    )
    _metric(
        lines,
        "rootctl_alerts_failed_total",
        "counter",
        "Alerts that could not be sent.",
        [("", status.alerts_failed)],
    )
    _metric(
        lines,
        "rootctl_new_root_callers_total",
        "counter",
        "Caller/account pairs alerted on: a caller's first AssumeRoot into an account.",
        [("", status.new_root_callers)],
    )
    return "\n".join(lines) + "\n"
