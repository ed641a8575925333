"""The one per-account fan-out every operation runs on: bounded concurrency, progress, clean
cancellation, and a row for every account — worked on, failed, skipped or not run.

An operation supplies only its per-account work; :func:`in_root_sessions` also opens (and
closes) the task's root session around it. Ctrl-C (KeyboardInterrupt in the calling thread) or
a set ``cancel`` event stops the run: accounts not yet started are reported as not-run,
accounts in flight finish their current item (work functions check the event between items).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

from rootctl.aws.root_session import RootSession
from rootctl.core.context import SESSION_SECONDS, Context
from rootctl.errors import RootctlError
from rootctl.models import (
    Account,
    AccountResult,
    ProgressCallback,
    ProgressEvent,
    TargetSet,
    TaskPolicy,
)

R = TypeVar("R", bound=AccountResult)

NOT_STARTED = "interrupted before it ran"
# An item an account in progress did not reach: the run was stopped (Ctrl-C, a cancelled job).
STOPPED_BEFORE = "interrupted: the run stopped before this item"


@dataclass(frozen=True)
class FanOut(Generic[R]):
    """Rows in the order of the accounts given (skipped accounts last), and whether the run
    was interrupted."""

    rows: tuple[R, ...]
    interrupted: bool


@dataclass(frozen=True)
class Run:
    """How to run a fan-out: how wide, whom to tell, what stops it, what to call the phase."""

    concurrency: int
    progress: ProgressCallback | None = None
    cancel: threading.Event | None = None
    phase: str = ""


class AccountFeed:
    """Accounts that arrive while a fan-out runs (the organization is still being read): the
    fan-out starts each as it arrives. ``close`` says that no more will come."""

    def __init__(self, accounts: Iterable[Account] = ()) -> None:
        self._lock = threading.Lock()
        self._arrived: list[Account] = list(accounts)
        self._closed = False
        self.abandoned = False
        self._listeners: list[Callable[[], None]] = []

    @classmethod
    def of(cls, accounts: Iterable[Account]) -> AccountFeed:
        """A feed that already holds every account."""
        feed = cls(accounts)
        feed.close()
        return feed

    def add(self, accounts: Iterable[Account]) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("accounts added to a closed feed")
            self._arrived.extend(accounts)
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def close(self) -> None:
        self._end(abandoned=False)

    def abandon(self) -> None:
        """Close the feed and stop the fan-out: accounts not yet started are not run (what
        fed it failed)."""
        self._end(abandoned=True)

    def _end(self, *, abandoned: bool) -> None:
        with self._lock:
            self._closed = True
            self.abandoned = self.abandoned or abandoned
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def listen(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (from the adding thread) whenever accounts arrive or it closes."""
        with self._lock:
            self._listeners.append(listener)

    def since(self, seen: int) -> tuple[list[Account], bool]:
        """The accounts after the first ``seen``, and whether the feed is closed."""
        with self._lock:
            return self._arrived[seen:], self._closed


def fan_out(
    accounts: Sequence[Account] | AccountFeed,
    work: Callable[[Account, threading.Event], R],
    result: type[R],
    run: Run,
    *,
    skipped: TargetSet | None = None,
    not_run: Callable[[Account], R] | None = None,
) -> FanOut[R]:
    """``work`` on every account, at most ``run.concurrency`` at once. An exception from
    ``work`` becomes that account's failed row; ``not_run`` builds the row of an account the
    run never reached (default: ``result.not_run``); ``skipped`` adds a row per skipped target.

    From a feed, the rows are in the order the accounts arrived; an interrupted run returns
    without waiting for the feed to close (accounts that had not arrived have no row)."""
    cancel = run.cancel or threading.Event()
    unreached = not_run or (lambda account: result.not_run(account, NOT_STARTED))
    feed = accounts if isinstance(accounts, AccountFeed) else AccountFeed.of(accounts)
    tracker: _Tracker[R] = _Tracker(run)

    def guarded(account: Account) -> R:
        if cancel.is_set():
            return unreached(account)
        try:
            return work(account, cancel)
        except Exception as exc:  # one account's surprise must not hide the others
            return result.failed(account, f"unexpected error: {exc!r}")

    interrupted = _collect(feed, guarded, tracker, cancel, run.concurrency)
    for index, account in enumerate(tracker.accounts):
        if index not in tracker.rows:
            tracker.record(index, unreached(account))
    rows = tuple(tracker.rows[i] for i in range(len(tracker.accounts)))
    if skipped is not None:
        rows += tuple(result.skipped(s.account, s.reason) for s in skipped.skipped)
    return FanOut(rows, interrupted or cancel.is_set())


