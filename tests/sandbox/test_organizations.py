"""Issue item 1: Organizations with IAM trusted access and an IAM delegated administrator."""

from __future__ import annotations

import pytest

from .conftest import CLOSED_POC, MANAGEMENT, PROD_PAYMENTS, SECURITY_TOOLING, Aws, error_of

IAM = "iam.amazonaws.com"


def _all_accounts(org: object) -> list[dict[str, object]]:
    paginator = org.get_paginator("list_accounts")  # type: ignore[attr-defined]
    return [a for page in paginator.paginate() for a in page["Accounts"]]


def test_example_organization_is_all_features_with_nested_ous(aws: Aws) -> None:
    org = aws.client("organizations")
    description = org.describe_organization()["Organization"]
    assert description["Id"] == "o-k3v9w2q7zt"
    assert description["FeatureSet"] == "ALL"
    assert description["MasterAccountId"] == MANAGEMENT
    root = org.list_roots()["Roots"][0]
    assert root["Id"] == "r-k3v9"
    top = {
        o["Name"]: o["Id"]
        for o in org.list_organizational_units_for_parent(ParentId=root["Id"])[
            "OrganizationalUnits"
        ]
    }
    assert set(top) == {"Security", "Workloads", "Sandbox"}
    nested = org.list_organizational_units_for_parent(ParentId=top["Workloads"])[
        "OrganizationalUnits"
    ]
    assert sorted(o["Name"] for o in nested) == ["Dev", "Prod"]
    assert len(_all_accounts(org)) == 21


def test_iam_is_accepted_for_trusted_access(aws: Aws) -> None:
    org = aws.client("organizations")
    assert org.list_aws_service_access_for_organization()["EnabledServicePrincipals"] == []
    org.enable_aws_service_access(ServicePrincipal=IAM)
    org.enable_aws_service_access(ServicePrincipal=IAM)  # idempotent
    enabled = org.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    assert [e["ServicePrincipal"] for e in enabled] == [IAM]


def test_register_list_deregister_iam_delegate(aws: Aws) -> None:
    aws.enable()
    org = aws.client("organizations")
    org.register_delegated_administrator(AccountId=SECURITY_TOOLING, ServicePrincipal=IAM)
    delegates = org.list_delegated_administrators(ServicePrincipal=IAM)["DelegatedAdministrators"]
    assert [d["Id"] for d in delegates] == [SECURITY_TOOLING]
    assert delegates[0]["Name"] == "security-tooling"
    org.deregister_delegated_administrator(AccountId=SECURITY_TOOLING, ServicePrincipal=IAM)
    assert org.list_delegated_administrators(ServicePrincipal=IAM)["DelegatedAdministrators"] == []


def test_trusted_access_cannot_be_disabled_while_a_delegate_exists(aws: Aws) -> None:
    aws.enable(delegate=SECURITY_TOOLING)
    org = aws.client("organizations")
    with pytest.raises(org.exceptions.ConstraintViolationException) as excinfo:
        org.disable_aws_service_access(ServicePrincipal=IAM)
    assert excinfo.value.response["Reason"] == "DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE"
    assert error_of(excinfo) == (
        "ConstraintViolationException",
        "You have delegated administrator/s for this service. De-register them in order to "
        "disable service access.",
        400,
    )
    org.deregister_delegated_administrator(AccountId=SECURITY_TOOLING, ServicePrincipal=IAM)
    org.disable_aws_service_access(ServicePrincipal=IAM)
    assert org.list_aws_service_access_for_organization()["EnabledServicePrincipals"] == []


@pytest.mark.parametrize(
    ("account", "setup", "reason"),
    [
        (MANAGEMENT, True, "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR"),
        (CLOSED_POC, True, "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR"),
        (SECURITY_TOOLING, False, "SERVICE_ACCESS_NOT_ENABLED"),
    ],
)
def test_register_constraint_violations(aws: Aws, account: str, setup: bool, reason: str) -> None:
    if setup:
        aws.enable()
    org = aws.client("organizations")
    with pytest.raises(org.exceptions.ConstraintViolationException) as excinfo:
        org.register_delegated_administrator(AccountId=account, ServicePrincipal=IAM)
    assert excinfo.value.response["Reason"] == reason


def test_one_iam_delegate_at_a_time(aws: Aws) -> None:
    aws.enable(delegate=SECURITY_TOOLING)
    org = aws.client("organizations")
    with pytest.raises(org.exceptions.AccountAlreadyRegisteredException):
        org.register_delegated_administrator(AccountId=SECURITY_TOOLING, ServicePrincipal=IAM)
    with pytest.raises(org.exceptions.ConstraintViolationException) as excinfo:
        org.register_delegated_administrator(AccountId=PROD_PAYMENTS, ServicePrincipal=IAM)
    assert (
        excinfo.value.response["Reason"]
        == "MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED"
    )
    with pytest.raises(org.exceptions.AccountNotFoundException):
        org.register_delegated_administrator(AccountId="999999999999", ServicePrincipal=IAM)
    with pytest.raises(org.exceptions.AccountNotRegisteredException):
        org.deregister_delegated_administrator(AccountId=PROD_PAYMENTS, ServicePrincipal=IAM)


