"""Deletion plans, deletion results and password-recovery results for people (``frame``):
the counts and the warnings that deserve a second thought first, the accounts with nothing
to delete collapsed into one line."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import RenderableType
from rich.text import Text

from rootctl.models import (
    AccountDeletion,
    AccountPlan,
    AccountRecovery,
    AccountReport,
    DeletionPlan,
    DeletionReport,
    PlanState,
    RecoveryReport,
)
from rootctl.render.account_table import AccountLine
from rootctl.render.frame import R, Statuses, framed, named, states_line, who
from rootctl.render.styles import day, plural, state_text
from rootctl.render.text import inert, literal

# -- deletion plan and result ----------------------------------------------------------------------


def plan_summary(plan: DeletionPlan) -> str:
    counts = plan.item_counts()
    if not sum(counts.values()):
        return "Nothing to delete."
    items = ", ".join(f"{n} {kind.value}" for kind, n in counts.items() if n)
    return (
        f"{plural(sum(counts.values()), 'item')} in {plural(len(plan.to_delete), 'account')} "
        f"to remove ({items})"
    )


def plan_warnings(plan: DeletionPlan) -> list[str]:
    """What a person must know before confirming: a password left without MFA, root keys
    something used lately (with when, where and by which service)."""
    warnings = []
    lonely = plan.password_without_mfa
    if lonely:
        warnings.append(
            f"{plural(len(lonely), 'account')} will keep the root password while losing "
            f"MFA: {named([who(a) for a in lonely])}. The password alone will then sign in "
            "as root; delete the password too (leave out --only, or add password)."
        )
    recent = plan.recently_used_keys
    if recent:
        used = [
            f"{inert(item.id)} in {who(account)}, last used {day(item.last_used)}"
            + (f" by {inert(item.last_used_service)}" if item.last_used_service else "")
            + (f" in {inert(item.last_used_region)}" if item.last_used_region else "")
            for account, item in recent
        ]
        warnings.append(
            f"{plural(len(recent), 'root access key')} used in the last 30 days will be "
            f"deleted: {named(used)}. Something may still depend on them."
        )
    return warnings


def _items(row: AccountPlan) -> Text:
    if not row.items:
        return literal(row.reason or "")
    return Text(
        "\n".join(
            f"{i.kind.value}: {inert(i.id)}" + (f" ({inert(i.detail)})" if i.detail else "")
            for i in row.items
        )
    )


def deletion_plan(plan: DeletionPlan, statuses: Statuses = ()) -> RenderableType:
    summary = Text(plan_summary(plan), style="bold")
    notes = [Text(f"Warning: {w}", style="yellow") for w in plan_warnings(plan)]
    return _nothing_collapsed(
        plan, statuses, [states_line(plan), summary, *notes], _items, "Items to remove / reason"
    )


def _outcomes(row: AccountDeletion) -> Text:
    lines = [
        f"{r.item.kind.value} {inert(r.item.id)}: {r.outcome.value}"
        + (f" — {inert(r.note)}" if r.note else "")
        for r in row.items
    ]
    if row.reason:
        lines.append(inert(row.reason))
    return Text("\n".join(lines))


def deletion_report(report: DeletionReport, statuses: Statuses = ()) -> RenderableType:
    removed = sum(1 for a in report.accounts for i in a.items if i.outcome.removed)
    attempted = sum(len(a.items) for a in report.accounts)
    items = Text(f"{plural(removed, 'item')} of {attempted} removed.", style="bold")
    return _nothing_collapsed(
        report, statuses, [states_line(report), items], _outcomes, "Items / reason"
    )


def _nothing_collapsed(
    report: AccountReport[R],
    statuses: Statuses,
    head: list[Text],
    detail: Callable[[R], Text],
    detail_header: str,
) -> RenderableType:
    """A plan or its result: accounts with nothing to delete become one count line."""
    return framed(
        report,
        statuses,
        head,
        lambda row: AccountLine(row.account, state_text(row.state.value), detail(row)),
        detail_header=detail_header,
        collapse=lambda row: row.state.value == PlanState.NOTHING_TO_DELETE.value,
        collapsed="nothing to delete",
    )


# -- recovery --------------------------------------------------------------------------------------


def _recovery_line(row: AccountRecovery) -> AccountLine:
    detail = Text(f"reset link to {inert(row.account.email)}")
    if row.reason:
        detail.append(f"\n{inert(row.reason)}", style="dim")
    return AccountLine(row.account, state_text(row.state.value), detail, email=False)


def recovery_report(report: RecoveryReport, statuses: Statuses = ()) -> RenderableType:
    return framed(
        report,
        statuses,
        [states_line(report)],
        _recovery_line,
        detail_header="Root e-mail / reason",
    )
