"""The desired state (``rootctl.yaml``), and what checking an organization against it finds.

A :class:`DesiredState` is the validated file: which accounts are in scope, the rules, the
exceptions people agreed to (each with an owner, a reason and an expiry), and what
enforcement may do without a person. :class:`CheckReport` is one row per account with the
:class:`Violation` s found, each naming the rule it breaks and where that rule is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import ClassVar

from rootctl.models.base import AccountReport, AccountResult
from rootctl.models.credentials import RootCredentials
from rootctl.models.organization import Account
from rootctl.models.results import CredentialKind, PlannedItem

CONFIG_VERSION = 1
# How long after joining the organization an account counts as new (Organizations'
# JoinedTimestamp): ``new_accounts`` and ``auto_apply: {rule: new_accounts}`` apply to it.
NEW_ACCOUNT_AGE = timedelta(days=7)


class RuleName(StrEnum):
    """The rules of the file; a violation names the one it breaks."""

    ROOT_CREDENTIALS = "root_credentials"
    NEW_ACCOUNTS = "new_accounts"
    EXCEPTIONS = "exceptions"  # an exception that expired
    RECOVERY_WINDOW_MAX = "recovery_window_max"


class NewAccountsAction(StrEnum):
    ALERT_ONLY = "alert-only"
    CLEAN_AFTER = "clean-after"


@dataclass(frozen=True, slots=True)
class ConfigPlace:
    """Where something is written in the file (1-based), for error lines and SARIF."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class ConfigScope:
    """Which member accounts the rules cover: every one (``all``), or those named by account,
    by OU (recursively) or by tag (``key=value`` on the account or an OU above it)."""

    all: bool = True
    accounts: tuple[str, ...] = ()
    ous: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class RuleException:
    """Credential kinds an account may keep, agreed by ``owner`` for ``reason`` until
    ``expires_at`` (the first instant it no longer holds)."""

    account_id: str
    allow: tuple[CredentialKind, ...]
    owner: str
    reason: str
    expires_at: datetime
    ticket: str | None = None
    place: ConfigPlace | None = None

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


@dataclass(frozen=True, slots=True)
class NewAccounts:
    """``alert-only``: a new account's credentials are violations from the start and are never
    removed without a person. ``clean-after D``: for its first D they are pending, after
    that violations of ``new_accounts`` (which ``auto_apply`` may select)."""

    action: NewAccountsAction = NewAccountsAction.ALERT_ONLY
    after: timedelta | None = None

    @property
    def text(self) -> str:
        if self.after is None:
            return self.action.value
        return f"{self.action.value} {duration_text(self.after)}"


@dataclass(frozen=True, slots=True)
class AutoApply:
    """Violations of ``rule`` that enforcement may fix without a person, for credentials of
    ``kinds``."""

    rule: RuleName
    kinds: tuple[CredentialKind, ...] = tuple(CredentialKind)
    place: ConfigPlace | None = None

    def covers(self, rule: RuleName, kind: CredentialKind) -> bool:
        return rule is self.rule and kind in self.kinds


@dataclass(frozen=True, slots=True)
class DesiredState:
    source: str  # the file's path (or "<string>"), as people named it
    scope: ConfigScope = ConfigScope()
    exclude: tuple[str, ...] = ()
    exceptions: tuple[RuleException, ...] = ()
    recovery_window_max: timedelta | None = None
    new_accounts: NewAccounts = NewAccounts()
    approvals: int = 1
    auto_apply: tuple[AutoApply, ...] = ()
    version: int = CONFIG_VERSION
    # Where each rule is written (absent: the default applies), by RuleName value.
    places: dict[str, ConfigPlace] = field(default_factory=dict, compare=False)

    def exception_for(self, account_id: str) -> RuleException | None:
        return next((e for e in self.exceptions if e.account_id == account_id), None)

    def auto_applies(self, rule: RuleName, kind: CredentialKind) -> bool:
        return any(a.covers(rule, kind) for a in self.auto_apply)

    def place_of(self, rule: RuleName) -> ConfigPlace | None:
        return self.places.get(rule.value)


def duration_text(length: timedelta) -> str:
    """``24h``, ``7d``, ``90s``: a length in its largest whole unit."""
    seconds = int(length.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


# -- what a check finds -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Violation:
    """One way an account breaks the desired state. ``items`` are the exact credentials
    enforcement would remove (none: a person must act, e.g. renew or drop an expired
    exception); ``auto_apply``: the file lets enforcement remove them without a person."""

    account: Account
    rule: RuleName
    message: str
    items: tuple[PlannedItem, ...] = ()
    auto_apply: bool = False
    new_account: bool = False
    exception: RuleException | None = None
    place: ConfigPlace | None = None  # where the broken rule is written

    @property
    def kinds(self) -> tuple[CredentialKind, ...]:
        return tuple(dict.fromkeys(item.kind for item in self.items))

    @property
    def key(self) -> tuple[str, str, tuple[str, ...]]:
        """What makes it the same violation in the next check (for "new violation" alerts)."""
        return (self.account.id, self.rule.value, tuple(sorted(i.id for i in self.items)))


class CheckState(StrEnum):
    COMPLIANT = "compliant"
    VIOLATION = "violation"
    EXCEPTED = "excepted"  # credentials a valid exception (or an open recovery window) allows
    PENDING = "pending"  # a new account's credentials, inside its clean-after period
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_RUN = "not-run"


@dataclass(frozen=True, slots=True)
class AccountCheck(AccountResult):
    State: ClassVar = CheckState
    account: Account
    state: CheckState
    violations: tuple[Violation, ...] = ()
    credentials: RootCredentials | None = None
    allowed: tuple[CredentialKind, ...] = ()  # present, and allowed by the exception/window
    exception: RuleException | None = None
    due_at: datetime | None = None  # pending: when the credentials become violations
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class CheckReport(AccountReport[AccountCheck]):
    source: str = field(default="", kw_only=True)
    checked_at: datetime | None = field(default=None, kw_only=True)
    # Facts about the file found only against the organization (an exception for an account
    # outside the scope …): worth fixing, not violations.
    notes: tuple[str, ...] = field(default=(), kw_only=True)

    @property
    def violations(self) -> tuple[Violation, ...]:
        return tuple(v for row in self.accounts for v in row.violations)

    @property
    def unchecked(self) -> tuple[AccountCheck, ...]:
        return tuple(r for r in self.accounts if r.state in (CheckState.FAILED, CheckState.NOT_RUN))

    @property
    def compliant(self) -> bool:
        """No violation, and every account in scope was checked."""
        return not self.violations and not self.unchecked and not self.interrupted


# -- watch ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lease:
    """Who runs ``watch`` on a journal. ``held``: the caller got it (``taken_over_from``: from
    a holder that had stopped renewing it); else ``holder`` is the one that has it."""

    name: str
    holder: str
    acquired_at: datetime
    expires_at: datetime
    held: bool = True
    taken_over_from: str | None = None
