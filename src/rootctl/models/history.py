"""Audits remembered: what each stored audit covered, who ran it, and what it found.

Every audit the engine runs (CLI, dashboard, library) is stored, unless the caller opted out
(``RootAccess(history=False)`` or ``audit(..., record=False)``): the per-account rows are the
same :class:`~rootctl.models.AccountAudit` the audit returned — credential facts only (ids,
dates, statuses, MFA serials), never a secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from rootctl.models.organization import OrgStatus
from rootctl.models.results import AccountAudit


class AuditSource(StrEnum):
    """Which face ran the audit."""

    CLI = "cli"
    DASHBOARD = "dashboard"
    LIBRARY = "library"


@dataclass(frozen=True, slots=True)
class AuditScope:
    """What the audit was asked to cover, as the user named it."""

    all: bool = False
    accounts: tuple[str, ...] = ()
    ous: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """``all``, ``all except 1111…``, ``ou-ab12-cdefgh34 + 2 accounts`` …"""
        parts = ["all"] if self.all else []
        parts += list(self.ous)
        if self.accounts:
            one = len(self.accounts) == 1
            parts.append(self.accounts[0] if one else f"{len(self.accounts)} accounts")
        text = " + ".join(parts) or "none"
        if self.exclude:
            text += f" except {len(self.exclude)} account" + ("s" if len(self.exclude) > 1 else "")
        return text


@dataclass(frozen=True, slots=True)
class AuditCounts:
    accounts: int = 0
    audited: int = 0
    with_credentials: int = 0
    failed: int = 0
    skipped: int = 0
    not_run: int = 0


@dataclass(frozen=True, slots=True)
class AuditSummary:
    """One stored audit, without its rows (what ``rootctl history`` lists).

    ``complete``: its rows name every account the organization had then (so an account absent
    from it was not in the organization). ``region`` is the engine's region, ``caller_arn`` who
    ran it.
    """

    id: int
    started_at: datetime
    finished_at: datetime
    source: AuditSource
    caller_arn: str | None
    organization_id: str
    region: str | None
    scope: AuditScope
    complete: bool
    interrupted: bool
    counts: AuditCounts

    @property
    def caller_account_id(self) -> str | None:
        """The account of ``caller_arn`` (``arn:aws:sts::111122223333:assumed-role/…``)."""
        parts = (self.caller_arn or "").split(":")
        return parts[4] if len(parts) > 5 and parts[4].isdigit() else None


@dataclass(frozen=True, slots=True)
class StoredAudit:
    """A stored audit with its rows, and the organization's status as read when it ran
    (``None`` when it could not be read), which the organization-wide controls need."""

    summary: AuditSummary
    accounts: tuple[AccountAudit, ...]
    status: OrgStatus | None = None

    @property
    def id(self) -> int:
        return self.summary.id

    def row(self, account_id: str) -> AccountAudit | None:
        return next((r for r in self.accounts if r.account.id == account_id), None)


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """Which stored audits to list, newest first (``None``: any)."""

    organization_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None  # only audits older than this one
    complete: bool | None = None
    limit: int | None = None

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"limit must be at least 1, not {self.limit}")
        for name in ("since", "until"):
            moment: datetime | None = getattr(self, name)
            if moment is not None:
                utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
                object.__setattr__(self, name, utc.astimezone(UTC))


@dataclass(frozen=True, slots=True)
class History:
    """What ``rootctl history`` shows: stored audits, newest first."""

    audits: tuple[AuditSummary, ...]
    location: str  # where they are stored, for people


@dataclass(frozen=True, slots=True)
class PruneResult:
    """What ``rootctl history --prune-older-than`` removed."""

    cutoff: datetime
    audits: int
    account_rows: int
    location: str


@dataclass(frozen=True, slots=True)
class UnitPosture:
    """Accounts of one top-level OU (``Root`` for accounts directly under the root) in one
    audit: with root credentials, without, and not known (failed, skipped, not run)."""

    unit: str
    with_credentials: int
    without: int
    unknown: int

    @property
    def total(self) -> int:
        return self.with_credentials + self.without + self.unknown


@dataclass(frozen=True, slots=True)
class PosturePoint:
    """The posture of one stored audit, per top-level OU (the management account left out)."""

    audit_id: int
    at: datetime
    complete: bool
    units: tuple[UnitPosture, ...]

    @property
    def with_credentials(self) -> int:
        return sum(u.with_credentials for u in self.units)

    @property
    def without(self) -> int:
        return sum(u.without for u in self.units)

    @property
    def unknown(self) -> int:
        return sum(u.unknown for u in self.units)
