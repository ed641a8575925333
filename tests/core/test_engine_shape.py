"""The engine's shape, end to end on the sandbox: an account's reads side by side in its
session, never more root sessions open than the concurrency, one surface for S3 and SQS."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import rootctl
from rootctl.aws import root_user
from rootctl.aws.session import AwsSession
from rootctl.sandbox import Sandbox
from tests.conftest import AwsEnv

ALICE = "630495867701"  # no root credentials
PAYMENTS = "418273645501"  # locked bucket
ORDERS = "418273645505"  # locked queue


@pytest.fixture
def engine(aws_env: AwsEnv, tmp_path: Path) -> Iterator[rootctl.RootAccess]:
    with rootctl.RootAccess(
        rootctl.ConnectionOptions(endpoint_url=aws_env.endpoint_url, region="us-east-1"),
        journal=tmp_path / "journal.sqlite3",
        concurrency=3,
    ) as ra:
        ra.enable()
        yield ra


def test_an_accounts_four_reads_cost_one_round_trip(
    engine: rootctl.RootAccess, sandbox: Sandbox
) -> None:
    sandbox.faults.update(latency_ms=300, match=["iam:List*", "iam:Get*"])
    aws = engine._ctx.aws
    with aws.assume_root(ALICE, rootctl.TaskPolicy.AUDIT, 60) as session:
        session.credentials()  # warm up this thread's and the readers' clients
        started = time.perf_counter()
        credentials = session.credentials()
        elapsed = time.perf_counter() - started
    assert not credentials.has_root_credentials
    # One after another the four reads take >= 1.2 s; side by side about 0.3 s.
    assert elapsed < 0.9, f"the reads took {elapsed:.2f} s: they did not run side by side"


def test_never_more_root_sessions_open_than_the_concurrency(
    engine: rootctl.RootAccess, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = threading.Lock()
    open_now = peak = opened = 0
    original = AwsSession.assume_root

    @contextmanager
    def counting(self: AwsSession, *args: Any, **kwargs: Any) -> Iterator[Any]:
        nonlocal open_now, peak, opened
        with original(self, *args, **kwargs) as session:
            with lock:
                open_now += 1
                opened += 1
                peak = max(peak, open_now)
            try:
                time.sleep(0.02)  # keep sessions open long enough to overlap
                yield session
            finally:
                with lock:
                    open_now -= 1

    monkeypatch.setattr(AwsSession, "assume_root", counting)
    targets = engine.select_targets(rootctl.TargetSelector(all=True))
    report = engine.audit(targets)
    assert opened == len(targets.selected) > 3
    assert peak <= 3
    assert not report.failed


def test_one_surface_for_buckets_and_queues(engine: rootctl.RootAccess) -> None:
    for account, kind in ((PAYMENTS, rootctl.ResourceKind.S3_BUCKET),
                          (ORDERS, rootctl.ResourceKind.SQS_QUEUE)):  # fmt: skip
        listing = engine.policies(account, kind)
        assert listing.kind is kind
        assert listing.account_id == account
        locked = [p for p in listing.resources if p.policy is not None]
        assert locked, f"the example organization locks a {kind.value} in {account}"
        result = engine.unlock(account, kind, locked[0].resource)
        assert result.state is rootctl.UnlockState.REMOVED
        assert engine.policy(account, kind, locked[0].resource).policy is None
        entry = engine.journal_entry(result.journal_id or 0)
        assert isinstance(entry, rootctl.JournalEntry)
        saved = entry.saved_policy
        assert saved is not None
        assert saved.policy == locked[0].policy


def test_two_keys_last_use_read_side_by_side(
    engine: rootctl.RootAccess, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = sandbox.add_root_access_key(ALICE).access_key_id
    second = sandbox.add_root_access_key(ALICE).access_key_id
    readers: list[str] = []
    original = root_user.access_key

    def recording(iam: Any, raw: dict[str, Any], with_last_used: bool) -> Any:
        readers.append(threading.current_thread().name)
        return original(iam, raw, with_last_used)

    monkeypatch.setattr(root_user, "access_key", recording)
    with engine._ctx.aws.assume_root(ALICE, rootctl.TaskPolicy.AUDIT, 60) as session:
        listed = [key.id for key in session.access_keys(with_last_used=False)]
        readers.clear()
        keys = session.credentials().access_keys
    assert sorted(listed) == sorted([first, second])
    assert [key.id for key in keys] == listed  # in the order IAM lists them
    assert len(readers) == 2
    assert len(set(readers)) == 2, f"the two keys were read in one thread: {readers}"


def test_a_reader_runs_its_own_parallel_calls_in_turn(engine: rootctl.RootAccess) -> None:
    """A reader thread waiting on other readers could starve the pool: it runs them itself."""
    ran: list[str] = []

    def here() -> None:
        ran.append(threading.current_thread().name)

    with engine._ctx.aws.assume_root(ALICE, rootctl.TaskPolicy.AUDIT, 60) as session:
        session.parallel([lambda: None, lambda: session.parallel([here, here, here])])
    assert len(ran) == 3
    assert len(set(ran)) == 1
    assert ran[0].startswith("rootctl-read")


def test_every_worker_and_reader_has_a_pooled_connection(
    engine: rootctl.RootAccess, sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    """Every worker and its four readers hold a connection at once: a pool smaller than that
    makes urllib3 open (and then drop) a connection per extra request."""
    sandbox.faults.update(latency_ms=100, match=["iam:List*", "iam:Get*", "sts:AssumeRoot"])
    caplog.set_level(logging.WARNING, logger="urllib3.connectionpool")
    report = engine.audit(engine.select_targets(rootctl.TargetSelector(all=True)))
    assert not report.failed
    assert "Connection pool is full" not in caplog.text


def test_root_sessions_share_the_callers_service_models_not_its_credentials(
    engine: rootctl.RootAccess,
) -> None:
    aws = engine._ctx.aws
    with aws.assume_root(ALICE, rootctl.TaskPolicy.AUDIT, 60) as session:
        session.credentials()
    root = aws._root_session
    assert root is not None
    caller, own = aws._session._session, root._session
    assert own.get_component("data_loader") is caller.get_component("data_loader")
    assert own.get_component("credential_provider") is not caller.get_component(
        "credential_provider"
    )


def test_root_sessions_share_one_client_per_service_and_region(
    engine: rootctl.RootAccess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building a client costs more CPU than an account's calls with it: a scan of every
    account builds one S3 and one SQS client for the run, not one per root session."""
    built: list[str] = []
    original = AwsSession._build

    def counting(self: AwsSession, session: Any, service: str, *args: Any, **kw: Any) -> Any:
        built.append(service)
        return original(self, session, service, *args, **kw)

    monkeypatch.setattr(AwsSession, "_build", counting)
    targets = engine.select_targets(rootctl.TargetSelector(all=True))
    report = engine.find_lockouts(targets)
    assert not report.failed
    # one per Region the example organization's buckets and queues are in (at most two)
    assert 1 <= built.count("s3") <= 2
    assert built.count("sqs") == 1
    assert len(targets.selected) > 2 * len(built)
