"""Typed results of the engine. Faces (CLI, web, demo) render these; nothing here talks to AWS.

Every collection is a tuple (never None), every state is a string enum whose values are the
words the CLI and the JSON output use, and every per-account result names its account, a state
and — when it is not a plain success — a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

# --------------------------------------------------------------------------- catalogue


class Capability(StrEnum):
    """The two organization-level switches owned by IAM."""

    ROOT_CREDENTIALS_MANAGEMENT = "RootCredentialsManagement"
    ROOT_SESSIONS = "RootSessions"

    @property
    def label(self) -> str:
        return _CAPABILITY_LABELS[self]

    @property
    def cli_flag(self) -> str:
        return _CAPABILITY_FLAGS[self]


_CAPABILITY_LABELS = {
    Capability.ROOT_CREDENTIALS_MANAGEMENT: "Root credentials management",
    Capability.ROOT_SESSIONS: "Privileged root actions in member accounts",
}
_CAPABILITY_FLAGS = {
    Capability.ROOT_CREDENTIALS_MANAGEMENT: "--credentials-management",
    Capability.ROOT_SESSIONS: "--root-sessions",
}


class TaskPolicy(StrEnum):
    """The five AWS managed task policies that scope an AssumeRoot session."""

    AUDIT = "IAMAuditRootUserCredentials"
    DELETE = "IAMDeleteRootUserCredentials"
    CREATE_PASSWORD = "IAMCreateRootUserPassword"  # noqa: S105 - a policy name, not a secret
    S3_UNLOCK = "S3UnlockBucketPolicy"
    SQS_UNLOCK = "SQSUnlockQueuePolicy"

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::aws:policy/root-task/{self.value}"

    @property
    def capability(self) -> Capability:
        """The capability that must be on for AWS to issue a session with this policy."""
        return _TASK_CAPABILITY[self]


# Which capability gates which task (spec §2.4), kept as data.
_TASK_CAPABILITY = {
    TaskPolicy.AUDIT: Capability.ROOT_CREDENTIALS_MANAGEMENT,
    TaskPolicy.DELETE: Capability.ROOT_CREDENTIALS_MANAGEMENT,
    TaskPolicy.CREATE_PASSWORD: Capability.ROOT_CREDENTIALS_MANAGEMENT,
    TaskPolicy.S3_UNLOCK: Capability.ROOT_SESSIONS,
    TaskPolicy.SQS_UNLOCK: Capability.ROOT_SESSIONS,
}


# --------------------------------------------------------------------------- organization


@dataclass(frozen=True, slots=True)
class OrgUnit:
    """The organization root or an organizational unit. ``path`` is names from the root down."""

    id: str
    name: str
    parent_id: str | None
    path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Account:
    """A member (or the management) account as Organizations describes it."""

    id: str
    name: str
    email: str
    state: str  # ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED
    parent_id: str
    ou_path: tuple[str, ...]  # names of the root and OUs above the account
    is_management: bool = False

    @property
    def ou_path_text(self) -> str:
        return "/".join(self.ou_path)


@dataclass(frozen=True, slots=True)
class Organization:
    """The whole tree, read once per engine and cached."""

    id: str
    feature_set: str
    management_account_id: str
    root_id: str
    units: tuple[OrgUnit, ...]
    accounts: tuple[Account, ...]

    def account(self, account_id: str) -> Account | None:
        return next((a for a in self.accounts if a.id == account_id), None)

    def unit(self, unit_id: str) -> OrgUnit | None:
        return next((u for u in self.units if u.id == unit_id), None)

    def child_units(self, parent_id: str) -> tuple[OrgUnit, ...]:
        return tuple(u for u in self.units if u.parent_id == parent_id)

    def child_accounts(self, parent_id: str) -> tuple[Account, ...]:
        return tuple(a for a in self.accounts if a.parent_id == parent_id)

    def accounts_under(self, unit_id: str) -> tuple[Account, ...]:
        """Accounts in ``unit_id`` and, recursively, in every OU below it."""
        found: list[Account] = list(self.child_accounts(unit_id))
        for child in self.child_units(unit_id):
            found.extend(self.accounts_under(child.id))
        return tuple(found)


# --------------------------------------------------------------------------- status


class CallerRole(StrEnum):
    MANAGEMENT = "management"
    DELEGATED_ADMIN = "delegated-admin"
    MEMBER = "member"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class CallerIdentity:
    arn: str
    account_id: str
    user_id: str


@dataclass(frozen=True, slots=True)
class DelegatedAdmin:
    account_id: str
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class OrgStatus:
    """What ``rootctl status`` shows. ``None`` means the caller could not read that fact."""

    organization_id: str
    feature_set: str
    management_account_id: str
    caller: CallerIdentity
    caller_role: CallerRole
    trusted_access: bool | None
    capabilities: frozenset[Capability] | None
    delegated_admins: tuple[DelegatedAdmin, ...] | None
    notes: tuple[str, ...] = ()

    def has(self, capability: Capability) -> bool:
        return self.capabilities is not None and capability in self.capabilities


@dataclass(frozen=True, slots=True)
class ChangeStep:
    """One step of enable/disable/deregister: what, and whether it was done or only planned."""

    description: str
    state: str  # "done", "already", "planned", "failed"
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class FeatureChange:
    before: OrgStatus
    after: OrgStatus
    steps: tuple[ChangeStep, ...]
    dry_run: bool = False

    @property
    def failed(self) -> bool:
        return any(s.state == "failed" for s in self.steps)


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True, slots=True)
class TargetSelector:
    """How the user named the accounts to act on (the CLI's TARGETS, the web's form)."""

    all: bool = False
    accounts: tuple[str, ...] = ()
    ous: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    accounts_file: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.all or self.accounts or self.ous or self.accounts_file)


@dataclass(frozen=True, slots=True)
class SkippedAccount:
    account: Account
    reason: str


@dataclass(frozen=True, slots=True)
class TargetSet:
    """The result of selection: accounts to act on, and the ones deliberately left out."""

    organization_id: str
    selected: tuple[Account, ...]
    skipped: tuple[SkippedAccount, ...]


# --------------------------------------------------------------------------- audit


@dataclass(frozen=True, slots=True)
class LoginProfile:
    """The root user's login profile. AWS cannot tell a set password from an empty one."""

    created: datetime | None


