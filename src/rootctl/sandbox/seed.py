"""Seed files: an organization described in YAML (or a mapping), validated with errors that
name the file, line, column and field, then applied to moto and the sandbox's own state.

The format is documented in docs/sandbox.md ("Seed files"). Anything not given is derived
deterministically from the account id, so the same seed always yields the same keys, serials
and secrets.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from .keys import encode_key
from .policies import (
    ADMIN_POLICY,
    ROOT_CREDENTIALS_MANAGEMENT,
    ROOT_SESSIONS,
    deny_everyone_policy,
)

try:  # the C loader is ~10x faster; fall back when PyYAML was built without libyaml
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path_ = tuple[str | int, ...]


class SeedError(ValueError):
    """A seed that cannot be loaded: says where (file:line:column) and which field."""

    def __init__(
        self,
        message: str,
        *,
        field: str = "",
        source: str = "<seed>",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.field = field
        self.source = source
        self.line = line
        self.column = column
        where = source if line is None else f"{source}:{line}:{column}"
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")


# --- the validated seed ---------------------------------------------------------------------


@dataclass(frozen=True)
class SeedMfa:
    kind: str
    serial: str
    secret: str
    enabled_at: datetime


@dataclass(frozen=True)
class SeedAccessKey:
    access_key_id: str
    secret_access_key: str
    status: str
    created_at: datetime
    last_used_at: datetime | None
    last_used_service: str | None
    last_used_region: str | None


@dataclass(frozen=True)
class SeedCertificate:
    certificate_id: str
    body: str
    status: str
    uploaded_at: datetime


@dataclass(frozen=True)
class SeedRoot:
    password: str | None = None
    recovery_only: bool = False  # a login profile without a password ("allow recovery")
    password_changed_at: datetime | None = None
    password_last_used: datetime | None = None
    mfa: tuple[SeedMfa, ...] = ()
    access_keys: tuple[SeedAccessKey, ...] = ()
    certificates: tuple[SeedCertificate, ...] = ()
    credentials_deleted: bool = False


@dataclass(frozen=True)
class SeedPrincipal:
    name: str
    access_key_id: str
    secret_access_key: str
    policy: Mapping[str, Any] | None  # None: no policy at all


@dataclass(frozen=True)
class SeedResource:
    name: str
    region: str
    policy: Mapping[str, Any] | None


@dataclass(frozen=True)
class SeedAccount:
    account_id: str
    name: str
    email: str
    ou: str  # "" = the organization root
    joined_method: str  # CREATED | INVITED
    joined_at: datetime
    status: str
    root: SeedRoot
    principals: tuple[SeedPrincipal, ...] = ()
    buckets: tuple[SeedResource, ...] = ()
    queues: tuple[SeedResource, ...] = ()


@dataclass(frozen=True)
class Seed:
    organization_id: str
    root_id: str
    feature_set: str
    management: SeedAccount
    organizational_units: tuple[str, ...]
    accounts: tuple[SeedAccount, ...]
    trusted_access: tuple[str, ...] = ()
    delegated_administrators: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    features: tuple[str, ...] = ()
    source: str = "<seed>"

    def all_accounts(self) -> tuple[SeedAccount, ...]:
        return (self.management, *self.accounts)


# --- reading YAML with positions ------------------------------------------------------------


class _Marks:
    """Line/column of every value (and mapping key) in a YAML document, by path."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.values: dict[Path_, tuple[int, int]] = {}
        self.keys: dict[Path_, tuple[int, int]] = {}

    def record(self, node: yaml.Node, path: Path_) -> None:
        self.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                child = (*path, str(key_node.value))
                self.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                self.record(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.record(item, (*path, index))

    def at(self, path: Path_, *, key: bool = False) -> tuple[int | None, int | None]:
        found = (self.keys if key else self.values).get(path)
        while found is None and path:
            path = path[:-1]
            found = self.values.get(path)
        return found if found is not None else (None, None)


def _field_name(path: Path_) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def parse_yaml(text: str, source: str = "<seed>") -> tuple[Any, _Marks]:
    marks = _Marks(source)
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise SeedError(
            f"not valid YAML: {exc.problem}",
            source=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from exc
    except yaml.YAMLError as exc:  # e.g. ReaderError: control characters; its str() is 2 lines
        reason = getattr(exc, "reason", None) or type(exc).__name__
        raise SeedError(f"not valid YAML: {reason}", source=source) from exc
    if node is not None:
        marks.record(node, ())
    return data, marks


# --- validation -------------------------------------------------------------------------------

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
_ROOT_ID = re.compile(r"^r-[a-z0-9]{4,32}$")
_EMAIL = re.compile(r"^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_KEY_ID = re.compile(r"^[A-Z0-9]{16,128}$")
_PRINCIPAL = re.compile(r"^[\w+=,.@-]{1,64}$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_QUEUE = re.compile(r"^[A-Za-z0-9_-]{1,80}(\.fifo)?$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_RELATIVE = re.compile(r"^-(\d+)([dhm])$")
_SERVICE = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$")


class _Validator:
    def __init__(self, marks: _Marks, now: datetime) -> None:
        self.marks = marks
        self.now = now

    def fail(self, path: Path_, message: str, *, key: bool = False) -> SeedError:
        line, column = self.marks.at(path, key=key)
        return SeedError(
            message, field=_field_name(path), source=self.marks.source, line=line, column=column
        )

    def mapping(self, value: Any, path: Path_, allowed: Sequence[str]) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(path, f"expected a mapping, got {type(value).__name__}")
        for key in value:
            if key not in allowed:
                raise self.fail(
                    (*path, str(key)),
                    f"unknown field {key!r} (expected one of: {', '.join(allowed)})",
                    key=True,
                )
        return value

    def sequence(self, value: Any, path: Path_) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(path, f"expected a list, got {type(value).__name__}")
        return value

    def string(
        self, value: Any, path: Path_, pattern: re.Pattern[str] | None = None, what: str = ""
    ) -> str:
        if isinstance(value, int) and not isinstance(value, bool) and pattern is _ACCOUNT_ID:
            raise self.fail(path, f'quote account ids ("{value:012d}"): YAML reads them as numbers')
        if not isinstance(value, str) or not value:
            raise self.fail(path, f"expected {what or 'a non-empty string'}, got {value!r}")
        if pattern is not None and not pattern.match(value):
            raise self.fail(path, f"expected {what or pattern.pattern}, got {value!r}")
        return value

    def choice(self, value: Any, path: Path_, options: Sequence[str]) -> str:
        text = str(value) if value is not None else ""
        for option in options:
            if text.lower() == option.lower():
                return option
        raise self.fail(path, f"must be one of {', '.join(options)}, not {value!r}")

    def moment(self, value: Any, path: Path_) -> datetime:
        """ISO-8601 timestamps, YAML dates, ``now`` or relative ``-30d`` / ``-6h`` / ``-15m``."""
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=UTC)
        if isinstance(value, str):
            if value == "now":
                return self.now
            relative = _RELATIVE.match(value)
            if relative:
                amount, unit = int(relative.group(1)), relative.group(2)
                delta = {"d": timedelta(days=amount), "h": timedelta(hours=amount)}.get(
                    unit, timedelta(minutes=amount)
                )
                return self.now - delta
            try:
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                pass
            else:
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        raise self.fail(path, f"expected a timestamp (ISO 8601, 'now' or '-30d'), got {value!r}")

    def boolean(self, value: Any, path: Path_) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"expected true or false, got {value!r}")
        return value

    def policy(self, value: Any, path: Path_, service: str, arn: str) -> Mapping[str, Any] | None:
        if value is None:
            return None
        if value == "deny-all" and service in ("s3", "sqs"):
            return deny_everyone_policy(service, arn)
        if value == "admin" and service == "iam":
            return ADMIN_POLICY
        if value == "none" and service == "iam":
            return None
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                shorthand = "'admin' or 'none'" if service == "iam" else "'deny-all'"
                raise self.fail(
                    path, f"expected a policy document (mapping or JSON) or {shorthand}"
                ) from exc
        if not isinstance(value, Mapping) or not isinstance(value.get("Statement"), list | dict):
            raise self.fail(path, "a policy document needs a 'Statement' list")
        return value


def _derived(account_id: str, purpose: str) -> random.Random:
    digest = hashlib.sha256(f"{account_id}:{purpose}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _derived_secret(rng: random.Random, length: int = 40) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return "".join(rng.choice(alphabet) for _ in range(length))


def derived_mfa_secret(account_id: str, index: int) -> str:
    return base64.b32encode(_derived(account_id, f"mfa:{index}").randbytes(20)).decode()


def derived_principal_keys(account_id: str, name: str) -> tuple[str, str]:
    rng = _derived(account_id, f"principal:{name}")
    return encode_key(account_id, "AKIA", rng), _derived_secret(rng)


def _certificate_body(certificate_id: str) -> str:
    lines = [
        base64.b64encode(hashlib.sha512(f"{certificate_id}:{i}".encode()).digest()).decode()
        for i in range(4)
    ]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----"


_ROOT_FIELDS = (
    "password",
    "recovery_only",
    "password_changed",
    "password_last_used",
    "mfa",
    "access_keys",
    "signing_certificates",
    "credentials_deleted",
)
_ACCOUNT_FIELDS = (
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
)


def _root(v: _Validator, raw: Any, path: Path_, account_id: str, joined: datetime) -> SeedRoot:
    data = v.mapping(raw, path, _ROOT_FIELDS)
    password = data.get("password")
    if password is not None:
        password = v.string(password, (*path, "password"), what="a password")
    recovery_only = v.boolean(data.get("recovery_only", False), (*path, "recovery_only"))
    if password and recovery_only:
        raise v.fail((*path, "recovery_only"), "a root user with a password is not recovery-only")
    has_profile = bool(password) or recovery_only
    changed = joined
    if "password_changed" in data:
        changed = v.moment(data["password_changed"], (*path, "password_changed"))
    last_used = None
    if data.get("password_last_used") is not None:
        if not password:
            raise v.fail((*path, "password_last_used"), "needs a password to have been used")
        last_used = v.moment(data["password_last_used"], (*path, "password_last_used"))

    mfa: list[SeedMfa] = []
    raw_mfa = v.sequence(data.get("mfa"), (*path, "mfa"))
    if len(raw_mfa) > 8:
        raise v.fail((*path, "mfa"), "a root user can have at most 8 MFA devices")
    for index, item in enumerate(raw_mfa):
        p = (*path, "mfa", index)
        m = v.mapping(item, p, ("type", "serial", "secret", "enabled"))
        kind = v.choice(m.get("type"), (*p, "type"), ("virtual", "hardware"))
        default_serial = (
            f"arn:aws:iam::{account_id}:mfa/root-account-mfa-device"
            + ("" if index == 0 else f"-{index + 1}")
            if kind == "virtual"
            else f"GAHT{_derived(account_id, f'serial:{index}').randrange(10**8):08d}"
        )
        serial = v.string(m.get("serial", default_serial), (*p, "serial"))
        secret = m.get("secret") or derived_mfa_secret(account_id, index)
        try:
            base64.b32decode(str(secret), casefold=True)
        except ValueError as exc:
            raise v.fail((*p, "secret"), "expected a base32 TOTP secret") from exc
        enabled = v.moment(m.get("enabled", changed), (*p, "enabled"))
        mfa.append(SeedMfa(kind, serial, str(secret).upper(), enabled))

    keys: list[SeedAccessKey] = []
    raw_keys = v.sequence(data.get("access_keys"), (*path, "access_keys"))
    if len(raw_keys) > 2:
        raise v.fail((*path, "access_keys"), "a root user can have at most 2 access keys")
    for index, item in enumerate(raw_keys):
        p = (*path, "access_keys", index)
        k = v.mapping(item, p, ("id", "secret", "status", "created", "last_used"))
        rng = _derived(account_id, f"root-key:{index}")
        key_id = v.string(
            k.get("id") or encode_key(account_id, "AKIA", rng),
            (*p, "id"),
            _KEY_ID,
            "an access key id (16-128 upper-case letters and digits)",
        )
        secret = str(k.get("secret") or _derived_secret(rng))
        status = v.choice(k.get("status", "Active"), (*p, "status"), ("Active", "Inactive"))
        created = v.moment(k.get("created", joined), (*p, "created"))
        used = v.mapping(k.get("last_used"), (*p, "last_used"), ("date", "service", "region"))
        used_at = v.moment(used["date"], (*p, "last_used", "date")) if used.get("date") else None
        service = str(used["service"]) if used.get("service") else None
        region = str(used["region"]) if used.get("region") else None
        if used and used_at is None:
            raise v.fail((*p, "last_used", "date"), "last_used needs a date")
        keys.append(SeedAccessKey(key_id, secret, status, created, used_at, service, region))

    certificates: list[SeedCertificate] = []
    raw_certs = v.sequence(data.get("signing_certificates"), (*path, "signing_certificates"))
    if len(raw_certs) > 2:
        raise v.fail((*path, "signing_certificates"), "a root user can have at most 2 certificates")
    for index, item in enumerate(raw_certs):
        p = (*path, "signing_certificates", index)
        c = v.mapping(item, p, ("id", "status", "uploaded"))
        default_id = hashlib.sha256(f"{account_id}:cert:{index}".encode()).hexdigest().upper()[:32]
        cert_id = v.string(c.get("id", default_id), (*p, "id"))
        status = v.choice(c.get("status", "Active"), (*p, "status"), ("Active", "Inactive"))
        uploaded = v.moment(c.get("uploaded", joined), (*p, "uploaded"))
        certificates.append(SeedCertificate(cert_id, _certificate_body(cert_id), status, uploaded))

    deleted = v.boolean(data.get("credentials_deleted", False), (*path, "credentials_deleted"))
    return SeedRoot(
        password=password,
        recovery_only=recovery_only,
        password_changed_at=changed if has_profile else None,
        password_last_used=last_used,
        mfa=tuple(mfa),
        access_keys=tuple(keys),
        certificates=tuple(certificates),
        credentials_deleted=deleted,
    )


def _resources(
    v: _Validator, raw: Any, path: Path_, account_id: str, service: str
) -> tuple[SeedResource, ...]:
    found: list[SeedResource] = []
    pattern = _BUCKET if service == "s3" else _QUEUE
    for index, item in enumerate(v.sequence(raw, path)):
        p = (*path, index)
        data = v.mapping(item, p, ("name", "region", "policy"))
        name = v.string(
            data.get("name"),
            (*p, "name"),
            pattern,
            "a bucket name" if service == "s3" else "a queue name",
        )
        region = v.string(data.get("region", "us-east-1"), (*p, "region"), _REGION, "a region")
        arn = (
            f"arn:aws:s3:::{name}"
            if service == "s3"
            else f"arn:aws:sqs:{region}:{account_id}:{name}"
        )
        found.append(
            SeedResource(name, region, v.policy(data.get("policy"), (*p, "policy"), service, arn))
        )
    return tuple(found)


def _account(v: _Validator, raw: Any, path: Path_, ous: set[str], management: bool) -> SeedAccount:
    data = v.mapping(raw, path, _ACCOUNT_FIELDS)
    if "id" not in data:
        raise v.fail(path, "an account needs an 'id' (12 digits, quoted)")
    account_id = v.string(data["id"], (*path, "id"), _ACCOUNT_ID, "a 12-digit account id")
    name = v.string(data.get("name"), (*path, "name"), what="an account name")
    if len(name) > 50:
        raise v.fail((*path, "name"), "account names are at most 50 characters")
    email = v.string(data.get("email"), (*path, "email"), _EMAIL, "an e-mail address")
    ou = ""
    if not management:
        ou = str(data.get("ou") or "").strip("/")
        if ou and ou not in ous:
            raise v.fail(
                (*path, "ou"),
                f"unknown organizational unit {ou!r} (declare it under organizational_units)",
            )
    elif "ou" in data:
        raise v.fail((*path, "ou"), "the management account always sits at the root", key=True)
    joined = v.choice(
        data.get("joined", "INVITED" if management else "CREATED"),
        (*path, "joined"),
        ("CREATED", "INVITED"),
    )
    joined_at = v.moment(data.get("joined_at", "-400d"), (*path, "joined_at"))
    status = v.choice(data.get("status", "ACTIVE"), (*path, "status"), ("ACTIVE", "SUSPENDED"))
    root = _root(v, data.get("root"), (*path, "root"), account_id, joined_at)
    principals: list[SeedPrincipal] = []
    for index, item in enumerate(v.sequence(data.get("principals"), (*path, "principals"))):
        p = (*path, "principals", index)
        pr = v.mapping(item, p, ("name", "access_key_id", "secret_access_key", "policy"))
        name_p = v.string(pr.get("name"), (*p, "name"), _PRINCIPAL, "an IAM user name")
        key_id, secret = derived_principal_keys(account_id, name_p)
        key_id = v.string(
            pr.get("access_key_id", key_id),
            (*p, "access_key_id"),
            _KEY_ID,
            "an access key id (16-128 upper-case letters and digits)",
        )
        secret = str(pr.get("secret_access_key", secret))
        policy = v.policy(pr.get("policy", "admin"), (*p, "policy"), "iam", "")
        principals.append(SeedPrincipal(name_p, key_id, secret, policy))
    return SeedAccount(
        account_id=account_id,
        name=name,
        email=email,
        ou=ou,
        joined_method=joined,
        joined_at=joined_at,
        status=status,
        root=root,
        principals=tuple(principals),
        buckets=_resources(v, data.get("buckets"), (*path, "buckets"), account_id, "s3"),
        queues=_resources(v, data.get("queues"), (*path, "queues"), account_id, "sqs"),
    )


def _default_org_id(management_id: str) -> str:
    return "o-" + hashlib.sha256(management_id.encode()).hexdigest()[:10]


def validate(data: Any, marks: _Marks | None = None, *, now: datetime | None = None) -> Seed:
    """Check a seed mapping and turn it into a ``Seed``; raise ``SeedError`` naming the field."""
    marks = marks or _Marks("<seed>")
    v = _Validator(marks, (now or datetime.now(UTC)).replace(microsecond=0))
    top = v.mapping(
        data, (), ("organization", "management_account", "organizational_units", "accounts")
    )
    if "management_account" not in top:
        raise v.fail((), "a seed needs a 'management_account'")
    org = v.mapping(
        top.get("organization"),
        ("organization",),
        ("id", "root_id", "feature_set", "trusted_access", "delegated_administrators", "features"),
    )

    ous: list[str] = []
    for index, item in enumerate(
        v.sequence(top.get("organizational_units"), ("organizational_units",))
    ):
        p: Path_ = ("organizational_units", index)
        path_text = v.string(item, p, what="an OU path like 'Workloads/Prod'").strip("/")
        parts = path_text.split("/")
        if any(not part or len(part) > 128 for part in parts):
            raise v.fail(p, f"bad OU path {item!r}")
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            if prefix not in ous:
                ous.append(prefix)
            elif depth == len(parts):
                raise v.fail(p, f"organizational unit {path_text!r} is declared twice")
    if any(len(o.split("/")) > 5 for o in ous):
        raise v.fail(("organizational_units",), "OUs nest at most 5 levels deep")

    management = _account(v, top["management_account"], ("management_account",), set(ous), True)
    accounts: list[SeedAccount] = []
    seen_ids: dict[str, Path_] = {management.account_id: ("management_account", "id")}
    seen_emails: dict[str, Path_] = {management.email.lower(): ("management_account", "email")}
    seen_keys: set[str] = set()
    seen_buckets: set[str] = set()
    for index, item in enumerate(v.sequence(top.get("accounts"), ("accounts",))):
        account = _account(v, item, ("accounts", index), set(ous), False)
        if account.account_id in seen_ids:
            raise v.fail(
                ("accounts", index, "id"), f"account id {account.account_id} is used twice"
            )
        if account.email.lower() in seen_emails:
            raise v.fail(("accounts", index, "email"), f"e-mail {account.email} is used twice")
        seen_ids[account.account_id] = ("accounts", index, "id")
        seen_emails[account.email.lower()] = ("accounts", index, "email")
        accounts.append(account)
    for position, account in enumerate((management, *accounts)):
        base: Path_ = ("management_account",) if position == 0 else ("accounts", position - 1)
        for key in account.root.access_keys:
            if key.access_key_id in seen_keys:
                raise v.fail(
                    (*base, "root", "access_keys"), f"access key {key.access_key_id} is used twice"
                )
            seen_keys.add(key.access_key_id)
        for bucket in account.buckets:
            if bucket.name in seen_buckets:
                raise v.fail(
                    (*base, "buckets"),
                    f"bucket {bucket.name} is used twice (bucket names are global)",
                )
            seen_buckets.add(bucket.name)

    org_id = v.string(
        org.get("id", _default_org_id(management.account_id)),
        ("organization", "id"),
        _ORG_ID,
        "an organization id like o-a1b2c3d4e5",
    )
    root_id = v.string(
        org.get("root_id", "r-" + org_id[2:6]),
        ("organization", "root_id"),
        _ROOT_ID,
        "a root id like r-a1b2",
    )
    feature_set = v.choice(
        org.get("feature_set", "ALL"),
        ("organization", "feature_set"),
        ("ALL", "CONSOLIDATED_BILLING"),
    )
    trusted: list[str] = []
    for index, item in enumerate(
        v.sequence(org.get("trusted_access"), ("organization", "trusted_access"))
    ):
        trusted.append(
            v.string(
                item,
                ("organization", "trusted_access", index),
                _SERVICE,
                "a service principal like iam.amazonaws.com",
            )
        )
    delegates: dict[str, tuple[str, ...]] = {}
    raw_delegates = org.get("delegated_administrators") or {}
    if not isinstance(raw_delegates, Mapping):
        raise v.fail(
            ("organization", "delegated_administrators"),
            "expected a mapping of service principal to account id(s)",
        )
    members = {a.account_id for a in accounts}
    for service, raw in raw_delegates.items():
        p = ("organization", "delegated_administrators", str(service))
        v.string(service, p, _SERVICE, "a service principal like iam.amazonaws.com")
        ids = raw if isinstance(raw, list) else [raw]
        for account_id in ids:
            account_id = v.string(account_id, p, _ACCOUNT_ID, "a 12-digit account id")
            if account_id not in members:
                raise v.fail(p, f"{account_id} is not a member account of this seed")
        if service == "iam.amazonaws.com" and len(ids) > 1:
            raise v.fail(p, "IAM allows one delegated administrator")
        if service not in trusted:
            raise v.fail(p, f"register a delegate only with trusted access for {service}")
        delegates[str(service)] = tuple(str(i) for i in ids)
    features: list[str] = []
    for index, item in enumerate(v.sequence(org.get("features"), ("organization", "features"))):
        features.append(
            v.choice(
                item,
                ("organization", "features", index),
                (ROOT_CREDENTIALS_MANAGEMENT, ROOT_SESSIONS),
            )
        )
    return Seed(
        organization_id=org_id,
        root_id=root_id,
        feature_set=feature_set,
        management=management,
        organizational_units=tuple(ous),
        accounts=tuple(accounts),
        trusted_access=tuple(trusted),
        delegated_administrators=delegates,
        features=tuple(dict.fromkeys(features)),
        source=marks.source,
    )


def load(source: str | Path | Mapping[str, Any], *, now: datetime | None = None) -> Seed:
    """A ``Seed`` from a YAML file path, YAML text (when it contains a newline) or a mapping."""
    if isinstance(source, Mapping):
        return validate(source, now=now)
    if isinstance(source, Path) or "\n" not in source:
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SeedError(f"cannot read the seed file: {exc.strerror}", source=str(path)) from exc
        except UnicodeDecodeError as exc:
            raise SeedError(f"not UTF-8 text: {exc.reason}", source=str(path)) from exc
        data, marks = parse_yaml(text, str(path))
    else:
        data, marks = parse_yaml(source)
    return validate(data, marks, now=now)
