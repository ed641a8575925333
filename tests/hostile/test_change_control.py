"""Change control on the hostile organization: plan, plan show, approve, apply (with drift) and a
recovery window on accounts with hostile names and hostile credential ids — the plan file is
ASCII, every output is inert, nothing crashes."""

from __future__ import annotations

from pathlib import Path

from rootctl.sandbox import Sandbox, current
from tests.hostile.conftest import Runner
from tests.hostile.org import (
    ALT_SCREEN,
    BIDI,
    CMD,
    CRLF,
    MANAGEMENT,
    SUM,
    assert_inert_bytes,
)


def test_plans_and_windows_on_hostile_names(run: Runner, tmp_path: Path) -> None:
    sandbox = current()
    assert isinstance(sandbox, Sandbox)
    reviewer = sandbox.principal_credentials(MANAGEMENT, "reviewer")
    as_reviewer = {
        "AWS_ACCESS_KEY_ID": reviewer.access_key_id,
        "AWS_SECRET_ACCESS_KEY": reviewer.secret_access_key,
    }
    assert run("enable").exit_code == 0
    path = tmp_path / "plan.json"
    accounts = ("--account", ALT_SCREEN, "--account", CRLF, "--account", BIDI, "--account", SUM)
    steps = [
        run("plan", "delete-credentials", *accounts, "--comment", "\x1b[2J\u202eQ4", "--out",
            str(path)),
        run("plan", "show", str(path)),
        run("approve", str(path), "--yes", env=as_reviewer),
    ]  # fmt: skip
    assert path.read_text().isascii()
    sandbox.add_root_access_key(CRLF)  # drift in an account with a CR/LF/TAB name
    steps += [
        run("apply", str(path), "--yes"),
        run("apply", str(path), "--yes", "-o", "csv"),  # refused: applied already
        run("recovery", "open", CMD, "--reason", "\x1b]0;pwned\x07 [red]x[/red]", "--yes"),
        run("recovery", "status"),
        run("recovery", "close", CMD, "--yes"),
        run("recovery", "status", "-o", "json"),
    ]
    codes = [r.exit_code for r in steps]
    assert codes == [0, 0, 0, 1, 2, 0, 0, 0, 0], [r.output[-400:] for r in steps]
    for number, result in enumerate(steps):
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert_inert_bytes(result.stdout_bytes, f"step {number} stdout")
        assert_inert_bytes(result.stderr_bytes, f"step {number} stderr")
