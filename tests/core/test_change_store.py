"""The stores of governed changes in the journal file: a plan is used once and a window is
closed by one closer, whichever process (or machine sharing the file) asks; older journals read
as empty and are never upgraded by reading."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from rootctl.errors import InputError
from rootctl.journal import Journal, schema
from rootctl.models import (
    Approval,
    Baseline,
    JournalQuery,
    PlanUse,
    RecoveryWindow,
    WindowState,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HASH = "a" * 64
ACCOUNT = "630495867701"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "j.sqlite3"


@pytest.fixture
def journals(path: Path) -> Iterator[tuple[Journal, Journal]]:
    """Two stores on one file, as two processes (or machines on a shared file) have."""
    first, second = Journal(path), Journal(path)
    yield first, second
    first.close()
    second.close()


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


def test_a_plan_is_claimed_once_across_processes(journals: tuple[Journal, Journal]) -> None:
    first, second = journals
    results: list[PlanUse | None] = []
    barrier = threading.Barrier(8)

    def claim(n: int) -> None:
        store = first if n % 2 else second
        barrier.wait()
        results.append(store.plans.claim(use(f"run-{n}")))

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(None) == 1  # exactly one claim recorded the use
    winner = next(u for u in results if u is not None).run_id
    assert all(u is None or u.run_id == winner for u in results)
    first.plans.finish(HASH, "applied", NOW + timedelta(minutes=1))
    recorded = second.plans.use(HASH)
    assert recorded is not None
    assert recorded.outcome == "applied"
    assert recorded.finished_at == NOW + timedelta(minutes=1)


def test_approvals_are_recorded_once_per_principal(journals: tuple[Journal, Journal]) -> None:
    first, second = journals
    reviewer = "arn:aws:iam::123456789012:user/reviewer"
    first.plans.record_approval(HASH, Approval(reviewer, NOW, HASH))
    second.plans.record_approval(HASH, Approval(reviewer, NOW + timedelta(hours=1), HASH))
    assert [a.approved_at for a in first.plans.approvals(HASH)] == [NOW]
    assert first.plans.approvals("b" * 64) == []


def test_one_active_window_per_account(journals: tuple[Journal, Journal]) -> None:
    first, second = journals
    opened = first.windows.open(a_window())
    assert opened.id == 1
    assert opened.state is WindowState.OPEN
    assert opened.baseline.access_keys == ("AKIAOLD",)
    with pytest.raises(InputError, match="already has a recovery window"):
        second.windows.open(a_window())
    second.windows.open(a_window(account_id="418273645501"))  # another account is fine
    first.windows.finish(opened.id, WindowState.CLOSED, at=NOW, by="arn:closer", evidence="{}")
    again = second.windows.open(a_window())  # once closed, a new one may open
    assert again.id == 3


def test_one_closer_per_window_and_stale_claims_are_taken_over(
    journals: tuple[Journal, Journal],
) -> None:
    first, second = journals
    window = first.windows.open(a_window())
    stale = NOW - timedelta(minutes=15)
    claims: list[RecoveryWindow | None] = []
    barrier = threading.Barrier(6)

    def claim(n: int) -> None:
        store = first if n % 2 else second
        barrier.wait()
        claims.append(store.windows.claim(window.id, f"closer-{n}", NOW, stale))

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    won = [c for c in claims if c is not None]
    assert len(won) == 1
    assert won[0].state is WindowState.CLOSING
    # A closer that died: after the stale time its claim is taken over, once.
    later = NOW + timedelta(minutes=20)
    assert first.windows.claim(window.id, "late", later, later - timedelta(minutes=15))
    assert second.windows.claim(window.id, "later", later, later - timedelta(minutes=15)) is None
    closed = first.windows.finish(
        window.id, WindowState.CLOSED, at=later, by="late", note="done", evidence='{"a": 1}'
    )
    assert (closed.state, closed.closed_by, closed.evidence) == (
        WindowState.CLOSED,
        "late",
        '{"a": 1}',
    )
    assert second.windows.claim(window.id, "after", later, later) is None


def test_listing_windows(journals: tuple[Journal, Journal]) -> None:
    first, _ = journals
    old = first.windows.open(a_window(opened_at=NOW - timedelta(days=30)))
    first.windows.finish(old.id, WindowState.CLOSED, at=NOW, by="x")
    active = first.windows.open(a_window(account_id="418273645501"))
    assert [w.id for w in first.windows.windows(active_only=True)] == [active.id]
    assert [w.id for w in first.windows.windows(since=NOW - timedelta(days=1))] == [active.id]
    assert [w.id for w in first.windows.windows()] == [active.id, old.id]
    assert [w.id for w in first.windows.windows(account_id=ACCOUNT)] == [old.id]


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


def test_no_journal_file_reads_as_empty_and_is_not_created(path: Path) -> None:
    journal = Journal(path)
    assert journal.windows.windows(active_only=True) == []
    assert journal.plans.approvals(HASH) == []
    assert not path.exists()
