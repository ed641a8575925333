"""The crashes issue 9 reported, each on the hostile organization, and AWS error messages that
carry hostile text to a per-account reason and to the ``Error:`` line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result

from rootctl.sandbox import Sandbox
from rootctl.sandbox.policyeval import Evaluation, Request
from tests.hostile.conftest import Runner
from tests.hostile.org import (
    CMD,
    HYPERLINK,
    MANAGEMENT,
    PAYMENTS,
    SCRIPT,
    VISIBLE,
    assert_inert_bytes,
)


def assert_inert(result: Result) -> None:
    assert_inert_bytes(result.stdout_bytes, "stdout")
    assert_inert_bytes(result.stderr_bytes, "stderr")


def test_status_and_delegate_show_a_delegate_whose_name_closes_markup(run: Runner) -> None:
    assert run("enable", "--delegate", PAYMENTS).exit_code == 0
    for command in ("status", "delegate"):
        result = run(command)
        assert result.exit_code == 0, result.output  # was: rich MarkupError, a traceback
        assert f"{PAYMENTS} (prod[/]payments)" in result.stdout
        assert_inert(result)


def test_audit_table_shows_an_account_whose_name_closes_markup(run: Runner) -> None:
    assert run("enable").exit_code == 0
    result = run("audit", "--account", PAYMENTS)
    assert result.exit_code == 1, result.output  # root credentials found, no MarkupError
    assert "prod[/]payments" in result.stdout
    assert "acme[/]management" in result.stdout  # the skipped management account's row
    assert_inert(result)


def test_one_members_name_no_longer_blocks_deleting_everywhere(
    run: Runner, sandbox: Sandbox
) -> None:
    assert run("enable").exit_code == 0
    result = run("delete-credentials", "--all", "--yes")
    assert result.exit_code == 0, result.output
    assert "prod[/]payments" in result.stdout
    assert not sandbox.root_user(PAYMENTS).has_credentials
    assert not sandbox.root_user(HYPERLINK).has_credentials
    assert_inert(result)


def test_password_recovery_on_two_accounts_reports_both(run: Runner, sandbox: Sandbox) -> None:
    assert run("enable").exit_code == 0
    result = run("allow-password-recovery", "--account", CMD, "--account", SCRIPT, "--yes")
    assert result.exit_code == 0, result.output  # was: first profile created, then a crash
    assert result.stdout.startswith("3 accounts: 2 allowed, 1 skipped, 0 failed")
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line[:1].isdigit()}
    for account in (CMD, SCRIPT):
        assert VISIBLE[account] in rows[account]
        assert " allowed  reset link to " in rows[account]
    assert f"Not a target: {VISIBLE[MANAGEMENT]} ({MANAGEMENT})" in result.stdout
    assert sandbox.root_user(CMD).login_profile
    assert sandbox.root_user(SCRIPT).login_profile
    journal = json.loads(run("journal", "-o", "json").stdout)["entries"]
    created = {e["target"] for e in journal if e["action"] == "create-login-profile"}
    assert created == {CMD, SCRIPT}
    assert_inert(result)


# What AWS answers goes through the same wire as in AWS: IAM and STS speak XML (which cannot
# carry C0 controls: botocore then reports a parse error), Organizations and SQS speak JSON.
XML_SAFE = " [/]\u202e<script>alert(1)</script>\x9b2J"
ANYTHING = " \x1b[2J\nfake line\x1b]0;pwned\x07[/]\u202e"


@pytest.fixture
def hostile_aws_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every AccessDenied message of the sandbox ends with hostile text."""
    original = Evaluation.message
    extra = {"iam": XML_SAFE, "sts": XML_SAFE, "s3": XML_SAFE}

    def message(self: Evaluation, request: Request, *, quote_resource: bool = False) -> str:
        service = request.action.split(":", 1)[0]
        return original(self, request, quote_resource=quote_resource) + extra.get(service, ANYTHING)

    monkeypatch.setattr(Evaluation, "message", message)


@pytest.mark.usefixtures("hostile_aws_messages")
def test_aws_messages_reach_reasons_and_error_lines_inertly(run: Runner, sandbox: Sandbox) -> None:
    assert run("enable").exit_code == 0
    sandbox.faults.deny(PAYMENTS, "iam:GetLoginProfile")
    sandbox.faults.deny(HYPERLINK, "iam:*")
    for output in ("table", "json", "csv"):
        result = run("audit", "--account", PAYMENTS, "--account", HYPERLINK, "-o", output)
        assert result.exit_code == 3, result.output  # every account failed: AWS stopped the run
        assert_inert(result)
        if output == "table":
            assert r"[/]\u202e<script>alert(1)</script>\x9b2J" in result.stdout
        if output == "json":
            failed = [a for a in json.loads(result.stdout)["accounts"] if a["state"] == "failed"]
            assert len(failed) == 2
            assert all(XML_SAFE.strip() in row["reason"] for row in failed)  # exact in JSON

    sandbox.faults.deny(MANAGEMENT, "organizations:*")  # JSON: the message keeps everything
    result = run("status")
    assert result.exit_code == 3
    assert_inert(result)
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ")
    assert r"\x1b[2J\nfake line\x1b]0;pwned\x07[/]\u202e" in line


def test_usage_errors_show_hostile_arguments_inertly(run: Runner, tmp_path: Path) -> None:
    for args in (
        ("audit", "-o", "\x1b[2J\x1b]0;pwned\x07"),
        ("journal", "--since", "\x1b]8;;https://evil.example\x1b\\x"),
        ("audit", "--account", "[/]\u202e123"),
    ):
        result = run(*args)
        assert result.exit_code == 2, result.output
        assert_inert(result)
        assert len(result.stderr.splitlines()) == 1


def test_a_seed_error_quoting_hostile_text_is_one_inert_line(run: Runner, tmp_path: Path) -> None:
    seed = tmp_path / "bad.yaml"
    seed.write_text(
        'management_account: {id: "123456789012", name: m, email: "\\e]0;x\\a@example.com"}\n'
        'accounts:\n  - {id: "210987654321", name: a, email: "\\e]0;x\\a@example.com"}\n'
    )
    result = run("sandbox", "serve", "--seed", str(seed), "--port", "0")
    assert result.exit_code == 2, result.output
    assert_inert(result)
    assert r"e-mail \x1b]0;x\x07@example.com is used twice" in result.stderr
