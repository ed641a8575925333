"""The journal from the CLI, without AWS: a bad journal stops every write command before its
first AWS call; reading never changes anything, works on a read-only file system, survives a
malformed row; filters, names, UTC times, `journal show -o table|json`."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rootctl.cli import cli
from rootctl.journal import Journal, schema
from rootctl.models import JournalStatus
from tests.cli.conftest import validate
from tests.core.journal_files import (
    files_of,
    foreign_database,
    read_only_view,
    snapshot,
    without_privileges,
    write_entries,
)

PAYMENTS = "418273645501"
OTHER = "333333333333"


def invoke(*args: str) -> Result:
    # An unreachable endpoint: any AWS call would fail with exit 3, not 2.
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "x",
           "AWS_SECRET_ACCESS_KEY": "y", "AWS_MAX_ATTEMPTS": "1", "COLUMNS": "160",
           "ROOTCTL_JOURNAL": None}  # fmt: skip
    return CliRunner().invoke(cli, list(args), env=env)


# -- a journal that cannot be written stops write commands first --------------------------------


def _directory(folder: Path) -> Path:
    (folder / "journal.d").mkdir()
    return folder / "journal.d"


def _under_a_file(folder: Path) -> Path:
    (folder / "plain-file").write_text("x")
    return folder / "plain-file" / "journal.sqlite3"


def _garbage(folder: Path) -> Path:
    (folder / "j.sqlite3").write_bytes(b"PK\x03\x04 certainly not SQLite " * 200)
    return folder / "j.sqlite3"


def _truncated(folder: Path) -> Path:
    path = folder / "j.sqlite3"
    write_entries(path, 150)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return path


def _newer(folder: Path) -> Path:
    path = folder / "j.sqlite3"
    write_entries(path, 1)
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {schema.LATEST + 1}")
    db.commit()
    db.close()
    return path


def _foreign(folder: Path) -> Path:
    foreign_database(folder / "foreign.sqlite3")
    return folder / "foreign.sqlite3"


BAD_JOURNALS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "directory": (_directory, "is a directory"),
    "unwritable path": (_under_a_file, "cannot create or open the journal"),
    "not a database": (_garbage, "damaged or not an SQLite database"),
    "truncated": (_truncated, "is damaged"),
    "newer schema": (_newer, "newer rootctl"),
    "foreign database": (_foreign, "not a rootctl journal"),
}
WRITE_COMMANDS = [
    ("delete-credentials", "--all", "--yes"),
    ("delete-credentials", "--all", "--dry-run"),
    ("delete-credentials", "--account", PAYMENTS),  # would prompt
    ("allow-password-recovery", "--all", "--yes"),
    ("unlock-s3", PAYMENTS, "locked-bucket", "--yes"),
    ("unlock-sqs", PAYMENTS, "locked-queue", "--yes"),
    ("enable",),
    ("disable", "--yes"),
    ("delegate", "--register", "222222222222"),
    ("delegate", "--deregister", "--yes"),
]


@pytest.mark.parametrize("bad", list(BAD_JOURNALS))
@pytest.mark.parametrize("command", WRITE_COMMANDS, ids=" ".join)
def test_a_bad_journal_stops_write_commands_before_any_aws_call(
    tmp_path: Path, bad: str, command: tuple[str, ...]
) -> None:
    make, reason = BAD_JOURNALS[bad]
    path = make(tmp_path)
    before = snapshot(tmp_path)
    result = invoke(*command, "--journal", str(path))
    assert result.exit_code == 2, (result.stdout, result.stderr)  # 3 had AWS been called
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ")
    assert reason in line
    assert str(path) in line
    after = snapshot(tmp_path)
    assert {name: after.get(name) for name in before} == before
    readers_files = {f"{path.name}-wal", f"{path.name}-shm"} if bad == "truncated" else set()
    assert set(after) - set(before) <= readers_files  # SQLite's, next to a journal of ours


def test_read_only_commands_do_not_need_a_writable_journal(tmp_path: Path) -> None:
    path = _foreign(tmp_path)
    # Listing buckets or showing a policy writes nothing: it reaches AWS (exit 3), not exit 2.
    once = ("--journal", str(path), "--max-attempts", "1")
    assert invoke("unlock-s3", PAYMENTS, *once).exit_code == 3
    assert invoke("enable", "--dry-run", *once).exit_code == 3


# -- reading ------------------------------------------------------------------------------


def journal_with_a_bad_row(path: Path) -> None:
    """Three entries (names journaled), the middle one with a status nobody wrote."""
    journal = Journal(path)
    for target, name, status in (
        (PAYMENTS, "prod-payments", JournalStatus.SUCCEEDED),
        (OTHER, "shared-dev", JournalStatus.FAILED),
        (OTHER, None, JournalStatus.SKIPPED),
    ):
        entry = journal.begin(
            run_id="r", action="delete-virtual-mfa-device" if status is JournalStatus.SKIPPED
            else "delete-login-profile", target=target, task_policy=None, caller_arn=None,
            items=["password"], account_name=name,
        )  # fmt: skip
        journal.finish(entry, status, error="AccessDenied: outside the task policy")
    journal.close()
    db = sqlite3.connect(path)
    db.execute("UPDATE actions SET status = 'sideways' WHERE id = 2")
    db.commit()
    db.close()


@pytest.mark.parametrize("output", ["table", "json", "csv"])
def test_a_malformed_row_is_listed_as_unreadable_in_every_format(
    tmp_path: Path, output: str
) -> None:
    path = tmp_path / "j.sqlite3"
    journal_with_a_bad_row(path)
    result = invoke("journal", "--journal", str(path), "-o", output)
    assert result.exit_code == 0, result.output
    assert "1 journal entry could not be read (id 2)" in result.stderr
    if output == "json":
        document = validate(json.loads(result.stdout))
        assert [e["id"] for e in document["entries"]] == [3, 1]
        assert document["unreadable"] == [{"id": 2, "problem": "unknown status 'sideways'"}]
    elif output == "csv":
        lines = result.stdout.splitlines()
        assert len(lines) == 4
        assert lines[2].startswith("2,")
        assert "unreadable" in lines[2]
        assert "sideways" in lines[2]
        assert all(line.count(",") >= lines[0].count(",") for line in lines)
    else:
        (row,) = [line for line in result.stdout.splitlines() if line.startswith("2 ")]
        assert "unreadable" in row
        assert "sideways" in row
        assert "prod-payments" in result.stdout  # the journaled name, under the id
        assert "Started (UTC)" in result.stdout


def test_journal_filters_names_utc_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    journal_with_a_bad_row(path)

    def ids(*args: str) -> list[int]:
        result = invoke("journal", "--journal", str(path), "-o", "json", *args)
        assert result.exit_code == 0, result.output
        return [e["id"] for e in validate(json.loads(result.stdout))["entries"]]

    assert ids("--outcome", "failed") == []  # the failed row is the unreadable one
    assert ids("--outcome", "skipped") == [3]  # refused by design: not a failure
    assert ids("--outcome", "succeeded", "--outcome", "skipped") == [3, 1]
    assert ids("--account", PAYMENTS) == [1]
    assert ids("--action", "delete-virtual-mfa-device") == [3]
    assert ids("--action", "delete-login-profile", "--account", OTHER) == []
    assert ids("--until", "1h") == []
    document = json.loads(invoke("journal", "--journal", str(path), "-o", "json").stdout)
    assert document["entries"][1]["account_name"] == "prod-payments"
    assert document["entries"][0]["started_at"].endswith("Z")
    bad = invoke("journal", "--journal", str(path), "--outcome", "intent")
    assert bad.exit_code == 2
    assert invoke("journal", "--journal", str(path), "--account", "123").exit_code == 2
    assert invoke("journal", "--journal", str(path), "--since", "99999999d").exit_code == 2


def test_journal_show_table_json_and_an_unreadable_entry(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    journal_with_a_bad_row(path)
    table = invoke("journal", "show", "1", "--journal", str(path), "-o", "table")
    assert table.exit_code == 0, table.output
    assert "prod-payments" in table.stdout
    assert " UTC" in table.stdout
    assert invoke("journal", "show", "1", "--journal", str(path), "-o", "text").stdout == (
        table.stdout
    )  # the first release's name for it
    skipped = invoke("journal", "show", "3", "--journal", str(path))
    assert "Reason" in skipped.stdout
    assert "skipped" in skipped.stdout
    document = validate(json.loads(invoke("journal", "show", "1", "--journal", str(path),
                                          "-o", "json").stdout))  # fmt: skip
    assert (document["schema"], document["account_name"]) == (
        "rootctl/journal-entry",
        "prod-payments",
    )
    before_show = invoke("journal", "--journal", str(path), "show", "1", "-o", "json")
    assert json.loads(before_show.stdout)["id"] == 1  # --journal given to `journal` itself
    unreadable = invoke("journal", "show", "2", "--journal", str(path), "-o", "json")
    assert unreadable.exit_code == 1
    assert unreadable.stdout == ""
    assert "journal entry 2 cannot be read: unknown status 'sideways'" in unreadable.stderr


def test_reading_a_foreign_database_refuses_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "foreign.sqlite3"
    foreign_database(path)
    before = snapshot(tmp_path)
    for args in (("journal",), ("journal", "-o", "json"), ("journal", "show", "1")):
        result = invoke(*args, "--journal", str(path))
        assert result.exit_code == 2, result.output
        (line,) = result.stderr.splitlines()
        assert "not a rootctl journal" in line
    assert snapshot(tmp_path) == before
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 99
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_a_missing_journal_reads_as_empty_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "state" / "rootctl" / "journal.sqlite3"
    result = invoke("journal", "--journal", str(path))
    assert (result.exit_code, result.stdout.strip()) == (0, "No journal entries.")
    document = validate(json.loads(invoke("journal", "--journal", str(path), "-o", "json").stdout))
    assert (document["entries"], document["unreadable"]) == ([], [])
    assert invoke("journal", "show", "1", "--journal", str(path)).exit_code == 2
    assert files_of(tmp_path) == []


# -- a read-only file system -----------------------------------------------------------------

DASHBOARD_READ = """
import sys
from starlette.testclient import TestClient
import rootctl
from rootctl.web import create_app
connection = rootctl.ConnectionOptions(endpoint_url="http://127.0.0.1:9", max_attempts=1,
                                       connect_timeout=0.5)
