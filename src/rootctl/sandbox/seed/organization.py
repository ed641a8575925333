"""Validating a whole seed: the organization's settings, its OUs, the accounts, and what must
be unique across them (account ids, e-mails, access keys, bucket names)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..policies import ROOT_CREDENTIALS_MANAGEMENT, ROOT_SESSIONS
from . import accounts
from .fields import TEXT, Validator
from .model import Seed, SeedAccount
from .reading import Marks, Path_

TOP_FIELDS = ("organization", "management_account", "organizational_units", "accounts")
ORGANIZATION_FIELDS = (
    "id",
    "root_id",
    "feature_set",
    "trusted_access",
    "delegated_administrators",
    "features",
)
MAX_OU_DEPTH = 5
IAM = "iam.amazonaws.com"


def _default_org_id(management_id: str) -> str:
    return "o-" + hashlib.sha256(management_id.encode()).hexdigest()[:10]


def _organizational_units(v: Validator, raw: Any) -> tuple[list[str], dict[str, dict[str, str]]]:
    """Every OU path, parents first (declared implicitly by their children), and the tags of
    those declared as ``{path: …, tags: {…}}`` rather than as a plain path."""
    ous: list[str] = []
    tags: dict[str, dict[str, str]] = {}
    max_name = TEXT["ou name"].max_length or 0
    for index, item in enumerate(v.sequence(raw, ("organizational_units",))):
        p: Path_ = ("organizational_units", index)
        declared_tags: dict[str, str] = {}
        if isinstance(item, Mapping):
            fields = v.mapping(item, p, ("path", "tags"))
            declared_tags = v.tags(fields.get("tags"), (*p, "tags"))
            p, item = (*p, "path"), fields.get("path")
        path_text = v.text(item, p, "ou path").strip("/")
        if declared_tags:
            tags[path_text] = declared_tags
        parts = path_text.split("/")
        if any(not part or len(part) > max_name for part in parts):
            raise v.fail(p, f"bad OU path {item!r}")
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            if prefix not in ous:
                ous.append(prefix)
            elif depth == len(parts):
                raise v.fail(p, f"organizational unit {path_text!r} is declared twice")
    if any(len(o.split("/")) > MAX_OU_DEPTH for o in ous):
        raise v.fail(("organizational_units",), f"OUs nest at most {MAX_OU_DEPTH} levels deep")
    return ous, tags


def _members(v: Validator, raw: Any, management: SeedAccount, ous: set[str]) -> list[SeedAccount]:
    """The member accounts, each id and e-mail used once (the management account's too)."""
    members: list[SeedAccount] = []
    ids = {management.account_id}
    emails = {management.email.lower()}
    for index, item in enumerate(v.sequence(raw, ("accounts",))):
        account = accounts.account(v, item, ("accounts", index), ous, False)
        if account.account_id in ids:
            raise v.fail(
                ("accounts", index, "id"), f"account id {account.account_id} is used twice"
            )
        if account.email.lower() in emails:
            raise v.fail(("accounts", index, "email"), f"e-mail {account.email} is used twice")
        ids.add(account.account_id)
        emails.add(account.email.lower())
        members.append(account)
    return members


def _globally_unique(v: Validator, management: SeedAccount, members: list[SeedAccount]) -> None:
    """Access keys and bucket names are unique across all accounts."""
    keys: set[str] = set()
    buckets: set[str] = set()
    for position, account in enumerate((management, *members)):
        base: Path_ = ("management_account",) if position == 0 else ("accounts", position - 1)
        for key in account.root.access_keys:
            if key.access_key_id in keys:
                raise v.fail(
                    (*base, "root", "access_keys"), f"access key {key.access_key_id} is used twice"
                )
            keys.add(key.access_key_id)
        for bucket in account.buckets:
            if bucket.name in buckets:
                raise v.fail(
                    (*base, "buckets"),
                    f"bucket {bucket.name} is used twice (bucket names are global)",
                )
            buckets.add(bucket.name)


def _delegates(
    v: Validator, raw: Any, trusted: list[str], members: set[str]
) -> dict[str, tuple[str, ...]]:
    """Service principal → delegated administrators (members; IAM: one; trusted access on)."""
    path: Path_ = ("organization", "delegated_administrators")
    if not isinstance(raw or {}, Mapping):
        raise v.fail(path, "expected a mapping of service principal to account id(s)")
    delegates: dict[str, tuple[str, ...]] = {}
    for service, value in (raw or {}).items():
        p = (*path, str(service))
        v.text(service, p, "service principal")
        ids = value if isinstance(value, list) else [value]
        for account_id in ids:
            if v.text(account_id, p, "account id") not in members:
                raise v.fail(p, f"{account_id} is not a member account of this seed")
        if service == IAM and len(ids) > 1:
            raise v.fail(p, "IAM allows one delegated administrator")
        if service not in trusted:
            raise v.fail(p, f"register a delegate only with trusted access for {service}")
        delegates[str(service)] = tuple(str(i) for i in ids)
    return delegates


def _identity(v: Validator, org: Mapping[str, Any], management_id: str) -> tuple[str, str, str]:
    """(organization id, root id, feature set); the ids default to derived ones."""
    org_id = org.get("id", _default_org_id(management_id))
    org_id = v.text(org_id, ("organization", "id"), "organization id")
    root_id = v.text(org.get("root_id", "r-" + org_id[2:6]), ("organization", "root_id"), "root id")
    feature_set = v.choice(
        org.get("feature_set", "ALL"),
        ("organization", "feature_set"),
        ("ALL", "CONSOLIDATED_BILLING"),
    )
    return org_id, root_id, feature_set


def _listed(v: Validator, org: Mapping[str, Any], name: str, check: Any) -> tuple[str, ...]:
    """The organization's list ``name``, each item passed through ``check(item, path)``."""
    path: Path_ = ("organization", name)
    items = v.sequence(org.get(name), path)
    return tuple(dict.fromkeys(check(item, (*path, i)) for i, item in enumerate(items)))


def validate(data: Any, marks: Marks | None = None, *, now: datetime | None = None) -> Seed:
    """Check a seed mapping and turn it into a ``Seed``; raise ``SeedError`` naming the field."""
    marks = marks or Marks("<seed>")
    v = Validator(marks, (now or datetime.now(UTC)).replace(microsecond=0))
    top = v.mapping(data, (), TOP_FIELDS)
    if "management_account" not in top:
        raise v.fail((), "a seed needs a 'management_account'")
    org = v.mapping(top.get("organization"), ("organization",), ORGANIZATION_FIELDS)
    ous, ou_tags = _organizational_units(v, top.get("organizational_units"))
    management = accounts.account(
        v, top["management_account"], ("management_account",), set(ous), True
    )
    members = _members(v, top.get("accounts"), management, set(ous))
    _globally_unique(v, management, members)
    org_id, root_id, feature_set = _identity(v, org, management.account_id)
    trusted = _listed(v, org, "trusted_access", lambda i, p: v.text(i, p, "service principal"))
    delegates = _delegates(
        v, org.get("delegated_administrators"), list(trusted), {a.account_id for a in members}
    )
    features = _listed(
        v,
        org,
        "features",
        lambda i, p: v.choice(i, p, (ROOT_CREDENTIALS_MANAGEMENT, ROOT_SESSIONS)),
    )
    return Seed(
        organization_id=org_id,
        root_id=root_id,
        feature_set=feature_set,
        management=management,
        organizational_units=tuple(ous),
        accounts=tuple(members),
        trusted_access=trusted,
        delegated_administrators=delegates,
        features=features,
        source=marks.source,
        ou_tags=ou_tags,
    )
