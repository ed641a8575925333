"""What every engine operation needs: the AWS session, the journal, the caller, the run id."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import boto3

from rootctl.aws import iam_features
from rootctl.aws import organizations as orgs_api
from rootctl.aws.session import AwsSession, ConnectionOptions
from rootctl.core.clock import Clock, utc_now
from rootctl.errors import (
    AccessDenied,
    Advice,
    AdviceCode,
    CapabilityDisabled,
    JournalUnavailable,
    RootctlError,
)
from rootctl.journal import JournalStore
from rootctl.models import (
    CallerIdentity,
    Capability,
    JournalStatus,
    ResourcePolicy,
    SessionRecord,
    TaskPolicy,
)

if TYPE_CHECKING:
    from rootctl.aws.root_session import RootSession

log = logging.getLogger(__name__)

# AssumeRoot sessions last only as long as the task needs (AWS allows 0–900 s).
SESSION_SECONDS = {
    TaskPolicy.AUDIT: 180,
    TaskPolicy.DELETE: 300,
    TaskPolicy.CREATE_PASSWORD: 120,
    TaskPolicy.S3_UNLOCK: 300,
    TaskPolicy.SQS_UNLOCK: 300,
}

# A features read started ahead (alongside the organization read) stands in for the
# preflight check only this long: a dashboard user may confirm minutes after selecting.
FEATURES_AHEAD_SECONDS = 30.0


@dataclass
class Context:
    options: ConnectionOptions
    journal: JournalStore
    concurrency: int
    session: boto3.Session | None = None  # injected by the library user, else built
    now: Clock = utc_now  # rootctl's clock: plans and recovery windows expire by it
    account_names: dict[str, str] = field(default_factory=dict)  # filled by organization()
    # Runs that belong to a governed change ("plan:<sha256>", "window:<id>"): every action
    # journaled under such a run carries it.
    changes: dict[str, str] = field(default_factory=dict)
    _pending_sessions: list[SessionRecord] = field(default_factory=list)
    _aws: AwsSession | None = None
    _caller: CallerIdentity | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # Its own lock: workers asking at once make one GetCallerIdentity call, not one each.
    _caller_lock: threading.Lock = field(default_factory=threading.Lock)
    _features_ahead: tuple[float, Future[frozenset[Capability]]] | None = None

    @property
    def aws(self) -> AwsSession:
        """Built on first use, so journal-only work needs no AWS configuration."""
        with self._lock:
            if self._aws is None:
                self._aws = AwsSession(
                    self.options, concurrency=self.concurrency, session=self.session
                )
            return self._aws

    @property
    def built_aws(self) -> AwsSession | None:
        """The AWS session if one was built (without building one)."""
        return self._aws

    def close(self) -> None:
        with self._lock:
            if self._aws is not None:
                self._aws.close()

    @staticmethod
    def new_run_id() -> str:
        return uuid.uuid4().hex[:12]

    def run_for(self, change_ref: str) -> str:
        """A new run whose journaled actions all carry ``change_ref``."""
        run_id = self.new_run_id()
        with self._lock:
            self.changes[run_id] = change_ref
        return run_id

    def caller(self) -> CallerIdentity:
        with self._caller_lock:
            if self._caller is None:
                self._caller = orgs_api.caller_identity(self.aws)
            return self._caller

    def _caller_arn(self) -> str | None:
        try:
            return self.caller().arn
        except RootctlError:
            return None

    def read_features_ahead(self) -> None:
        """Start the next ``require``'s features read now, in its own thread: a task's
        preflight check then rides along the organization read instead of adding a round
        trip before the first AssumeRoot."""
        ahead: Future[frozenset[Capability]] = Future()
        aws = self.aws  # built here: its lock is not the features' business

        def read() -> None:
            try:
                ahead.set_result(iam_features.enabled_features(aws))
            except Exception as exc:  # handed to require, which sorts it
                ahead.set_exception(exc)

        with self._lock:
            self._features_ahead = (time.monotonic(), ahead)
        threading.Thread(target=read, name="rootctl-features", daemon=True).start()

    def _enabled_features(self) -> frozenset[Capability]:
        """The features read ahead when it is fresh (used once), else read now."""
        with self._lock:
            ahead, self._features_ahead = self._features_ahead, None
        if ahead is not None and time.monotonic() - ahead[0] <= FEATURES_AHEAD_SECONDS:
            return ahead[1].result()
        return iam_features.enabled_features(self.aws)

    def require(self, capability: Capability) -> None:
        """Fail the whole run early (exit 3) when the capability gating a task is off.

        A caller allowed AssumeRoot but not iam:ListOrganizationsFeatures (least privilege)
        skips this check; AssumeRoot then answers for each account.
        """
        try:
            enabled = self._enabled_features()
        except AccessDenied:
            log.debug("cannot read the organization's features; skipping the preflight check")
            return
        if capability not in enabled:
            raise CapabilityDisabled(
                f"{capability.label} ({capability.value}) is not enabled for the organization.",
                Advice(AdviceCode.ENABLE_CAPABILITY, {"capability": capability.value}),
            )

    def opened(
        self,
        session: RootSession,
        *,
        run_id: str,
        purpose: str,
        durable: bool,
        action_id: int | None = None,
    ) -> None:
        """Remember a root session rootctl opened (its access key id ties CloudTrail's events
        to the run). ``durable``: written now, before the session is used (write operations,
        whose journal is prepared); otherwise kept until :meth:`flush_sessions`, which names
        the caller then (asking STS here would cost the first accounts a round trip)."""
        record = SessionRecord(
            access_key_id=session.access_key_id,
            run_id=run_id,
            opened_at=datetime.now(UTC),
            account_id=session.account_id,
            task_policy=session.task_policy_arn,
            purpose=purpose,
            caller_arn=None,
            expires_at=session.expiration,
            action_id=action_id,
        )
        if durable:
            self.journal.record_sessions([replace(record, caller_arn=self._caller_arn())])
            return
        with self._lock:
            self._pending_sessions.append(record)

    def flush_sessions(self) -> None:
        """Record the sessions of a read-only run in one go. A journal that cannot be written
        does not fail a read-only run: its sessions then stay unrecorded (``rootctl activity``
        shows them as not in the journal)."""
        with self._lock:
            pending, self._pending_sessions = self._pending_sessions, []
        if not pending:
            return
        caller = self._caller_arn()
        try:
            self.journal.record_sessions([replace(r, caller_arn=caller) for r in pending])
        except JournalUnavailable as exc:
            log.debug("root sessions not recorded in the journal: %s", exc)

    def journaled(
        self,
        *,
        run_id: str,
        action: str,
        target: str | None,
        task_policy: TaskPolicy | None,
        items: Iterable[str],
        call: Callable[[], str | None],
        already_done: Callable[[RootctlError], bool] = lambda _e: False,
        expected: Callable[[RootctlError], str | None] = lambda _e: None,
        saved_policy: ResourcePolicy | None = None,
        replacement_policy: str | None = None,
    ) -> JournaledCall:
        """Journal an intent row, make ``call``, complete the row with its outcome.
        ``saved_policy``: the document before the call; ``replacement_policy``: the one the
        call puts in its place.

        ``already_done(error)`` says the error means the work was already done (succeeded);
        ``expected(error)`` returns the reason when the refusal is one rootctl expects by
        design (journaled as skipped with that reason, so "failed" means a real failure)."""
        entry_id = self._intent(
            run_id, action, target, task_policy, items, saved_policy, replacement_policy
        )
        try:
            request_id = call()
        except RootctlError as exc:
            rid = getattr(exc, "request_id", None)
            if already_done(exc):
                self.journal.finish(
                    entry_id, JournalStatus.SUCCEEDED, request_id=rid, error=f"already: {exc}"
                )
                return JournaledCall(entry_id, rid, error=exc, already=True)
            reason = expected(exc)
            if reason is not None:
                self.journal.finish(entry_id, JournalStatus.SKIPPED, request_id=rid, error=reason)
                return JournaledCall(entry_id, rid, error=exc, skipped=True)
            self.journal.finish(entry_id, JournalStatus.FAILED, request_id=rid, error=str(exc))
            return JournaledCall(entry_id, rid, error=exc)
        except BaseException as exc:
            self.journal.finish(entry_id, JournalStatus.INTERRUPTED, error=type(exc).__name__)
            raise
        self.journal.finish(entry_id, JournalStatus.SUCCEEDED, request_id=request_id)
        return JournaledCall(entry_id, request_id)

    def journal_skip(
        self,
        *,
        run_id: str,
        action: str,
        target: str,
        task_policy: TaskPolicy | None,
        items: Iterable[str],
        reason: str,
    ) -> int:
        """Record an action deliberately not taken (an item that drifted since its plan)."""
        entry_id = self._intent(run_id, action, target, task_policy, items)
        self.journal.finish(entry_id, JournalStatus.SKIPPED, error=reason)
        return entry_id

    def _intent(
        self,
        run_id: str,
        action: str,
        target: str | None,
        task_policy: TaskPolicy | None,
        items: Iterable[str],
        saved_policy: ResourcePolicy | None = None,
        replacement_policy: str | None = None,
    ) -> int:
        """The intent row: who, what, where, under which change (plan or window)."""
        return self.journal.begin(
            run_id=run_id,
            action=action,
            target=target,
            task_policy=task_policy.arn if task_policy else None,
            caller_arn=self.caller().arn,
            items=items,
            saved_policy=saved_policy,
            account_name=self.account_names.get(target or ""),
            replacement_policy=replacement_policy,
            change_ref=self.changes.get(run_id),
        )


@dataclass(frozen=True)
class JournaledCall:
    entry_id: int
    request_id: str | None
    error: RootctlError | None = None
    already: bool = False
    skipped: bool = False  # refused as expected (journaled as skipped)

    @property
    def ok(self) -> bool:
        return self.error is None or self.already
