"""Organizations' state: moto's ``OrganizationsBackend`` (so moto's other operations keep
working on it) plus id indexes, rebuilt lazily after a mutation, so that lookups stay O(1) at
5,000 accounts; IAM as a trusted service and delegated administrator, with its rules.
"""

from __future__ import annotations

from typing import Any

from moto.organizations.models import (
    FakeAccount,
    FakeOrganization,
    FakeOrganizationalUnit,
    FakeRoot,
    OrganizationsBackend,
    organizations_backends,
)

from ..models import RootUser, account_state, aware_utc
from .exceptions import (
    AccessDeniedException,
    AccountAlreadyRegistered,
    AccountNotFound,
    ConstraintViolation,
    NotInUse,
    OrganizationalUnitNotFound,
)

IAM_SERVICE_PRINCIPAL = "iam.amazonaws.com"
# What a member account may call besides a delegate's reads (List*/Describe*): everything else
# is management-only. (Organizations' read-only delegated access.)
_MEMBER_CALLABLE = frozenset({"DescribeOrganization", "CreateOrganization", "LeaveOrganization"})


class SandboxOrganizationsBackend(OrganizationsBackend):
    """moto's backend plus id indexes, so lookups stay O(1) at thousands of accounts."""

    @property
    def _url_module(self) -> Any:
        # moto finds a service's URLs next to its backend class; ours lives elsewhere.
        import moto.organizations.urls

        return moto.organizations.urls

    def _reset(self) -> None:
        super()._reset()
        self._version = 0
        self._index_version = -1
        self._accounts_by_id: dict[str, FakeAccount] = {}
        self._ous_by_id: dict[str, FakeOrganizationalUnit] = {}
        self._accounts_by_parent: dict[str, list[FakeAccount]] = {}
        self._ous_by_parent: dict[str, list[FakeOrganizationalUnit]] = {}
        self._accounts_sorted: list[FakeAccount] = []

    def reset(self) -> None:
        for account in list(getattr(self, "accounts", [])):
            if account.id != self.account_id:
                organizations_backends.master_accounts.pop(account.id, None)
        super().reset()

    def touch(self) -> None:
        """Mark the indexes stale (call after changing accounts or OUs directly)."""
        self._version += 1

    def _indexes(self) -> None:
        if self._index_version == self._version and len(self._accounts_by_id) == len(self.accounts):
            return
        self._accounts_by_id = {a.id: a for a in self.accounts}
        self._ous_by_id = {o.id: o for o in self.ou}
        by_parent: dict[str, list[FakeAccount]] = {}
        for account in sorted(self.accounts, key=lambda a: (a.create_time, a.id)):
            by_parent.setdefault(account.parent_id, []).append(account)
        self._accounts_by_parent = by_parent
        self._accounts_sorted = sorted(self.accounts, key=lambda a: (a.create_time, a.id))
        ous: dict[str, list[FakeOrganizationalUnit]] = {}
        for ou in self.ou:
            if not isinstance(ou, FakeRoot):
                ous.setdefault(str(ou.parent_id), []).append(ou)
        self._ous_by_parent = ous
        self._index_version = self._version

    @property
    def organization(self) -> FakeOrganization:
        """The organization this (management account's) backend holds."""
        if self.org is None:
            raise NotInUse()
        return self.org

    # --- O(1) lookups replacing moto's scans -------------------------------------------

    def find_account(self, account_id: str) -> FakeAccount | None:
        self._indexes()
        return self._accounts_by_id.get(account_id)

    def get_account_by_id(self, account_id: str) -> FakeAccount:
        found = self.find_account(account_id)
        if found is None:
            raise AccountNotFound()
        return found

    def parent_exists(self, parent_id: str) -> bool:
        self._indexes()
        return parent_id in self._ous_by_id

    def get_organizational_unit_by_id(self, ou_id: str) -> FakeOrganizationalUnit:
        if not self.parent_exists(ou_id):
            raise OrganizationalUnitNotFound()
        return self._ous_by_id[ou_id]

    def accounts_sorted(self) -> list[FakeAccount]:
        self._indexes()
        return self._accounts_sorted

    def accounts_of(self, parent_id: str) -> list[FakeAccount]:
        self._indexes()
        return self._accounts_by_parent.get(parent_id, [])

    def ous_of(self, parent_id: str) -> list[FakeOrganizationalUnit]:
        self._indexes()
        return self._ous_by_parent.get(parent_id, [])

    def _get_resource_for_tagging(self, resource_id: str) -> Any:
        """moto's lookup scans every account; the indexes answer ListTagsForResource (once
        per account and OU for ``--tag``) in O(1). Anything else: moto's own rules."""
        if resource_id.isdigit():
            found: Any = self.find_account(resource_id)
        else:
            self._indexes()
            found = self._ous_by_id.get(resource_id)
        return found if found is not None else super()._get_resource_for_tagging(resource_id)

    # --- mutations that must invalidate the indexes ---------------------------------------

    def create_organization(self, region: str, **kwargs: Any) -> dict[str, Any]:
        self.touch()
        result: dict[str, Any] = super().create_organization(region=region, **kwargs)
        return result

    def create_organizational_unit(self, **kwargs: Any) -> dict[str, Any]:
        self.touch()
        result: dict[str, Any] = super().create_organizational_unit(**kwargs)
        return result

    def delete_organizational_unit(self, **kwargs: Any) -> None:
        self.touch()
        super().delete_organizational_unit(**kwargs)

    def create_account(self, **kwargs: Any) -> dict[str, Any]:
        self.touch()
        result: dict[str, Any] = super().create_account(**kwargs)
        account_id = result["CreateAccountStatus"]["AccountId"]
        account = self.find_account(account_id)
        if account is not None:
            # Created through Organizations: a root user bound to the e-mail, no credentials,
            # not eligible for recovery once root credentials management is on (spec §5).
            state = account_state(account_id)
            state.root = RootUser(account_id, account.email, aware_utc(account.create_time))
        return result

    def move_account(self, **kwargs: Any) -> None:
        self.touch()
        super().move_account(**kwargs)

    def remove_account_from_organization(self, **kwargs: str) -> None:
        self.touch()
        super().remove_account_from_organization(**kwargs)

    # --- trusted access and delegates -------------------------------------------------

    def service_enabled(self, service_principal: str) -> bool:
        return any(s["ServicePrincipal"] == service_principal for s in self.services)

    def delegates(self, service_principal: str) -> list[str]:
        return [a.account.id for a in self.admins if service_principal in a.services]

    def is_delegate(self, account_id: str) -> bool:
        """A delegated administrator of any service (they may read the organization)."""
        return any(a.account.id == account_id for a in self.admins)

    def administers_iam(self, account_id: str) -> bool:
        """Is the account the management account or the IAM delegated administrator? (Who may
        use the root access features and AssumeRoot, spec §1.2, §2.3.)"""
        return account_id == self.account_id or account_id in self.delegates(IAM_SERVICE_PRINCIPAL)

    def enable_aws_service_access(self, **kwargs: str) -> None:
        super().enable_aws_service_access(**kwargs)
        if kwargs["ServicePrincipal"] == IAM_SERVICE_PRINCIPAL:
            account_state(self.account_id).restore("trusted-access")

    def disable_aws_service_access(self, **kwargs: str) -> None:
        self.organization  # noqa: B018 - raises when there is none
        principal = kwargs["ServicePrincipal"]
        if principal == IAM_SERVICE_PRINCIPAL and self.delegates(IAM_SERVICE_PRINCIPAL):
            raise ConstraintViolation("DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE")
        enabled = self.service_enabled(principal)
        super().disable_aws_service_access(**kwargs)
        if principal == IAM_SERVICE_PRINCIPAL and enabled:
            account_state(self.account_id).revoke("trusted-access")  # AssumeRoot may lag

    def register_delegated_administrator(self, **kwargs: str) -> None:
        account_id, principal = kwargs["AccountId"], kwargs["ServicePrincipal"]
        self.organization  # noqa: B018 - raises when there is none
        if account_id == self.account_id:
            raise ConstraintViolation("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR")
        if self.get_account_by_id(account_id).status == "SUSPENDED":
            raise ConstraintViolation(
                "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR"
            )
        if principal == IAM_SERVICE_PRINCIPAL:
            if not self.service_enabled(principal):
                raise ConstraintViolation("SERVICE_ACCESS_NOT_ENABLED")
            registered = self.delegates(principal)
            if account_id in registered:
                raise AccountAlreadyRegistered()
            if registered:
                raise ConstraintViolation("MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED")
        super().register_delegated_administrator(**kwargs)
        if principal == IAM_SERVICE_PRINCIPAL:
            account_state(self.account_id).restore(f"delegate:{account_id}")

    def deregister_delegated_administrator(self, **kwargs: str) -> None:
        account_id, principal = kwargs["AccountId"], kwargs["ServicePrincipal"]
        was_delegate = account_id in self.delegates(principal)
        super().deregister_delegated_administrator(**kwargs)
        if principal == IAM_SERVICE_PRINCIPAL and was_delegate:
            account_state(self.account_id).revoke(f"delegate:{account_id}")  # AssumeRoot may lag


