"""Per-account results of audit, deletion and recovery."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import ClassVar

from rootctl.models.base import AccountReport, AccountResult
from rootctl.models.credentials import RootCredentials
from rootctl.models.organization import Account


class AuditState(StrEnum):
    AUDITED = "audited"
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_RUN = "not-run"


@dataclass(frozen=True, slots=True)
class AccountAudit(AccountResult):
    State: ClassVar = AuditState
    account: Account
    state: AuditState
    credentials: RootCredentials | None = None
    reason: str | None = None

    @property
    def has_root_credentials(self) -> bool | None:
        return None if self.credentials is None else self.credentials.has_root_credentials

    @property
    def credentials_left(self) -> bool:
        return bool(self.has_root_credentials)


@dataclass(frozen=True, slots=True)
class AuditReport(AccountReport[AccountAudit]):
    # The id of the audit in the history (None when it was not stored).
    audit_id: int | None = field(default=None, kw_only=True)

    @property
    def with_credentials(self) -> tuple[AccountAudit, ...]:
        return tuple(a for a in self.accounts if a.has_root_credentials)

    def kind_counts(self) -> dict[str, int]:
        """Accounts holding each kind of root credential (a login profile known to hold no
        password counts as ``recovery-allowed``, not as a password)."""
        counts = dict.fromkeys(
            ("password", "recovery-allowed", "access-keys", "mfa-virtual", "mfa-hardware",
             "certificates"),
            0,
        )  # fmt: skip
        for row in self.accounts:
            c = row.credentials
            if c is None:
                continue
            if c.login_profile is not None:
                counts["recovery-allowed" if c.login_profile.recovery_only else "password"] += 1
            counts["access-keys"] += bool(c.access_keys)
            counts["mfa-virtual"] += any(d.virtual for d in c.mfa_devices)
            counts["mfa-hardware"] += any(not d.virtual for d in c.mfa_devices)
            counts["certificates"] += bool(c.signing_certificates)
        return counts

    @property
    def clean(self) -> bool:
        """No findings, no failures, nothing left unrun."""
        return not self.with_credentials and not any(
            a.state in (AuditState.FAILED, AuditState.NOT_RUN) for a in self.accounts
        )


class CredentialKind(StrEnum):
    """Kinds of root credential, in the safe deletion order."""

    PASSWORD = "password"  # noqa: S105 - a kind name, not a secret
    ACCESS_KEYS = "access-keys"
    CERTIFICATES = "certificates"
    MFA = "mfa"


@dataclass(frozen=True, slots=True)
class PlannedItem:
    """One credential to remove (or, in ``AccountPlan.kept``, one the chosen kinds leave).
    ``id`` is the key id, certificate id or MFA serial; an access key and the password carry
    their last use; ``created`` when it came to be (login profile, key, certificate upload,
    MFA enabling)."""

    kind: CredentialKind
    id: str
    detail: str = ""
    last_used: datetime | None = None
    last_used_service: str | None = None
    last_used_region: str | None = None
    created: datetime | None = None

    def used_within(self, days: int, now: datetime) -> bool:
        return self.last_used is not None and now - self.last_used <= timedelta(days=days)

    def days_since_use(self, now: datetime) -> int | None:
        """Whole days from the last use to ``now`` (0: within the last 24 hours)."""
        return None if self.last_used is None else max((now - self.last_used).days, 0)


class PlanState(StrEnum):
    TO_DELETE = "to-delete"
    NOTHING_TO_DELETE = "nothing-to-delete"
    SKIPPED = "skipped"
    FAILED = "failed"
    NOT_RUN = "not-run"


@dataclass(frozen=True, slots=True)
class AccountPlan(AccountResult):
    State: ClassVar = PlanState
    account: Account
    state: PlanState
    items: tuple[PlannedItem, ...] = ()
    reason: str | None = None
    kept: tuple[PlannedItem, ...] = ()  # credentials present that the chosen kinds leave

    @property
    def credentials_left(self) -> bool:
        return self.state is PlanState.TO_DELETE

    @property
    def leaves_password_without_mfa(self) -> bool:
        """MFA is to be removed while the root password stays: the password alone signs in."""
        return any(i.kind is CredentialKind.MFA for i in self.items) and any(
            i.kind is CredentialKind.PASSWORD for i in self.kept
        )


RECENT_USE_DAYS = 30  # a root password or access key used this recently: warn before deleting


class PlanRisk(StrEnum):
    """Choices a plan makes that deserve a warning before anyone confirms it."""

    PASSWORD_WITHOUT_MFA = "password-without-mfa"  # noqa: S105 - a risk name
    KEY_RECENTLY_USED = "key-recently-used"
    PASSWORD_RECENTLY_USED = "password-recently-used"  # noqa: S105 - a risk name


@dataclass(frozen=True, slots=True)
class DeletionPlan(AccountReport[AccountPlan]):
    """What a fresh audit found to delete; ``delete_credentials`` removes exactly these items."""

    kinds: tuple[CredentialKind, ...] = field(default=tuple(CredentialKind), kw_only=True)
    planned_at: datetime = field(default_factory=lambda: datetime.now(UTC), kw_only=True)

    @property
    def to_delete(self) -> tuple[AccountPlan, ...]:
        return tuple(a for a in self.accounts if a.state is PlanState.TO_DELETE)

    @property
    def password_without_mfa(self) -> tuple[AccountPlan, ...]:
        """Accounts where the plan removes MFA but keeps the root password."""
        return tuple(a for a in self.to_delete if a.leaves_password_without_mfa)

    @property
    def recently_used(self) -> tuple[tuple[AccountPlan, PlannedItem], ...]:
        """Root passwords and access keys to delete that were used in the last
        ``RECENT_USE_DAYS`` days: someone still signs in, or something still depends on them."""
        return tuple(
            (a, i)
            for a in self.to_delete
            for i in a.items
            if i.kind in (CredentialKind.PASSWORD, CredentialKind.ACCESS_KEYS)
            and i.used_within(RECENT_USE_DAYS, self.planned_at)
        )

    @property
    def recently_used_keys(self) -> tuple[tuple[AccountPlan, PlannedItem], ...]:
        return tuple(p for p in self.recently_used if p[1].kind is CredentialKind.ACCESS_KEYS)

    @property
    def recently_used_passwords(self) -> tuple[tuple[AccountPlan, PlannedItem], ...]:
        return tuple(p for p in self.recently_used if p[1].kind is CredentialKind.PASSWORD)

    @property
    def risks(self) -> tuple[PlanRisk, ...]:
        found = []
        if self.password_without_mfa:
            found.append(PlanRisk.PASSWORD_WITHOUT_MFA)
        if self.recently_used_keys:
            found.append(PlanRisk.KEY_RECENTLY_USED)
        if self.recently_used_passwords:
            found.append(PlanRisk.PASSWORD_RECENTLY_USED)
        return tuple(found)

    def item_counts(self) -> dict[CredentialKind, int]:
        counts = {kind: 0 for kind in self.kinds}
        for plan in self.to_delete:
            for item in plan.items:
                counts[item.kind] = counts.get(item.kind, 0) + 1
        return counts


class ItemOutcome(StrEnum):
    DELETED = "deleted"  # verified gone (MFA: deactivated and the virtual device deleted)
    DEACTIVATED = "deactivated"  # MFA: verified detached from root; the device object remains
    ALREADY_GONE = "already-gone"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    NOT_RUN = "not-run"

    @property
    def removed(self) -> bool:
        """The item is gone from the root user (deleted, deactivated, or already gone)."""
        return self in (ItemOutcome.DELETED, ItemOutcome.DEACTIVATED, ItemOutcome.ALREADY_GONE)


@dataclass(frozen=True, slots=True)
class ItemResult:
    item: PlannedItem
    outcome: ItemOutcome
    reason: str | None = None
    request_id: str | None = None
    note: str | None = None  # e.g. "virtual MFA device object kept: denied by the task policy"


class DeleteState(StrEnum):
    DELETED = "deleted"
    NOTHING_TO_DELETE = "nothing-to-delete"
    SKIPPED = "skipped"
    FAILED = "failed"
    NOT_RUN = "not-run"


@dataclass(frozen=True, slots=True)
class AccountDeletion(AccountResult):
    State: ClassVar = DeleteState
    account: Account
    state: DeleteState
    items: tuple[ItemResult, ...] = ()
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class DeletionReport(AccountReport[AccountDeletion]):
    kinds: tuple[CredentialKind, ...] = field(default=tuple(CredentialKind), kw_only=True)

    @property
    def all_failed(self) -> bool:
        # An account where some items were removed was worked on, even if others failed.
        worked_on = self.worked_on
        return bool(worked_on) and all(
            a.is_("failed") and not any(i.outcome.removed for i in a.items) for a in worked_on
        )

    @property
    def clean(self) -> bool:
        return all(
            a.state in (DeleteState.DELETED, DeleteState.NOTHING_TO_DELETE, DeleteState.SKIPPED)
            for a in self.accounts
        )


class RecoveryState(StrEnum):
    ALLOWED = "allowed"
    ALREADY_ALLOWED = "already-allowed"
    SKIPPED = "skipped"
    FAILED = "failed"
    NOT_RUN = "not-run"


@dataclass(frozen=True, slots=True)
class AccountRecovery(AccountResult):
    State: ClassVar = RecoveryState
    account: Account
    state: RecoveryState
    reason: str | None = None
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class RecoveryReport(AccountReport[AccountRecovery]):
    @property
    def recovery_open(self) -> bool:
        """Some account now lets its root e-mail's owner reset the password."""
        return any(
            a.state in (RecoveryState.ALLOWED, RecoveryState.ALREADY_ALLOWED) for a in self.accounts
        )

    @property
    def clean(self) -> bool:
        return all(
            a.state in (RecoveryState.ALLOWED, RecoveryState.ALREADY_ALLOWED, RecoveryState.SKIPPED)
            for a in self.accounts
        )
