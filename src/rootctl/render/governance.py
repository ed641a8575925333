"""Tables and text for governed changes: a plan and its check, an apply's drift report,
recovery windows and the evidence a closed one leaves.

Outside text (names, ARNs, reasons, tickets, AWS messages) goes in through ``literal()``/
``inert()``, as everywhere in rootctl.render.human.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from rich.console import Group, RenderableType
from rich.text import Text

from rootctl.models import (
    AccountApply,
    ApplyOutcome,
    ApplyReport,
    ChangePlan,
    Gains,
    ItemKind,
    PlanCheck,
    PlanItem,
    PlanStatus,
    SignatureState,
    SweepReport,
    WindowClosure,
    WindowOpening,
    WindowStatusReport,
    WindowView,
)
from rootctl.render.human import _add_row, _grid, _table
from rootctl.render.styles import STATE_STYLES, utc
from rootctl.render.text import inert, literal, pretty_policy

STYLES = {
    **STATE_STYLES,
    "applied": "green",
    "approved": "green",
    "valid": "green",
    "closed": "green",
    "looked": "green",
    "drifted": "bold yellow",
    "already-gone": "green",
    "awaiting-approval": "yellow",
    "unsigned": "dim",
    "open": "bold yellow",
    "closing": "yellow",
    "expired": "bold red",
    "tampered": "bold red",
    "bad-signature": "bold red",
    "invalid": "bold red",
    "unverified": "yellow",
    "other-organization": "bold red",
    "close-failed": "bold red",
    "not-opened": "dim",
}


def _state(value: str) -> Text:
    return literal(value, style=STYLES.get(value, ""))


def _left(until: datetime, now: datetime) -> str:
    """``in 1h 59m`` / ``2h 3m ago``."""
    seconds = int((until - now).total_seconds())
    length = span(timedelta(seconds=abs(seconds)))
    return f"in {length}" if seconds >= 0 else f"{length} ago"


def span(length: timedelta) -> str:
    seconds = int(length.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{n}{u}" for n, u in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
    return " ".join(parts[:2]) if parts else f"{seconds}s"


_LABELS = {
    ItemKind.PASSWORD: "password",
    ItemKind.ACCESS_KEYS: "access key",
    ItemKind.CERTIFICATES: "signing certificate",
    ItemKind.MFA: "MFA device",
    ItemKind.RECOVERY: "allow recovery",
    ItemKind.BUCKET_POLICY: "bucket policy of",
    ItemKind.QUEUE_POLICY: "queue policy of",
}


def _item(item: PlanItem) -> str:
    """``access key AKIA… (since 2024-01-02 03:04:05)``: what an item is, for people."""
    if item.kind in (ItemKind.PASSWORD, ItemKind.RECOVERY):
        text = _LABELS[item.kind] + (" (login profile)" if item.kind is ItemKind.PASSWORD else "")
    else:
        text = f"{_LABELS[item.kind]} {inert(item.id)}"
    if item.action is not None:  # a lock-out fix: put-corrected or delete
        text = f"{item.action.value}: {text}"
    if item.created_at is not None:
        text += f" (since {item.created_at.astimezone(UTC):%Y-%m-%d %H:%M:%S})"
    if item.policy_sha256:
        text += f" (sha256 {item.policy_sha256[:12]}…)"
    return text


# -- plans ----------------------------------------------------------------------------------------


def plan_summary(plan: ChangePlan) -> str:
    """One paragraph for the planner (stderr): what the plan changes, and what comes next."""
    kinds = Counter(i.kind.value for t in plan.targets for i in t.items)
    items = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) or "nothing"
    lines = [
        f"Plan {plan.id}: {plan.operation.value} — {plan.item_count} item(s) in "
        f"{len(plan.targets)} account(s) ({items}); {len(plan.left_out)} account(s) left out.",
        f"Expires {utc(plan.expires_at)}; needs {plan.required_approvals} approval(s) by "
        "principals other than the planner.",
    ]
    if plan.failed:
        lines.append(f"{len(plan.failed)} account(s) could not be read; they are not in the plan.")
    return "\n".join(lines)


def plan_check(checked: PlanCheck) -> RenderableType:
    document = checked.document
    plan = document.plan
    grid = _grid()
    status = _state(checked.status.value)
    _add_row(grid, "Plan", literal(f"{plan.id} · {plan.operation.value}"))
    _add_row(grid, "Status", status)
    _add_row(grid, "Organization", literal(plan.organization_id))
    _add_row(grid, "Planner", literal(plan.planner_arn))
    _add_row(grid, "Created", utc(plan.created_at))
    _add_row(
        grid, "Expires", f"{utc(plan.expires_at)} ({_left(plan.expires_at, checked.checked_at)})"
    )
    integrity = (
        Text("intact", style="green") if document.intact else Text("TAMPERED", style="bold red")
    )
    _add_row(grid, "sha256", Text(f"{document.declared_hash} ").append(integrity))
    _add_row(grid, "Signature", _signature(checked))
    counted = f"{checked.counted} of {plan.required_approvals} needed"
    _add_row(grid, "Approvals", counted)
    if plan.comment:
        _add_row(grid, "Comment", literal(plan.comment))
    if checked.use is not None:
        use = checked.use
        _add_row(
            grid,
            "Applied",
            literal(
                f"by {use.applied_by} at {utc(use.started_at)} (run {use.run_id}, "
                f"{use.outcome or 'not finished'})"
            ),
        )
    parts: list[RenderableType] = [grid, Text("")]
    if checked.approvals:
        approvals = _table("Approver", "Approved (UTC)", "Counts", "Why")
        for a in checked.approvals:
            why = a.reason or ("recorded in the journal" if a.proof == "journal" else "KMS-signed")
            _add_row(
                approvals,
                literal(a.approval.approver_arn),
                utc(a.approval.approved_at),
                _state("yes" if a.counted else "no"),
                literal(why),
            )
        parts += [approvals, Text("")]
    parts.append(plan_items(plan))
    parts += _corrections(plan)
    if checked.problems:
        text = Text("Cannot be applied now:", style="bold")
        for problem in checked.problems:
            text.append(f"\n  - {inert(problem)}")
        parts += [Text(""), text]
    else:
        parts += [Text(""), Text("Ready to apply.", style="green")]
    return Group(*parts)


def _signature(checked: PlanCheck) -> Text:
    sig = checked.signature
    text = _state(sig.state.value)
    if sig.key_id:
        text.append(f" ({inert(sig.key_id)})", style="dim")
    if sig.reason and sig.state is not SignatureState.VALID:
        text.append(f": {inert(sig.reason)}")
    return text


def plan_items(plan: ChangePlan) -> RenderableType:
    table = _table("Account", "Name", "Items to change / reason")
    for target in plan.targets:
        _add_row(
            table,
            literal(target.account_id),
            literal(target.account_name),
            "\n".join(_item(i) for i in target.items),
        )
    for out in plan.left_out:
        reason = Text(f"{out.state}", style=STYLES.get(out.state, "dim"))
        if out.reason:
            reason.append(f": {inert(out.reason)}", style="dim")
        _add_row(table, literal(out.account_id), literal(out.account_name), reason)
    return table


def _corrections(plan: ChangePlan) -> list[RenderableType]:
    """The documents a fix-lockouts plan puts, as the file holds them (outside text)."""
    parts: list[RenderableType] = []
    for target in plan.targets:
        for item in target.items:
            if item.replacement is None:
                continue
            head = f"\nput-corrected {_LABELS[item.kind]} {inert(item.id)} ({target.account_id}):"
            parts.append(Text(head, style="bold"))
            parts.append(Text(pretty_policy(item.replacement)))
    return parts


# -- apply ----------------------------------------------------------------------------------------


def apply_report(report: ApplyReport) -> RenderableType:
    table = _table("Account", "Name", "State", "Items")
    for row in report.accounts:
        _add_row(
            table,
            literal(row.account.id),
            literal(row.account.name),
            _state(row.state.value),
            _applied_items(row),
        )
    counts = Counter(i.outcome for a in report.accounts for i in a.items)
    summary = ", ".join(f"{counts[o]} {o.value}" for o in ApplyOutcome if counts[o])
    lines: list[RenderableType] = [
        table,
        Text(""),
        Text(
            f"Plan sha256 {report.plan_hash[:16]}… applied by {inert(report.applied_by)} "
            f"(run {inert(report.run_id)}): {summary or 'nothing to do'}."
        ),
    ]
    drifted = report.items(ApplyOutcome.DRIFTED)
    if drifted:
        lines.append(
            Text(
                f"Drift: {len(drifted)} item(s) changed since the plan or are not in it; they "
                "were left alone. Make a new plan to change them.",
                style="yellow",
            )
        )
    return Group(*lines)


def _applied_items(row: AccountApply) -> Text:
    text = Text()
    for n, done in enumerate(row.items):
        if n:
            text.append("\n")
        text.append(_item(done.item))
        if not done.planned:
            text.append(" [not in the plan]", style="yellow")
        text.append(": ")
        text.append_text(_state(done.outcome.value))
        if done.reason and done.outcome is not ApplyOutcome.APPLIED:
            text.append(f" — {inert(done.reason)}", style="dim")
        if done.note:
            text.append(f" ({inert(done.note)})", style="dim")
    if not row.items and row.reason:
        text.append(inert(row.reason), style="dim")
    return text


# -- recovery windows -----------------------------------------------------------------------------


def window_opening(opening: WindowOpening) -> RenderableType:
    w = opening.window
    if not opening.opened and w.id == 0:  # a dry run: checked, nothing recorded or changed
        return Text(
            f"Dry run: a {span(w.length)} recovery window on {inert(w.account_id)} "
            f"({inert(w.account_name or '')}) would be recorded and password recovery allowed "
            f"until {utc(w.expires_at)}; nothing was recorded or changed."
        )
    if not opening.opened:
        return Text(
            f"Recovery window #{w.id} on {inert(w.account_id)} was NOT opened: "
            f"{inert(opening.reason or w.note or '')}",
            style="bold red",
        )
    return Group(
        Text(
            f"Recovery window #{w.id} is open on {inert(w.account_id)} "
            f"({inert(w.account_name or '')}) until {utc(w.expires_at)} "
            f"({span(w.length)}).",
            style="bold",
        ),
        literal(f"Reason: {w.reason}" + (f" · ticket {w.ticket}" if w.ticket else "")),
        Text(
            'Whoever reads the account\'s root e-mail can now use "Forgot password?" on the root '
            "sign-in page. `rootctl recovery close ACCOUNT` (or `recovery sweep` once it has "
            "expired) removes everything the root user gains in the meantime."
        ),
    )


def window_status(report: WindowStatusReport) -> RenderableType:
    if not report.windows:
        return Text("No recovery windows (open, or opened in the last 7 days).")
    blocks: list[RenderableType] = []
    for view in report.windows:
        blocks += [window_block(view, report.checked_at), Text("")]
    blocks.append(Text(f"{len(report.active)} window(s) still to close."))
    return Group(*blocks)


def window_block(view: WindowView, now: datetime) -> Text:
    """One window: who, state and time left, why, and what its root user has now."""
    w = view.window
    state = "expired" if view.expired and w.state.active else w.state.value
    text = Text(f"#{w.id}  {inert(w.account_id)}", style="bold")
    if w.account_name:
        text.append(f"  {inert(w.account_name)}")
    text.append("  ")
    text.append_text(_state(state))
    if w.state.active:
        text.append(f"  closes {_left(w.expires_at, now)} ({utc(w.expires_at)})")
    if w.note and not w.state.active:  # the evidence sentence says it all
        text.append(f"\n    {inert(w.note)}", style="dim")
        return text
    text.append(
        f"\n    opened {utc(w.opened_at)} by {inert(w.opened_by)}, for {span(w.length)}",
        style="dim",
    )
    text.append(f"\n    reason: {inert(w.reason)}")
    if w.ticket:
        text.append(f" · ticket {inert(w.ticket)}")
    if view.now is not None:
        text.append("\n    root user now: ")
        if view.now.gains is None:
            text.append(f"{view.now.state.value}: {inert(view.now.reason or '')}", style="yellow")
        else:
            text.append("\n      ".join(["", *gains_lines(view.now.gains).splitlines()]).lstrip())
    elif w.note:
        text.append(f"\n    {inert(w.note)}", style="dim")
    return text


def gains_lines(gains: Gains) -> str:
    lines: list[str] = []
    if gains.login_profile is not None:
        lines.append(f"login profile since {utc(gains.login_profile.created)} (recovery allowed)")
    if gains.signed_in_at is not None:
        lines.append(f"signed in with a password at {utc(gains.signed_in_at)}")
    lines += [
        f"new MFA {inert(d.serial)} ({d.kind}, {utc(d.enabled_at)})" for d in gains.mfa_devices
    ]
    lines += [f"new access key {inert(k.id)} ({utc(k.created)})" for k in gains.access_keys]
    lines += [
        f"new signing certificate {inert(c.id)} ({utc(c.uploaded)})"
        for c in gains.signing_certificates
    ]
    return "\n".join(lines) or "nothing gained"


def window_closure(closure: WindowClosure) -> RenderableType:
    w = closure.window
    head = Text(f"Recovery window on {inert(closure.account.id)}: ", style="bold")
    head.append_text(_state(closure.state.value))
    parts: list[RenderableType] = [head]
    if w is not None and w.note:
        parts.append(literal(w.note))
    elif closure.reason:
        parts.append(literal(closure.reason, style="yellow"))
    if closure.removed:
        table = _table("Removed", "Outcome", "Note")
        for r in closure.removed:
            _add_row(
                table,
                literal(f"{r.item.kind.value} {r.item.id}"),
                _state(r.outcome.value),
                literal(r.reason or r.note or ""),
            )
        parts += [Text(""), table]
    if closure.trail is not None and closure.trail.looked:
        events = _table("CloudTrail event", "Time (UTC)", "Outcome", "Source IP")
        for e in closure.trail.events:
            _add_row(
                events,
                literal(e.name),
                utc(e.time),
                literal(e.outcome or ""),
                literal(e.source_ip or ""),
            )
        parts += [
            Text(""),
            events
            if closure.trail.events
            else Text("CloudTrail: no root sign-in or recovery event in the window."),
        ]
    return Group(*parts)


def sweep_report(report: SweepReport) -> RenderableType:
    if not report.accounts:
        return Text("No recovery window is past its time.")
    table = _table("#", "Account", "State", "Evidence")
    for closure in report.accounts:
        w = closure.window
        _add_row(
            table,
            str(w.id) if w else "",
            literal(closure.account.id),
            _state(closure.state.value),
            literal((w.note if w and w.note else closure.reason) or ""),
        )
    counts = Counter(c.state.value for c in report.accounts)
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    return Group(table, Text(""), Text(f"{len(report.accounts)} window(s): {summary}."))


def plan_status_word(checked: PlanCheck) -> str:
    """The plans list's one word, with the approvals count where it matters."""
    if checked.status is PlanStatus.AWAITING_APPROVAL:
        return f"awaiting approval ({checked.counted}/{checked.document.plan.required_approvals})"
    return checked.status.value