@dataclass(frozen=True, slots=True)
class AccessKey:
    id: str
    status: str
    created: datetime | None
    last_used: datetime | None = None
    last_used_service: str | None = None
    last_used_region: str | None = None


@dataclass(frozen=True, slots=True)
class MfaDevice:
    serial: str
    enabled_at: datetime | None

    @property
    def virtual(self) -> bool:
        # Virtual devices are IAM resources (arn:aws:iam::…:mfa/…); anything else is hardware.
        return self.serial.startswith("arn:") and ":mfa/" in self.serial

    @property
    def kind(self) -> str:
        return "virtual" if self.virtual else "hardware"


@dataclass(frozen=True, slots=True)
class SigningCertificate:
    id: str
    status: str
    uploaded: datetime | None


@dataclass(frozen=True, slots=True)
class RootCredentials:
    login_profile: LoginProfile | None
    access_keys: tuple[AccessKey, ...] = ()
    mfa_devices: tuple[MfaDevice, ...] = ()
    signing_certificates: tuple[SigningCertificate, ...] = ()

    @property
    def has_root_credentials(self) -> bool:
        return bool(
            self.login_profile or self.access_keys or self.mfa_devices or self.signing_certificates
        )

    @property
    def recovery_allowed(self) -> bool:
        """True when a login profile exists: then "Forgot password" works for the root e-mail."""
        return self.login_profile is not None


class AuditState(StrEnum):
    AUDITED = "audited"
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_RUN = "not-run"


@dataclass(frozen=True, slots=True)
class AccountAudit:
    account: Account
    state: AuditState
    credentials: RootCredentials | None = None
    reason: str | None = None

    @property
    def has_root_credentials(self) -> bool | None:
        return None if self.credentials is None else self.credentials.has_root_credentials


@dataclass(frozen=True, slots=True)
class AuditReport:
    organization_id: str
    accounts: tuple[AccountAudit, ...]
    interrupted: bool = False

    @property
    def with_credentials(self) -> tuple[AccountAudit, ...]:
        return tuple(a for a in self.accounts if a.has_root_credentials)

    @property
    def failed(self) -> tuple[AccountAudit, ...]:
        return tuple(a for a in self.accounts if a.state is AuditState.FAILED)

    @property
    def clean(self) -> bool:
        """No findings, no failures, nothing left unrun."""
        return not self.with_credentials and not any(
            a.state in (AuditState.FAILED, AuditState.NOT_RUN) for a in self.accounts
        )


