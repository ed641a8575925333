"""The stores of governed changes in the journal file, what is SQLite's own: journal rows carry
their change, and older journals read as empty and are never upgraded by reading. The
change-control contract itself (single use, one closer …) runs against both backends in
tests/continuous/test_change_contract.py."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from rootctl.journal import Journal, schema
from rootctl.models import JournalQuery

HASH = "a" * 64
ACCOUNT = "630495867701"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "j.sqlite3"


def test_journal_rows_carry_their_change(path: Path) -> None:
    journal = Journal(path)
    entry = journal.begin(
        run_id="r", action="delete-login-profile", target=ACCOUNT, task_policy=None,
        caller_arn=None, change_ref=f"plan:{HASH}",
    )  # fmt: skip
    journal.begin(run_id="s", action="x", target=ACCOUNT, task_policy=None, caller_arn=None)
    rows = journal.entries(JournalQuery(changes=(f"plan:{HASH}",)))
    assert [r.id for r in rows] == [entry]
    journal.close()


def test_an_older_journal_reads_as_having_no_plans_or_windows(path: Path) -> None:
    ours = next(m for m in schema.MIGRATIONS if m.purpose.startswith("change control"))
    older = [m for m in schema.MIGRATIONS if m.version < ours.version]
    db = sqlite3.connect(path)
    for migration in older:
        for statement in migration.statements:
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {older[-1].version}")
    db.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    db.commit()
    db.close()
    journal = Journal(path)
    assert journal.windows.windows() == []
    assert journal.plans.use(HASH) is None
    assert journal.entries(JournalQuery(changes=("plan:x",))) == []
    version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
    assert version == older[-1].version  # reading never upgrades
    journal.prepare_for_writing()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
    journal.close()
