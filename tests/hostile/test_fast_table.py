"""The account table's fast rendering (rootctl.render.fast_table) prints rich's bytes: the same
output as the plain rich ``Table`` it replaces, for the hostile organization and for a
generated one of 300 accounts, on a pipe at every layout's widths and on a colour terminal."""

from __future__ import annotations

import pytest
from bench.estate import estate
from rich.console import Group, RenderableType

from rootctl.models import AuditReport, RowStatus
from rootctl.render import audit_view, fast_table
from rootctl.render.account_table import AccountTable
from tests.hostile.test_faces import Reports, printed, reports

__all__ = ["reports"]  # the module-scoped hostile audit, shared with test_faces

WIDTHS = ["40", "60", "80", "99", "100", "120", "149", "150", "200", ""]


@pytest.fixture(scope="module")
def generated() -> AuditReport:
    return estate(300, seed=7)[1]


def both(
    renderable: RenderableType, monkeypatch: pytest.MonkeyPatch, **env: str
) -> tuple[str, str]:
    """(fast, reference): the same renderable printed with and without the fast path."""
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")
    if not env.get("COLUMNS"):
        env.pop("COLUMNS", None)
        monkeypatch.delenv("COLUMNS", raising=False)
    fast = printed(renderable, monkeypatch, **env)
    with monkeypatch.context() as patched:
        patched.setattr(fast_table, "supported", lambda _table: False)
        reference = printed(renderable, monkeypatch, **env)
    return fast, reference


def test_the_fast_path_is_taken(generated: AuditReport) -> None:
    group = audit_view.audit_table(generated)
    assert isinstance(group, Group)
    tables = [r for r in group.renderables if isinstance(r, AccountTable)]
    assert tables
    assert fast_table.supported(tables[0].table(120))


@pytest.mark.parametrize("width", WIDTHS)
def test_hostile_table_on_a_pipe(
    reports: Reports, monkeypatch: pytest.MonkeyPatch, width: str
) -> None:
    fast, reference = both(audit_view.audit_table(reports.audit), monkeypatch, COLUMNS=width)
    assert fast == reference


@pytest.mark.parametrize("width", ["40", "80", "120", "200"])
def test_hostile_table_on_a_terminal(
    reports: Reports, monkeypatch: pytest.MonkeyPatch, width: str
) -> None:
    fast, reference = both(
        audit_view.audit_table(reports.audit), monkeypatch, COLUMNS=width, tty="1"
    )
    assert "\x1b[" in fast  # colours, so styles and their boundaries are compared too
    assert fast == reference


@pytest.mark.parametrize("width", WIDTHS)
def test_generated_table_on_a_pipe(
    generated: AuditReport, monkeypatch: pytest.MonkeyPatch, width: str
) -> None:
    fast, reference = both(audit_view.audit_table(generated), monkeypatch, COLUMNS=width)
    assert fast == reference


@pytest.mark.parametrize("width", ["60", "100", "150", "200"])
def test_generated_table_on_a_terminal(
    generated: AuditReport, monkeypatch: pytest.MonkeyPatch, width: str
) -> None:
    statuses = {RowStatus.WITH_CREDENTIALS, RowStatus.FAILED}
    for report_view in (
        audit_view.audit_table(generated),
        audit_view.audit_table(generated, statuses),
    ):
        fast, reference = both(report_view, monkeypatch, COLUMNS=width, tty="1")
        assert fast == reference
