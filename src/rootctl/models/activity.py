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
    ROOT_USER_USE = "root-user-use"  # the long-term root user itself signed in or made a call


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
    journal_known: bool = True  # False: the journal could not be read (no outside finding)
    purpose: str | None = None  # what rootctl opened it for (audit, exec …), when journaled
    actions: tuple[SessionAction, ...] | None = None  # None: no source shows them
    new_caller: bool = False  # the caller's first AssumeRoot into this account in the history

    @property
    def opened(self) -> bool:
        return self.access_key_id is not None and self.error_code is None

    @property
    def outside_rootctl(self) -> bool:
        return self.opened and self.journal_known and not self.journaled

    @property
    def changes(self) -> int:
        """How many of its actions were not read-only (None read_only counts as a change)."""
        return sum(1 for a in self.actions or () if a.read_only is not True)


@dataclass(frozen=True, slots=True)
class RootUserUse:
    """An event of a member account's long-term root user itself (``userIdentity.type`` Root,
    not an AssumeRoot session): a console sign-in, a password recovery, a call made with a
    root access key."""

    time: datetime
    account_id: str
    name: str  # ConsoleLogin, PasswordRecoveryRequested, or the API call
    source: str
    region: str
    account_name: str | None = None
    access_key_id: str | None = None  # a long-term root access key (AKIA…), if one was used
    source_ip: str | None = None
    succeeded: bool = True
    error: str | None = None  # error code or message when it did not succeed


@dataclass(frozen=True, slots=True)
class ActivityFinding:
    kind: FindingKind
    account_id: str
    who: str | None  # the caller (or the root user's ARN)
    detail: str
    session: RootSessionActivity | None = None

    @classmethod
    def of_session(cls, kind: FindingKind, s: RootSessionActivity) -> ActivityFinding:
        if kind is FindingKind.OUTSIDE_ROOTCTL:
            detail = f"root session {s.access_key_id} was not opened by rootctl"
        else:
            detail = f"{s.caller_arn or 'an unknown caller'} assumed root into {s.account_id} first"
        return cls(kind, s.account_id, s.caller_arn, detail, s)

    @classmethod
    def of_root_use(cls, use: RootUserUse) -> ActivityFinding:
        how = f"access key {use.access_key_id}" if use.access_key_id else "its password"
        if use.succeeded:
            detail = f"the root user of {use.account_id} used {how}: {use.name}"
        else:
            detail = (
                f"{use.name} as the root user of {use.account_id} with {how} failed "
                f"({use.error or 'refused'})"
            )
        return cls(FindingKind.ROOT_USER_USE, use.account_id, None, detail)


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
    root_user_use: tuple[RootUserUse, ...] | None = None  # None: no source shows it

    @property
    def findings(self) -> tuple[ActivityFinding, ...]:
        found: list[ActivityFinding] = []
        for s in self.sessions:
            if s.outside_rootctl:
                found.append(ActivityFinding.of_session(FindingKind.OUTSIDE_ROOTCTL, s))
            if s.new_caller:
                found.append(ActivityFinding.of_session(FindingKind.NEW_CALLER, s))
        found += [ActivityFinding.of_root_use(u) for u in self.root_user_use or ()]
        return tuple(found)

    @property
    def clean(self) -> bool:
        return not self.findings
