"""CLI behaviour that needs no AWS: usage errors, the journal commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rootctl.cli import cli
from rootctl.journal import Journal
from rootctl.models import JournalStatus, ResourceKind, ResourcePolicy

POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*"}]}'


def invoke(*args: str) -> Result:
    # An unreachable endpoint: any AWS call would fail with exit 3, not 2.
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "x",
           "AWS_SECRET_ACCESS_KEY": "y", "AWS_MAX_ATTEMPTS": "1", "COLUMNS": "160"}  # fmt: skip
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["audit", "--account", "12345"], "12 digits"),
        (["audit", "--ou", "nope"], "invalid OU id"),
        (["audit", "--all", "--account", "222222222222"], "cannot be combined"),
        (["audit", "--exclude", "abc"], "12 digits"),
        (["audit", "--accounts-file", "/nonexistent/file"], "cannot read"),
        (["delete-credentials"], "name the accounts"),
        (["delete-credentials", "--all", "--only", "passwords"], "unknown credential kind"),
        (["allow-password-recovery"], "name the accounts"),
        (["audit", "--concurrency", "0"], "concurrency"),
        (["audit", "--region", "aws-global", "--all"], "aws-global"),
        (["journal", "--since", "yesterday-ish"], "invalid --since"),
        (["delegate", "--register", "222222222222", "--deregister"], "cannot be combined"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    journal = tmp_path / "j.sqlite3"
    result = invoke(*args, "--journal", str(journal)) if args[0] != "delegate" else invoke(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stdout == ""
    assert not journal.exists()  # nothing journaled


def test_unreachable_aws_exits_3_with_advice(tmp_path: Path) -> None:
    result = invoke("status", "--max-attempts", "1")
    assert result.exit_code == 3
    assert "endpoint" in result.stderr.lower()


def _journal_with_policy(path: Path) -> int:
    journal = Journal(path)
    saved = ResourcePolicy("222222222222", ResourceKind.S3_BUCKET, "locked", None, POLICY)
    entry = journal.begin(
        run_id="r", action="delete-bucket-policy", target="222222222222",
        task_policy="arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy",
        caller_arn="arn:aws:iam::111111111111:user/admin", items=["locked"], saved_policy=saved,
    )  # fmt: skip
    journal.finish(entry, JournalStatus.SUCCEEDED, request_id="req-9")
    journal.begin(
        run_id="r2", action="delete-access-key", target="333333333333", task_policy=None,
        caller_arn=None, items=["AKIA1"],
    )  # fmt: skip
    journal.close()
    return entry


def test_journal_list_formats_and_show(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    entry = _journal_with_policy(path)
    table = invoke("journal", "--journal", str(path))
    assert table.exit_code == 0
    assert "unknown" in table.stdout  # the intent row that never completed
    assert "delete-bucket-policy" in table.stdout
    document = json.loads(invoke("journal", "--journal", str(path), "-o", "json").stdout)
    assert [e["outcome"] for e in document["entries"]] == ["unknown", "succeeded"]
    assert invoke("journal", "--journal", str(path), "-o", "csv").stdout.count("\n") == 3
    recent = invoke("journal", "--journal", str(path), "--since", "1h", "-o", "json")
    assert len(json.loads(recent.stdout)["entries"]) == 2
    future = invoke("journal", "--journal", str(path), "--since", "2999-01-01", "-o", "json")
    assert json.loads(future.stdout)["entries"] == []
    shown = invoke("journal", "show", str(entry), "--journal", str(path))
    assert shown.exit_code == 0
    assert json.loads(shown.stdout) == json.loads(POLICY)  # ready to re-apply
    assert "put-bucket-policy --bucket locked" in shown.stderr
    only = invoke("journal", "--journal", str(path), "--account", "333333333333", "-o", "json")
    assert [e["target"] for e in json.loads(only.stdout)["entries"]] == ["333333333333"]
    missing = invoke("journal", "show", "99", "--journal", str(path))
    assert missing.exit_code == 2


def test_journal_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "env.sqlite3"
    _journal_with_policy(path)
    result = CliRunner().invoke(cli, ["journal", "-o", "json"], env={"ROOTCTL_JOURNAL": str(path)})
    assert len(json.loads(result.stdout)["entries"]) == 2


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_a_script_that_completes_rootctl(shell: str) -> None:
    result = invoke("completion", shell)
    assert result.exit_code == 0
    assert "_ROOTCTL_COMPLETE" in result.stdout
    assert f"{shell}_complete" in result.stdout


def test_completion_completes_commands_and_status_words() -> None:
    def complete(words: str) -> list[str]:
        cword = len(words.split()) - (0 if words.endswith(" ") else 1)
        env = {"_ROOTCTL_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
        result = CliRunner().invoke(cli, [], env=env, prog_name="rootctl")
        return [line.split(",", 1)[1] for line in result.stdout.splitlines()]

    assert complete("rootctl comp") == ["completion", "compliance"]
    assert complete("rootctl audit --status ") == ["with-credentials", "clean", "failed", "skipped"]


def test_unknown_shell_is_bad_input() -> None:
    result = invoke("completion", "tcsh")
    assert result.exit_code == 2
    assert "tcsh" in result.stderr


def test_top_level_help_keeps_each_commands_whole_first_sentence() -> None:
    commands = invoke("--help").stdout.split("Commands:")[1]
    help_text = " ".join(commands.split())
    assert "..." not in help_text
    assert "Audit, then evaluate the root-user controls of AWS Security Hub" in help_text
    assert "(password → access keys → certificates → MFA), verify." in help_text
