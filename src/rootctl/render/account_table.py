"""One row per account, readable at any width: an account id and its state are never cut.

At 150 columns and more every column has its place (name and e-mail, OU path, state, details,
extras such as the recovery column). Narrower, the name and OU path fold into one column, then
into the first line of the details; the id and the state keep their full width whatever
happens. The layout is chosen from the width rich gives the table when it prints — the
terminal's, ``$COLUMNS`` on a pipe, or unbounded on a pipe without ``$COLUMNS``, where every
row is one line as long as it needs (see ``rootctl.cli.common.show``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from rootctl.models import Account
from rootctl.render import fast_table
from rootctl.render.text import inert, literal

WIDE = 150  # every column has room
MEDIUM = 100  # name and OU path share a column; the details keep theirs


@dataclass(frozen=True)
class AccountLine:
    """What one account's row shows. ``detail`` may hold several lines (one credential or
    item each); ``extras`` are columns only the wide layout has room for."""

    account: Account
    state: Text
    detail: Text
    mark: Text | None = None
    extras: tuple[Text, ...] = ()
    email: bool = True  # the wide layout shows the e-mail under the name


def layout(width: int) -> str:
    return "wide" if width >= WIDE else "medium" if width >= MEDIUM else "narrow"


class AccountTable:
    """A rich renderable: the rows of ``lines`` laid out for the width it is printed at."""

    def __init__(
        self,
        lines: Sequence[AccountLine],
        *,
        detail_header: str,
        extra_headers: Sequence[str] = (),
        marks: bool = False,
    ) -> None:
        self.lines = lines
        self.detail_header = detail_header
        self.extra_headers = tuple(extra_headers)
        self.marks = marks

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        table = self.table(options.max_width)
        if fast_table.supported(table):
            yield from fast_table.render(table, console, options)  # rich's bytes, faster
        else:
            yield table

    def table(self, width: int) -> Table:
        kind = layout(width)
        table = Table(box=None, pad_edge=False, header_style="bold", show_edge=False)
        if self.marks:
            table.add_column("", no_wrap=True, width=1)
        table.add_column("Account", no_wrap=True, min_width=12)
        if kind == "wide":
            table.add_column("Name", overflow="fold")
            table.add_column("OU path", overflow="fold")
        elif kind == "medium":
            table.add_column("Name · OU path", overflow="fold", max_width=32)
        table.add_column("State", no_wrap=True)
        header = self.detail_header
        if kind == "narrow":
            header = f"Name · OU path / {header}"
        table.add_column(header, overflow="fold")
        if kind == "wide":
            for extra in self.extra_headers:
                table.add_column(extra, overflow="fold")
        for line in self.lines:
            table.add_row(*self._cells(line, kind))
        return table

    def _cells(self, line: AccountLine, kind: str) -> Iterator[Text]:
        account = line.account
        if self.marks:
            yield line.mark or Text("")
        yield literal(account.id)
        name = literal(account.name, style="bold" if kind == "narrow" else "")
        if kind == "wide":
            if line.email and account.email:
                name.append(f"\n{inert(account.email)}", style="dim")
            yield name
            yield literal(account.ou_path_text)
        elif kind == "medium":
            name.append(f"\n{inert(account.ou_path_text)}", style="dim")
            yield name
        yield line.state
        if kind == "narrow":
            first = name.copy()
            first.append(f" · {inert(account.ou_path_text)}", style="dim")
            if line.detail.plain:
                first.append("\n")
                first.append_text(line.detail)
            yield first
        else:
            yield line.detail
        if kind == "wide":
            yield from line.extras
            yield from (Text("") for _ in range(len(self.extra_headers) - len(line.extras)))
