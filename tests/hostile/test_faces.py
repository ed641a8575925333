"""The human faces on the hostile organization, in-process: wide characters align at every
width, a terminal gets rootctl's colours and nothing else, prompts, progress bars and the demo's
narration stay inert."""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest
from rich.cells import cell_len
from rich.console import RenderableType

import rootctl
from rootctl.cli import common
from rootctl.core.compliance import evaluate
from rootctl.demo import summary
from rootctl.demo.narrator import Narrator
from rootctl.models import AuditReport, ComplianceReport, Organization, OrgStatus, TargetSelector
from rootctl.render import audit_view, controls, human
from rootctl.render.registry import neutral
from rootctl.sandbox.server import SandboxServer
from tests.hostile import org
from tests.hostile.conftest import pointed_at
from tests.hostile.org import (
    JAPANESE,
    LINK,
    LOG,
    MANAGEMENT,
    PAYMENTS,
    VISIBLE,
    WIDE,
    assert_inert_bytes,
    unsafe_characters,
    without_colours,
)


@dataclass(frozen=True)
class Reports:
    organization: Organization
    status: OrgStatus
    audit: AuditReport
    compliance: ComplianceReport


@pytest.fixture(scope="module")
def reports(
    sandbox_server: SandboxServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Reports]:
    sb = org.build()
    journal = tmp_path_factory.mktemp("faces") / "journal.sqlite3"
    with pointed_at(sb, sandbox_server), rootctl.RootAccess(journal=journal) as ra:
        org.rename_security_ou()
        ra.enable(delegate=PAYMENTS)  # prod[/]payments, shown by status
        audit = ra.audit(ra.select_targets(TargetSelector(all=True)))
        status = ra.status()
        yield Reports(ra.organization(), status, audit, evaluate(audit, status))


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def printed(renderable: RenderableType, monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    """What ``show`` writes to stdout (a pipe unless ``tty``)."""
    out = Terminal() if env.pop("tty", "") else io.StringIO()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "stdout", out)
    common.show(renderable)
    return out.getvalue()


def renderables(r: Reports) -> dict[str, RenderableType]:
    return {
        "status": human.status(r.status),
        "audit table": audit_view.audit_table(r.audit),
        "audit tree": audit_view.audit_tree(r.audit, r.organization),
        "compliance": controls.compliance_table(r.compliance, neutral),
        "demo compliance": summary.compliance_table(r.compliance, r.compliance),
    }