engine = rootctl.RootAccess(connection, journal=sys.argv[1])
app = create_app(engine, audit_on_start=False)
client = TestClient(app, base_url="http://127.0.0.1:8765", follow_redirects=False)
client.get("/?token=" + app.state.secrets.token)
for url in ("/journal", "/journal?outcome=skipped", "/journal/1", "/journal/2", "/api/journal",
            "/api/journal/1", "/api/journal/2"):
    response = client.get(url)
    print(url, response.status_code, "sideways" in response.text, "prod-payments" in response.text)
"""


def test_a_journal_on_a_read_only_file_system_can_be_read(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "journal.sqlite3"
    journal_with_a_bad_row(path)
    before = snapshot(folder)
    assert files_of(folder) == ["journal.sqlite3"]  # closed cleanly: no -wal/-shm to lean on
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROOTCTL_"))}
    env |= {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y", "COLUMNS": "160"}

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            read_only_view(folder, list(argv)), capture_output=True, text=True, env=env,
            timeout=120, check=False,
        )  # fmt: skip

    rootctl = [sys.executable, "-m", "rootctl"]
    for output in ("table", "json", "csv"):
        result = run(*rootctl, "journal", "--journal", str(path), "-o", output)
        assert result.returncode == 0, result.stderr
        assert "prod-payments" in result.stdout
    shown = run(*rootctl, "journal", "show", "1", "--journal", str(path), "-o", "json")
    assert json.loads(shown.stdout)["account_name"] == "prod-payments"
    # The view really is read-only: writing there is refused, before any AWS call.
    refused = run(*rootctl, "allow-password-recovery", "--all", "--yes", "--journal", str(path))
    assert refused.returncode == 2, refused.stderr
    assert f"{path} is read-only here" in refused.stderr
    dashboard = run(sys.executable, "-c", DASHBOARD_READ, str(path))
    assert dashboard.returncode == 0, dashboard.stderr
    pages = {line.split()[0]: line.split()[1:] for line in dashboard.stdout.splitlines()}
    assert pages == {
        "/journal": ["200", "True", "True"],
        "/journal?outcome=skipped": ["200", "False", "False"],
        "/journal/1": ["200", "False", "True"],
        "/journal/2": ["422", "True", "False"],
        "/api/journal": ["200", "True", "True"],
        "/api/journal/1": ["200", "False", "True"],
        "/api/journal/2": ["422", "True", "False"],
    }
    assert snapshot(folder) == before


def test_a_read_only_journal_file_can_be_read_but_not_written(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal_with_a_bad_row(path)
    path.chmod(0o444)
    before = path.read_bytes()
    # No AWS configuration at all: reading the journal needs none, and the write command
    # stops at the journal before it could miss credentials.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROOTCTL_"))}
    env |= {"HOME": str(tmp_path), "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "COLUMNS": "160"}  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        argv = without_privileges([sys.executable, "-m", "rootctl", *args, "--journal", str(path)])
        return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120,
                              check=False)  # fmt: skip

    listed = run("journal", "-o", "json")
    assert listed.returncode == 0, listed.stderr
    assert [e["id"] for e in json.loads(listed.stdout)["entries"]] == [3, 1]
    refused = run("delete-credentials", "--all", "--yes")
    assert refused.returncode == 2, refused.stderr
    assert f"{path} is read-only here" in refused.stderr
    assert path.read_bytes() == before
