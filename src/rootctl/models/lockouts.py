"""Locked-out buckets and queues across the organization (`rootctl find-lockouts`), and the
surgical fix (a corrected policy, or the policy deleted)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from rootctl.models.base import AccountReport, AccountResult
from rootctl.models.organization import Account
from rootctl.models.resources import ResourceKind

SHORT_KIND = {ResourceKind.S3_BUCKET: "s3", ResourceKind.SQS_QUEUE: "sqs"}


class LockoutClass(StrEnum):
    """How a resource policy treats the owning account's administrators."""

    EVERYONE = "locks-out-everyone"
    OUTSIDE_CONDITION = "locks-out-outside-condition"
    UNPARSEABLE = "unparseable"
    HEALTHY = "not-a-lock-out"

    @property
    def is_finding(self) -> bool:
        return self is not LockoutClass.HEALTHY


@dataclass(frozen=True, slots=True)
class LockingStatement:
    """One Deny statement that locks the account out, quoted."""

    index: int  # position in the policy's Statement list (0-based)
    sid: str | None
    lockout: LockoutClass
    denied_actions: tuple[str, ...]
    who_gets_in: tuple[str, ...]  # empty when it locks out everyone
    reason: str
    statement: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ResourceLockout:
    """A bucket or queue and what its policy does (findings and, if asked, healthy ones)."""

    account_id: str
    kind: ResourceKind
    name: str  # bucket name, or queue name
    resource: str  # bucket name, or queue URL (what the unlock calls take)
    region: str | None
    lockout: LockoutClass
    reason: str
    statements: tuple[LockingStatement, ...]
    policy: str  # the document as read
    corrected: str | None  # the policy without the locking statements (None: nothing remains)

    @property
    def short_kind(self) -> str:
        return SHORT_KIND[self.kind]

    @property
    def statement(self) -> Mapping[str, Any] | None:
        """The worst locking statement, quoted."""
        return self.statements[0].statement if self.statements else None


class RegionState(StrEnum):
    SCANNED = "scanned"
    NOT_ENABLED = "not-enabled"  # an opt-in Region the account has not enabled
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class RegionScan:
    """One (kind, Region) of one account: scanned, not enabled, or failed, and why."""

    kind: ResourceKind
    region: str  # "global" for S3's bucket listing
    state: RegionState
    resources: int = 0  # buckets or queues seen there
    reason: str | None = None


class ScanState(StrEnum):
    LOCKED = "locked"  # at least one finding
    CLEAN = "clean"
    INCOMPLETE = "incomplete"  # some kind or Region could not be read (no finding elsewhere)
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_RUN = "not-run"


@dataclass(frozen=True, slots=True)
class AccountLockouts(AccountResult):
    State: ClassVar = ScanState
    account: Account
    state: ScanState
    resources: tuple[ResourceLockout, ...] = ()  # every resource with a policy
    scans: tuple[RegionScan, ...] = ()
    reason: str | None = None

    @property
    def findings(self) -> tuple[ResourceLockout, ...]:
        return tuple(r for r in self.resources if r.lockout.is_finding)

    @property
    def healthy(self) -> tuple[ResourceLockout, ...]:
        return tuple(r for r in self.resources if not r.lockout.is_finding)


@dataclass(frozen=True, slots=True)
class LockoutReport(AccountReport[AccountLockouts]):
    kinds: tuple[ResourceKind, ...] = tuple(ResourceKind)
    regions: tuple[str, ...] = ()  # the SQS Regions scanned ("all" expanded)
    show_healthy: bool = False  # healthy policies are listed, not only counted

    @property
    def findings(self) -> tuple[ResourceLockout, ...]:
        return tuple(f for a in self.accounts for f in a.findings)

    @property
    def healthy(self) -> tuple[ResourceLockout, ...]:
        return tuple(f for a in self.accounts for f in a.healthy)

    @property
    def clean(self) -> bool:
        """Nothing locked, nothing left unread."""
        return all(a.state in (ScanState.CLEAN, ScanState.SKIPPED) for a in self.accounts)


# -- fixing ---------------------------------------------------------------------------------------


class FixMode(StrEnum):
    CORRECT = "correct"  # put the policy without its locking statements (the default)
    DELETE = "delete"  # delete the whole policy, as the console does


class FixAction(StrEnum):
    PUT_CORRECTED = "put-corrected"
    DELETE = "delete"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class PlannedFix:
    finding: ResourceLockout
    action: FixAction
    reason: str  # why this action (a deletion instead of a correction, a skip …)

    @property
    def replacement(self) -> str | None:
        return self.finding.corrected if self.action is FixAction.PUT_CORRECTED else None


class FixState(StrEnum):
    FIXED = "fixed"  # corrected or deleted, and re-read: no lock-out left
    PLANNED = "planned"  # a dry run
    CHANGED = "changed"  # the policy changed since it was read: left alone
    STILL_LOCKED = "still-locked"  # done, but the re-read policy still locks out
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_RUN = "not-run"


@dataclass(frozen=True, slots=True)
class ResourceFix:
    fix: PlannedFix
    state: FixState
    journal_id: int | None = None  # the entry holding the original (and the corrected) policy
    request_id: str | None = None
    reason: str | None = None


class AccountFixState(StrEnum):
    FIXED = "fixed"
    PLANNED = "planned"
    PARTIAL = "partial"  # some resources fixed, some not
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_RUN = "not-run"


@dataclass(frozen=True, slots=True)
class AccountLockoutFix(AccountResult):
    State: ClassVar = AccountFixState
    account: Account
    state: AccountFixState
    items: tuple[ResourceFix, ...] = ()
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class LockoutFixReport(AccountReport[AccountLockoutFix]):
    mode: FixMode = FixMode.CORRECT
    dry_run: bool = False

    @property
    def items(self) -> tuple[ResourceFix, ...]:
        return tuple(i for a in self.accounts for i in a.items)

    @property
    def clean(self) -> bool:
        return all(
            a.state in (AccountFixState.FIXED, AccountFixState.PLANNED, AccountFixState.SKIPPED)
            for a in self.accounts
        ) and all(i.state in (FixState.FIXED, FixState.PLANNED) for i in self.items)