@pytest.mark.parametrize("width", [80, 100, 120, 160])
def test_wide_characters_align_in_tables_at_every_width(
    reports: Reports, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = printed(audit_view.audit_table(reports.audit), monkeypatch, COLUMNS=str(width))
    assert_inert_bytes(output.encode(), f"audit table at {width}")
    lines = output.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    # The first line of each row starts with its mark; the State column starts at the same
    # terminal cell on every one of them, and under its header, whatever the names' widths.
    header = next(line for line in lines if "Account" in line and "State" in line)
    state_at = cell_len(header[: header.index("State")])
    rows = [line for line in lines if line and line[0] in "✔✘!–"]
    assert len(rows) == len(VISIBLE) - 1  # the management account is a line, not a row
    assert f"Not a target: {VISIBLE[MANAGEMENT]} ({MANAGEMENT})" in output
    for row in rows:
        state = re.search(r"  (audited|skipped|failed|not-run)\b", row)
        assert state is not None, row
        assert cell_len(row[: state.start(1)]) == state_at, row
    japanese = next(row for row in rows if JAPANESE in row)
    assert VISIBLE[JAPANESE] in japanese
    assert "本番環境" in next(row for row in rows if WIDE in row)


def test_a_terminal_gets_rootctls_colours_and_nothing_from_the_names(
    reports: Reports, monkeypatch: pytest.MonkeyPatch
) -> None:
    for what, renderable in renderables(reports).items():
        output = printed(renderable, monkeypatch, tty="yes", COLUMNS="200", TERM="xterm")
        plain = without_colours(output)
        assert plain != output, f"{what}: no colour on a TTY"
        assert unsafe_characters(plain) == [], what  # every ESC was one of our SGR colours
        assert "\x1b]" not in output, what  # no OSC: no window title, no hyperlink
    tree = without_colours(printed(audit_view.audit_tree(reports.audit, reports.organization),
                                   monkeypatch, tty="yes", COLUMNS="300"))  # fmt: skip
    for account_id, name in VISIBLE.items():
        if account_id != MANAGEMENT:  # a line under the counts, not a node
            assert f"{name}  {account_id}" in tree


def test_a_pipe_gets_no_colour_at_all(reports: Reports, monkeypatch: pytest.MonkeyPatch) -> None:
    for what, renderable in renderables(reports).items():
        output = printed(renderable, monkeypatch, COLUMNS="120")
        assert_inert_bytes(output.encode(), what)


def test_status_shows_a_delegate_named_with_markup(
    reports: Reports, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = printed(human.status(reports.status), monkeypatch, COLUMNS="160")
    assert f"IAM delegated administrator                 {PAYMENTS} (prod[/]payments)" in output


def test_show_never_parses_a_string_as_markup(monkeypatch: pytest.MonkeyPatch) -> None:
    output = printed("[/] [link=https://evil.example]x[/link] :smile: \x1b[2J", monkeypatch)
    assert output == "[/] [link=https://evil.example]x[/link] :smile: \\x1b[2J\n"


def test_progress_bar_on_a_terminal_is_inert(monkeypatch: pytest.MonkeyPatch) -> None:
    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    with common.progress_bar("[/]Auditing \x1b]0;t\x07") as update:
        assert update is not None
        update(rootctl.ProgressEvent(total=2, done=1, account_id=PAYMENTS, state="audited"))
    assert "[/]Auditing \\x1b]0;t\\x07" in without_colours(err.getvalue())
    assert "\x1b]0" not in err.getvalue()


def test_confirmation_prompt_keeps_its_lines_and_error_lines_are_one_inert_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []

    def answer(question: str, **_: Any) -> bool:
        asked.append(question)
        return True

    monkeypatch.setattr(common, "is_interactive", lambda: True)
    monkeypatch.setattr(click, "confirm", answer)
    common.confirm("Delete [/]\x1b[2J\n\u202e?", yes=False, what="delete")
    # A prompt's own lines (warnings, the accounts it names) stay lines; nothing else acts.
    assert asked == ["Delete [/]\\x1b[2J\n\\u202e?"]
    error = rootctl.AwsError(
        "AWS said \x1b]0;pwned\x07\nfake line \u202e",
        rootctl.Advice(rootctl.AdviceCode.RETRY_LATER),
    )
    assert common.error_line(error) == (
        "Error: AWS said \\x1b]0;pwned\\x07\\nfake line \\u202e Retry later or lower --concurrency."
    )


def test_say_keeps_line_breaks_and_nothing_else(capsys: pytest.CaptureFixture[str]) -> None:
    common.say("Policy of bucket \x1b[2J:\n  next \u202eline\x07")
    assert capsys.readouterr().err == "Policy of bucket \\x1b[2J:\n  next \\u202eline\\x07\n"


def test_the_demo_narration_is_inert(
    reports: Reports, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setenv("COLUMNS", "100")
    names = org.names()
    n = Narrator()
    n.banner(names[LOG], names[LINK])
    n.step(1, 2, names[PAYMENTS])
    n.say(f"The account {names[org.CRLF]} has a root password.")
    n.command(f"rootctl audit --account {org.CRLF}  # {names[org.RLO]}")
    n.action(names[org.ALT_SCREEN])
    n.answer(names[org.OSC8])
    n.answer(names[org.BIDI], ok=False)
    n.fact(names[org.NUL])
    n.detail(names[org.BLINK])
    n.heading(names[org.HYPERLINK])
    n.marked("✔", "green", names[org.SCRIPT])
    n.code(names[org.TAB_FIRST])
    n.show(summary.compliance_table(reports.compliance, reports.compliance))
    for result in reports.compliance.results:
        for reason in summary.control_reasons(result):
            n.marked("·", "dim", reason.text)
    for line in summary.not_evaluated(reports.compliance):
        n.detail(line)
    n.answer(", ".join(summary.failing_accounts(reports.compliance)))
    text = out.getvalue()
    assert_inert_bytes(text.encode(), "narration")
    for account_id in (LOG, LINK, PAYMENTS, org.RLO, org.OSC8, org.NUL, org.BLINK, org.SCRIPT):
        assert VISIBLE[account_id] in text, account_id
    # Handed a raw name, prose takes its line feed for a line break (the demo's own summaries
    # pass names through inert() first) and shows every other control.
    assert r"The account \rcr lf\ttab\x07bell\x08bs has a root password." in text
    assert VISIBLE[org.HYPERLINK] in text
