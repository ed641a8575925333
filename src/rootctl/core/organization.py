"""Read the organization tree, and the status of root access management."""

from __future__ import annotations

from rootctl.aws import iam_features
from rootctl.aws import organizations as orgs_api
from rootctl.core.context import Context
from rootctl.core.models import (
    Account,
    CallerRole,
    Capability,
    DelegatedAdmin,
    Organization,
    OrgStatus,
    OrgUnit,
)
from rootctl.errors import AwsError, NotManagementOrDelegate, TrustedAccessDisabled


def read_organization(ctx: Context) -> Organization:
    """Walk root → OUs → accounts (two list calls per OU)."""
    described = orgs_api.describe_organization(ctx.aws)
    management_id = str(described.get("MasterAccountId", ""))
    root_id = orgs_api.root_id(ctx.aws)
    units: list[OrgUnit] = [OrgUnit(root_id, "Root", None, ("Root",))]
    accounts: list[Account] = []
    queue = [units[0]]
    while queue:
        parent = queue.pop(0)
        for raw in orgs_api.child_accounts(ctx.aws, parent.id):
            accounts.append(
                Account(
                    id=raw["Id"],
                    name=raw.get("Name", ""),
                    email=raw.get("Email", ""),
                    state=orgs_api.account_state(raw),
                    parent_id=parent.id,
                    ou_path=parent.path,
                    is_management=raw["Id"] == management_id,
                )
            )
        for raw_ou in orgs_api.child_units(ctx.aws, parent.id):
            unit = OrgUnit(
                raw_ou["Id"],
                raw_ou.get("Name", ""),
                parent.id,
                (*parent.path, raw_ou.get("Name", "")),
            )
            units.append(unit)
            queue.append(unit)
    return Organization(
        id=described["Id"],
        feature_set=str(described.get("FeatureSet", "")),
        management_account_id=management_id,
        root_id=root_id,
        units=tuple(units),
        accounts=tuple(sorted(accounts, key=lambda a: (a.ou_path, a.name, a.id))),
    )


def read_status(ctx: Context) -> OrgStatus:
    """Everything ``rootctl status`` shows; facts the caller may not read come back as None."""
    caller = ctx.caller()
    described = orgs_api.describe_organization(ctx.aws)
    management_id = str(described.get("MasterAccountId", ""))
    notes: list[str] = []

    trusted: bool | None
    try:
        trusted = orgs_api.trusted_access_enabled(ctx.aws)
    except AwsError as exc:
        trusted = None
        notes.append(f"IAM trusted access unknown: {exc}")

    capabilities: frozenset[Capability] | None = None
    features_readable = False
    not_admin = False
    try:
        capabilities = frozenset(Capability(f) for f in iam_features.enabled_features(ctx.aws))
        features_readable = True
        if trusted is None:
            trusted = True  # ListOrganizationsFeatures only answers with trusted access on
    except TrustedAccessDisabled:
        trusted = False
        notes.append("IAM trusted access is off: run `rootctl enable` from the management account.")
    except NotManagementOrDelegate as exc:
        not_admin = True
        notes.append(str(exc))
    except AwsError as exc:
        notes.append(f"capabilities unknown: {exc}")

    delegates: tuple[DelegatedAdmin, ...] | None
    try:
        delegates = tuple(
            DelegatedAdmin(d["Id"], d.get("Name", ""), d.get("Email", ""))
            for d in orgs_api.delegated_admins(ctx.aws)
        )
    except AwsError as exc:
        delegates = None
        notes.append(f"IAM delegated administrator unknown: {exc}")

    if caller.account_id == management_id:
        role = CallerRole.MANAGEMENT
    elif (delegates and any(d.account_id == caller.account_id for d in delegates)) or (
        features_readable
    ):
        role = CallerRole.DELEGATED_ADMIN
    elif not_admin:
        role = CallerRole.MEMBER
    else:
        role = CallerRole.UNKNOWN
    return OrgStatus(
        organization_id=described["Id"],
        feature_set=str(described.get("FeatureSet", "")),
        management_account_id=management_id,
        caller=caller,
        caller_role=role,
        trusted_access=trusted,
        capabilities=capabilities,
        delegated_admins=delegates,
        notes=tuple(notes),
    )
