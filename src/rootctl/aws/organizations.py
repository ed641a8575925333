"""Organizations and STS reads/writes made with the caller's credentials. Plain data out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rootctl.aws.errors import request_id_of, translated
from rootctl.aws.session import AwsSession

if TYPE_CHECKING:
    from mypy_boto3_organizations.type_defs import (
        AccountTypeDef,
        DelegatedAdministratorTypeDef,
        OrganizationalUnitTypeDef,
        OrganizationTypeDef,
    )
    from mypy_boto3_sts.type_defs import GetCallerIdentityResponseTypeDef

IAM_PRINCIPAL = "iam.amazonaws.com"


def caller_identity(aws: AwsSession) -> GetCallerIdentityResponseTypeDef:
    with translated("GetCallerIdentity"):
        return aws.sts().get_caller_identity()


def describe_organization(aws: AwsSession) -> OrganizationTypeDef:
    with translated("DescribeOrganization"):
        return aws.organizations().describe_organization()["Organization"]


def root_id(aws: AwsSession) -> str:
    with translated("ListRoots"):
        roots = aws.organizations().get_paginator("list_roots").paginate().build_full_result()
    return str(roots["Roots"][0]["Id"])


def child_units(aws: AwsSession, parent_id: str) -> list[OrganizationalUnitTypeDef]:
    pages = aws.organizations().get_paginator("list_organizational_units_for_parent")
    with translated(f"ListOrganizationalUnitsForParent({parent_id})"):
        return [
            ou for page in pages.paginate(ParentId=parent_id) for ou in page["OrganizationalUnits"]
        ]


def child_accounts(aws: AwsSession, parent_id: str) -> list[AccountTypeDef]:
    pages = aws.organizations().get_paginator("list_accounts_for_parent")
    with translated(f"ListAccountsForParent({parent_id})"):
        return [a for page in pages.paginate(ParentId=parent_id) for a in page["Accounts"]]


def account_state(account: AccountTypeDef | dict[str, Any]) -> str:
    """``State`` is the current field; the deprecated ``Status`` is the fallback."""
    return str(account.get("State") or account.get("Status") or "UNKNOWN")


def trusted_access_enabled(aws: AwsSession) -> bool:
    pages = aws.organizations().get_paginator("list_aws_service_access_for_organization")
    with translated("ListAWSServiceAccessForOrganization"):
        return any(
            p["ServicePrincipal"] == IAM_PRINCIPAL
            for page in pages.paginate()
            for p in page["EnabledServicePrincipals"]
        )


def delegated_admins(aws: AwsSession) -> list[DelegatedAdministratorTypeDef]:
    pages = aws.organizations().get_paginator("list_delegated_administrators")
    with translated("ListDelegatedAdministrators"):
        return [
            d
            for page in pages.paginate(ServicePrincipal=IAM_PRINCIPAL)
            for d in page["DelegatedAdministrators"]
        ]


def enable_trusted_access(aws: AwsSession) -> str | None:
    with translated("EnableAWSServiceAccess"):
        response = aws.organizations().enable_aws_service_access(ServicePrincipal=IAM_PRINCIPAL)
    return request_id_of(response)


def disable_trusted_access(aws: AwsSession) -> str | None:
    with translated("DisableAWSServiceAccess"):
        response = aws.organizations().disable_aws_service_access(ServicePrincipal=IAM_PRINCIPAL)
    return request_id_of(response)


def register_delegate(aws: AwsSession, account_id: str) -> str | None:
    with translated(f"RegisterDelegatedAdministrator({account_id})"):
        response = aws.organizations().register_delegated_administrator(
            AccountId=account_id, ServicePrincipal=IAM_PRINCIPAL
        )
    return request_id_of(response)


def deregister_delegate(aws: AwsSession, account_id: str) -> str | None:
    with translated(f"DeregisterDelegatedAdministrator({account_id})"):
        response = aws.organizations().deregister_delegated_administrator(
            AccountId=account_id, ServicePrincipal=IAM_PRINCIPAL
        )
    return request_id_of(response)
