"""Background jobs: long engine calls run in a thread; their progress events are kept so any
number of browsers can follow them (server-sent events) and come back later.

A job is just a function ``work(progress, cancel) -> result``; what it means (audit, plan,
delete, recovery) is the dashboard's business, not the registry's.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from rootctl.errors import RootctlError
from rootctl.models import ProgressCallback, ProgressEvent

MAX_JOBS_KEPT = 200


class JobKind(StrEnum):
    AUDIT = "audit"
    PLAN = "plan"
    DELETE = "delete"
    RECOVERY = "recovery"
    LOCKOUTS = "lockouts"  # find-lockouts across the organization (read-only)
    APPLY = "apply"  # a change plan (plan file) applied; its result is the ApplyReport


class JobState(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # the job as a whole stopped on an error (per-account failures are results)
    CANCELLED = "cancelled"


Work = Callable[[ProgressCallback, threading.Event], Any]


@dataclass
class Job:
    id: str
    kind: JobKind
    title: str
    account_ids: tuple[str, ...]
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    parent_id: str | None = None  # the plan a deletion applies
    subject: str | None = None  # the plan file an apply job applies (its name on the shelf)
    state: JobState = JobState.RUNNING
    finished_at: datetime | None = None
    result: Any = None
    error: str | None = None
    events: list[ProgressEvent] = field(default_factory=list)
    cancel: threading.Event = field(default_factory=threading.Event)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def finished(self) -> bool:
        return self.state is not JobState.RUNNING

    def record(self, event: ProgressEvent) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def finish(self, state: JobState, result: Any = None, error: str | None = None) -> None:
        with self._changed:
            self.result, self.error, self.state = result, error, state
            self.finished_at = datetime.now(UTC)
            self._changed.notify_all()

    def wait(self, seen: int, timeout: float) -> bool:
        """Block until there are more than ``seen`` events or the job ended; True if so."""
        with self._changed:
            return self._changed.wait_for(
                lambda: len(self.events) > seen or self.finished, timeout=timeout
            )

    def latest(self) -> ProgressEvent | None:
        return self.events[-1] if self.events else None


class JobRegistry:
    """Runs jobs on daemon threads. Jobs that change AWS state run one at a time so two
    browsers cannot interleave deletions on the same accounts."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._writes = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._counter = itertools.count(1)

    def start(
        self,
        kind: JobKind,
        title: str,
        account_ids: tuple[str, ...],
        work: Work,
        *,
        writes: bool,
        parent_id: str | None = None,
        subject: str | None = None,
        then: Callable[[Job], None] | None = None,
    ) -> Job:
        job = Job(
            id=f"{next(self._counter)}-{uuid.uuid4().hex[:10]}",
            kind=kind,
            title=title,
            account_ids=account_ids,
            parent_id=parent_id,
            subject=subject,
        )
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
        thread = threading.Thread(
            target=self._run, args=(job, work, writes, then), name=f"job-{job.id}", daemon=True
        )
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return job

    def _run(self, job: Job, work: Work, writes: bool, then: Callable[[Job], None] | None) -> None:
        try:
            if writes:
                with self._writes:
                    result = work(job.record, job.cancel)
            else:
                result = work(job.record, job.cancel)
        except RootctlError as exc:
            job.finish(JobState.FAILED, error=str(exc))
        except Exception as exc:  # a job thread must always end the job, or browsers wait forever
            job.finish(JobState.FAILED, error=f"unexpected error: {exc!r}")
        else:
            if then is not None:
                then_error = _call_quietly(then, job, result)
                if then_error:
                    job.error = then_error
            state = JobState.CANCELLED if job.cancel.is_set() else JobState.SUCCEEDED
            job.finish(state, result=result, error=job.error)

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.finished]
        for job in finished[: max(0, len(self._jobs) - MAX_JOBS_KEPT)]:
            del self._jobs[job.id]

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def all(self) -> list[Job]:
        """Newest first."""
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.started_at, reverse=True)

    def running(self, kind: JobKind | None = None) -> list[Job]:
        return [j for j in self.all() if not j.finished and (kind is None or j.kind is kind)]

    def wait_all(self, timeout: float = 30.0) -> bool:
        """Wait for every job thread (tests, shutdown); True when all ended."""
        for thread in list(self._threads):
            thread.join(timeout)
        return not any(t.is_alive() for t in self._threads)

    def shutdown(self, timeout: float = 5.0) -> None:
        for job in self.all():
            job.cancel.set()
        self.wait_all(timeout)


def _call_quietly(then: Callable[[Job], None], job: Job, result: Any) -> str | None:
    """Run a job's follow-up (e.g. refresh the audit cache) with the result in place."""
    job.result = result
    try:
        then(job)
    except RootctlError as exc:
        return f"follow-up failed: {exc}"
    except Exception as exc:  # the main work succeeded; say the follow-up did not
        return f"follow-up failed: {exc!r}"
    return None