def in_root_sessions(
    ctx: Context,
    accounts: Sequence[Account] | AccountFeed,
    task: TaskPolicy,
    work: Callable[[RootSession, Account, threading.Event], R],
    result: type[R],
    run: Run,
    *,
    skipped: TargetSet | None = None,
    not_run: Callable[[Account], R] | None = None,
    session_failed: Callable[[Account, RootctlError], R] | None = None,
) -> FanOut[R]:
    """:func:`fan_out` with a ``task`` root session opened around each account's ``work``; an
    account whose session cannot be opened gets ``session_failed`` (default: a failed row
    saying why)."""

    run_id = ctx.new_run_id()
    # Sessions that may change something are recorded before they are used; read-only ones
    # (audits) in one write at the end.
    durable = task is not TaskPolicy.AUDIT

    def per_account(account: Account, cancel: threading.Event) -> R:
        try:
            with ctx.aws.assume_root(account.id, task, SESSION_SECONDS[task]) as session:
                ctx.opened(session, run_id=run_id, purpose=run.phase or task.name, durable=durable)
                return work(session, account, cancel)
        except RootctlError as exc:
            if session_failed is not None:
                return session_failed(account, exc)
            return result.failed(account, str(exc))

    try:
        return fan_out(accounts, per_account, result, run, skipped=skipped, not_run=not_run)
    finally:
        ctx.flush_sessions()


class _Tracker(Generic[R]):
    """The accounts started so far, their rows by index, and the progress events as they
    arrive (the total is the accounts known so far: it grows while a feed is open)."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.accounts: list[Account] = []
        self.rows: dict[int, R] = {}

    def record(self, index: int, row: R) -> None:
        self.rows[index] = row
        if self.run.progress is not None:
            event = ProgressEvent(
                len(self.accounts),
                len(self.rows),
                self.accounts[index].id,
                row.state,
                self.run.phase,
            )
            self.run.progress(event)


def _collect(
    feed: AccountFeed,
    guarded: Callable[[Account], R],
    tracker: _Tracker[R],
    cancel: threading.Event,
    concurrency: int,
) -> bool:
    """Run ``guarded`` over the feed's accounts as they arrive; record each row as it
    finishes. True when the run was interrupted (Ctrl-C in this thread, or ``cancel`` set)."""
    interrupted = False
    pool = ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="rootctl")
    futures: dict[Future[R], int] = {}
    # Finished futures arrive through a queue (None: the feed has news): wait() on the whole
    # pending set re-arms a waiter on every future each time one finishes (O(N) per account,
    # ~15% of rootctl's CPU in a 400-account audit, on the GIL the workers need).
    finished: queue.SimpleQueue[Future[R] | None] = queue.SimpleQueue()
    feed.listen(lambda: finished.put(None))

    def start_arrivals() -> bool:
        arrived, closed = feed.since(len(tracker.accounts))
        for account in arrived:
            tracker.accounts.append(account)
            future = pool.submit(guarded, account)
            futures[future] = len(tracker.accounts) - 1
            future.add_done_callback(finished.put)  # also called when a future is cancelled
        return closed

    try:
        closed = start_arrivals()
        remaining = len(futures)
        while remaining or not (closed or interrupted):
            try:
                future = finished.get(timeout=0.25)  # wake up now and then: Ctrl-C, cancel
            except queue.Empty:
                future = None
            if future is None:
                if not (closed or interrupted):
                    before = len(futures)
                    closed = start_arrivals()
                    remaining += len(futures) - before
            else:
                remaining -= 1
                if not future.cancelled():
                    tracker.record(futures[future], future.result())
            if (cancel.is_set() or feed.abandoned) and not interrupted:
                interrupted = True
                for future in futures:
                    future.cancel()
    except KeyboardInterrupt:
        interrupted = True
        cancel.set()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    for future, index in futures.items():
        if index not in tracker.rows and future.done() and not future.cancelled():
            tracker.record(index, future.result())
    return interrupted
