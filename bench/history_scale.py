"""The audit history at organization scale (issue 13): storing an audit of N accounts in the
journal, and reading it back as ``rootctl history``, ``drift`` and the evidence report ("resolved
since") do, with ``audits`` audits stored. In-process, no AWS: the audits come from
``bench.estate`` (every third account with credentials remediated between two audits)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from bench.estate import estate, remediated
from rootctl.core.memory import AuditHistory
from rootctl.journal import SqliteAuditStore, SqliteJournal
from rootctl.models import (
    AuditCounts,
    AuditReport,
    AuditScope,
    AuditSource,
    AuditSummary,
    HistoryQuery,
    StoredAudit,
)

T = TypeVar("T")
EPOCH = datetime(2026, 6, 1, tzinfo=UTC)


def timed(action: Callable[[], T]) -> tuple[T, float, float]:
    """(result, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def stored(report: AuditReport, n: int) -> StoredAudit:
    started = EPOCH + timedelta(days=n)
    summary = AuditSummary(
        id=0,
        started_at=started,
        finished_at=started + timedelta(minutes=2),
        source=AuditSource.CLI,
        caller_arn="arn:aws:iam::111111111111:role/auditor",
        organization_id=report.organization_id,
        region="us-east-1",
        scope=AuditScope(all=True),
        complete=True,
        interrupted=False,
        counts=AuditCounts(),
    )
    return StoredAudit(summary, report.accounts, None)


def measure(accounts: int, audits: int) -> dict[str, tuple[float, float]]:
    """(wall, CPU) seconds of each step, with ``audits`` audits of ``accounts`` stored."""
    _, first = estate(accounts)
    later = remediated(first)
    figures: dict[str, tuple[float, float]] = {}

    def step(name: str, action: Callable[[], object]) -> None:
        _, wall, cpu = timed(action)
        figures[name] = (wall, cpu)

    with tempfile.TemporaryDirectory() as tmp:
        journal = SqliteJournal(Path(tmp) / "journal.sqlite3")
        store = SqliteAuditStore(journal)
        store.prepare_for_writing()
        step("store one audit", lambda: store.save_audit(stored(first, 0)))
        for n in range(1, audits - 1):
            store.save_audit(stored(first, n))
        step("store the last", lambda: store.save_audit(stored(later, audits)))
        history = AuditHistory(store, journal)
        step("history list", lambda: history.audits(HistoryQuery()))
        step("load one audit", lambda: history.audit())
        step("drift latest", lambda: history.drift())
        step("evidence report", lambda: history.report())
        step("posture", lambda: history.posture())
        journal.close()
    return figures
