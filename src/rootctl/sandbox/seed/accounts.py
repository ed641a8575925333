"""Validating one account of a seed: its fields, its root user's credentials, its IAM
principals, buckets and queues."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from ..keys import encode_key
from .derived import (
    certificate_body,
    derived_certificate_id,
    derived_mfa_secret,
    derived_mfa_serial,
    derived_principal_keys,
    derived_random,
    derived_secret,
)
from .fields import Validator
from .model import (
    SeedAccessKey,
    SeedAccount,
    SeedCertificate,
    SeedMfa,
    SeedPrincipal,
    SeedResource,
    SeedRoot,
)
from .reading import Path_

ROOT_FIELDS = (
    "password",
    "recovery_only",
    "password_changed",
    "password_last_used",
    "mfa",
    "access_keys",
    "signing_certificates",
    "credentials_deleted",
)
ACCOUNT_FIELDS = (
    "id",
    "name",
    "email",
    "ou",
    "joined",
    "joined_at",
    "status",
    "root",
    "principals",
    "buckets",
    "queues",
    "tags",
)
MFA_QUOTA, ACCESS_KEY_QUOTA, CERTIFICATE_QUOTA = 8, 2, 2


def _mfa(v: Validator, raw: Any, path: Path_, account_id: str, default: datetime) -> SeedMfa:
    index = int(path[-1])
    m = v.mapping(raw, path, ("type", "serial", "secret", "enabled"))
    kind = v.choice(m.get("type"), (*path, "type"), ("virtual", "hardware"))
    serial = m.get("serial", derived_mfa_serial(account_id, kind, index))
    serial = v.text(serial, (*path, "serial"), "identifier")
    secret = m.get("secret") or derived_mfa_secret(account_id, index)
    try:
        base64.b32decode(str(secret), casefold=True)
    except ValueError as exc:
        raise v.fail((*path, "secret"), "expected a base32 TOTP secret") from exc
    enabled = v.moment(m.get("enabled", default), (*path, "enabled"))
    return SeedMfa(kind, serial, str(secret).upper(), enabled)


def _access_key(
    v: Validator, raw: Any, path: Path_, account_id: str, joined: datetime
) -> SeedAccessKey:
    k = v.mapping(raw, path, ("id", "secret", "status", "created", "last_used"))
    rng = derived_random(account_id, f"root-key:{path[-1]}")
    key_id = k.get("id") or encode_key(account_id, "AKIA", rng)
    key_id = v.text(key_id, (*path, "id"), "access key id")
    secret = str(k.get("secret") or derived_secret(rng))
    status = v.choice(k.get("status", "Active"), (*path, "status"), ("Active", "Inactive"))
    created = v.moment(k.get("created", joined), (*path, "created"))
    used = v.mapping(k.get("last_used"), (*path, "last_used"), ("date", "service", "region"))
    if used and not used.get("date"):
        raise v.fail((*path, "last_used", "date"), "last_used needs a date")
    used_at = v.moment(used["date"], (*path, "last_used", "date")) if used else None
    service = str(used["service"]) if used.get("service") else None
    region = str(used["region"]) if used.get("region") else None
    return SeedAccessKey(key_id, secret, status, created, used_at, service, region)


def _certificate(
    v: Validator, raw: Any, path: Path_, account_id: str, joined: datetime
) -> SeedCertificate:
    c = v.mapping(raw, path, ("id", "status", "uploaded"))
    default_id = derived_certificate_id(account_id, int(path[-1]))
    certificate_id = v.text(c.get("id", default_id), (*path, "id"), "identifier")
    status = v.choice(c.get("status", "Active"), (*path, "status"), ("Active", "Inactive"))
    uploaded = v.moment(c.get("uploaded", joined), (*path, "uploaded"))
    return SeedCertificate(certificate_id, certificate_body(certificate_id), status, uploaded)


def _password(
    v: Validator, data: Any, path: Path_, joined: datetime
) -> tuple[str | None, bool, datetime, datetime | None]:
    """(password, recovery-only, login profile date, password last used)."""
    password = data.get("password")
    if password is not None:
        password = v.text(password, (*path, "password"), "password")
    recovery_only = v.boolean(data.get("recovery_only", False), (*path, "recovery_only"))
    if password and recovery_only:
        raise v.fail((*path, "recovery_only"), "a root user with a password is not recovery-only")
    changed = joined
    if "password_changed" in data:
        changed = v.moment(data["password_changed"], (*path, "password_changed"))
    last_used = None
    if data.get("password_last_used") is not None:
        if not password:
            raise v.fail((*path, "password_last_used"), "needs a password to have been used")
        last_used = v.moment(data["password_last_used"], (*path, "password_last_used"))
    return password, recovery_only, changed, last_used


def _credentials(
    v: Validator, data: Any, path: Path_, field: str, at_most: int, noun: str
) -> list[tuple[Path_, Any]]:
    """The items of one credential list, each with its path."""
    items = v.sequence(data.get(field), (*path, field), at_most=at_most, noun=noun)
    return [((*path, field, index), item) for index, item in enumerate(items)]


def root(v: Validator, raw: Any, path: Path_, account_id: str, joined: datetime) -> SeedRoot:
    data = v.mapping(raw, path, ROOT_FIELDS)
    password, recovery_only, changed, last_used = _password(v, data, path, joined)
    mfa = tuple(
        _mfa(v, item, p, account_id, changed)
        for p, item in _credentials(v, data, path, "mfa", MFA_QUOTA, "MFA devices")
    )
    keys = tuple(
        _access_key(v, item, p, account_id, joined)
        for p, item in _credentials(v, data, path, "access_keys", ACCESS_KEY_QUOTA, "access keys")
    )
    certificates = tuple(
        _certificate(v, item, p, account_id, joined)
        for p, item in _credentials(
            v, data, path, "signing_certificates", CERTIFICATE_QUOTA, "certificates"
        )
    )
    deleted = v.boolean(data.get("credentials_deleted", False), (*path, "credentials_deleted"))
    return SeedRoot(
        password=password,
        recovery_only=recovery_only,
        password_changed_at=changed if password or recovery_only else None,
        password_last_used=last_used,
        mfa=mfa,
        access_keys=keys,
        certificates=certificates,
        credentials_deleted=deleted,
    )


def resources(
    v: Validator, raw: Any, path: Path_, account_id: str, service: str
) -> tuple[SeedResource, ...]:
    """An account's buckets (``service`` "s3") or queues ("sqs")."""
    found: list[SeedResource] = []
    for index, item in enumerate(v.sequence(raw, path)):
        p = (*path, index)
        data = v.mapping(item, p, ("name", "region", "policy"))
        kind = "bucket name" if service == "s3" else "queue name"
        name = v.text(data.get("name"), (*p, "name"), kind)
        region = v.text(data.get("region", "us-east-1"), (*p, "region"), "region")
        arn = (
            f"arn:aws:s3:::{name}"
            if service == "s3"
            else f"arn:aws:sqs:{region}:{account_id}:{name}"
        )
        policy = v.policy(data.get("policy"), (*p, "policy"), service, arn)
        found.append(SeedResource(name, region, policy))
    return tuple(found)


