"""Organizations: IAM as a trusted service and delegated administrator, the delegate's read
access to the organization, management-only writes, and O(1)/O(page) reads at 5,000 accounts.

State stays in moto's ``OrganizationsBackend`` (so moto's other operations keep working on it);
the subclass adds id indexes, rebuilt lazily after a mutation, and the response subclass
answers the list/describe calls from them with opaque page tokens.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from moto.organizations import utils as org_utils
from moto.organizations.models import (
    FakeAccount,
    FakeOrganization,
    FakeOrganizationalUnit,
    FakeRoot,
    OrganizationsBackend,
    organizations_backends,
)
from moto.organizations.responses import OrganizationsResponse

from . import gate
from .exceptions import SandboxError, organizations_error
from .models import RootUser, account_state

IAM_SERVICE_PRINCIPAL = "iam.amazonaws.com"
PAGE_LIMIT = 20
NO_PERMISSION = "You don't have permissions to access this resource."

# Operations a delegated administrator (of any service) may call: Organizations' read-only
# delegate access. Everything else that is not Describe/List is management-only.
_MEMBER_READABLE = {"DescribeOrganization"}


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
            raise organizations_error(
                "AWSOrganizationsNotInUseException",
                "Your account is not a member of an organization.",
            )
        return self.org

    # --- O(1) lookups replacing moto's scans -------------------------------------------

    def get_account_by_id(self, account_id: str) -> FakeAccount:
        self._indexes()
        found = self._accounts_by_id.get(account_id)
        if found is None:
            raise organizations_error(
                "AccountNotFoundException", "You specified an account that doesn't exist."
            )
        return found

    def find_account(self, account_id: str) -> FakeAccount | None:
        self._indexes()
        return self._accounts_by_id.get(account_id)

    def get_organizational_unit_by_id(self, ou_id: str) -> FakeOrganizationalUnit:
        self._indexes()
        found = self._ous_by_id.get(ou_id)
        if found is None:
            raise organizations_error(
                "OrganizationalUnitNotFoundException",
                "You specified an organizational unit that doesn't exist.",
            )
        return found

    def parent_exists(self, parent_id: str) -> bool:
        self._indexes()
        return parent_id in self._ous_by_id

    def accounts_sorted(self) -> list[FakeAccount]:
        self._indexes()
        return self._accounts_sorted

    def accounts_of(self, parent_id: str) -> list[FakeAccount]:
        self._indexes()
        return self._accounts_by_parent.get(parent_id, [])

    def ous_of(self, parent_id: str) -> list[FakeOrganizationalUnit]:
        self._indexes()
        return self._ous_by_parent.get(parent_id, [])

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
        return any(a.account.id == account_id for a in self.admins)


def naive_utc(moment: datetime) -> datetime:
    """moto keeps naive UTC datetimes; the sandbox's own models keep aware ones."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def aware_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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


def new_account(
    org_backend: SandboxOrganizationsBackend,
    *,
    account_id: str,
    name: str,
    email: str,
    parent_id: str,
    joined_method: str,
    joined_at: datetime,
    status: str = "ACTIVE",
) -> FakeAccount:
    """A member account added directly (seeding), without moto's random id and IAM role."""
    org = org_backend.organization
    # Built without __init__, which would draw a random id and create an IAM role there.
    account: FakeAccount = object.__new__(FakeAccount)
    account.type = "ACCOUNT"
    account.region = org.region
    account.organization_id = org.id
    account.master_account_id = org.master_account_id
    account.create_account_status_id = org_utils.make_random_create_account_status_id()
    account.id = account_id
    account.name = name
    account.email = email
    account.create_time = naive_utc(joined_at)
    account.status = status
    account.state = status
    account.joined_method = joined_method
    account.parent_id = parent_id
    account.attached_policies = []
    account.tags = {}
    for policy in org_backend.policies:
        if policy.id in (org_utils.DEFAULT_SCP_POLICY_ID, org_utils.DEFAULT_RCP_POLICY_ID):
            account.attached_policies.append(policy)
            policy.attachments.append(account)
    org_backend.accounts.append(account)
    if account_id != org.master_account_id:
        organizations_backends.master_accounts[account_id] = (
            org_backend.account_id,
            org_backend.partition,
        )
    org_backend.touch()
    return account


