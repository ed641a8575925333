"""Tables, trees and text for people (rich renderables; plain on a pipe, colour on a TTY).

Every piece of outside text (names, e-mails, ARNs, AWS messages, journal fields) goes in as
``literal()``/``inert()`` (rootctl.render.text): cells are ``Text`` objects, never strings that
rich would parse as markup, and no control or bidi character reaches the terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from rootctl.errors import Advice
from rootctl.models import (
    Account,
    AccountAudit,
    AuditReport,
    AuditState,
    Capability,
    ComplianceReport,
    ControlStatus,
    DeletionPlan,
    DeletionReport,
    FeatureChange,
    JournalEntry,
    JournalOutcome,
    JournalRow,
    Organization,
    OrgStatus,
    RecoveryReport,
    ResourcePolicy,
    RootCredentials,
    UnlockResult,
)
from rootctl.render.text import inert, literal

# A status mark per account, like the console's "Root user credentials" column.
MARKS = {
    "clean": ("✔", "green"),
    "credentials": ("✘", "red"),
    AuditState.FAILED.value: ("!", "yellow"),
    AuditState.SKIPPED.value: ("–", "dim"),
    AuditState.NOT_RUN.value: ("·", "dim"),
}
STATE_STYLES = {
    "deleted": "green",
    "allowed": "green",
    "removed": "green",
    "audited": "green",
    "already-allowed": "green",
    "nothing-to-delete": "green",
    "to-delete": "yellow",
    "failed": "bold red",
    "skipped": "dim",
    "not-run": "yellow",
    "unknown": "bold yellow",
    "succeeded": "green",
    "interrupted": "yellow",
    "unreadable": "bold red",
}


def day(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d}" if value else "—"


# Identifiers are never split across lines; free text folds.
_NO_WRAP = frozenset(
    {
        "",
        "Account",
        "ID",
        "State",
        "Outcome",
        "Recovery",
        "Started",
        "Action",
        "Target",
        "Status",
    }
)


Cell = Text | str


def _table(*columns: str, title: str | None = None) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold", box=None, pad_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column in _NO_WRAP)
    return table


def _add_row(table: Table, *cells: Cell) -> None:
    """A row of ``Text``: a ``str`` here is the renderer's own text, already made of inert
    pieces, and must not be parsed as markup either."""
    table.add_row(*(cell if isinstance(cell, Text) else Text(cell) for cell in cells))


def _who(account: Account) -> tuple[Text, Text]:
    return literal(account.id), literal(account.name)


def _reason(reason: str | None, style: str = "") -> Text:
    return literal(reason or "", style=style)


def _state(state: str) -> Text:
    return literal(state, style=STATE_STYLES.get(state, ""))


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


# -- status --------------------------------------------------------------------------------


def status(s: OrgStatus, advice_text: Callable[[Advice], str] | None = None) -> RenderableType:
    table = _grid()
    _add_row(
        table, "Organization", f"{inert(s.organization_id)} (feature set {inert(s.feature_set)})"
    )
    _add_row(table, "Management account", literal(s.management_account_id))
    _add_row(table, "Caller", literal(s.caller.arn))
    _add_row(table, "Caller account", f"{inert(s.caller.account_id)} ({s.caller_role.value})")
    _add_row(table, "IAM trusted access", _on_off(s.trusted_access))
    for cap in Capability:
        _add_row(table, cap.label, _capability(s, cap).append(f"  ({cap.value})", style="dim"))
    if s.delegated_admins is None:
        delegate = "unknown"
    elif not s.delegated_admins:
        delegate = "none"
    else:
        delegate = ", ".join(f"{inert(d.account_id)} ({inert(d.name)})" for d in s.delegated_admins)
    _add_row(table, "IAM delegated administrator", delegate)
    parts: list[RenderableType] = [table]
    parts += [Text(f"note: {inert(n)}", style="yellow") for n in s.notes]
    word = advice_text or (lambda advice: advice.text)
    parts += [Text(f"next: {inert(word(a))}", style="yellow") for a in s.advice]
    return Group(*parts)


def _grid() -> Table:
    """Label/value rows (status, a journal entry)."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    return table


def _capability(s: OrgStatus, cap: Capability) -> Text:
    if s.capabilities is None and s.trusted_access is False:
        # AWS hides the flags while trusted access is off; nothing works until it is back.
        return Text("not in effect (trusted access off)", style="red")
    return _on_off(None if s.capabilities is None else cap in s.capabilities)


