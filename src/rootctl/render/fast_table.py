"""A borderless rich ``Table`` of thousands of rows, rendered fast and to the same bytes.

rich measures every cell to size the columns, then renders every cell through ``Padding``,
``Text.wrap`` and line splitting: about 0.7 ms per row of the account table, 13 s for
5,000 accounts on a busy machine. Here the columns are sized by rich on a *proxy* table — the
header and, per column, the row with the widest word and the row with the longest line: the
only cells rich's sizing depends on — and a cell whose lines all fit its column is rendered
by the steps rich takes for it, minus the wrapping that cannot happen. Any other cell (one to
fold, a tab, a style on the column) goes through rich's own cell rendering, so the output is
rich's, byte for byte (tests/core/test_fast_table.py compares them).

Only what ``AccountTable`` builds is handled: no box, no edge padding, no row styles, no
column styles, header on top, no footer. Anything else is printed by rich as it is.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from importlib.metadata import PackageNotFoundError, version

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.table import Column, Table
from rich.text import Text

Line = list[Segment]


# The fast path mirrors rich's own Table rendering, private parts included, as rich 15 does it
# (tests/hostile/test_fast_table.py proves the bytes equal on it). Any other rich — the declared
# floor is 13.0, whose Column has no ``highlight`` — gets rich's Table itself: slower, never wrong.
_MIRRORED_RICH = 15


def _rich_major() -> int:
    try:
        return int(version("rich").split(".")[0])
    except (PackageNotFoundError, ValueError):
        return 0


RICH_MATCHES = _rich_major() == _MIRRORED_RICH and "highlight" in getattr(
    Column, "__dataclass_fields__", {}
)


def supported(table: Table) -> bool:
    """Whether ``table`` is one this module renders exactly like rich."""
    return (
        RICH_MATCHES
        and table.box is None
        and not table.pad_edge
        and not table.expand
        and not table.collapse_padding
        and table.padding == (0, 1, 0, 1)
        and table.show_header
        and not table.show_footer
        and table.title is None
        and table.caption is None
        and not table.row_styles
        and table.style in ("", "none")  # only borders would use it
        and table.width is None
        and all(not c.style and c.vertical == "top" and c.ratio is None for c in table.columns)
        and all(isinstance(cell, Text) for c in table.columns for cell in c.cells)
        and all(not row.style and not row.end_section for row in table.rows)
        and hasattr(table, "_calculate_column_widths")
    )


def render(table: Table, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
    """The segments rich would print for ``table`` (see :func:`supported`)."""
    widths = _column_widths(table, console, options)
    last = len(table.columns) - 1
    paddings = [(0 if i == 0 else 1, 0 if i == last else 1) for i in range(last + 1)]
    header_style = console.get_style(table.header_style or "")
    styles = [header_style + console.get_style(column.header_style) for column in table.columns]
    header = [
        _rich_cell(
            console,
            options,
            column,
            style,
            column.header,
            width,
            padding,
        )
        for column, style, width, padding in zip(
            table.columns, styles, widths, paddings, strict=True
        )
    ]
    yield from _row(header, widths, styles, bottom=True)
    null = Style.null()
    styled: dict[object, list[Line] | None] = {}  # state words and marks repeat on every row
    for cells in zip(*(c.cells for c in table.columns), strict=True):
        lines = []
        for cell, column, width, padding in zip(
            cells, table.columns, widths, paddings, strict=True
        ):
            assert isinstance(cell, Text)
            if cell.style or cell.spans:
                key = (cell.plain, cell.style, tuple(cell.spans), cell.end, id(column))
                if key not in styled:
                    styled[key] = _fitting_cell(console, column, cell, width, padding)
                fast = styled[key]
            else:
                fast = _fitting_cell(console, column, cell, width, padding)
            lines.append(
                fast
                if fast is not None
                else _rich_cell(console, options, column, null, cell, width, padding)
            )
        yield from _row(lines, widths, [null] * len(widths), bottom=False)


def _row(
    cells: list[list[Line]], widths: Sequence[int], styles: Sequence[Style], *, bottom: bool
) -> Iterator[Segment]:
    """What ``Table._render`` does with a row's rendered cells when there is no box. Every
    line of a cell is already as wide as its column, so only the height needs shaping."""
    height = max(len(cell) for cell in cells)
    align = Segment.align_bottom if bottom else Segment.align_top
    shaped = [
        align(cell, width, height, style)
        for cell, width, style in zip(cells, widths, styles, strict=True)
    ]
    newline = Segment.line()
    for line_no in range(height):
        for cell in shaped:
            yield from cell[line_no]
        yield newline


def _rich_cell(
    console: Console,
    options: ConsoleOptions,
    column: Column,
    style: Style,
    cell: object,
    width: int,
    padding: tuple[int, int],
) -> list[Line]:
    """A cell rendered by rich, as ``Table._render`` renders it."""
    left, right = padding
    cell_options = options.update(
        width=width,
        justify=column.justify,
        no_wrap=column.no_wrap,
        overflow=column.overflow,
        height=None,
        highlight=column.highlight,
    )
    padded = Padding(cell, (0, right, 0, left))  # type: ignore[arg-type]
    return console.render_lines(padded, cell_options, style=style)


def _fitting_cell(
    console: Console, column: Column, cell: Text, width: int, padding: tuple[int, int]
) -> list[Line] | None:
    """The lines of a cell none of whose lines needs wrapping, else None. Rich would render
    the text at the column's width less the padding (``Padding`` expands): split on line
    feeds, each line padded with spaces in the text's style (left justify), joined again."""
    plain = cell.plain
    if "\t" in plain or cell.justify not in (None, "left") or column.justify != "left":
        return None
    pieces = plain.splitlines() if plain else [""]
    if len(pieces) != plain.count("\n") + 1:  # other line breaks, or a trailing line feed
        return None
    left, right = padding
    inner = width - left - right
    if inner < 1 or max(cell_len(piece) for piece in pieces) > inner:
        return None
    null = Style.null()
    left_pad = [Segment(" " * left, null)] if left else []
    right_pad = [Segment(" " * right, null)] if right else []
    if not cell.style and not cell.spans:
        # Plain text: rich's Text.render gives one unstyled segment per (padded) line.
        return [
            [*left_pad, Segment(piece + " " * (inner - cell_len(piece))), *right_pad]
            for piece in pieces
        ]
    lines = cell.split("\n", allow_blank=True)
    for line in lines:  # nothing to cut: the overflow method does not matter
        line.truncate(inner, overflow=cell.overflow or column.overflow, pad=True)
    joined = Text("\n").join(lines)
    rendered = Segment.split_lines(joined.render(console, end=cell.end))
    return [[*left_pad, *line, *right_pad] for line in rendered][: len(lines)]


def _column_widths(table: Table, console: Console, options: ConsoleOptions) -> list[int]:
    """rich's column widths, from the header and the few rows that decide them."""
    columns = [list(column.cells) for column in table.columns]
    keep: set[int] = set()
    for cells in columns:
        widest_word = longest_line = (-1, 0)
        for index, cell in enumerate(cells):
            assert isinstance(cell, Text)  # supported()
            measured = cell.__rich_measure__(console, options)  # what Measurement.get asks
            widest_word = max(widest_word, (measured.minimum, -index))
            longest_line = max(longest_line, (measured.maximum, -index))
        keep.update(-i for _, i in (widest_word, longest_line) if cells)
    proxy = Table(
        box=None,
        pad_edge=False,
        show_edge=False,
        header_style=table.header_style,
        padding=table.padding,
    )
    for column, cells in zip(table.columns, columns, strict=True):
        proxy.columns.append(_copy_column(column, [cells[i] for i in sorted(keep)]))
    proxy.rows = [table.rows[i] for i in sorted(keep)]
    widths: list[int] = proxy._calculate_column_widths(console, options)
    return widths


def _copy_column(column: Column, cells: list[object]) -> Column:
    copied = column.copy()
    copied._cells = cells  # type: ignore[assignment]
    return copied
