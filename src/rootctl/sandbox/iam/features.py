"""The organization's two root access features and the five IAM operations on them (spec §1.2).

Order of checks: the caller's identity policy (403) → organization exists → ALL features → IAM
trusted access → caller is management or IAM delegate → Enable only: caller is management.
The flags are stored in the management account's state, apart from trusted access, so they
survive it being switched off and on; responses echo the resulting list, RootSessions first.
"""

from __future__ import annotations

from .. import identity
from ..callers import Caller
from ..models import account_state
from ..organizations import IAM_SERVICE_PRINCIPAL, SandboxOrganizationsBackend, organization_of
from ..policies import ROOT_CREDENTIALS_MANAGEMENT, ROOT_SESSIONS
from .exceptions import (
    AccountNotManagementOrDelegatedAdministrator,
    CallerIsNotManagementAccount,
    IamAccessDenied,
    OrganizationNotFound,
    OrganizationNotInAllFeaturesMode,
    ServiceAccessNotEnabled,
)

# Operation → (feature it changes, enable?) ; ListOrganizationsFeatures changes nothing.
FEATURE_OPERATIONS: dict[str, tuple[str | None, bool]] = {
    "ListOrganizationsFeatures": (None, False),
    "EnableOrganizationsRootCredentialsManagement": (ROOT_CREDENTIALS_MANAGEMENT, True),
    "EnableOrganizationsRootSessions": (ROOT_SESSIONS, True),
    "DisableOrganizationsRootCredentialsManagement": (ROOT_CREDENTIALS_MANAGEMENT, False),
    "DisableOrganizationsRootSessions": (ROOT_SESSIONS, False),
}


def _organization(account: str, enable: bool) -> SandboxOrganizationsBackend:
    """The caller account's organization, if it may use the feature operations at all."""
    org = organization_of(account)
    if org is None:
        raise OrganizationNotFound(account)
    organization = org.organization
    if organization.feature_set != "ALL":
        raise OrganizationNotInAllFeaturesMode(organization.id, account)
    if not org.service_enabled(IAM_SERVICE_PRINCIPAL):
        raise ServiceAccessNotEnabled(account)
    if not org.administers_iam(account):
        raise AccountNotManagementOrDelegatedAdministrator(account)
    if enable and account != org.account_id:
        raise CallerIsNotManagementAccount(account)
    return org


def feature_operation(caller: Caller, action: str) -> tuple[str, list[str]]:
    """Run one of the five operations for ``caller``: (organization id, resulting features)."""
    feature, enable = FEATURE_OPERATIONS[action]
    if caller.is_iam_principal:
        message = identity.denial(caller, f"iam:{action}")
        if message is not None:
            raise IamAccessDenied(message)
    org = _organization(caller.account_id, enable)
    state = account_state(org.account_id)
    with state.lock:
        if feature is not None and enable:
            state.features.add(feature)
            state.restore(f"feature:{feature}")
        elif feature is not None and feature in state.features:
            state.features.discard(feature)
            state.revoke(f"feature:{feature}")  # AssumeRoot may lag (propagation delay)
        return org.organization.id, state.enabled_features()
