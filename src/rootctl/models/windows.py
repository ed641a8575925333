"""Break-glass recovery windows: a time-boxed "allow password recovery" on one account, what
its root user gained during it, and the evidence left when it closes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import ClassVar

from rootctl.models.base import AccountReport, AccountResult
from rootctl.models.credentials import AccessKey, LoginProfile, MfaDevice, SigningCertificate
from rootctl.models.organization import Account
from rootctl.models.results import ItemResult


class WindowState(StrEnum):
    OPEN = "open"
    CLOSING = "closing"  # one closer has claimed it
    CLOSED = "closed"
    CLOSE_FAILED = "close-failed"  # something the root user gained could not be removed
    NOT_OPENED = "not-opened"  # recorded, but allowing recovery failed

    @property
    def active(self) -> bool:
        """Recovery may be possible: the window still needs closing."""
        return self in (WindowState.OPEN, WindowState.CLOSING, WindowState.CLOSE_FAILED)


@dataclass(frozen=True, slots=True)
class Baseline:
    """The root user's credentials when the window opened (it had no login profile)."""

    access_keys: tuple[str, ...] = ()
    mfa_devices: tuple[str, ...] = ()
    signing_certificates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RecoveryWindow:
    id: int
    account_id: str
    account_name: str | None
    reason: str
    ticket: str | None
    opened_by: str
    opened_at: datetime
    expires_at: datetime
    state: WindowState
    baseline: Baseline = Baseline()
    closed_by: str | None = None
    closed_at: datetime | None = None
    claimed_at: datetime | None = None
    note: str | None = None  # why it was not opened, or why closing failed
    evidence: str | None = None  # the closure, as JSON (written when it closes)

    @property
    def length(self) -> timedelta:
        return self.expires_at - self.opened_at

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    @property
    def change_ref(self) -> str:
        """What the journal rows of this window's actions carry."""
        return f"window:{self.id}"


@dataclass(frozen=True, slots=True)
class Gains:
    """What the root user has now that it did not have when the window opened.
    ``signed_in_at``: the root password's last use (GetUser), when it is inside the window."""

    login_profile: LoginProfile | None = None
    signed_in_at: datetime | None = None
    access_keys: tuple[AccessKey, ...] = ()
    mfa_devices: tuple[MfaDevice, ...] = ()
    signing_certificates: tuple[SigningCertificate, ...] = ()

    @property
    def count(self) -> int:
        return (
            int(self.login_profile is not None)
            + len(self.access_keys)
            + len(self.mfa_devices)
            + len(self.signing_certificates)
        )


class LookState(StrEnum):
    LOOKED = "looked"
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_RUN = "not-run"


@dataclass(frozen=True, slots=True)
class RootNow(AccountResult):
    """What an account's root user has now, against its window's baseline."""

    State: ClassVar = LookState
    account: Account
    state: LookState
    gains: Gains | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class WindowView:
    window: RecoveryWindow
    expired: bool
    now: RootNow | None = None  # None for windows no longer active


@dataclass(frozen=True, slots=True)
class WindowStatusReport:
    checked_at: datetime
    windows: tuple[WindowView, ...]

    @property
    def active(self) -> tuple[WindowView, ...]:
        return tuple(v for v in self.windows if v.window.state.active)


@dataclass(frozen=True, slots=True)
class WindowEvent:
    """A CloudTrail event about the root user inside the window."""

    name: str  # ConsoleLogin, PasswordRecoveryRequested, PasswordRecoveryCompleted …
    time: datetime
    account_id: str | None = None
    outcome: str | None = None  # Success / Failure, when the event says
    source_ip: str | None = None
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class TrailLookup:
    """The root sign-in and recovery events inside a window, or why there could be none."""

    looked: bool
    events: tuple[WindowEvent, ...] = ()
    reason: str | None = None  # why it could not look
    source: str | None = None  # where it looked (e.g. "CloudTrail LookupEvents in us-east-1")


class CloseState(StrEnum):
    CLOSED = "closed"
    CLOSE_FAILED = "close-failed"
    FAILED = "failed"
    SKIPPED = "skipped"  # another closer has it, or it is already closed
    NOT_RUN = "not-run"


@dataclass(frozen=True, slots=True)
class WindowClosure(AccountResult):
    """The evidence a closed window leaves: what was gained, what was removed, who closed it,
    and the root sign-in/recovery events CloudTrail has for the window."""

    State: ClassVar = CloseState
    account: Account
    state: CloseState
    reason: str | None = None
    window: RecoveryWindow | None = None
    closed_by: str | None = None
    closed_at: datetime | None = None
    gains: Gains | None = None
    removed: tuple[ItemResult, ...] = ()
    trail: TrailLookup | None = None

    @property
    def removed_count(self) -> int:
        return sum(1 for r in self.removed if r.outcome.removed)


@dataclass(frozen=True, slots=True)
class SweepReport(AccountReport[WindowClosure]):
    checked_at: datetime | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class WindowOpening:
    """``recovery open``: the window recorded, and whether recovery is now allowed."""

    window: RecoveryWindow
    opened: bool
    reason: str | None = None
    request_id: str | None = None
