"""Compliance for people: the verdict and counts first, each control with its severity, the
accounts behind each failure grouped by reason, and the command (in the face's words) that
fixes it. The management account, which no root session can reach, is said to be not
evaluated in one line rather than in every control."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from rootctl.errors import Advice
from rootctl.models import ComplianceReport, ControlResult, ControlStatus, Finding, RowStatus
from rootctl.render.text import inert, literal

STYLES = {
    ControlStatus.PASSED: "green",
    ControlStatus.FAILED: "bold red",
    ControlStatus.NOT_APPLICABLE: "dim",
    ControlStatus.NOT_EVALUATED: "yellow",
}
LISTED = 10  # accounts named per reason; -o csv/json has them all
WIDE = 120

NOT_EVALUATED_MEANS = (
    "Not evaluated: accounts rootctl could not audit (the audit failed, was skipped — a "
    "suspended account — or did not run); they neither pass nor fail a control."
)


def _status(status: ControlStatus) -> Text:
    return Text(status.value, style=STYLES[status])


class ControlsTable:
    """Each control's status and counts: one table row when there is room, else a block of
    two lines (the title under the id, severity, status and counts)."""

    def __init__(self, results: Sequence[ControlResult]) -> None:
        self.results = results

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.max_width >= WIDE:
            yield self._table()
            return
        for r in self.results:
            line = Text(f"{inert(r.control.id)}  ", style="bold")
            line.append(f"{inert(r.control.severity)}  ")
            line.append_text(_status(r.status))
            line.append(
                f"  passed {r.count(ControlStatus.PASSED)} · failed "
                f"{r.count(ControlStatus.FAILED)} · n/a {r.count(ControlStatus.NOT_APPLICABLE)}"
                f" · not evaluated {r.count(ControlStatus.NOT_EVALUATED)}"
            )
            yield line
            yield Text(f"  {inert(r.control.title)} ({inert(r.control.framework)})", style="dim")

    def _table(self) -> Table:
        table = Table(box=None, pad_edge=False, header_style="bold", show_edge=False)
        for column in ("Control", "Severity", "Status", "Passed", "Failed", "N/A"):
            table.add_column(column, no_wrap=True)
        table.add_column("Not evaluated", no_wrap=True)
        table.add_column("Title", overflow="fold")
        for r in self.results:
            table.add_row(
                literal(r.control.id),
                literal(r.control.severity),
                _status(r.status),
                *(Text(str(r.count(s))) for s in ControlStatus),
                literal(f"{r.control.title} ({r.control.framework})"),
            )
        return table


def _findings(
    result: ControlResult, statuses: Collection[RowStatus], advice_text: Callable[[Advice], str]
) -> list[RenderableType]:
    """The accounts behind ``result`` grouped by status and reason, then its fix."""
    wanted = result.shown(statuses) if statuses else result.findings
    if not statuses:
        wanted = tuple(f for f in wanted if f.status is ControlStatus.FAILED)
    wanted = tuple(f for f in wanted if not f.is_management)
    groups: dict[tuple[ControlStatus, str], list[Finding]] = {}
    for finding in wanted:
        groups.setdefault((finding.status, finding.reason), []).append(finding)
    parts: list[RenderableType] = []
    control = result.control
    for (status, reason), found in groups.items():
        head = Text(f"{inert(control.id)} ", style="bold")
        head.append_text(_status(status))
        head.append(f" ({inert(control.severity)}): {inert(reason)} — {len(found)}", style="bold")
        for f in found[:LISTED]:
            label = f"{inert(f.subject_name)} {inert(f.subject_id)}".strip()
            head.append(f"\n  {label}" + (f" ({inert(f.detail)})" if f.detail else ""))
        if len(found) > LISTED:
            head.append(f"\n  and {len(found) - LISTED} more (-o csv lists every finding)")
        parts.append(head)
    if result.fix is not None and result.status is ControlStatus.FAILED and parts:
        parts.append(Text(f"  Fix: {inert(advice_text(result.fix))}", style="cyan"))
    return parts


def compliance_table(
    report: ComplianceReport,
    advice_text: Callable[[Advice], str],
    statuses: Collection[RowStatus] = (),
) -> RenderableType:
    failing = [r for r in report.results if r.status is ControlStatus.FAILED]
    verdict = (
        Text("All controls pass.", style="bold green")
        if report.passed
        else Text(
            f"{len(failing)} of {len(report.results)} controls fail "
            f"({len(report.accounts_failing())} accounts fail at least one).",
            style="bold red",
        )
    )
    parts: list[RenderableType] = [verdict]
    management = {f.subject_id: f for f in report.management_findings}
    for f in management.values():
        parts.append(
            Text(
                f"Not evaluated: {inert(f.subject_name)} ({inert(f.subject_id)}), the "
                f"management account — {inert(f.reason)}; {inert(f.detail)}.",
                style="dim",
            )
        )
    if statuses:
        words = ", ".join(s.value for s in RowStatus if s in statuses)
        parts.append(Text(f"Listing the findings that are --status {words}."))
    parts += [Text(""), ControlsTable(report.results), Text("")]
    for result in report.results:
        found = _findings(result, statuses, advice_text)
        if found:
            parts += [*found, Text("")]
    parts += [Text(NOT_EVALUATED_MEANS, style="dim"), verdict]
    return Group(*parts)
