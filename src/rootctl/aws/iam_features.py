"""IAM's organization features (RootCredentialsManagement, RootSessions)."""

from __future__ import annotations

from rootctl.aws.errors import request_id_of, translated
from rootctl.aws.session import AwsSession

_ENABLE = {
    "RootCredentialsManagement": "enable_organizations_root_credentials_management",
    "RootSessions": "enable_organizations_root_sessions",
}
_DISABLE = {
    "RootCredentialsManagement": "disable_organizations_root_credentials_management",
    "RootSessions": "disable_organizations_root_sessions",
}


def enabled_features(aws: AwsSession) -> list[str]:
    with translated("ListOrganizationsFeatures"):
        return list(aws.iam().list_organizations_features().get("EnabledFeatures", []))


def enable_feature(aws: AwsSession, feature: str) -> str | None:
    op = _ENABLE[feature]
    with translated(_op_name(op)):
        return request_id_of(getattr(aws.iam(), op)())


def disable_feature(aws: AwsSession, feature: str) -> str | None:
    op = _DISABLE[feature]
    with translated(_op_name(op)):
        return request_id_of(getattr(aws.iam(), op)())


def _op_name(method: str) -> str:
    return "".join(part.capitalize() for part in method.split("_"))
