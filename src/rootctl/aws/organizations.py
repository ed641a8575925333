"""Organizations and STS reads/writes made with the caller's credentials; typed records out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rootctl.aws.errors import request_id_of, translated
from rootctl.models import Account, CallerIdentity, DelegatedAdmin, OrganizationInfo, OrgUnit

if TYPE_CHECKING:
    from rootctl.aws.session import AwsSession

IAM_PRINCIPAL = "iam.amazonaws.com"


def caller_identity(aws: AwsSession) -> CallerIdentity:
    with translated("GetCallerIdentity"):
        ident = aws.sts().get_caller_identity()
    return CallerIdentity(arn=ident["Arn"], account_id=ident["Account"], user_id=ident["UserId"])


def describe_organization(aws: AwsSession) -> OrganizationInfo:
    with translated("DescribeOrganization"):
        org = aws.organizations().describe_organization()["Organization"]
    return OrganizationInfo(
        id=org["Id"],
        feature_set=str(org.get("FeatureSet", "")),
        management_account_id=str(org.get("MasterAccountId", "")),
    )


def root(aws: AwsSession) -> OrgUnit:
    with translated("ListRoots"):
        roots = aws.organizations().get_paginator("list_roots").paginate().build_full_result()
    return OrgUnit(str(roots["Roots"][0]["Id"]), "Root", None, ("Root",))


def child_units(aws: AwsSession, parent: OrgUnit) -> list[OrgUnit]:
    pages = aws.organizations().get_paginator("list_organizational_units_for_parent")
    with translated(f"ListOrganizationalUnitsForParent({parent.id})"):
        listed = [
            ou for page in pages.paginate(ParentId=parent.id) for ou in page["OrganizationalUnits"]
        ]
    return [
        OrgUnit(ou["Id"], ou.get("Name", ""), parent.id, (*parent.path, ou.get("Name", "")))
        for ou in listed
    ]


def child_accounts(aws: AwsSession, parent: OrgUnit) -> list[Account]:
    """The accounts directly under ``parent`` (core marks the management account)."""
    pages = aws.organizations().get_paginator("list_accounts_for_parent")
    with translated(f"ListAccountsForParent({parent.id})"):
        listed = [a for page in pages.paginate(ParentId=parent.id) for a in page["Accounts"]]
    return [
        Account(
            id=raw["Id"],
            name=raw.get("Name", ""),
            email=raw.get("Email", ""),
            state=account_state(raw),
            parent_id=parent.id,
            ou_path=parent.path,
        )
        for raw in listed
    ]


def account_state(account: Any) -> str:
    """``State`` is the current field; the deprecated ``Status`` is the fallback."""
    return str(account.get("State") or account.get("Status") or "UNKNOWN")


def tags_of(aws: AwsSession, resource_id: str) -> dict[str, str]:
    """The tags of an account, an OU or the root (ListTagsForResource, every page)."""
    pages = aws.organizations().get_paginator("list_tags_for_resource")
    with translated(f"ListTagsForResource({resource_id})"):
        return {
            str(tag["Key"]): str(tag.get("Value", ""))
            for page in pages.paginate(ResourceId=resource_id)
            for tag in page.get("Tags", [])
        }


def trusted_access_enabled(aws: AwsSession) -> bool:
    pages = aws.organizations().get_paginator("list_aws_service_access_for_organization")
    with translated("ListAWSServiceAccessForOrganization"):
        return any(
            p["ServicePrincipal"] == IAM_PRINCIPAL
            for page in pages.paginate()
            for p in page["EnabledServicePrincipals"]
        )


def delegated_admins(aws: AwsSession) -> tuple[DelegatedAdmin, ...]:
    pages = aws.organizations().get_paginator("list_delegated_administrators")
    with translated("ListDelegatedAdministrators"):
        return tuple(
            DelegatedAdmin(d["Id"], d.get("Name", ""), d.get("Email", ""))
            for page in pages.paginate(ServicePrincipal=IAM_PRINCIPAL)
            for d in page["DelegatedAdministrators"]
        )


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
