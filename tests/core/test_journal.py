"""The SQLite journal store: writing, reading, queries, validation before writing, migrations,
foreign and damaged files, unreadable rows."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from rootctl.errors import JournalUnavailable
from rootctl.journal import Journal, JournalStore, SqliteJournal, default_path, schema
from rootctl.models import (
    JournalEntry,
    JournalOutcome,
    JournalQuery,
    JournalStatus,
    OrgPolicyKind,
    ResourceKind,
    ResourcePolicy,
    UnreadableEntry,
)
from tests.core.journal_files import (
    FIRST_RELEASE_SCHEMA,
    files_of,
    foreign_database,
    snapshot,
    write_entries,
)

ACCOUNT = "222222222222"
OTHER = "333333333333"


def begin(journal: Journal, **overrides: object) -> int:
    fields: dict[str, object] = {
        "run_id": "r1",
        "action": "delete-access-key",
        "target": ACCOUNT,
        "task_policy": "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials",
        "caller_arn": "arn:aws:iam::111111111111:user/admin",
        "items": ["AKIAEXAMPLE"],
    } | overrides
    return journal.begin(**fields)  # type: ignore[arg-type]


def readable(rows: list[JournalEntry | UnreadableEntry]) -> list[JournalEntry]:
    assert all(isinstance(r, JournalEntry) for r in rows), rows
    return [r for r in rows if isinstance(r, JournalEntry)]


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    store = Journal(tmp_path / "j.sqlite3")
    yield store
    store.close()


def test_the_sqlite_journal_is_a_journal_store() -> None:
    assert isinstance(SqliteJournal("unused.sqlite3"), JournalStore)
    assert Journal is SqliteJournal


def test_default_path_honours_env_and_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ROOTCTL_JOURNAL", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert default_path() == tmp_path / "rootctl" / "journal.sqlite3"
    monkeypatch.setenv("ROOTCTL_JOURNAL", str(tmp_path / "j.sqlite3"))
    assert default_path() == tmp_path / "j.sqlite3"


def test_reading_a_missing_journal_creates_nothing(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "state" / "none.sqlite3")
    assert journal.entries() == []
    assert journal.entry(1) is None
    assert not (tmp_path / "state").exists()


def test_intent_then_outcome_and_wal(journal: Journal) -> None:
    entry_id = begin(journal)
    # A second reader (another process, or a crash) sees the intent row right away.
    other = Journal(journal.path)
    (pending,) = readable(other.entries())
    assert pending.status is JournalStatus.INTENT
    assert pending.outcome is JournalOutcome.UNKNOWN
    journal.finish(entry_id, JournalStatus.SUCCEEDED, request_id="req-1")
    (done,) = readable(other.entries())
    assert (done.outcome, done.request_id, done.items) == ("succeeded", "req-1", ("AKIAEXAMPLE",))
    assert done.finished_at is not None
    assert done.started_at.tzinfo is not None
    mode = sqlite3.connect(journal.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_prepare_marks_a_new_file_as_a_rootctl_journal_of_the_latest_schema(
    journal: Journal,
) -> None:
    assert not journal.path.exists()
    journal.prepare_for_writing()
    journal.prepare_for_writing()  # idempotent
    db = sqlite3.connect(journal.path)
    assert db.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
    assert db.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert journal.entries() == []


def test_an_empty_file_is_a_new_journal(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    path.touch()
    journal = Journal(path)
    assert journal.entries() == []
    begin(journal)
    assert len(journal.entries()) == 1


def test_saved_policy_account_name_round_trip_and_time_window(journal: Journal) -> None:
    policy = ResourcePolicy(ACCOUNT, ResourceKind.S3_BUCKET, "b1", None, '{"Statement": []}')
    entry_id = begin(
        journal, action="delete-bucket-policy", items=["b1"], saved_policy=policy,
        account_name="prod-payments",
    )  # fmt: skip
    entry = journal.entry(entry_id)
    assert isinstance(entry, JournalEntry)
    assert entry.saved_policy == policy
    assert entry.account_name == "prod-payments"
    future = datetime.now(UTC) + timedelta(hours=1)
    assert journal.entries(JournalQuery(since=future)) == []
    assert len(journal.entries(JournalQuery(since=future - timedelta(hours=2)))) == 1
    assert journal.entries(JournalQuery(until=future - timedelta(hours=2))) == []
    naive = (future - timedelta(hours=2)).replace(tzinfo=None)  # naive means UTC
    assert len(journal.entries(JournalQuery(since=naive, until=future))) == 1


def test_the_replacement_is_kept_next_to_the_saved_policy(journal: Journal) -> None:
    corrected = '{"Statement": [{"Effect": "Allow"}]}'
    bucket = ResourcePolicy(ACCOUNT, ResourceKind.S3_BUCKET, "b1", "eu-west-1", '{"S": 1}')
    scp = ResourcePolicy(OTHER, OrgPolicyKind.SERVICE_CONTROL_POLICY, "p-abcd1234", None, "{}")
    put = begin(journal, action="put-bucket-policy", saved_policy=bucket,
                replacement_policy=corrected)  # fmt: skip
    update = begin(journal, action="update-scp", saved_policy=scp, replacement_policy="{ }")
    removed = begin(journal, action="delete-bucket-policy", saved_policy=bucket)
    entries = {e.id: e for e in readable(journal.entries())}
    assert (entries[put].saved_policy, entries[put].replacement_policy) == (bucket, corrected)
    assert (entries[update].saved_policy, entries[update].replacement_policy) == (scp, "{ }")
    assert entries[removed].replacement_policy is None


def test_concurrent_writers(journal: Journal) -> None:
    def write(n: int) -> None:
        for i in range(20):
            entry = begin(journal, run_id=str(n), action="a", target=None, items=[str(i)])
            journal.finish(entry, JournalStatus.FAILED, error="x")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entries = readable(journal.entries())
    assert len(entries) == 160
    assert [e.id for e in entries] == sorted((e.id for e in entries), reverse=True)
    assert all(e.outcome == "failed" for e in entries)
    assert len(journal.entries(JournalQuery(limit=5))) == 5


def test_query_by_account_action_and_outcome(journal: Journal) -> None:
    outcomes = {}
    for target, action, status in (
        (ACCOUNT, "a", JournalStatus.SUCCEEDED),
        (OTHER, "b", None),
        (ACCOUNT, "b", JournalStatus.SKIPPED),
        (OTHER, "c", JournalStatus.FAILED),
    ):
        entry = begin(journal, target=target, action=action)
        if status is not None:
            journal.finish(entry, status, error="expected AccessDenied")
        outcomes[entry] = status

    def ids(**query: object) -> list[int]:
        return [e.id for e in journal.entries(JournalQuery(**query))]  # type: ignore[arg-type]

    assert ids(accounts=(ACCOUNT,)) == [3, 1]
    assert ids(accounts=(ACCOUNT,), actions=("b",)) == [3]
    assert ids(actions=("a", "c")) == [4, 1]
    assert ids(outcomes=(JournalOutcome.FAILED,)) == [4]  # skipped is not a failure
    assert ids(outcomes=(JournalOutcome.SKIPPED,)) == [3]
    assert ids(outcomes=(JournalOutcome.UNKNOWN,)) == [2]  # the intent never completed
    assert ids(outcomes=("unknown", "succeeded")) == [2, 1]  # words work too
    assert ids(accounts=(OTHER,), limit=1) == [4]
    with pytest.raises(ValueError, match="limit"):
        JournalQuery(limit=0)
    with pytest.raises(ValueError, match="intent"):
        JournalQuery(outcomes=("intent",))  # type: ignore[arg-type]  # a status, not an outcome


def test_begin_prepares_a_journal_nobody_prepared(journal: Journal) -> None:
    begin(journal)
    db = sqlite3.connect(journal.path)
    assert db.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID


# -- refusing what cannot be written, before writing ----------------------------------------


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(JournalUnavailable, match="is a directory"):
        Journal(tmp_path).prepare_for_writing()
    with pytest.raises(JournalUnavailable, match="is a directory"):
        Journal(tmp_path).entries()


def test_a_path_that_cannot_be_created_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    journal = Journal(blocker / "journal.sqlite3")
    with pytest.raises(JournalUnavailable, match="cannot create or open the journal") as caught:
        journal.prepare_for_writing()
    assert "\n" not in str(caught.value)
    assert journal.entries() == []  # reading: it does not exist


def test_a_device_is_refused() -> None:
    with pytest.raises(JournalUnavailable, match="not a regular file"):
        Journal("/dev/null").prepare_for_writing()


@pytest.mark.parametrize("content", [b"this is not a database\n" * 100, b"\x00" * 4096])
def test_a_file_that_is_not_a_database_is_refused_and_left_alone(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "j.sqlite3"
    path.write_bytes(content)
    with pytest.raises(JournalUnavailable, match="damaged or not an SQLite database") as caught:
        Journal(path).prepare_for_writing()
    assert "\n" not in str(caught.value)
    with pytest.raises(JournalUnavailable):
        Journal(path).entries()
    assert path.read_bytes() == content
    assert files_of(tmp_path) == ["j.sqlite3"]


def test_a_truncated_journal_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    write_entries(path, 150)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(JournalUnavailable, match="is damaged"):
        Journal(path).prepare_for_writing()
    assert path.read_bytes() == whole[: len(whole) // 2]


def test_a_newer_journal_is_refused_for_writing_but_can_be_read(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    write_entries(path, 2)
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {schema.LATEST + 5}")
    db.execute("CREATE TABLE from_the_future (x)")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(JournalUnavailable, match="newer rootctl") as caught:
        Journal(path).prepare_for_writing()
    assert f"schema {schema.LATEST + 5}" in str(caught.value)
    assert len(readable(Journal(path).entries())) == 2
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("application_id", "user_version", "wal"),
    [(0, 99, False), (0x4C495445, 99, False), (0, 0, True), (0, 1, True), (0, 1, False)],
)
def test_a_foreign_database_is_never_modified(
    tmp_path: Path, application_id: int, user_version: int, wal: bool
) -> None:
    path = tmp_path / "foreign.sqlite3"
    foreign_database(path, application_id=application_id, user_version=user_version, wal=wal)
    before = snapshot(tmp_path)
    journal = Journal(path)
    with pytest.raises(JournalUnavailable, match="not a rootctl journal"):
        journal.entries()
    with pytest.raises(JournalUnavailable, match="not a rootctl journal"):
        journal.entry(1)
    with pytest.raises(JournalUnavailable, match="not a rootctl journal"):
        journal.prepare_for_writing()
    with pytest.raises(JournalUnavailable, match="not a rootctl journal"):
        begin(journal)
    journal.close()
    assert snapshot(tmp_path) == before
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == user_version
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == ("wal" if wal else "delete")
    assert [r[0] for r in db.execute("SELECT name FROM sqlite_master")] == ["notes"]


# -- migrations -----------------------------------------------------------------------------


def first_release_journal(path: Path) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(FIRST_RELEASE_SCHEMA)
    db.execute(
        "INSERT INTO actions (run_id, started_at, action, target, items, status)"
        " VALUES ('r', '2026-01-02T03:04:05.678+00:00', 'delete-login-profile', ?,"
        " '[\"password\"]', 'succeeded')",
        (ACCOUNT,),
    )
    db.close()


def test_a_first_release_journal_is_read_as_is_then_upgraded_for_writing(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    first_release_journal(path)
    before = path.read_bytes()
    (old,) = readable(Journal(path).entries())
    assert (old.action, old.account_name, old.items) == (
        "delete-login-profile",
        None,
        ("password",),
    )
    assert path.read_bytes() == before  # reading migrated nothing
    journal = Journal(path)
    journal.prepare_for_writing()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
    assert db.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
    begin(journal, account_name="payments")
    assert [e.account_name for e in readable(journal.entries())] == ["payments", None]


def test_a_new_migration_is_one_entry_and_runs_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "j.sqlite3"
    write_entries(path, 1)
    extra = schema.Migration(
        schema.LATEST + 1,
        "a table for the next feature",
        (
            "CREATE TABLE plans (id INTEGER PRIMARY KEY, body TEXT)",
            "INSERT INTO plans VALUES (1, 'x')",
        ),
    )
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, extra))
    monkeypatch.setattr(schema, "LATEST", extra.version)
    Journal(path).prepare_for_writing()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == extra.version
    assert db.execute("SELECT body FROM plans").fetchall() == [("x",)]


def test_a_failing_migration_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "j.sqlite3"
    first_release_journal(path)
    broken = schema.Migration(
        schema.LATEST + 1, "broken", ("CREATE TABLE half (x)", "THIS IS NOT SQL")
    )
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, broken))
    monkeypatch.setattr(schema, "LATEST", broken.version)
    with pytest.raises(JournalUnavailable, match="cannot write to the journal"):
        Journal(path).prepare_for_writing()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1  # still the first release's
    assert db.execute("PRAGMA application_id").fetchone()[0] == 0
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert "half" not in names
    columns = {r[1] for r in db.execute("PRAGMA table_info(actions)")}
    assert "account_name" not in columns


def test_migration_versions_are_consecutive() -> None:
    assert [m.version for m in schema.MIGRATIONS] == list(range(1, schema.LATEST + 1))


# -- unreadable rows --------------------------------------------------------------------------

BAD_ROWS = [
    ("status", "'sideways'", "unknown status 'sideways'"),
    ("items", "'not json'", "items is not JSON"),
    ("items", "'{\"a\": 1}'", "items is not a list of strings"),
    ("started_at", "'yesterday'", "started_at is not a date: 'yesterday'"),
    ("finished_at", "'\x1b[31m'", "finished_at is not a date: '\\x1b[31m'"),
    ("run_id", "x'00ff'", "run_id is not text"),
]


def test_one_malformed_row_is_listed_as_unreadable_with_its_id(journal: Journal) -> None:
    for n in range(len(BAD_ROWS) + 1):
        entry = begin(journal, items=[f"item-{n}"])
        journal.finish(entry, JournalStatus.SUCCEEDED)
    db = sqlite3.connect(journal.path)
    for entry_id, (column, value, _problem) in enumerate(BAD_ROWS, start=2):
        db.execute(f"UPDATE actions SET {column} = {value} WHERE id = {entry_id}")  # noqa: S608
    db.commit()
    rows = journal.entries()
    assert [r.id for r in rows] == list(range(len(BAD_ROWS) + 1, 0, -1))
    by_id = {r.id: r for r in rows}
    assert isinstance(by_id[1], JournalEntry)
    for entry_id, (_column, _value, problem) in enumerate(BAD_ROWS, start=2):
        row = by_id[entry_id]
        assert isinstance(row, UnreadableEntry), row
        assert problem in row.problem
        assert row.outcome == "unreadable"
        assert journal.entry(entry_id) == row
    # Read-only readers see the same.
    assert Journal(journal.path).entries() == rows


def test_an_unknown_saved_policy_kind_is_unreadable(journal: Journal) -> None:
    policy = ResourcePolicy(ACCOUNT, ResourceKind.SQS_QUEUE, "https://q", "eu-west-1", "{}")
    entry_id = begin(journal, saved_policy=policy)
    db = sqlite3.connect(journal.path)
    db.execute("UPDATE saved_policies SET kind = 'dynamodb-table'")
    db.commit()
    row = journal.entry(entry_id)
    assert isinstance(row, UnreadableEntry)
    assert "unknown saved policy kind 'dynamodb-table'" in row.problem
