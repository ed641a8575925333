"""CSV output: one flat row per account (or journal entry); lists joined with "; ".

Every text cell is ``csv_cell``'d: a cell that a spreadsheet would run as a formula
(``=``, ``+``, ``-``, ``@``, TAB, CR first) gets a leading ``'`` (OWASP), and control and bidi
characters show as escapes (docs/output.md). ``-o json`` has the exact values.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TypeVar

from rootctl.models import (
    AccountAudit,
    AccountReport,
    AccountResult,
    ComplianceReport,
    DeletionPlan,
    DeletionReport,
    JournalEntry,
    JournalRow,
    RecoveryReport,
    RowStatus,
)
from rootctl.render import changes
from rootctl.render.serialize import iso
from rootctl.render.text import csv_cell

JOIN = "; "
R = TypeVar("R", bound=AccountResult)


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _cell(v) for v in row])
    return out.getvalue()


def csv_rows(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text with a header, every cell made safe (for renderers in other modules)."""
    return _csv(header, rows)


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return csv_cell(str(value))


def audit_csv(rows: Sequence[AccountAudit]) -> str:
    header = [
        "account_id", "name", "email", "ou_path", "account_state", "state", "reason",
        "has_root_credentials", "recovery_allowed", "password", "password_created",
        "access_keys", "access_keys_last_used", "mfa_devices", "signing_certificates",
        "password_kind",
    ]  # fmt: skip
    out = []
    for r in rows:
        c = r.credentials
        out.append(
            [
                r.account.id,
                r.account.name,
                r.account.email,
                r.account.ou_path_text,
                r.account.state,
                r.state.value,
                r.reason,
                None if c is None else c.has_root_credentials,
                None if c is None else c.recovery_allowed,
                None if c is None else c.login_profile is not None,
                None if c is None or c.login_profile is None else iso(c.login_profile.created),
                None if c is None else JOIN.join(f"{k.id} ({k.status})" for k in c.access_keys),
                None
                if c is None
                else JOIN.join(
                    f"{k.id}: {iso(k.last_used) or 'never'}"
                    + (f" {k.last_used_service}/{k.last_used_region}" if k.last_used else "")
                    for k in c.access_keys
                ),
                None if c is None else JOIN.join(f"{d.serial} ({d.kind})" for d in c.mfa_devices),
                None
                if c is None
                else JOIN.join(f"{s.id} ({s.status})" for s in c.signing_certificates),
                None if c is None or c.login_profile is None else c.login_profile.kind.value,
            ]
        )
    return _csv(header, out)


def _rows_csv(
    report: AccountReport[R],
    statuses: Collection[RowStatus],
    items: Callable[[R], str] | None = None,
    *,
    email: bool = False,
    more: Sequence[tuple[str, Callable[[R], str]]] = (),
) -> str:
    """One row per account: id, name, (e-mail), OU path, state, reason (and the items, and
    ``more`` named columns)."""
    header = ["account_id", "name", *(["email"] if email else []), "ou_path", "state", "reason"]
    return _csv(
        [*header, *(["items"] if items else []), *(name for name, _ in more)],
        (
            [
                a.account.id,
                a.account.name,
                *([a.account.email] if email else []),
                a.account.ou_path_text,
                a.state.value,
                a.reason,
                *([items(a)] if items else []),
                *(column(a) for _, column in more),
            ]
            for a in report.shown(statuses)
        ),
    )


def plan_csv(plan: DeletionPlan, statuses: Collection[RowStatus] = ()) -> str:
    """``recently_used``: the account's items to delete used in the last 30 days."""
    return _rows_csv(
        plan,
        statuses,
        lambda a: JOIN.join(f"{i.kind.value}:{i.id}" for i in a.items),
        more=[("recently_used", lambda a: JOIN.join(changes.recent_uses(a, plan)))],
    )


def deletion_csv(report: DeletionReport, statuses: Collection[RowStatus] = ()) -> str:
    return _rows_csv(
        report,
        statuses,
        lambda a: JOIN.join(f"{i.item.kind.value}:{i.item.id}={i.outcome.value}" for i in a.items),
    )


def recovery_csv(report: RecoveryReport, statuses: Collection[RowStatus] = ()) -> str:
    """``email`` is where "Forgot password" sends the reset link."""
    return _rows_csv(report, statuses, email=True)


def compliance_csv(report: ComplianceReport, statuses: Collection[RowStatus] = ()) -> str:
    """One row per finding: a control's result for one account (or the organization)."""
    header = [
        "control_id", "framework", "severity", "control_status", "subject_id", "subject_name",
        "status", "reason", "detail", "has_root_credentials",
    ]  # fmt: skip
    return _csv(
        header,
        (
            [
                r.control.id,
                r.control.framework,
                r.control.severity,
                r.status.value,
                f.subject_id,
                f.subject_name,
                f.status.value,
                f.reason,
                f.detail,
                f.has_root_credentials,
            ]
            for r in report.results
            for f in r.shown(statuses)
        ),
    )


JOURNAL_HEADER = (
    "id", "started_at", "finished_at", "action", "target", "task_policy", "caller_arn",
    "items", "outcome", "request_id", "error", "saved_policy", "account_name",
)  # fmt: skip


def journal_csv(rows: Sequence[JournalRow]) -> str:
    return _csv(JOURNAL_HEADER, (_journal_row(e) for e in rows))


def _journal_row(e: JournalRow) -> list[object]:
    if not isinstance(e, JournalEntry):
        return [e.id, *[None] * 7, e.outcome, None, e.problem, None, None]
    return [
        e.id,
        iso(e.started_at),
        iso(e.finished_at),
        e.action,
        e.target,
        e.task_policy,
        e.caller_arn,
        JOIN.join(e.items),
        e.outcome,
        e.request_id,
        e.error,
        e.saved_policy is not None,
        e.account_name,
    ]
