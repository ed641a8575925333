"""Alerts: new violations, enforcement results and new root callers, to webhooks (JSON with
a Slack-compatible ``text``) and SNS topics. An alert carries ids, kinds, rules and counts,
never a credential's secret (rootctl never holds one: AssumeRoot credentials stay inside the
root session; a new root caller's alert names the session's access key id, as ``activity``
shows it)."""

from __future__ import annotations

import json
import unicodedata
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from rootctl.errors import RootctlError
from rootctl.models import AccountDeletion, DeletionReport, Violation
from rootctl.models.activity import RootSessionActivity

WEBHOOK_TIMEOUT_S = 10
MAX_LISTED = 20  # a message names at most this many violations; the count says the rest


@dataclass(frozen=True)
class Alert:
    event: str  # "new-violations" | "enforced" | "new-root-callers"
    text: str  # one paragraph for people (Slack's ``text``)
    details: dict[str, Any]


def violations_alert(source: str, violations: Sequence[Violation]) -> Alert:
    lines = [f"rootctl: {len(violations)} new violation(s) of {chat_safe(source)}"]
    lines += [
        f"• {v.account.id} ({chat_safe(v.account.name)}): {v.rule.value}: {chat_safe(v.message)}"
        for v in violations[:MAX_LISTED]
    ]
    if len(violations) > MAX_LISTED:
        lines.append(f"… and {len(violations) - MAX_LISTED} more")
    details = [
        {
            "account_id": v.account.id,
            "account_name": v.account.name,
            "rule": v.rule.value,
            "kinds": [k.value for k in v.kinds],
            "items": [i.id for i in v.items],
            "auto_apply": v.auto_apply,
        }
        for v in violations
    ]
    return Alert("new-violations", "\n".join(lines), {"config": source, "violations": details})


def enforced_alert(report: DeletionReport) -> Alert:
    rows = [r for r in report.accounts if r.items]
    removed = sum(1 for r in rows for i in r.items if i.outcome.removed)
    failed = [r for r in rows if r.state.value == "failed"]
    text = f"rootctl enforced: {removed} root credential(s) removed in {len(rows)} account(s)"
    if failed:
        text += f"; {len(failed)} account(s) failed: " + ", ".join(r.account.id for r in failed)
    return Alert("enforced", text, {"accounts": [removal(r) for r in rows]})


def root_callers_alert(sessions: Sequence[RootSessionActivity]) -> Alert:
    """Callers that assumed root into an account for the first time: who, where, with which
    task policy, when — and the session's access key id (never its secret or token)."""
    lines = [f"rootctl: {len(sessions)} first AssumeRoot caller/account pair(s)"]
    lines += [
        f"• {chat_safe(s.caller_arn or 'unknown caller')} assumed root into {s.account_id}"
        + (f" ({chat_safe(s.account_name)})" if s.account_name else "")
        + f" with {chat_safe(s.task or 'no task policy')} at {s.opened_at.isoformat()}"
        + (f", refused: {chat_safe(s.error_code)}" if s.error_code else "")
        + ("" if s.journaled or not s.journal_known else ", not opened by rootctl")
        for s in sessions[:MAX_LISTED]
    ]
    if len(sessions) > MAX_LISTED:
        lines.append(f"… and {len(sessions) - MAX_LISTED} more")
    pairs = [
        {
            "caller_arn": s.caller_arn,
            "account_id": s.account_id,
            "account_name": s.account_name,
            "task_policy": s.task,
            "time": s.opened_at.isoformat(),
            "session_key_id": s.access_key_id,
            "error_code": s.error_code,
            "opened_by_rootctl": s.journaled if s.journal_known else None,
        }
        for s in sessions
    ]
    return Alert("new-root-callers", "\n".join(lines), {"pairs": pairs})


def removal(row: AccountDeletion) -> dict[str, Any]:
    """One account's enforcement result, for alerts and log lines."""
    return {
        "account_id": row.account.id,
        "state": row.state.value,
        "items": [
            {"kind": i.item.kind.value, "id": i.item.id, "outcome": i.outcome.value}
            for i in row.items
        ],
        "reason": row.reason,
    }


Publish = Callable[[str, str, str], object]  # (topic ARN, subject, message)


class Notifier:
    """Sends each alert to every target; a target that fails is reported, never raised, so
    one broken webhook does not stop the watch."""

    def __init__(self, targets: Sequence[tuple[str, str]], publish: Publish) -> None:
        self.targets = tuple(targets)
        self._publish = publish

    def send(self, alert: Alert) -> list[tuple[str, str | None]]:
        """``(target, error or None)`` per target."""
        body = {"text": alert.text, "event": alert.event, "rootctl": alert.details}
        results: list[tuple[str, str | None]] = []
        for kind, target in self.targets:
            shown = f"{kind}:{_shown(kind, target)}"
            try:
                if kind == "webhook":
                    _post(target, body)
                else:
                    self._publish(target, f"rootctl: {alert.event}", json.dumps(body))
                results.append((shown, None))
            except (OSError, ValueError, RootctlError) as exc:
                results.append((shown, " ".join(str(exc).split()) or type(exc).__name__))
        return results


def chat_safe(text: str) -> str:
    """Outside text (account names, the file's owners) for a chat message: Slack's control
    characters ``& < >`` escaped (no ``<!channel>`` pings, no disguised links), and control,
    format and bidi characters shown as ``\\uXXXX``."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c
        for c in text
    )


def _shown(kind: str, target: str) -> str:
    """How a target appears in logs: a webhook's path and query are often its secret (Slack's
    are), so only its scheme and host are shown."""
    if kind != "webhook":
        return target
    parts = urlsplit(target)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/…"


def _post(url: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(  # noqa: S310 - http(s) only (validation.notify_target)
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "rootctl"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:  # noqa: S310
        response.read(1024)
