"""Against the sandbox: with a journal that cannot be written, no write command opens a single
root session (the sandbox records every AssumeRoot it issued) or changes anything; the same
commands with a good journal do (so the check can fail)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import CHECKOUT, ORDERS, PAYMENTS, Cli
from tests.cli.test_journal_cli import BAD_JOURNALS
from tests.core.journal_files import snapshot

COMMANDS = [
    ("delete-credentials", "--all", "--yes"),
    ("delete-credentials", "--account", PAYMENTS),  # would ask: refused before the prompt
    ("allow-password-recovery", "--all", "--yes"),
    ("unlock-s3", PAYMENTS, "prod-payments-receipts", "--yes"),
    ("unlock-sqs", ORDERS, "orders-events", "--yes"),
]


@pytest.mark.parametrize("bad", list(BAD_JOURNALS))
def test_a_bad_journal_issues_no_assume_root(enabled: Cli, tmp_path: Path, bad: str) -> None:
    make, reason = BAD_JOURNALS[bad]
    folder = tmp_path / "bad"
    folder.mkdir()
    path = make(folder)
    before = snapshot(folder)
    payments_root = enabled.sandbox.root_user(PAYMENTS)
    for command in COMMANDS:
        result = enabled(*command, env={"ROOTCTL_JOURNAL": str(path)})
        assert result.exit_code == 2, (command, result.stdout, result.stderr)
        (line,) = result.stderr.splitlines()
        assert reason in line, command
    assert enabled.sandbox.issued_root_sessions() == []
    assert enabled.sandbox.root_user(PAYMENTS).login_profile == payments_root.login_profile
    after = snapshot(folder)
    assert {name: after.get(name) for name in before} == before


def test_the_same_command_with_a_good_journal_opens_root_sessions(enabled: Cli) -> None:
    result = enabled("delete-credentials", "--account", CHECKOUT, "--yes")
    assert result.exit_code == 0, result.output
    assert enabled.sandbox.issued_root_sessions(CHECKOUT)
    entries = enabled.journal_entries()
    assert {e["account_name"] for e in entries if e["target"] == CHECKOUT} != {None}