# --------------------------------------------------------------------------- delete


class CredentialKind(StrEnum):
    """Kinds of root credential, in the safe deletion order."""

    PASSWORD = "password"  # noqa: S105 - a kind name, not a secret
    ACCESS_KEYS = "access-keys"
    CERTIFICATES = "certificates"
    MFA = "mfa"


@dataclass(frozen=True, slots=True)
class PlannedItem:
    """One credential to remove. ``id`` is the key id, certificate id or MFA serial."""

    kind: CredentialKind
    id: str
    detail: str = ""


class PlanState(StrEnum):
    TO_DELETE = "to-delete"
    NOTHING_TO_DELETE = "nothing-to-delete"
    SKIPPED = "skipped"
    FAILED = "failed"
    NOT_RUN = "not-run"


@dataclass(frozen=True, slots=True)
class AccountPlan:
    account: Account
    state: PlanState
    items: tuple[PlannedItem, ...] = ()
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class DeletionPlan:
    """What a fresh audit found to delete; ``delete_credentials`` removes exactly these items."""

    organization_id: str
    kinds: tuple[CredentialKind, ...]
    accounts: tuple[AccountPlan, ...]
    interrupted: bool = False

    @property
    def to_delete(self) -> tuple[AccountPlan, ...]:
        return tuple(a for a in self.accounts if a.state is PlanState.TO_DELETE)

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
class AccountDeletion:
    account: Account
    state: DeleteState
    items: tuple[ItemResult, ...] = ()
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class DeletionReport:
    organization_id: str
    kinds: tuple[CredentialKind, ...]
    accounts: tuple[AccountDeletion, ...]
    interrupted: bool = False

    @property
    def clean(self) -> bool:
        return all(
            a.state in (DeleteState.DELETED, DeleteState.NOTHING_TO_DELETE, DeleteState.SKIPPED)
            for a in self.accounts
        )


# --------------------------------------------------------------------------- recovery


class RecoveryState(StrEnum):
    ALLOWED = "allowed"
    ALREADY_ALLOWED = "already-allowed"
    SKIPPED = "skipped"
    FAILED = "failed"
    NOT_RUN = "not-run"


@dataclass(frozen=True, slots=True)
class AccountRecovery:
    account: Account
    state: RecoveryState
    reason: str | None = None
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    organization_id: str
    accounts: tuple[AccountRecovery, ...]
    interrupted: bool = False

    @property
    def clean(self) -> bool:
        return all(
            a.state in (RecoveryState.ALLOWED, RecoveryState.ALREADY_ALLOWED, RecoveryState.SKIPPED)
            for a in self.accounts
        )


# --------------------------------------------------------------------------- unlock


class ResourceKind(StrEnum):
    S3_BUCKET = "s3-bucket"
    SQS_QUEUE = "sqs-queue"

    @property
    def task_policy(self) -> TaskPolicy:
        return TaskPolicy.S3_UNLOCK if self is ResourceKind.S3_BUCKET else TaskPolicy.SQS_UNLOCK


@dataclass(frozen=True, slots=True)
class ResourcePolicy:
    """A bucket or queue and its resource policy (``None`` when it has none)."""

    account_id: str
    kind: ResourceKind
    resource: str  # bucket name, or queue URL
    region: str | None
    policy: str | None


class UnlockState(StrEnum):
    REMOVED = "removed"
    NO_POLICY = "no-policy"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class UnlockResult:
    before: ResourcePolicy
    state: UnlockState
    journal_id: int | None = None  # the journal row that holds the backed-up policy
    reason: str | None = None
    request_id: str | None = None


# --------------------------------------------------------------------------- journal


class JournalStatus(StrEnum):
    INTENT = "intent"  # written before the call; still "intent" later = interrupted/unknown
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


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
    error: str | None = None
    saved_policy: ResourcePolicy | None = None

    @property
    def outcome(self) -> str:
        """What to show: an intent row never completed means the outcome is unknown."""
        return "unknown" if self.status is JournalStatus.INTENT else self.status.value


# --------------------------------------------------------------------------- progress


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """Sent to a progress callback after each account finishes (``done`` of ``total``)."""

    total: int
    done: int
    account_id: str
    state: str
    phase: str = field(default="")


ProgressCallback = Callable[[ProgressEvent], None]
