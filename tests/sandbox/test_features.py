"""Issue item 2: the five IAM feature operations, their gating and error order (spec §1.2)."""

from __future__ import annotations

import copy
from importlib import resources

import boto3
import pytest
import yaml

from rootctl.sandbox import Sandbox

from .conftest import MANAGEMENT, PROD_PAYMENTS, SECURITY_TOOLING, Aws, error_of

ENABLE_CREDENTIALS = "enable_organizations_root_credentials_management"
ENABLE_SESSIONS = "enable_organizations_root_sessions"
DISABLE_CREDENTIALS = "disable_organizations_root_credentials_management"
DISABLE_SESSIONS = "disable_organizations_root_sessions"
ALL_OPERATIONS = [
    "list_organizations_features",
    ENABLE_CREDENTIALS,
    ENABLE_SESSIONS,
    DISABLE_CREDENTIALS,
    DISABLE_SESSIONS,
]


@pytest.mark.parametrize("operation", ALL_OPERATIONS)
def test_trusted_access_off(aws: Aws, operation: str) -> None:
    iam = aws.client("iam")
    with pytest.raises(iam.exceptions.ServiceAccessNotEnabledException) as excinfo:
        getattr(iam, operation)()
    assert error_of(excinfo) == (
        "ServiceAccessNotEnabledException",
        f"Trusted Access for IAM not enabled by organization of input account {MANAGEMENT}.",
        400,
    )


@pytest.mark.parametrize("operation", ALL_OPERATIONS)
def test_plain_member_is_neither_management_nor_delegate(aws: Aws, operation: str) -> None:
    aws.enable()
    iam = aws.client("iam", aws.sandbox.principal_credentials(PROD_PAYMENTS))
    with pytest.raises(
        iam.exceptions.AccountNotManagementOrDelegatedAdministratorException
    ) as excinfo:
        getattr(iam, operation)()
    assert error_of(excinfo)[1:] == (
        f"Input account {PROD_PAYMENTS} is neither management account nor delegated admin.",
        400,
    )


@pytest.mark.parametrize("operation", [ENABLE_CREDENTIALS, ENABLE_SESSIONS])
def test_delegate_cannot_enable(aws: Aws, operation: str) -> None:
    aws.enable(delegate=SECURITY_TOOLING)
    iam = aws.client("iam", aws.sandbox.principal_credentials(SECURITY_TOOLING))
    with pytest.raises(iam.exceptions.CallerIsNotManagementAccountException) as excinfo:
        getattr(iam, operation)()
    assert error_of(excinfo)[1:] == (
        f"Caller account {SECURITY_TOOLING} is not management account of the organization and "
        "cannot enable IAM features.",
        400,
    )


def test_delegate_lists_and_disables(aws: Aws) -> None:
    aws.enable("root_credentials_management", "root_sessions", delegate=SECURITY_TOOLING)
    iam = aws.client("iam", aws.sandbox.principal_credentials(SECURITY_TOOLING))
    listed = iam.list_organizations_features()
    assert listed["OrganizationId"] == "o-k3v9w2q7zt"
    assert listed["EnabledFeatures"] == ["RootSessions", "RootCredentialsManagement"]
    assert iam.disable_organizations_root_credentials_management()["EnabledFeatures"] == [
        "RootSessions"
    ]
    assert iam.disable_organizations_root_sessions()["EnabledFeatures"] == []


def test_deregistered_delegate_loses_access_at_once(aws: Aws) -> None:
    aws.enable(delegate=SECURITY_TOOLING)
    aws.client("organizations").deregister_delegated_administrator(
        AccountId=SECURITY_TOOLING, ServicePrincipal="iam.amazonaws.com"
    )
    iam = aws.client("iam", aws.sandbox.principal_credentials(SECURITY_TOOLING))
    with pytest.raises(iam.exceptions.AccountNotManagementOrDelegatedAdministratorException):
        iam.list_organizations_features()


