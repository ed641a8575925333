"""Tables, trees and text for people (rich renderables; plain on a pipe, colour on a TTY).

Every piece of outside text (names, e-mails, ARNs, AWS messages, journal fields) goes in as
``literal()``/``inert()`` (rootctl.render.text): cells are ``Text`` objects, never strings that
rich would parse as markup, and no control or bidi character reaches the terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rootctl.errors import Advice
from rootctl.models import (
    Capability,
    FeatureChange,
    JournalEntry,
    JournalOutcome,
    JournalRow,
    OrgStatus,
    ResourcePolicy,
    UnlockResult,
)
from rootctl.render.styles import STATE_STYLES, state_text, utc
from rootctl.render.text import inert, literal

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


def _reason(reason: str | None, style: str = "") -> Text:
    return literal(reason or "", style=style)


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
        _add_row(table, literal(step.description), state_text(step.state), _reason(step.reason))
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


# -- recovery, unlock, journal ---------------------------------------------------------------


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
    lines[0].append(state_text(result.state.value))
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
            _add_row(table, str(e.id), "—", "", state_text(e.outcome), literal(e.problem))
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
        _add_row(table, str(e.id), started, target, state_text(e.outcome), what)
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
        ("Change", e.change_ref or ""),
        ("Error" if e.outcome is not JournalOutcome.SKIPPED else "Reason", e.error or ""),
    ):
        _add_row(grid, label, literal(value, style=STATE_STYLES.get(value, "")))
    return grid
