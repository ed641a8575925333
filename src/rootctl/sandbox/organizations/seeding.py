"""Adding accounts and OUs to an organization directly, as seeding does: no requests, no
random ids, no IAM role in every new account (5,000 accounts must seed in seconds)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from moto.organizations import utils as org_utils
from moto.organizations.models import (
    FakeAccount,
    FakeOrganizationalUnit,
    organizations_backends,
)

from ..models import naive_utc
from .models import SandboxOrganizationsBackend

_DEFAULT_POLICIES = (org_utils.DEFAULT_SCP_POLICY_ID, org_utils.DEFAULT_RCP_POLICY_ID)


def _attach_default_policies(org_backend: SandboxOrganizationsBackend, target: Any) -> None:
    """What moto does for every new account and OU: FullAWSAccess (SCP and RCP) attached."""
    for policy in org_backend.policies:
        if policy.id in _DEFAULT_POLICIES:
            target.attached_policies.append(policy)
            policy.attachments.append(target)


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
    tags: Mapping[str, str] | None = None,
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
    account.tags = dict(tags or {})
    _attach_default_policies(org_backend, account)
    org_backend.accounts.append(account)
    if account_id != org.master_account_id:
        organizations_backends.master_accounts[account_id] = (
            org_backend.account_id,
            org_backend.partition,
        )
    org_backend.touch()
    return account


def new_ou(
    org_backend: SandboxOrganizationsBackend,
    *,
    ou_id: str,
    name: str,
    parent_id: str,
    tags: Mapping[str, str] | None = None,
) -> FakeOrganizationalUnit:
    ou = FakeOrganizationalUnit(org_backend.organization, Name=name, ParentId=parent_id)
    ou.id = ou_id
    ou.tags = dict(tags or {})
    _attach_default_policies(org_backend, ou)
    org_backend.ou.append(ou)
    org_backend.touch()
    return ou
