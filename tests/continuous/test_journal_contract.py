"""The journal store contract, run against both backends: SQLite (a file) and DynamoDB (a
table in the sandbox's moto, in-process). Intent before outcome, ids that grow, newest first,
filters, saved policies, reading a missing store as empty without creating it, refusing what
is not a journal, and the watch lease's conditional writes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import boto3
import pytest

from rootctl.aws.journal_dynamodb import ATTRIBUTES, KEYS, DynamoJournal
from rootctl.aws.session import AwsSession, ConnectionOptions
from rootctl.errors import JournalUnavailable
from rootctl.journal import Journal, JournalStore, LeaseStore
from rootctl.models import (
    JournalEntry,
    JournalOutcome,
    JournalQuery,
    JournalStatus,
    ResourceKind,
    ResourcePolicy,
)
from rootctl.sandbox import Sandbox


class Store(JournalStore, LeaseStore):
    """Both protocols (for the type checker)."""


@pytest.fixture(params=["sqlite", "dynamodb"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield "sqlite"
        return
    request.getfixturevalue("in_process_sandbox")
    yield "dynamodb"


def open_store(backend: str, tmp_path: Path, name: str = "journal") -> Store:
    if backend == "sqlite":
        return Journal(tmp_path / f"{name}.sqlite3")  # type: ignore[return-value]
    aws = AwsSession(ConnectionOptions(region="us-east-1"))
    return DynamoJournal(f"rootctl-{name}", lambda: aws)  # type: ignore[return-value]


def test_actions(backend: str, tmp_path: Path) -> None:
    store = open_store(backend, tmp_path)
    assert store.entries() == []  # missing: empty, and nothing created
    assert store.entry(1) is None
    if backend == "dynamodb":
        assert "rootctl-journal" not in boto3.client("dynamodb").list_tables()["TableNames"]
    store.prepare_for_writing()
    policy = ResourcePolicy(
        "111122223333", ResourceKind.S3_BUCKET, "locked", None, '{"Version": "x"}'
    )
    first = store.begin(
        run_id="r1",
        action="delete-login-profile",
        target="111122223333",
        task_policy="arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials",
        caller_arn="arn:aws:iam::123456789012:user/admin",
        items=["login-profile"],
        account_name="prod",
    )
    (intent,) = store.entries()
    assert isinstance(intent, JournalEntry)
    assert intent.status is JournalStatus.INTENT
    assert intent.outcome is JournalOutcome.UNKNOWN
    assert intent.finished_at is None
    store.finish(first, JournalStatus.SUCCEEDED, request_id="req-1")
    second = store.begin(
        run_id="r1",
        action="delete-bucket-policy",
        target="444455556666",
        task_policy=None,
        caller_arn=None,
        saved_policy=policy,
    )
    store.finish(second, JournalStatus.FAILED, error="AccessDenied: no")
    assert second > first
    rows = store.entries()
    assert [r.id for r in rows] == [second, first]  # newest first
    done = store.entry(first)
    assert isinstance(done, JournalEntry)
    assert (done.status, done.request_id, done.items, done.account_name) == (
        JournalStatus.SUCCEEDED,
        "req-1",
        ("login-profile",),
        "prod",
    )
    saved = store.entry(second)
    assert isinstance(saved, JournalEntry)
    assert saved.saved_policy == policy
    assert saved.error == "AccessDenied: no"
    assert [r.id for r in store.entries(JournalQuery(accounts=("444455556666",)))] == [second]
    assert [r.id for r in store.entries(JournalQuery(actions=("delete-login-profile",)))] == [first]
    failed = store.entries(JournalQuery(outcomes=(JournalOutcome.FAILED,)))
    assert [r.id for r in failed] == [second]
    assert len(store.entries(JournalQuery(limit=1))) == 1
    store.close()
    reopened = open_store(backend, tmp_path)
    assert [r.id for r in reopened.entries()] == [second, first]  # durable


def test_lease_and_watch_state(backend: str, tmp_path: Path) -> None:
    store = open_store(backend, tmp_path)
    store.prepare_for_writing()
    ttl = timedelta(seconds=60)
    mine = store.acquire_lease("watch", "a", ttl)
    assert mine.held
    assert mine.taken_over_from is None
    other = open_store(backend, tmp_path)
    refused = other.acquire_lease("watch", "b", ttl)
    assert not refused.held
    assert refused.holder == "a"
    assert not other.renew_lease("watch", "b", ttl)
    assert store.renew_lease("watch", "a", ttl)
    store.release_lease("watch", "a")
    assert other.acquire_lease("watch", "b", timedelta(seconds=-1)).held  # at once stale
    taken = store.acquire_lease("watch", "a", ttl)
    assert taken.held
    assert taken.taken_over_from == "b"
    assert not other.renew_lease("watch", "b", ttl)  # b learns it lost the lease
    assert store.load_watch_state("watch") is None
    store.save_watch_state("watch", '{"violations": ["x"]}')
    assert other.load_watch_state("watch") == '{"violations": ["x"]}'


def test_refuses_what_is_not_a_journal(backend: str, tmp_path: Path) -> None:
    if backend == "sqlite":
        path = tmp_path / "other.sqlite3"
        import sqlite3

        sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
        store: JournalStore = Journal(path)
    else:
        db = boto3.client("dynamodb")
        db.create_table(
            TableName="rootctl-other",
            AttributeDefinitions=ATTRIBUTES,
            KeySchema=KEYS,
            BillingMode="PAY_PER_REQUEST",
        )
        db.put_item(TableName="rootctl-other", Item={"pk": {"S": "x"}, "sk": {"S": "y"}})
        store = open_store(backend, tmp_path, "other")
    with pytest.raises(JournalUnavailable):
        store.prepare_for_writing()
    with pytest.raises(JournalUnavailable):
        store.entries()


def test_engine_takes_a_dynamodb_url(in_process_sandbox: Sandbox) -> None:
    import rootctl

    with rootctl.RootAccess(journal="dynamodb://rootctl-engine") as ra:
        assert ra.journal.location == "dynamodb://rootctl-engine"
        ra.prepare_journal()
        assert ra.journal_entries() == []


def test_an_id_already_taken_costs_an_id_not_the_action(
    in_process_sandbox: Sandbox, tmp_path: Path
) -> None:
    """The counter behind its rows (restored from a backup, an emulator's ADD racing): the
    intent row is written under the next free id, never over another row."""
    store = open_store("dynamodb", tmp_path)
    store.prepare_for_writing()
    first = store.begin(
        run_id="r1", action="delete-login-profile", target="1", task_policy=None, caller_arn=None
    )
    db = boto3.client("dynamodb")
    for taken in (first + 1, first + 2):  # rows the counter does not know about
        row = {"pk": "action", "sk": f"{taken:020d}", "run_id": "other", "items": "[]",
               "started_at": "2026-01-01T00:00:00+00:00", "action": "delete-access-key",
               "status": "intent"}  # fmt: skip
        item = {name: {"S": value} for name, value in row.items()} | {"id": {"N": str(taken)}}
        db.put_item(TableName="rootctl-journal", Item=item)
    second = store.begin(
        run_id="r2", action="delete-login-profile", target="2", task_policy=None, caller_arn=None
    )
    assert second == first + 3
    written = store.entry(second)
    assert isinstance(written, JournalEntry)
    assert written.target == "2"
    other = store.entry(first + 1)
    assert isinstance(other, JournalEntry)
    assert other.run_id == "other"  # left as it was