def organization_of(account_id: str) -> SandboxOrganizationsBackend | None:
    """The organization (its management account's backend) ``account_id`` belongs to."""
    per_account = dict.get(organizations_backends, account_id)
    if per_account is not None and dict.__contains__(per_account, "aws"):
        own = per_account["aws"]
        if own.org is not None and isinstance(own, SandboxOrganizationsBackend):
            return own
    located = organizations_backends.master_accounts.get(account_id)
    if located is None:
        return None
    management, partition = located
    backend = dict.get(organizations_backends, management)
    if backend is None or not dict.__contains__(backend, partition):
        return None
    found = backend[partition]
    return found if isinstance(found, SandboxOrganizationsBackend) and found.org else None


def install() -> None:
    """Accept IAM as trusted service and delegate; index every new Organizations backend."""
    from moto.organizations.models import FakeDelegatedAdministrator, FakeServiceAccess

    if IAM_SERVICE_PRINCIPAL not in FakeServiceAccess.TRUSTED_SERVICES:
        FakeServiceAccess.TRUSTED_SERVICES.append(IAM_SERVICE_PRINCIPAL)
    if IAM_SERVICE_PRINCIPAL not in FakeDelegatedAdministrator.SUPPORTED_SERVICES:
        FakeDelegatedAdministrator.SUPPORTED_SERVICES.append(IAM_SERVICE_PRINCIPAL)
    organizations_backends.backend = SandboxOrganizationsBackend


def check_caller_scope(account_id: str, action: str) -> None:
    """Members of an organization may call only what Organizations lets them: a delegated
    administrator (of any service) reads; everything else is for the management account."""
    if account_id not in organizations_backends.master_accounts:
        return  # a management account or a stand-alone account: moto's own behaviour
    if action in _MEMBER_CALLABLE:
        return
    org = organization_of(account_id)
    if action.startswith(("List", "Describe")) and org is not None and org.is_delegate(account_id):
        return
    raise AccessDeniedException()