def _on_off(value: bool | None) -> Text:
    if value is None:
        return Text("unknown", style="yellow")
    return Text("enabled", style="green") if value else Text("disabled", style="red")


def feature_change(change: FeatureChange) -> RenderableType:
    table = _table(
        "Step", "State", "Reason", title="Dry run: nothing changed" if change.dry_run else None
    )
    for step in change.steps:
        _add_row(table, literal(step.description), _state(step.state), _reason(step.reason))
    before, after = change.before, change.after
    compare = _table("", "Before", "After")
    _add_row(
        compare, "IAM trusted access", _on_off(before.trusted_access), _on_off(after.trusted_access)
    )
    for cap in Capability:
        _add_row(compare, cap.label, _capability(before, cap), _capability(after, cap))
    _add_row(compare, "IAM delegated administrator", _delegates(before), _delegates(after))
    return Group(table, Text(""), compare)


def _delegates(s: OrgStatus) -> str:
    if s.delegated_admins is None:
        return "unknown"
    return ", ".join(inert(d.account_id) for d in s.delegated_admins) or "none"


# -- audit ---------------------------------------------------------------------------------


def audit_table(report: AuditReport) -> RenderableType:
    table = _table("", "Account", "Name", "OU path", "State", "Root credentials", "Recovery")
    for row in report.accounts:
        mark, style = mark_of(row)
        c = row.credentials
        name = literal(row.account.name)
        name.append(f"\n{inert(row.account.email)}", style="dim")
        _add_row(
            table,
            Text(mark, style=style),
            literal(row.account.id),
            name,
            literal(row.account.ou_path_text),
            _state(row.state.value),
            _reason(row.reason, style) if c is None else _credential_lines(c),
            "—" if c is None else ("allowed" if c.recovery_allowed else "no"),
        )
    return Group(table, Text(""), audit_summary(report))


def _credential_lines(c: RootCredentials) -> str:
    lines = []
    if c.login_profile:
        password_used = c.login_profile.last_used
        lines.append(
            f"password, created {day(c.login_profile.created)}, "
            + (f"last used {day(password_used)}" if password_used else "never used")
        )
    for key in c.access_keys:
        where = f"{inert(key.last_used_service or '?')}/{inert(key.last_used_region or '?')}"
        used = f"last used {day(key.last_used)} {where}" if key.last_used else "never used"
        lines.append(
            f"access key {inert(key.id)} {inert(key.status)}, created {day(key.created)}, {used}"
        )
    for device in c.mfa_devices:
        lines.append(
            f"MFA {inert(device.serial)} ({device.kind}, enabled {day(device.enabled_at)})"
        )
    for cert in c.signing_certificates:
        lines.append(
            f"certificate {inert(cert.id)} {inert(cert.status)}, uploaded {day(cert.uploaded)}"
        )
    return "\n".join(lines) or "none"


def mark_of(row: AccountAudit) -> tuple[str, str]:
    if row.state is AuditState.AUDITED:
        return MARKS["credentials" if row.has_root_credentials else "clean"]
    return MARKS[row.state.value]


def audit_summary(report: AuditReport) -> Text:
    audited = sum(1 for a in report.accounts if a.state is AuditState.AUDITED)
    text = Text(
        f"{len(report.accounts)} accounts: {audited} audited, "
        f"{len(report.with_credentials)} with root credentials, "
        f"{len(report.failed)} failed, "
        f"{sum(1 for a in report.accounts if a.state is AuditState.SKIPPED)} skipped"
    )
    not_run = sum(1 for a in report.accounts if a.state is AuditState.NOT_RUN)
    if not_run or report.interrupted:
        text.append(f", {not_run} not run (interrupted)", style="yellow")
    return text


