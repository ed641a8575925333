from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from rootctl.core.fanout import AccountFeed, FanOut, Run, fan_out
from rootctl.models import (
    Account,
    AccountAudit,
    AccountDeletion,
    AccountPlan,
    AccountRecovery,
    AccountResult,
    ProgressEvent,
    SkippedAccount,
    TargetSet,
)
from tests.core.factories import organization

ACCOUNTS = organization().accounts * 4


class Word(StrEnum):
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_RUN = "not-run"


@dataclass(frozen=True, slots=True)
class Row(AccountResult):
    State: ClassVar = Word
    account: Account
    state: Word
    reason: str | None = None


def run(work, concurrency=3, cancel=None, progress=None, skipped=None) -> FanOut[Row]:
    return fan_out(ACCOUNTS, work, Row, Run(concurrency, progress, cancel, "test"), skipped=skipped)


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
        return Row(account, Word.OK)

    fan = run(work, progress=events.append)
    assert [r.account.id for r in fan.rows] == [a.id for a in ACCOUNTS]
    assert peak <= 3
    assert not fan.interrupted
    assert [e.done for e in events] == list(range(1, len(ACCOUNTS) + 1))
    assert {e.phase for e in events} == {"test"}
    assert {e.state for e in events} == {Word.OK}


def test_one_failure_does_not_hide_others():
    def work(account, _cancel):
        if account.id == "333333333333":
            raise RuntimeError("surprise")
        return Row(account, Word.OK)

    rows = run(work).rows
    failed = [r for r in rows if r.is_("failed")]
    assert len(failed) == 4
    assert all(r.reason == "unexpected error: RuntimeError('surprise')" for r in failed)
    assert sum(r.state is Word.OK for r in rows) == len(ACCOUNTS) - 4


def test_cancel_reports_pending_as_not_run():
    cancel = threading.Event()

    def work(account, stop):
        cancel.set()  # the first account to run asks to stop
        time.sleep(0.05)
        return Row(account, Word.OK)

    fan = run(work, concurrency=2, cancel=cancel)
    states = [r.state for r in fan.rows]
    assert fan.interrupted
    assert 1 <= states.count(Word.OK) <= 2
    assert states.count(Word.NOT_RUN) == len(ACCOUNTS) - states.count(Word.OK)
    assert {r.reason for r in fan.rows if r.is_("not-run")} == {"interrupted before it ran"}


def test_skipped_targets_come_last_with_their_reason():
    org = organization()
    management = org.account("111111111111")
    assert management is not None
    targets = TargetSet(org.id, (), (SkippedAccount(management, "management account"),))
    fan = run(lambda account, _c: Row(account, Word.OK), skipped=targets)
    assert fan.rows[-1] == Row(management, Word.SKIPPED, "management account")
    assert len(fan.rows) == len(ACCOUNTS) + 1


def test_every_result_state_has_the_fanouts_words():
    for result in (AccountAudit, AccountPlan, AccountDeletion, AccountRecovery):
        words = {state.value for state in result.State}
        assert {"failed", "skipped", "not-run"} <= words, result.__name__
        account = ACCOUNTS[1]
        assert result.failed(account, "why").is_("failed")
        assert result.skipped(account, "why").reason == "why"
        assert result.not_run(account, "why").is_("not-run")


def test_a_feed_runs_accounts_as_they_arrive_in_their_order():
    feed = AccountFeed(ACCOUNTS[:2])
    started = threading.Event()
    events: list[ProgressEvent] = []

    def work(account, _cancel):
        started.set()
        return Row(account, Word.OK)

    def feeder() -> None:
        assert started.wait(5), "the fan-out waited for the feed to close"
        feed.add(ACCOUNTS[2:5])
        time.sleep(0.05)
        feed.add(ACCOUNTS[5:7])
        feed.close()

    threading.Thread(target=feeder).start()
    fan = fan_out(feed, work, Row, Run(2, events.append, None, "test"))
    assert [r.account for r in fan.rows] == list(ACCOUNTS[:7])
    assert not fan.interrupted
    assert events[-1].total == events[-1].done == 7


def test_an_abandoned_feed_starts_no_more_accounts():
    feed = AccountFeed(ACCOUNTS[:1])
    ran: list[str] = []

    def work(account, _cancel):
        ran.append(account.id)
        feed.add(ACCOUNTS[1:6])
        feed.abandon()
        return Row(account, Word.OK)

    fan = fan_out(feed, work, Row, Run(1, None, None, "test"))
    assert fan.interrupted
    assert ran == [ACCOUNTS[0].id]
    assert [r.state for r in fan.rows] == [Word.OK] + [Word.NOT_RUN] * 5


def test_a_cancelled_run_does_not_wait_for_the_feed():
    feed = AccountFeed(ACCOUNTS[:3])
    cancel = threading.Event()
    cancel.set()
    fan = fan_out(feed, lambda a, _c: Row(a, Word.OK), Row, Run(2, None, cancel, "test"))
    assert fan.interrupted
    assert {r.state for r in fan.rows} == {Word.NOT_RUN}
