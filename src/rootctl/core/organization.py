"""Read the organization tree, and the status of root access management."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

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
    """Walk root → OUs → accounts (two list calls per OU).

    Each level of the tree is listed in parallel: at 250 ms per call a sequential walk of a
    400-account organization (45 OUs, ~95 calls) took 24 s before the audit could start; per
    level it costs a few round trips. Levels keep the breadth-first order of a sequential walk.
    """
    with ThreadPoolExecutor(max_workers=ctx.concurrency, thread_name_prefix="rootctl-org") as pool:
        described_future = pool.submit(orgs_api.describe_organization, ctx.aws)
        root_id = orgs_api.root_id(ctx.aws)
        described = described_future.result()
        management_id = str(described.get("MasterAccountId", ""))
        units: list[OrgUnit] = [OrgUnit(root_id, "Root", None, ("Root",))]
        accounts: list[Account] = []
        level = [units[0]]
        while level:
            account_lists = [pool.submit(orgs_api.child_accounts, ctx.aws, p.id) for p in level]
            unit_lists = [pool.submit(orgs_api.child_units, ctx.aws, p.id) for p in level]
            next_level: list[OrgUnit] = []
            for parent, listed_accounts, listed_units in zip(
                level, account_lists, unit_lists, strict=True
            ):
                for raw in listed_accounts.result():
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
                for raw_ou in listed_units.result():
                    next_level.append(
                        OrgUnit(
                            raw_ou["Id"],
                            raw_ou.get("Name", ""),
                            parent.id,
                            (*parent.path, raw_ou.get("Name", "")),
                        )
                    )
            units += next_level
            level = next_level
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
