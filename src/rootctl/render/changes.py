"""Deletion plans, deletion results and password-recovery results for people (``frame``):
the counts and the warnings that deserve a second thought first, the accounts with nothing
to delete collapsed into one line."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import RenderableType
from rich.text import Text

from rootctl.models import (
    RECENT_USE_DAYS,
    AccountDeletion,
    AccountPlan,
    AccountRecovery,
    AccountReport,
    CredentialKind,
    DeletionPlan,
    DeletionReport,
    PlannedItem,
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
    """What a person must know before confirming: a password left without MFA, root
    passwords someone signed in with lately, root keys something used lately (with when,
    where and by which service)."""
    warnings = []
    lonely = plan.password_without_mfa
    if lonely:
        warnings.append(
            f"{plural(len(lonely), 'account')} will keep the root password while losing "
            f"MFA: {named([who(a) for a in lonely])}. The password alone will then sign in "
            "as root; delete the password too (leave out --only, or add password)."
        )
    passwords = plan.recently_used_passwords
    if passwords:
        used = [f"{who(account)}, {recent_use(item, plan)}" for account, item in passwords]
        warnings.append(
            f"{plural(len(passwords), 'root password')} used in the last {RECENT_USE_DAYS} "
            f"days will be deleted: {named(used)}. Someone still signs in as root there."
        )
    keys = plan.recently_used_keys
    if keys:
        used = [
            f"{inert(item.id)} in {who(account)}, last used {day(item.last_used)}"
            + (f" by {inert(item.last_used_service)}" if item.last_used_service else "")
            + (f" in {inert(item.last_used_region)}" if item.last_used_region else "")
            for account, item in keys
        ]
        warnings.append(
            f"{plural(len(keys), 'root access key')} used in the last {RECENT_USE_DAYS} days "
            f"will be deleted: {named(used)}. Something may still depend on them."
        )
    return warnings


def recent_use(item: PlannedItem, plan: DeletionPlan) -> str:
    """``password used 3 days ago``: how long before the plan was made an item was used."""
    days = item.days_since_use(plan.planned_at)
    what = "password" if item.kind is CredentialKind.PASSWORD else f"access key {inert(item.id)}"
    when = {0: "today", 1: "1 day ago"}.get(days or 0, f"{days} days ago")
    return f"{what} used {when}"


def recent_uses(row: AccountPlan, plan: DeletionPlan) -> list[str]:
    """An account's items to delete used in the last ``RECENT_USE_DAYS`` days."""
    return [recent_use(i, plan) for a, i in plan.recently_used if a is row]


def _items(row: AccountPlan, plan: DeletionPlan) -> Text:
    if not row.items:
        return literal(row.reason or "")
    text = Text(
        "\n".join(
            f"{i.kind.value}: {inert(i.id)}" + (f" ({inert(i.detail)})" if i.detail else "")
            for i in row.items
        )
    )
    for use in recent_uses(row, plan):
        text.append(f"\n{use}", style="yellow")
    return text


def deletion_plan(plan: DeletionPlan, statuses: Statuses = ()) -> RenderableType:
    summary = Text(plan_summary(plan), style="bold")
    notes = [Text(f"Warning: {w}", style="yellow") for w in plan_warnings(plan)]
    return _nothing_collapsed(
        plan,
        statuses,
        [states_line(plan), summary, *notes],
        lambda row: _items(row, plan),
        "Items to remove / reason",
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
