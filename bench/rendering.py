"""Benchmarks 8 and 9: the CLI's outputs and the audit history at 5,000 accounts, in-process
(``bench.estate``: no sandbox, no network). Timings are CPU seconds of this process (the
machine is shared); wall seconds are printed beside them."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from bench.estate import estate
from bench.history_scale import measure, timed
from bench.scenarios import Result
from rootctl.cli import common
from rootctl.render import fast_table

TABLE_TARGET_S = 2.0  # CPU seconds for the table of 5,000 accounts, at any width
STORE_TARGET_S = 2.0
DRIFT_TARGET_S = 1.0


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@contextmanager
def _stdout(out: io.StringIO, columns: str | None) -> Iterator[None]:
    saved, saved_columns = sys.stdout, os.environ.pop("COLUMNS", None)
    if columns:
        os.environ["COLUMNS"] = columns
    sys.stdout = out
    try:
        yield
    finally:
        sys.stdout = saved
        os.environ.pop("COLUMNS", None)
        if saved_columns is not None:
            os.environ["COLUMNS"] = saved_columns


def _emit(report: object, fmt: str, organization: object, columns: str | None, tty: bool) -> str:
    """What ``rootctl audit -o FMT`` prints (the CLI's own ``emit``)."""
    out: io.StringIO = _Terminal() if tty else io.StringIO()
    with _stdout(out, columns):
        common.emit(report, fmt, organization=organization)  # type: ignore[arg-type]
    return out.getvalue()


def rendering(accounts: int = 5000) -> Result:
    organization, report = estate(accounts)
    cases = [
        ("table, pipe, 80 columns", "table", "80", False),
        ("table, pipe, 200 columns", "table", "200", False),
        ("table, pipe, unbounded", "table", None, False),
        ("table, terminal, 200 columns", "table", "200", True),
        ("tree, pipe, unbounded", "tree", None, False),
        ("csv", "csv", None, False),
        ("json", "json", None, False),
    ]
    lines, figures, worst = [], {}, 0.0
    for label, fmt, columns, tty in cases:
        out, wall, cpu = timed(lambda: _emit(report, fmt, organization, columns, tty))  # noqa: B023
        lines.append(f"{label}: CPU {cpu:.2f} s (wall {wall:.2f} s), {len(out) / 1e6:.1f} MB")
        figures[label.replace(", ", "_").replace(" ", "_")] = cpu
        if fmt == "table":
            worst = max(worst, cpu)
    # The same table through rich's own Table, for the ratio (the bytes are the same:
    # tests/hostile/test_fast_table.py).
    supported = fast_table.supported
    fast_table.supported = lambda _table: False  # type: ignore[assignment]
    try:
        _, wall, rich_cpu = timed(lambda: _emit(report, "table", organization, "200", False))
    finally:
        fast_table.supported = supported
    fast_cpu = figures["table_pipe_200_columns"]
    lines.append(
        f"the same table (200 columns) through rich's Table: CPU {rich_cpu:.2f} s "
        f"(wall {wall:.2f} s); ratio rich/rootctl {rich_cpu / fast_cpu:.1f}x"
    )
    return Result(
        8,
        f"Rendering {len(report.accounts):,} accounts (rootctl audit -o FMT, in-process)",
        lines,
        f"table <= {TABLE_TARGET_S:g} s CPU at every width",
        worst <= TABLE_TARGET_S,
        {"table_worst_cpu_s": worst, "rich_ratio": rich_cpu / fast_cpu},
    )


def history(accounts: int = 5000, audits: int = 30) -> Result:
    figures = measure(accounts, audits)
    lines = [
        f"{step}: CPU {cpu:.2f} s (wall {wall:.2f} s)" for step, (wall, cpu) in figures.items()
    ]
    store = max(figures["store one audit"][1], figures["store the last"][1])
    drift = figures["drift latest"][1]
    return Result(
        9,
        f"Audit history: {audits} audits of {accounts:,} accounts in the journal",
        lines,
        f"storing <= {STORE_TARGET_S:g} s, drift <= {DRIFT_TARGET_S:g} s CPU",
        store <= STORE_TARGET_S and drift <= DRIFT_TARGET_S,
        {
            "store_cpu_s": store,
            "drift_cpu_s": drift,
            "evidence_cpu_s": figures["evidence report"][1],
        },
    )