def new_ou(
    org_backend: SandboxOrganizationsBackend, *, ou_id: str, name: str, parent_id: str
) -> FakeOrganizationalUnit:
    ou = FakeOrganizationalUnit(org_backend.organization, Name=name, ParentId=parent_id)
    ou.id = ou_id
    for policy in org_backend.policies:
        if policy.id in (org_utils.DEFAULT_SCP_POLICY_ID, org_utils.DEFAULT_RCP_POLICY_ID):
            ou.attached_policies.append(policy)
            policy.attachments.append(ou)
    org_backend.ou.append(ou)
    org_backend.touch()
    return ou


def _page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode()


def _page_offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        offset = int(json.loads(base64.urlsafe_b64decode(token.encode()))["o"])
    except (ValueError, KeyError, TypeError) as exc:
        raise organizations_error(
            "InvalidInputException",
            "You specified an invalid value for nextToken.",
            "INVALID_NEXT_TOKEN",
        ) from exc
    return max(offset, 0)


class SandboxOrganizationsResponse(OrganizationsResponse):
    """Organizations with IAM trusted access, delegate reads and management-only writes."""

    def call_action(self) -> Any:
        try:
            gate.run(self, "organizations", self._get_action())
            self._enforce_caller_scope()
        except SandboxError as error:
            return error.as_response()
        try:
            return super().call_action()
        except SandboxError as error:
            return error.as_response()

    # --- who may call what ------------------------------------------------------------

    def _enforce_caller_scope(self) -> None:
        action = self._get_action()
        account = self.current_account
        if account not in organizations_backends.master_accounts:
            return  # a management account or a stand-alone account: moto's own behaviour
        if action in _MEMBER_READABLE or action in ("CreateOrganization", "LeaveOrganization"):
            return
        org = organization_of(account)
        readable = action.startswith(("List", "Describe"))
        if readable and org is not None and org.is_delegate(account):
            return
        raise organizations_error("AccessDeniedException", NO_PERMISSION)

    @property
    def organizations_backend(self) -> OrganizationsBackend:
        """A delegate reads the organization held by the management account."""
        account = self.current_account
        if account in organizations_backends.master_accounts:
            org = organization_of(account)
            if org is not None:
                return org
        return super().organizations_backend

    def _org(self) -> SandboxOrganizationsBackend:
        backend = self.organizations_backend
        if not isinstance(backend, SandboxOrganizationsBackend) or backend.org is None:
            raise organizations_error(
                "AWSOrganizationsNotInUseException",
                "Your account is not a member of an organization.",
            )
        return backend

    def _limit(self) -> int:
        value = self._get_param("MaxResults")
        if value is None:
            return PAGE_LIMIT
        limit = int(value)
        if not 1 <= limit <= PAGE_LIMIT:
            raise organizations_error(
                "InvalidInputException",
                "You specified an invalid value.",
                "INVALID_INPUT",
            )
        return limit

    def _page(self, items: list[Any], key: str, render: Any) -> str:
        offset = _page_offset(self._get_param("NextToken"))
        limit = self._limit()
        page = items[offset : offset + limit]
        body: dict[str, Any] = {key: [render(item) for item in page]}
        if offset + limit < len(items):
            body["NextToken"] = _page_token(offset + limit)
        return json.dumps(body)

    def _parent(self, org: SandboxOrganizationsBackend) -> str:
        parent_id = str(self._get_param("ParentId") or "")
        if not org.parent_exists(parent_id):
            raise organizations_error(
                "ParentNotFoundException", "You specified parent that doesn't exist."
            )
        return parent_id

    # --- reads, O(page) -----------------------------------------------------------------

    def list_accounts(self) -> str:
        return self._page(self._org().accounts_sorted(), "Accounts", lambda a: a.describe())

    def list_accounts_for_parent(self) -> str:
        org = self._org()
        return self._page(org.accounts_of(self._parent(org)), "Accounts", lambda a: a.describe())

    def list_organizational_units_for_parent(self) -> str:
        org = self._org()
        ous = org.ous_of(self._parent(org))
        return self._page(
            ous, "OrganizationalUnits", lambda o: {"Id": o.id, "Arn": o.arn, "Name": o.name}
        )

    def list_children(self) -> str:
        org = self._org()
        parent_id = self._parent(org)
        child_type = self._get_param("ChildType")
        if child_type == "ACCOUNT":
            children: list[Any] = org.accounts_of(parent_id)
        elif child_type == "ORGANIZATIONAL_UNIT":
            children = org.ous_of(parent_id)
        else:
            raise organizations_error("InvalidInputException", "You specified an invalid value.")
        return self._page(children, "Children", lambda c: {"Id": c.id, "Type": child_type})

    def list_parents(self) -> str:
        org = self._org()
        child_id = str(self._get_param("ChildId") or "")
        child: Any = org.find_account(child_id) if child_id.isdigit() else None
        if child is None and not child_id.isdigit() and org.parent_exists(child_id):
            child = org.get_organizational_unit_by_id(child_id)
        if child is None or isinstance(child, FakeRoot):
            raise organizations_error(
                "ChildNotFoundException",
                "We can't find an organizational unit (OU) or AWS account with the ChildId "
                "that you specified.",
            )
        parent = org.get_organizational_unit_by_id(child.parent_id)
        return json.dumps({"Parents": [{"Id": parent.id, "Type": parent.type}]})

    def describe_account(self) -> str:
        account = self._org().get_account_by_id(str(self._get_param("AccountId")))
        return json.dumps({"Account": account.describe()})

    # --- trusted access and delegated administrators -------------------------------------

    def disable_aws_service_access(self) -> str:
        org = self._org()
        principal = self._get_param("ServicePrincipal")
        if principal == IAM_SERVICE_PRINCIPAL and org.delegates(IAM_SERVICE_PRINCIPAL):
            raise organizations_error(
                "ConstraintViolationException",
                "You have delegated administrator/s for this service. De-register them in "
                "order to disable service access.",
                "DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE",
            )
        result: str = super().disable_aws_service_access()
        return result

    def register_delegated_administrator(self) -> str:
        org = self._org()
        account_id = str(self._get_param("AccountId"))
        principal = str(self._get_param("ServicePrincipal"))
        if account_id == org.account_id:
            raise organizations_error(
                "ConstraintViolationException",
                "You cannot register master account/yourself as delegated administrator for "
                "your organization.",
                "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
            )
        account = org.get_account_by_id(account_id)
        if account.status == "SUSPENDED":
            raise organizations_error(
                "ConstraintViolationException",
                "You cannot register a suspended account as delegated administrator.",
                "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
            )
        if principal == IAM_SERVICE_PRINCIPAL:
            if not org.service_enabled(principal):
                raise organizations_error(
                    "ConstraintViolationException",
                    "You must enable trusted access for this service before you can register "
                    "a delegated administrator.",
                    "SERVICE_ACCESS_NOT_ENABLED",
                )
            registered = org.delegates(principal)
            if account_id in registered:
                raise organizations_error(
                    "AccountAlreadyRegisteredException",
                    "The provided account is already a delegated administrator for your "
                    "organization.",
                )
            if registered:
                raise organizations_error(
                    "ConstraintViolationException",
                    "You have exceeded the maximum number of delegated administrators for this "
                    "service.",
                    "MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED",
                )
        result: str = super().register_delegated_administrator()
        return result


def install() -> None:
    """Accept IAM as trusted service and delegate; index every new Organizations backend."""
    from moto.organizations.models import FakeDelegatedAdministrator, FakeServiceAccess

    if IAM_SERVICE_PRINCIPAL not in FakeServiceAccess.TRUSTED_SERVICES:
        FakeServiceAccess.TRUSTED_SERVICES.append(IAM_SERVICE_PRINCIPAL)
    if IAM_SERVICE_PRINCIPAL not in FakeDelegatedAdministrator.SUPPORTED_SERVICES:
        FakeDelegatedAdministrator.SUPPORTED_SERVICES.append(IAM_SERVICE_PRINCIPAL)
    organizations_backends.backend = SandboxOrganizationsBackend
