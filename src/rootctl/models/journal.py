"""Rows of the journal of privileged actions, and the query that selects them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from rootctl.models.resources import ResourcePolicy

UNREADABLE = "unreadable"  # what readers show as the outcome of a row that cannot be read


class JournalStatus(StrEnum):
    """What the journal stores. An intent row is written before the call and completed after."""

    INTENT = "intent"  # written before the call; still "intent" later = interrupted/unknown
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    SKIPPED = "skipped"  # refused by design (e.g. outside the task policy): not a failure


class JournalOutcome(StrEnum):
    """What readers show: a status, except that an intent never completed is "unknown"."""

    UNKNOWN = "unknown"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    SKIPPED = "skipped"

    @property
    def status(self) -> JournalStatus:
        """The stored status this outcome is read from."""
        return JournalStatus.INTENT if self is JournalOutcome.UNKNOWN else JournalStatus(self.value)

    @classmethod
    def of(cls, status: JournalStatus) -> JournalOutcome:
        return cls.UNKNOWN if status is JournalStatus.INTENT else cls(status.value)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    id: int
    run_id: str
    started_at: datetime
    finished_at: datetime | None
    action: str
    target: str | None  # account id (or the organization for org-level actions)
    task_policy: str | None
    caller_arn: str | None
    items: tuple[str, ...]
    status: JournalStatus
    request_id: str | None = None
    error: str | None = None  # the error, or for a skipped action the reason it was skipped
    saved_policy: ResourcePolicy | None = None
    account_name: str | None = None  # the target's name when the action was journaled
    replacement_policy: str | None = None  # the document put in place of the saved one
    change_ref: str | None = None  # the governed change it belongs to: plan:<sha256>, window:<id>
    reason: str | None = None  # why (exec --reason)
    session_key_id: str | None = None  # the root session's access key id (exec), for CloudTrail

    @property
    def outcome(self) -> JournalOutcome:
        """What to show: an intent row never completed means the outcome is unknown."""
        return JournalOutcome.of(self.status)


@dataclass(frozen=True, slots=True)
class UnreadableEntry:
    """A stored row that could not be read (unknown status, bad date, bad JSON …).

    Readers list it with its id and the problem instead of failing the whole listing.
    """

    id: int
    problem: str

    @property
    def outcome(self) -> str:
        return UNREADABLE


JournalRow = JournalEntry | UnreadableEntry


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A root session rootctl opened: its access key id (not a secret) ties the member
    account's CloudTrail events to the run, the purpose and the caller that opened it."""

    access_key_id: str
    run_id: str
    opened_at: datetime
    account_id: str
    task_policy: str  # the task policy's ARN
    purpose: str  # "audit", "delete-credentials", "exec" …
    caller_arn: str | None = None
    expires_at: datetime | None = None
    action_id: int | None = None  # the journal entry it belongs to (exec), if any


@dataclass(frozen=True, slots=True)
class JournalQuery:
    """Which rows to read, newest first. Empty tuples mean "any"; ``limit`` None means all.

    ``accounts`` match the target account id; ``outcomes`` are what readers show ("unknown"
    selects intents never completed). ``since`` and ``until`` are inclusive instants (a naive
    datetime is taken as UTC). ``changes`` match the governed change an action belongs to.
    """

    since: datetime | None = None
    until: datetime | None = None
    accounts: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    outcomes: tuple[JournalOutcome, ...] = ()
    limit: int | None = None
    changes: tuple[str, ...] = ()  # change_ref values: plan:<sha256>, window:<id>

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"limit must be at least 1, not {self.limit}")
        for name in ("since", "until"):
            moment: datetime | None = getattr(self, name)
            if moment is not None:
                utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
                object.__setattr__(self, name, utc.astimezone(UTC))
        outcomes = (JournalOutcome(outcome) for outcome in self.outcomes)
        object.__setattr__(self, "outcomes", tuple(dict.fromkeys(outcomes)))
        for name in ("accounts", "actions", "changes"):
            object.__setattr__(self, name, tuple(dict.fromkeys(getattr(self, name))))

    @property
    def statuses(self) -> tuple[JournalStatus, ...]:
        return tuple(outcome.status for outcome in self.outcomes)
