"""Bounded fan-out over accounts, with progress and clean cancellation.

Ctrl-C (KeyboardInterrupt in the calling thread) or a set ``cancel`` event stops the run:
accounts not yet started are reported as not-run, accounts in flight finish their current item
and record the rest as interrupted (the work functions check the event between items).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Generic, TypeVar

from rootctl.core.models import Account, ProgressCallback, ProgressEvent

R = TypeVar("R")


@dataclass
class Fanout(Generic[R]):
    """Results in the order of the accounts given, and whether the run was interrupted."""

    results: list[R]
    interrupted: bool


def run_per_account(
    accounts: Sequence[Account],
    work: Callable[[Account, threading.Event], R],
    *,
    concurrency: int,
    not_run: Callable[[Account], R],
    failed: Callable[[Account, BaseException], R],
    state_of: Callable[[R], str],
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    phase: str = "",
) -> Fanout[R]:
    cancel = cancel or threading.Event()
    results: dict[int, R] = {}
    total = len(accounts)
    done = 0

    def record(index: int, result: R) -> None:
        nonlocal done
        results[index] = result
        done += 1
        if progress is not None:
            progress(ProgressEvent(total, done, accounts[index].id, state_of(result), phase))

    def guarded(account: Account) -> R:
        if cancel.is_set():
            return not_run(account)
        try:
            return work(account, cancel)
        except Exception as exc:  # one account's surprise must not hide the others
            return failed(account, exc)

    interrupted = False
    pool = ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="rootctl")
    futures: dict[Future[R], int] = {}
    try:
        futures = {pool.submit(guarded, a): i for i, a in enumerate(accounts)}
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            for future in finished:
                if not future.cancelled():
                    record(futures[future], future.result())
            if cancel.is_set() and not interrupted:
                interrupted = True
                for future in pending:
                    future.cancel()
    except KeyboardInterrupt:
        interrupted = True
        cancel.set()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    for future, index in futures.items():
        if index not in results and future.done() and not future.cancelled():
            record(index, future.result())
    for index, account in enumerate(accounts):
        if index not in results:
            record(index, not_run(account))
    return Fanout([results[i] for i in range(total)], interrupted or cancel.is_set())
