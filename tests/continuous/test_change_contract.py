"""The change-control contract (rootctl.journal.changes), run against both journal backends
like the journal store contract: a plan is used once and approved once per principal, an
account has one active window and a window one closer — whichever of two stores (processes,
or machines sharing the file or table) asks, threads racing included — and reading a store
that does not exist reads as empty and creates nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import boto3
import pytest

from rootctl.errors import InputError
from rootctl.models import Approval, Baseline, PlanUse, RecoveryWindow, WindowState
from tests.continuous.test_journal_contract import Store, backend, open_store

__all__ = ["backend"]  # the fixture: sqlite, dynamodb

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HASH = "a" * 64
ACCOUNT = "630495867701"
T = TypeVar("T")


def two_stores(backend: str, tmp_path: Path) -> tuple[Store, Store]:
    """Two stores on one journal, as two processes (or machines) have."""
    first, second = open_store(backend, tmp_path), open_store(backend, tmp_path)
    first.prepare_for_writing()
    return first, second


def race(count: int, attempt: Callable[[int], T]) -> list[T]:
    """``attempt(n)`` from ``count`` threads released together."""
    results: list[T] = []
    barrier = threading.Barrier(count)

    def run(n: int) -> None:
        barrier.wait()
        results.append(attempt(n))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def use(run_id: str) -> PlanUse:
    return PlanUse(HASH, "plan-1", run_id, "arn:aws:iam::123456789012:user/admin", NOW)


def a_window(**changes: object) -> RecoveryWindow:
    fields: dict[str, object] = {
        "id": 0,
        "account_id": ACCOUNT,
        "account_name": "sandbox-alice",
        "reason": "vendor needs root",
        "ticket": "CHG-1",
        "opened_by": "arn:aws:iam::123456789012:user/admin",
        "opened_at": NOW,
        "expires_at": NOW + timedelta(hours=2),
        "state": WindowState.OPEN,
        "baseline": Baseline(("AKIAOLD",), (), ()),
    } | changes
    return RecoveryWindow(**fields)  # type: ignore[arg-type]


def test_a_plan_is_claimed_once_by_racing_applies(backend: str, tmp_path: Path) -> None:
    first, second = two_stores(backend, tmp_path)
    results = race(8, lambda n: (first if n % 2 else second).plans.claim(use(f"run-{n}")))
    assert results.count(None) == 1  # exactly one claim recorded the use
    winner = next(u for u in results if u is not None).run_id
    assert all(u is None or u.run_id == winner for u in results)
    assert second.plans.claim(use("late")) is not None  # and later ones are refused too
    first.plans.finish(HASH, "applied", NOW + timedelta(minutes=1))
    recorded = second.plans.use(HASH)
    assert recorded is not None
    assert (recorded.run_id, recorded.outcome) == (winner, "applied")
    assert recorded.finished_at == NOW + timedelta(minutes=1)
    assert recorded.started_at == NOW
    first.plans.finish("b" * 64, "applied", NOW)  # no use recorded: nothing happens
    assert first.plans.use("b" * 64) is None


def test_approvals_are_recorded_once_per_principal(backend: str, tmp_path: Path) -> None:
    first, second = two_stores(backend, tmp_path)
    reviewer = "arn:aws:iam::123456789012:user/reviewer"
    other = "arn:aws:iam::123456789012:user/other"
    first.plans.record_approval(HASH, Approval(reviewer, NOW, HASH))
    second.plans.record_approval(HASH, Approval(reviewer, NOW + timedelta(hours=1), HASH))
    second.plans.record_approval(HASH, Approval(other, NOW - timedelta(hours=1), HASH))
    approvals = first.plans.approvals(HASH)
    assert [(a.approver_arn, a.approved_at) for a in approvals] == [
        (other, NOW - timedelta(hours=1)),
        (reviewer, NOW),
    ]  # oldest first; the reviewer's first approval stays
    assert first.plans.approvals("b" * 64) == []


def test_one_active_window_per_account(backend: str, tmp_path: Path) -> None:
    first, second = two_stores(backend, tmp_path)
    opened = first.windows.open(a_window())
    assert opened.id >= 1
    assert opened.state is WindowState.OPEN
    assert opened.baseline.access_keys == ("AKIAOLD",)
    assert (opened.opened_at, opened.ticket, opened.account_name) == (NOW, "CHG-1", "sandbox-alice")
    with pytest.raises(InputError, match=f"already has a recovery window .*#{opened.id}"):
        second.windows.open(a_window())
    elsewhere = second.windows.open(a_window(account_id="418273645501"))
    assert elsewhere.id > opened.id
    failed = first.windows.finish(opened.id, WindowState.CLOSE_FAILED, at=NOW, note="stuck")
    assert (failed.state, failed.note) == (WindowState.CLOSE_FAILED, "stuck")
    with pytest.raises(InputError):  # close-failed still needs closing
        second.windows.open(a_window())
    first.windows.finish(opened.id, WindowState.CLOSED, at=NOW, by="arn:closer", evidence="{}")
    again = second.windows.open(a_window())  # once closed, a new one may open
    assert again.id > elsewhere.id
    not_opened = second.windows.finish(again.id, WindowState.NOT_OPENED, at=NOW, note="denied")
    assert (not_opened.state, not_opened.closed_by) == (WindowState.NOT_OPENED, None)
    assert first.windows.open(a_window()).id > again.id  # not-opened is not active either


def test_one_closer_per_window_and_stale_claims_are_taken_over(
    backend: str, tmp_path: Path
) -> None:
    first, second = two_stores(backend, tmp_path)
    window = first.windows.open(a_window())
    stale = NOW - timedelta(minutes=15)
    claims = race(
        6, lambda n: (first if n % 2 else second).windows.claim(window.id, f"c-{n}", NOW, stale)
    )
    won = [c for c in claims if c is not None]
    assert len(won) == 1
    assert won[0].state is WindowState.CLOSING
    assert won[0].claimed_at == NOW
    # A closer that died: after the stale time its claim is taken over, once.
    later = NOW + timedelta(minutes=20)
    assert first.windows.claim(window.id, "late", later, later - timedelta(minutes=15))
    assert second.windows.claim(window.id, "later", later, later - timedelta(minutes=15)) is None
    closed = first.windows.finish(
        window.id, WindowState.CLOSED, at=later, by="late", note="done", evidence='{"a": 1}'
    )
    assert (closed.state, closed.closed_by, closed.closed_at, closed.evidence) == (
        WindowState.CLOSED,
        "late",
        later,
        '{"a": 1}',
    )
    assert second.windows.claim(window.id, "after", later, later) is None
    assert second.windows.claim(window.id + 99, "nobody", later, later) is None


def test_racing_sweeps_close_each_window_once(backend: str, tmp_path: Path) -> None:
    """Two sweeps on two machines: every due window goes to exactly one of them."""
    first, second = two_stores(backend, tmp_path)
    accounts = [f"63049586770{n}" for n in range(3)]
    ids = [first.windows.open(a_window(account_id=a)).id for a in accounts]
    stale = NOW - timedelta(minutes=15)
    claims = race(
        6,
        lambda n: [
            w.id
            for w in (first if n % 2 else second).windows.windows(active_only=True)
            if (first if n % 2 else second).windows.claim(w.id, f"sweep-{n}", NOW, stale)
        ],
    )
    claimed = sorted(i for got in claims for i in got)
    assert claimed == sorted(ids)


def test_listing_windows(backend: str, tmp_path: Path) -> None:
    first, _ = two_stores(backend, tmp_path)
    old = first.windows.open(a_window(opened_at=NOW - timedelta(days=30)))
    first.windows.finish(old.id, WindowState.CLOSED, at=NOW, by="x")
    active = first.windows.open(a_window(account_id="418273645501"))
    assert [w.id for w in first.windows.windows(active_only=True)] == [active.id]
    assert [w.id for w in first.windows.windows(since=NOW - timedelta(days=1))] == [active.id]
    assert [w.id for w in first.windows.windows()] == [active.id, old.id]
    assert [w.id for w in first.windows.windows(limit=1)] == [active.id]
    assert [w.id for w in first.windows.windows(account_id=ACCOUNT)] == [old.id]
    assert first.windows.window(old.id) == first.windows.windows(account_id=ACCOUNT)[0]
    assert first.windows.window(active.id + 99) is None


def test_a_missing_store_reads_as_empty_and_is_not_created(backend: str, tmp_path: Path) -> None:
    store = open_store(backend, tmp_path)
    assert store.windows.windows(active_only=True) == []
    assert store.windows.window(1) is None
    assert store.plans.approvals(HASH) == []
    assert store.plans.use(HASH) is None
    if backend == "sqlite":
        assert not (tmp_path / "journal.sqlite3").exists()
    else:
        assert "rootctl-journal" not in boto3.client("dynamodb").list_tables()["TableNames"]
