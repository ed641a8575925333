"""Journal files for tests: real ones, the first release's, foreign and damaged ones, and a way
to prove a directory was left exactly as it was."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from rootctl.journal import Journal
from rootctl.models import JournalStatus

# What the first release created (user_version 1, no application id).
FIRST_RELEASE_SCHEMA = """
CREATE TABLE IF NOT EXISTS actions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id        TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    action        TEXT NOT NULL,
    target        TEXT,
    task_policy   TEXT,
    caller_arn    TEXT,
    items         TEXT NOT NULL DEFAULT '[]',
    status        TEXT NOT NULL,
    request_id    TEXT,
    error         TEXT
);
CREATE INDEX IF NOT EXISTS actions_started ON actions(started_at);
CREATE TABLE IF NOT EXISTS saved_policies (
    action_id     INTEGER PRIMARY KEY REFERENCES actions(id),
    account_id    TEXT NOT NULL,
    kind          TEXT NOT NULL,
    resource      TEXT NOT NULL,
    region        TEXT,
    policy        TEXT NOT NULL
);
PRAGMA user_version = 1;
"""


def write_entries(path: Path, count: int, target: str = "222222222222") -> None:
    """A real journal with ``count`` completed entries, closed cleanly (no -wal left)."""
    journal = Journal(path)
    for n in range(count):
        entry = journal.begin(
            run_id="r", action="delete-access-key", target=target, task_policy=None,
            caller_arn="arn:aws:iam::111111111111:user/admin", items=[f"AKIA{n:016d}"],
            account_name="prod-payments",
        )  # fmt: skip
        journal.finish(entry, JournalStatus.SUCCEEDED, request_id=f"req-{n}")
    journal.close()


def foreign_database(
    path: Path, *, application_id: int = 0, user_version: int = 99, wal: bool = False
) -> None:
    """Another program's SQLite file with its own table (rollback journal unless ``wal``)."""
    db = sqlite3.connect(path)
    if wal:
        db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    db.execute("INSERT INTO notes (body) VALUES ('mine, not rootctl''s')")
    db.execute(f"PRAGMA user_version = {user_version:d}")
    db.execute(f"PRAGMA application_id = {application_id:d}")
    db.commit()
    db.close()


def files_of(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def snapshot(directory: Path) -> dict[str, str]:
    """Every file in ``directory`` and a digest of its bytes."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.iterdir())
        if p.is_file()
    }


def read_only_view(directory: Path, argv: list[str]) -> list[str]:
    """``argv`` run with ``directory`` remounted read-only (a private mount namespace), so
    nothing in it can be written, whoever runs the tests (root included). Skips where user
    and mount namespaces are not available."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare(1) is missing: cannot make a read-only file system")
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"no user/mount namespaces here: {probe.stderr.decode().strip()}")
    script = 'mount --bind -o ro "$1" "$1" && shift && exec "$@"'
    return ["unshare", "-rm", "sh", "-c", script, "sh", str(directory), *argv]


def without_privileges(argv: list[str]) -> list[str]:
    """``argv`` run so that file permissions apply to it: as is for a normal user; for root,
    in a new user namespace (its capabilities do not reach the test's files)."""
    if os.geteuid() != 0:
        return argv
    if shutil.which("unshare") is None:
        pytest.skip("running as root without unshare(1): permissions cannot be tested")
    probe = subprocess.run(["unshare", "-U", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"no user namespaces here: {probe.stderr.decode().strip()}")
    return ["unshare", "-U", *argv]