def principal(v: Validator, raw: Any, path: Path_, account_id: str) -> SeedPrincipal:
    """An IAM user with a known key pair (derived unless given) and a policy (admin default)."""
    data = v.mapping(raw, path, ("name", "access_key_id", "secret_access_key", "policy"))
    name = v.text(data.get("name"), (*path, "name"), "iam user name")
    key_id, secret = derived_principal_keys(account_id, name)
    key_id = v.text(data.get("access_key_id", key_id), (*path, "access_key_id"), "access key id")
    secret = str(data.get("secret_access_key", secret))
    policy = v.policy(data.get("policy", "admin"), (*path, "policy"), "iam", "")
    return SeedPrincipal(name, key_id, secret, policy)


def _placement(
    v: Validator, data: Any, path: Path_, ous: set[str], management: bool
) -> tuple[str, str]:
    """(OU path, how it joined): the management account sits at the root, INVITED by default."""
    ou = ""
    if management and "ou" in data:
        raise v.fail((*path, "ou"), "the management account always sits at the root", key=True)
    if not management:
        ou = str(data.get("ou") or "").strip("/")
        if ou and ou not in ous:
            raise v.fail(
                (*path, "ou"),
                f"unknown organizational unit {ou!r} (declare it under organizational_units)",
            )
    default = "INVITED" if management else "CREATED"
    joined = v.choice(data.get("joined", default), (*path, "joined"), ("CREATED", "INVITED"))
    return ou, joined


def account(v: Validator, raw: Any, path: Path_, ous: set[str], management: bool) -> SeedAccount:
    data = v.mapping(raw, path, ACCOUNT_FIELDS)
    if "id" not in data:
        raise v.fail(path, "an account needs an 'id' (12 digits, quoted)")
    account_id = v.text(data["id"], (*path, "id"), "account id")
    name = v.text(data.get("name"), (*path, "name"), "account name")
    email = v.text(data.get("email"), (*path, "email"), "email")
    ou, joined = _placement(v, data, path, ous, management)
    joined_at = v.moment(data.get("joined_at", "-400d"), (*path, "joined_at"))
    status = v.choice(data.get("status", "ACTIVE"), (*path, "status"), ("ACTIVE", "SUSPENDED"))
    principals = v.sequence(data.get("principals"), (*path, "principals"))
    return SeedAccount(
        account_id=account_id,
        name=name,
        email=email,
        ou=ou,
        joined_method=joined,
        joined_at=joined_at,
        status=status,
        root=root(v, data.get("root"), (*path, "root"), account_id, joined_at),
        principals=tuple(
            principal(v, item, (*path, "principals", i), account_id)
            for i, item in enumerate(principals)
        ),
        buckets=resources(v, data.get("buckets"), (*path, "buckets"), account_id, "s3"),
        queues=resources(v, data.get("queues"), (*path, "queues"), account_id, "sqs"),
        tags=v.tags(data.get("tags"), (*path, "tags")),
    )
