"""The organization as Organizations describes it, and what `status` reads about it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from rootctl.errors import Advice
from rootctl.models.catalogue import Capability


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
    joined_at: datetime | None = None  # when it joined the organization (JoinedTimestamp)

    @property
    def ou_path_text(self) -> str:
        return "/".join(self.ou_path)


@dataclass(frozen=True, slots=True)
class OrganizationInfo:
    """What DescribeOrganization says about the organization itself."""

    id: str
    feature_set: str
    management_account_id: str


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
    notes: tuple[str, ...] = ()  # facts the caller should know, in plain words
    advice: tuple[Advice, ...] = ()  # what to do about them, as data the faces word

    def has(self, capability: Capability) -> bool:
        return self.capabilities is not None and capability in self.capabilities


class StepState(StrEnum):
    DONE = "done"
    ALREADY = "already"  # nothing to do: it was already so
    PLANNED = "planned"  # a dry run
    FAILED = "failed"
    NOT_RUN = "not-run"  # an earlier step failed, so this one was not attempted


@dataclass(frozen=True, slots=True)
class ChangeStep:
    """One step of enable/disable/deregister: what, and whether it was done or only planned."""

    description: str
    state: StepState
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class FeatureChange:
    before: OrgStatus
    after: OrgStatus
    steps: tuple[ChangeStep, ...]
    dry_run: bool = False

    @property
    def failed(self) -> bool:
        return any(s.state is StepState.FAILED for s in self.steps)