def audit_tree(report: AuditReport, org: Organization) -> RenderableType:
    by_id = {row.account.id: row for row in report.accounts}
    root = Tree(Text(f"Root {inert(org.root_id)}  ({inert(org.id)})", style="bold"))

    def add(node: Tree, unit_id: str) -> None:
        for child in org.child_units(unit_id):
            branch = node.add(Text(f"{inert(child.name)}  {inert(child.id)}", style="bold"))
            add(branch, child.id)
        for account in org.child_accounts(unit_id):
            row = by_id.get(account.id)
            if row is None:
                unselected = f"  {inert(account.name)}  {inert(account.id)}  (not selected)"
                node.add(Text(unselected, style="dim"))
                continue
            mark, style = mark_of(row)
            label = Text(f"{mark} ", style=style)
            label.append(f"{inert(account.name)}  {inert(account.id)}")
            label.append(
                f"  {_tree_detail(row)}",
                style=style if row.state is not AuditState.AUDITED else "dim",
            )
            node.add(label)

    add(root, org.root_id)
    legend = Text("✔ no root credentials   ✘ root credentials present   ! audit failed   – skipped")
    return Group(root, Text(""), legend, audit_summary(report))


def _tree_detail(row: AccountAudit) -> str:
    c = row.credentials
    if c is None:
        return f"{row.state.value}: {inert(row.reason or '')}"
    found = []
    if c.login_profile:
        found.append("password")
    if c.access_keys:
        found.append(f"{len(c.access_keys)} access key(s)")
    if c.mfa_devices:
        found.append(f"{len(c.mfa_devices)} MFA")
    if c.signing_certificates:
        found.append(f"{len(c.signing_certificates)} certificate(s)")
    return ", ".join(found) or "no root credentials"


# -- delete --------------------------------------------------------------------------------


def deletion_plan(plan: DeletionPlan) -> RenderableType:
    table = _table("Account", "Name", "OU path", "State", "Items to remove / reason")
    for row in plan.accounts:
        detail = "\n".join(
            f"{i.kind.value}: {inert(i.id)}" + (f" ({inert(i.detail)})" if i.detail else "")
            for i in row.items
        )
        _add_row(
            table,
            *_who(row.account),
            literal(row.account.ou_path_text),
            _state(row.state.value),
            detail or _reason(row.reason),
        )
    return Group(table, Text(""), Text(plan_summary(plan)))


def plan_summary(plan: DeletionPlan) -> str:
    counts = plan.item_counts()
    if not sum(counts.values()):
        return "Nothing to delete."
    items = ", ".join(f"{n} {kind.value}" for kind, n in counts.items() if n)
    return f"{sum(counts.values())} item(s) in {len(plan.to_delete)} account(s) to remove ({items})"


def deletion_report(report: DeletionReport) -> RenderableType:
    table = _table("Account", "Name", "State", "Items", "Reason")
    for row in report.accounts:
        items = "\n".join(
            f"{r.item.kind.value} {inert(r.item.id)}: {r.outcome.value}"
            + (f" — {inert(r.note)}" if r.note else "")
            for r in row.items
        )
        _add_row(table, *_who(row.account), _state(row.state.value), items, _reason(row.reason))
    counts: dict[str, int] = {}
    for row in report.accounts:
        counts[row.state.value] = counts.get(row.state.value, 0) + 1
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    return Group(table, Text(""), Text(f"{len(report.accounts)} accounts: {summary}"))


# -- recovery, unlock, journal ---------------------------------------------------------------


def recovery_report(report: RecoveryReport) -> RenderableType:
    table = _table("Account", "Name", "Email", "State", "Reason")
    for row in report.accounts:
        who = (*_who(row.account), literal(row.account.email))
        _add_row(table, *who, _state(row.state.value), _reason(row.reason))
    return table


RECOVERY_NEXT_STEP = (
    "Next: whoever receives the root user's e-mail opens the AWS sign-in page, chooses "
    '"Root user", enters that address and uses "Forgot password?" to set a password. '
    "No password, MFA or access key was restored. Delete the credentials again when the "
    "root-only task is done (`rootctl delete-credentials`)."
)


def resource_policies(policies: Sequence[ResourcePolicy]) -> RenderableType:
    table = _table("Account", "Kind", "Resource", "Region", "Policy")
    for p in policies:
        _add_row(
            table,
            literal(p.account_id),
            p.kind.value,
            literal(p.resource),
            literal(p.region or ""),
            "yes" if p.policy else "none",
        )
    return table


