from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta

from rootctl.journal import Journal, default_path
from rootctl.models import JournalStatus, ResourceKind, ResourcePolicy


def test_default_path_honours_env_and_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("ROOTCTL_JOURNAL", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert default_path() == tmp_path / "rootctl" / "journal.sqlite3"
    monkeypatch.setenv("ROOTCTL_JOURNAL", str(tmp_path / "j.sqlite3"))
    assert default_path() == tmp_path / "j.sqlite3"


def test_reading_a_missing_journal_creates_nothing(tmp_path):
    journal = Journal(tmp_path / "none.sqlite3")
    assert journal.entries() == []
    assert journal.entry(1) is None
    assert not (tmp_path / "none.sqlite3").exists()


def test_intent_then_outcome_and_wal(tmp_path):
    path = tmp_path / "j.sqlite3"
    journal = Journal(path)
    entry_id = journal.begin(
        run_id="r1",
        action="delete-access-key",
        target="222222222222",
        task_policy="arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials",
        caller_arn="arn:aws:iam::111111111111:user/admin",
        items=["AKIAEXAMPLE"],
    )
    # A second reader (another process, or a crash) sees the intent row right away.
    other = Journal(path)
    (pending,) = other.entries()
    assert pending.status is JournalStatus.INTENT
    assert pending.outcome == "unknown"
    journal.finish(entry_id, JournalStatus.SUCCEEDED, request_id="req-1")
    (done,) = other.entries()
    assert (done.outcome, done.request_id, done.items) == ("succeeded", "req-1", ("AKIAEXAMPLE",))
    assert done.finished_at is not None
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_saved_policy_round_trip_and_since(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    policy = ResourcePolicy("222222222222", ResourceKind.S3_BUCKET, "b1", None, '{"Statement": []}')
    entry_id = journal.begin(
        run_id="r",
        action="delete-bucket-policy",
        target="222222222222",
        task_policy=None,
        caller_arn=None,
        items=["b1"],
        saved_policy=policy,
    )
    entry = journal.entry(entry_id)
    assert entry is not None
    assert entry.saved_policy == policy
    future = datetime.now(UTC) + timedelta(hours=1)
    assert journal.entries(since=future) == []
    assert len(journal.entries(since=future - timedelta(hours=2))) == 1


def test_concurrent_writers(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")

    def write(n: int) -> None:
        for i in range(20):
            entry = journal.begin(
                run_id=str(n), action="a", target=None, task_policy=None, caller_arn=None,
                items=[str(i)],
            )  # fmt: skip
            journal.finish(entry, JournalStatus.FAILED, error="x")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entries = journal.entries()
    assert len(entries) == 160
    assert all(e.outcome == "failed" for e in entries)
    assert len(journal.entries(limit=5)) == 5


def test_filters(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    for target, action in (("222222222222", "a"), ("333333333333", "b"), ("222222222222", "b")):
        entry = journal.begin(
            run_id="r", action=action, target=target, task_policy=None, caller_arn=None
        )
        if action == "a":
            journal.finish(entry, JournalStatus.SUCCEEDED)
    assert len(journal.entries(target="222222222222")) == 2
    assert len(journal.entries(target="222222222222", action="b")) == 1
    assert [e.action for e in journal.entries(status=JournalStatus.SUCCEEDED)] == ["a"]
