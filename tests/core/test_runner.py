from __future__ import annotations

import threading
import time

from rootctl.core.runner import Fanout, run_per_account
from rootctl.models import ProgressEvent
from tests.core.factories import organization

ACCOUNTS = organization().accounts * 4


def run(work, concurrency=3, cancel=None, progress=None) -> Fanout[tuple[str, str]]:
    return run_per_account(
        ACCOUNTS,
        work,
        concurrency=concurrency,
        not_run=lambda a: ("not-run", a.id),
        failed=lambda a, e: ("failed", str(e)),
        state_of=lambda r: r[0],
        progress=progress,
        cancel=cancel,
    )


def test_bounded_ordered_and_progress():
    lock = threading.Lock()
    active = peak = 0
    events: list[ProgressEvent] = []

    def work(account, _cancel):
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.01)
        with lock:
            active -= 1
        return ("ok", account.id)

    fan = run(work, progress=events.append)
    assert [r[1] for r in fan.results] == [a.id for a in ACCOUNTS]
    assert peak <= 3
    assert not fan.interrupted
    assert [e.done for e in events] == list(range(1, len(ACCOUNTS) + 1))


def test_one_failure_does_not_hide_others():
    def work(account, _cancel):
        if account.id == "333333333333":
            raise RuntimeError("surprise")
        return ("ok", account.id)

    states = [r[0] for r in run(work).results]
    assert states.count("failed") == 4
    assert states.count("ok") == len(ACCOUNTS) - 4


def test_cancel_reports_pending_as_not_run():
    cancel = threading.Event()

    def work(account, stop):
        cancel.set()  # the first account to run asks to stop
        time.sleep(0.05)
        return ("ok", account.id)

    fan = run(work, concurrency=2, cancel=cancel)
    states = [r[0] for r in fan.results]
    assert fan.interrupted
    assert 1 <= states.count("ok") <= 2
    assert states.count("not-run") == len(ACCOUNTS) - states.count("ok")