def unlock_result(result: UnlockResult) -> RenderableType:
    b = result.before
    lines = [Text(f"{b.kind.value} {inert(b.resource)} in {inert(b.account_id)}: ", style="bold")]
    lines[0].append(_state(result.state.value))
    if result.reason:
        lines.append(literal(result.reason, style="red"))
    if result.journal_id is not None:
        lines.append(
            Text(
                f"The policy was saved in the journal as entry {result.journal_id}; "
                f"`rootctl journal show {result.journal_id}` prints it for re-applying."
            )
        )
    return Group(*lines)


def utc(moment: datetime | None) -> str:
    """An instant in UTC with the zone written out: ``2026-11-27 18:00:05 UTC``."""
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC" if moment else "—"


def journal_table(rows: Sequence[JournalRow]) -> RenderableType:
    """Newest first, one entry per block: id, time (UTC), the account (its id never cut, the
    journaled name under it), outcome, then action, items and error, which fold. Request ids,
    callers and task policies are in `journal show`/JSON/CSV."""
    if not rows:
        return Text("No journal entries.")
    table = _table("ID", "Started (UTC)", "Account", "Outcome", "Action · items · error")
    account = table.columns[2]
    account.no_wrap, account.min_width = False, 12  # a long name folds; the id fits whole
    for e in rows:
        if not isinstance(e, JournalEntry):
            _add_row(table, str(e.id), "—", "", _state(e.outcome), literal(e.problem))
            continue
        target = literal(e.target or "—")
        if e.account_name:
            target.append("\n" + inert(e.account_name), style="dim")
        what = literal(e.action + (" (policy saved)" if e.saved_policy else ""), style="bold")
        if e.items:
            what.append("\n" + ", ".join(inert(i) for i in e.items))
        if e.error:
            what.append("\n" + inert(e.error), style="dim")
        started = f"{e.started_at.astimezone(UTC):%Y-%m-%d %H:%M:%S}"
        _add_row(table, str(e.id), started, target, _state(e.outcome), what)
    return table


def journal_entry(e: JournalEntry) -> RenderableType:
    grid = _grid()
    for label, value in (
        ("ID", str(e.id)),
        ("Run", e.run_id),
        ("Started", utc(e.started_at)),
        ("Finished", utc(e.finished_at)),
        ("Action", e.action),
        ("Target", e.target or ""),
        ("Account name", e.account_name or ""),
        ("Task policy", e.task_policy or ""),
        ("Caller", e.caller_arn or ""),
        ("Items", ", ".join(inert(i) for i in e.items)),
        ("Reason", e.reason or ""),
        ("Session key", e.session_key_id or ""),
        ("Outcome", e.outcome),
        ("Request id", e.request_id or ""),
        ("Error" if e.outcome is not JournalOutcome.SKIPPED else "Reason", e.error or ""),
    ):
        _add_row(grid, label, literal(value, style=STATE_STYLES.get(value, "")))
    return grid


# -- compliance ------------------------------------------------------------------------------

_CONTROL_STYLES = {
    ControlStatus.PASSED: "green",
    ControlStatus.FAILED: "bold red",
    ControlStatus.NOT_APPLICABLE: "dim",
    ControlStatus.NOT_EVALUATED: "yellow",
}


def compliance_table(report: ComplianceReport) -> RenderableType:
    """Each control's status, then the accounts behind each failure, grouped by reason."""
    table = _table("Control", "Framework", "Title", "Status", "Passed", "Failed", "N/A", "Not seen")
    failures: list[RenderableType] = []
    for result in report.results:
        status = result.status
        _add_row(
            table,
            literal(result.control.id),
            literal(result.control.framework),
            literal(result.control.title),
            Text(status.value, style=_CONTROL_STYLES[status]),
            *(str(result.count(s)) for s in ControlStatus),
        )
        by_reason: dict[str, list[str]] = {}
        for finding in result.findings:
            if finding.status is ControlStatus.FAILED:
                label = f"{inert(finding.subject_name)} {inert(finding.subject_id)}".strip()
                if finding.detail:
                    label += f" ({inert(finding.detail)})"
                by_reason.setdefault(finding.reason, []).append(label)
        for reason, subjects in by_reason.items():
            text = Text(f"{inert(result.control.id)} FAILED: {inert(reason)}", style="bold")
            text.append("".join(f"\n  {s}" for s in subjects), style="")
            failures.append(text)
    verdict = Text("All controls pass." if report.passed else "Some controls fail.")
    return Group(table, Text(""), *failures, Text(""), verdict)