def test_delegate_reads_the_whole_organization(aws: Aws) -> None:
    aws.enable(delegate=SECURITY_TOOLING)
    management = aws.client("organizations")
    delegate = aws.client("organizations", aws.sandbox.principal_credentials(SECURITY_TOOLING))
    assert _all_accounts(delegate) == _all_accounts(management)
    assert delegate.describe_organization()["Organization"]["Id"] == "o-k3v9w2q7zt"
    root_id = delegate.list_roots()["Roots"][0]["Id"]
    assert root_id == "r-k3v9"
    ous = delegate.list_organizational_units_for_parent(ParentId=root_id)["OrganizationalUnits"]
    security = next(o["Id"] for o in ous if o["Name"] == "Security")
    names = [a["Name"] for a in delegate.list_accounts_for_parent(ParentId=security)["Accounts"]]
    assert names == ["security-audit", "security-tooling", "log-archive", "backup-vault"]
    assert (
        delegate.list_parents(ChildId=PROD_PAYMENTS)["Parents"][0]["Type"] == "ORGANIZATIONAL_UNIT"
    )
    assert delegate.describe_account(AccountId=PROD_PAYMENTS)["Account"]["Email"] == (
        "payments-prod@example.com"
    )


def test_delegate_cannot_do_management_only_writes(aws: Aws) -> None:
    aws.enable(delegate=SECURITY_TOOLING)
    delegate = aws.client("organizations", aws.sandbox.principal_credentials(SECURITY_TOOLING))
    with pytest.raises(delegate.exceptions.AccessDeniedException) as excinfo:
        delegate.disable_aws_service_access(ServicePrincipal=IAM)
    assert error_of(excinfo) == (
        "AccessDeniedException",
        "You don't have permissions to access this resource.",
        400,
    )


def test_plain_member_sees_its_organization_but_cannot_list_it(aws: Aws) -> None:
    member = aws.client("organizations", aws.sandbox.principal_credentials(PROD_PAYMENTS))
    assert member.describe_organization()["Organization"]["MasterAccountId"] == MANAGEMENT
    with pytest.raises(member.exceptions.AccessDeniedException):
        member.list_accounts()


def test_pages_are_consistent_and_bad_tokens_refused(aws: Aws) -> None:
    org = aws.client("organizations")
    first = org.list_accounts(MaxResults=5)
    assert len(first["Accounts"]) == 5
    second = org.list_accounts(MaxResults=5, NextToken=first["NextToken"])
    ids = [a["Id"] for a in first["Accounts"] + second["Accounts"]]
    assert len(set(ids)) == 10
    with pytest.raises(org.exceptions.InvalidInputException):
        org.list_accounts(NextToken="not-a-token")


def test_accounts_created_through_organizations_have_a_credential_less_root(aws: Aws) -> None:
    org = aws.client("organizations")
    status = org.create_account(Email="new-team@example.com", AccountName="new-team")
    account_id = status["CreateAccountStatus"]["AccountId"]
    assert account_id in [a["Id"] for a in _all_accounts(org)]
    root = aws.sandbox.root_user(account_id)
    assert root.email == "new-team@example.com"
    assert not root.has_credentials


def test_tags_of_accounts_ous_and_the_delegate_reading_them(aws: Aws) -> None:
    """The seed's tags, answered by ListTagsForResource (what `rootctl --tag` reads)."""
    org = aws.client("organizations")

    def tags(resource: str, client: object = org) -> dict[str, str]:
        listed = client.list_tags_for_resource(ResourceId=resource)["Tags"]  # type: ignore[attr-defined]
        return {t["Key"]: t["Value"] for t in listed}

    assert tags(PROD_PAYMENTS) == {"team": "payments"}
    assert tags(MANAGEMENT) == {}
    root = org.list_roots()["Roots"][0]["Id"]
    workloads = next(
        o["Id"]
        for o in org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]
        if o["Name"] == "Workloads"
    )
    units = org.list_organizational_units_for_parent(ParentId=workloads)["OrganizationalUnits"]
    assert {o["Name"]: tags(o["Id"]) for o in units} == {
        "Prod": {"env": "prod"},
        "Dev": {"env": "dev"},
    }
    assert tags(workloads) == {}
    with pytest.raises(org.exceptions.TargetNotFoundException) as excinfo:
        org.list_tags_for_resource(ResourceId="999999999999")
    assert error_of(excinfo)[0] == "TargetNotFoundException"
    aws.enable(delegate=SECURITY_TOOLING)
    delegate = aws.client("organizations", aws.sandbox.principal_credentials(SECURITY_TOOLING))
    assert tags(PROD_PAYMENTS, delegate) == {"team": "payments"}
