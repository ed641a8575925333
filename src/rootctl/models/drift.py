"""What changed between two stored audits, per account.

Credentials are compared only for accounts audited in both runs; an account audited in only
one of them (or failed, skipped, not run in either) is ``not-comparable`` — never "unchanged".
Facts that come from Organizations (joined, left, state, OU, name) are reported whenever both
runs name the account, or when the run that does not name it covered the whole organization.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rootctl.models.history import AuditSummary


class ChangeKind(StrEnum):
    CREDENTIAL_APPEARED = "credential-appeared"
    CREDENTIAL_REMOVED = "credential-removed"
    CREDENTIAL_CHANGED = "credential-changed"  # an access key or certificate changed status
    RECOVERY_ALLOWED = "recovery-allowed"
    RECOVERY_WITHDRAWN = "recovery-withdrawn"
    JOINED = "joined"
    LEFT = "left"
    STATE_CHANGED = "state-changed"  # ACTIVE → SUSPENDED …
    MOVED = "moved"  # to another OU
    RENAMED = "renamed"


class CredentialType(StrEnum):
    """Which root credential a change is about (``password``: the login profile)."""

    PASSWORD = "password"  # noqa: S105 - a kind name, not a secret
    ACCESS_KEY = "access-key"
    SIGNING_CERTIFICATE = "signing-certificate"
    MFA_DEVICE = "mfa-device"


@dataclass(frozen=True, slots=True)
class Change:
    """One change. For credentials ``credential`` and ``id`` (key id, certificate id, MFA
    serial; the login profile's creation date for a password) say which; ``before`` and
    ``after`` are the values that changed (a status, an OU path, a name, an account state)."""

    kind: ChangeKind
    credential: CredentialType | None = None
    id: str | None = None
    before: str | None = None
    after: str | None = None
    detail: str = ""


class DriftState(StrEnum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    JOINED = "joined"
    LEFT = "left"
    NOT_COMPARABLE = "not-comparable"


@dataclass(frozen=True, slots=True)
class AccountDrift:
    """One account between the two runs. ``name`` is its latest known name."""

    account_id: str
    name: str
    ou_path: tuple[str, ...]
    state: DriftState
    changes: tuple[Change, ...] = ()
    reason: str | None = None  # why it is not comparable

    @property
    def credentials_appeared(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind is ChangeKind.CREDENTIAL_APPEARED)


@dataclass(frozen=True, slots=True)
class DriftReport:
    """Accounts in order: changed first, then joined, left, not comparable, unchanged."""

    organization_id: str
    before: AuditSummary
    after: AuditSummary
    accounts: tuple[AccountDrift, ...]

    @property
    def credentials_appeared(self) -> bool:
        """Some root credential exists now that did not before (exit 1 in the CLI)."""
        return any(a.credentials_appeared for a in self.accounts)

    def count(self, state: DriftState) -> int:
        return sum(1 for a in self.accounts if a.state is state)

    @property
    def changed(self) -> tuple[AccountDrift, ...]:
        return tuple(a for a in self.accounts if a.changes)
