"""IAM's organization features (RootCredentialsManagement, RootSessions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rootctl.aws.errors import request_id_of, translated
from rootctl.models import Capability

if TYPE_CHECKING:
    from rootctl.aws.session import AwsSession

# Each capability's IAM operations (boto3 method names); the action names follow from them.
_ENABLE = {
    Capability.ROOT_CREDENTIALS_MANAGEMENT: "enable_organizations_root_credentials_management",
    Capability.ROOT_SESSIONS: "enable_organizations_root_sessions",
}
_DISABLE = {
    Capability.ROOT_CREDENTIALS_MANAGEMENT: "disable_organizations_root_credentials_management",
    Capability.ROOT_SESSIONS: "disable_organizations_root_sessions",
}


def enabled_features(aws: AwsSession) -> frozenset[Capability]:
    with translated("ListOrganizationsFeatures"):
        listed = aws.iam().list_organizations_features().get("EnabledFeatures", [])
    return frozenset(Capability(f) for f in listed if f in Capability.__members__.values())


def enable_feature(aws: AwsSession, capability: Capability) -> str | None:
    return _call(aws, _ENABLE[capability])


def disable_feature(aws: AwsSession, capability: Capability) -> str | None:
    return _call(aws, _DISABLE[capability])


def _call(aws: AwsSession, method: str) -> str | None:
    with translated("".join(part.capitalize() for part in method.split("_"))):
        return request_id_of(getattr(aws.iam(), method)())
