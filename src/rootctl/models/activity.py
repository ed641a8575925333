"""Who did what as root (``rootctl activity``): each AssumeRoot session CloudTrail recorded,
tied to rootctl's journal by its access key id, with the member-account actions made in it
when an event data store shows them; and what it could not see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class FindingKind(StrEnum):
    OUTSIDE_ROOTCTL = "outside-rootctl"  # a root session rootctl's journal does not know
    NEW_CALLER = "new-caller-account"  # this caller assumed root into this account a first time


@dataclass(frozen=True, slots=True)
class SessionAction:
    """One member-account event made with the session's credentials."""

    time: datetime
    name: str
    source: str  # eventSource, e.g. s3.amazonaws.com
    region: str
    read_only: bool | None = None
    error_code: str | None = None


@dataclass(frozen=True, slots=True)
class RootSessionActivity:
    """One AssumeRoot call (a root session, or a refusal) and what was done in it."""

    opened_at: datetime
    account_id: str
    caller_arn: str | None
    task: str | None  # the task policy's name, e.g. IAMAuditRootUserCredentials
    access_key_id: str | None  # None when AssumeRoot was refused
    account_name: str | None = None
    source_identity: str | None = None
    error_code: str | None = None  # AssumeRoot refused
    journaled: bool = False  # rootctl opened it (its key id is in the journal)
    purpose: str | None = None  # what rootctl opened it for (audit, exec …), when journaled
    actions: tuple[SessionAction, ...] | None = None  # None: no source shows them
    new_caller: bool = False  # the caller's first AssumeRoot into this account in the history

    @property
    def opened(self) -> bool:
        return self.access_key_id is not None and self.error_code is None

    @property
    def outside_rootctl(self) -> bool:
        return self.opened and not self.journaled

    @property
    def changes(self) -> int:
        """How many of its actions were not read-only (None read_only counts as a change)."""
        return sum(1 for a in self.actions or () if a.read_only is not True)


@dataclass(frozen=True, slots=True)
class ActivityFinding:
    kind: FindingKind
    session: RootSessionActivity

    @property
    def detail(self) -> str:
        s = self.session
        if self.kind is FindingKind.OUTSIDE_ROOTCTL:
            return f"root session {s.access_key_id} was not opened by rootctl"
        return f"{s.caller_arn or 'an unknown caller'} assumed root into {s.account_id} first"


@dataclass(frozen=True, slots=True)
class ActivityReport:
    """The root sessions opened in ``[since, until]`` (oldest first), the findings, and the
    blind spots: what the sources read could not show."""

    since: datetime
    until: datetime
    sources: tuple[str, ...]  # e.g. "LookupEvents us-east-1 (123456789012)", "CloudTrail Lake …"
    sessions: tuple[RootSessionActivity, ...]
    blind_spots: tuple[str, ...] = ()
    history_since: datetime | None = None  # how far back first callers were looked for

    @property
    def findings(self) -> tuple[ActivityFinding, ...]:
        found: list[ActivityFinding] = []
        for s in self.sessions:
            if s.outside_rootctl:
                found.append(ActivityFinding(FindingKind.OUTSIDE_ROOTCTL, s))
            if s.new_caller:
                found.append(ActivityFinding(FindingKind.NEW_CALLER, s))
        return tuple(found)

    @property
    def clean(self) -> bool:
        return not self.findings
