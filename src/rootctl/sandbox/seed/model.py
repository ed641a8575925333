"""The validated seed: frozen dataclasses (their names are part of the contract,
docs/sandbox.md "Seed files") and the error every bad seed raises."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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
    tags: Mapping[str, str] = field(default_factory=dict)


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
    ou_tags: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # OU path → tags

    def all_accounts(self) -> tuple[SeedAccount, ...]:
        return (self.management, *self.accounts)