def test_features_echoed_rootsessions_first_and_idempotent(aws: Aws) -> None:
    aws.enable()
    iam = aws.client("iam")
    assert iam.list_organizations_features()["EnabledFeatures"] == []
    assert iam.enable_organizations_root_credentials_management()["EnabledFeatures"] == [
        "RootCredentialsManagement"
    ]
    both = ["RootSessions", "RootCredentialsManagement"]
    assert iam.enable_organizations_root_sessions()["EnabledFeatures"] == both
    assert iam.enable_organizations_root_sessions()["EnabledFeatures"] == both
    assert iam.enable_organizations_root_credentials_management()["EnabledFeatures"] == both
    assert iam.disable_organizations_root_sessions()["EnabledFeatures"] == [
        "RootCredentialsManagement"
    ]
    assert iam.disable_organizations_root_sessions()["EnabledFeatures"] == [
        "RootCredentialsManagement"
    ]
    result = iam.list_organizations_features()
    assert result["OrganizationId"] == "o-k3v9w2q7zt"


def test_flags_survive_trusted_access_off_and_on(aws: Aws) -> None:
    aws.enable("root_sessions")
    org, iam = aws.client("organizations"), aws.client("iam")
    org.disable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    with pytest.raises(iam.exceptions.ServiceAccessNotEnabledException):
        iam.list_organizations_features()
    org.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    assert iam.list_organizations_features()["EnabledFeatures"] == ["RootSessions"]


def test_enabling_features_changes_no_credentials(aws: Aws) -> None:
    before = {a.account_id: aws.sandbox.root_user(a.account_id) for a in aws.sandbox.accounts()}
    aws.enable("root_credentials_management", "root_sessions")
    aws.client("iam").disable_organizations_root_sessions()
    after = {a.account_id: aws.sandbox.root_user(a.account_id) for a in aws.sandbox.accounts()}
    assert after == before


@pytest.mark.parametrize("operation", ALL_OPERATIONS)
def test_iam_authorization_comes_first(aws: Aws, operation: str) -> None:
    # Trusted access is off, yet the principal without a grant gets AccessDenied (spec §1.2).
    intern = aws.sandbox.principal_credentials(MANAGEMENT, "intern")
    iam = aws.client("iam", intern)
    with pytest.raises(iam.exceptions.ClientError) as excinfo:
        getattr(iam, operation)()
    action = "".join(part.capitalize() for part in operation.split("_"))
    assert error_of(excinfo) == (
        "AccessDenied",
        f"User: arn:aws:iam::{MANAGEMENT}:user/intern is not authorized to perform: "
        f"iam:{action} on resource: * because no identity-based policy allows the "
        f"iam:{action} action",
        403,
    )


def test_explicit_deny_message(aws: Aws) -> None:
    denied = aws.sandbox.principal_credentials(
        MANAGEMENT,
        "no-features",
        policy={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "iam:Enable*", "Resource": "*"},
            ],
        },
    )
    iam = aws.client("iam", denied)
    with pytest.raises(iam.exceptions.ClientError) as excinfo:
        iam.enable_organizations_root_sessions()
    assert error_of(excinfo)[1] == (
        f"User: arn:aws:iam::{MANAGEMENT}:user/no-features is not authorized to perform: "
        "iam:EnableOrganizationsRootSessions on resource: * with an explicit deny in an "
        "identity-based policy"
    )


def test_account_outside_any_organization(aws: Aws) -> None:
    outsider = aws.sandbox.principal_credentials("999988887777")
    iam = aws.client("iam", outsider)
    with pytest.raises(iam.exceptions.OrganizationNotFoundException) as excinfo:
        iam.list_organizations_features()
    assert error_of(excinfo)[2] == 400


def test_consolidated_billing_organization(sandbox: Sandbox) -> None:
    text = resources.files("rootctl.sandbox").joinpath("seeds/example-org.yaml").read_text()
    data = copy.deepcopy(yaml.safe_load(text))
    data["organization"]["feature_set"] = "CONSOLIDATED_BILLING"
    billing = Sandbox.from_seed(data)
    with billing.in_process():
        iam = boto3.client("iam", **billing.admin_credentials().boto3_kwargs())
        with pytest.raises(iam.exceptions.OrganizationNotInAllFeaturesModeException) as excinfo:
            iam.list_organizations_features()
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
