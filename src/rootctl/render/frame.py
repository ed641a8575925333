"""The frame every report of accounts shares, for people: counts first, then the rows worth
reading, laid out for the width they are printed at (``account_table``).

The management account's row becomes one line under the counts (AssumeRoot can never target
it); rows that need no action can collapse into one count line; many skipped accounts become
one line per reason; a ``--status`` filter keeps the rows it names while the counts still
describe the whole run; a long run repeats its counts in one line at the end. JSON and CSV
keep every row (unless ``--status`` is given).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from typing import Any, TypeVar

from rich.console import Group, RenderableType
from rich.text import Text

from rootctl.models import AccountReport, AccountResult, RowStatus
from rootctl.render.account_table import AccountLine, AccountTable
from rootctl.render.styles import plural
from rootctl.render.text import inert

R = TypeVar("R", bound=AccountResult)
Statuses = Collection[RowStatus]

LONG_RUN = 20  # more rows than this: the counts again, in one line, at the end
SKIPPED_AS_ROWS = 10  # more skipped accounts than this: one line per reason instead
NAMED = 3  # a warning names this many accounts, then counts the rest


def filter_words(statuses: Statuses) -> str:
    """``with-credentials, failed``: the ``--status`` words, in their usual order."""
    return ", ".join(s.value for s in RowStatus if s in statuses)


def who(row: AccountResult) -> str:
    return f"{inert(row.account.name)} ({inert(row.account.id)})"


def named(rows: Sequence[str], total: int | None = None) -> str:
    total = len(rows) if total is None else total
    shown = ", ".join(rows[:NAMED])
    return shown + (f" and {total - NAMED} more" if total > NAMED else "")


def framed(
    report: AccountReport[R],
    statuses: Statuses,
    counts: Sequence[Text],
    line_of: Callable[[R], AccountLine],
    *,
    detail_header: str,
    extra_headers: Sequence[str] = (),
    marks: bool = False,
    collapse: Callable[[R], bool] | None = None,
    collapsed: str = "",
) -> RenderableType:
    """Counts (and warnings), the management account's line, collapsed and skipped counts, the
    filter, the table, and the counts again after a long table."""
    shown = report.shown(statuses)
    parts: list[RenderableType] = [*counts]
    management = [r for r in shown if r.account.is_management]
    parts += [
        Text(f"Not a target: {who(r)}, the management account — {inert(r.reason or '')}.", "dim")
        for r in management
    ]
    rows = [r for r in shown if not r.account.is_management]
    folded = [r for r in rows if collapse is not None and collapse(r)]
    if folded:
        count = plural(len(folded), "account")
        parts.append(Text(f"{count}: {collapsed} (-o json/csv lists them)."))
        # Filtered again, not by `r not in folded`: comparing rows is quadratic at 5,000.
        rows = [r for r in rows if not (collapse is not None and collapse(r))]
    skipped = [r for r in rows if r.is_("skipped")]
    if len(skipped) > SKIPPED_AS_ROWS:
        for reason, n in Counter(r.reason or "" for r in skipped).most_common():
            parts.append(Text(f"Skipped, {plural(n, 'account')}: {inert(reason)}.", "dim"))
        rows = [r for r in rows if not r.is_("skipped")]
    if statuses:
        words = filter_words(statuses)
        parts.append(
            Text(f"Showing {len(shown)} of {len(report.accounts)} accounts (--status {words}).")
        )
    if rows:
        lines = [line_of(r) for r in rows]
        table = AccountTable(
            lines, detail_header=detail_header, extra_headers=extra_headers, marks=marks
        )
        parts += [Text(""), table]
        if len(rows) > LONG_RUN and counts:
            parts += [Text(""), counts[0]]
    elif statuses:
        parts.append(Text("No account to show with this --status."))
    return Group(*parts)


def states_line(report: AccountReport[Any], total_word: str = "accounts") -> Text:
    """``301 accounts: 25 to-delete, 270 nothing-to-delete, 0 failed, 6 skipped``."""
    counts = report.counts()
    parts = [
        f"{n} {state}" for state, n in counts.items() if n or state.value in ("failed", "skipped")
    ]
    text = Text(f"{len(report.accounts)} {total_word}: " + ", ".join(parts), style="bold")
    if report.interrupted:
        text.append(" (interrupted)", style="yellow")
    return text
