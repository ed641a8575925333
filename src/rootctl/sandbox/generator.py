"""A deterministic organization of N accounts: the same N and seed always give the same nested
OUs, account ids, names, e-mails and root credentials (dates are fixed, not "now"-relative).

The mix imitates an estate that grew over years: older invited accounts with root passwords
(some with virtual or hardware MFA, some with forgotten access keys, a few signing
certificates), newer accounts created through Organizations with credential-less roots, a few
suspended accounts, and some buckets and queues locked by a deny-everyone policy.

Tags follow the structure without drawing from the random source (adding them changed no
account): business-unit OUs carry ``business-unit``, environment OUs ``env``, workload
accounts ``team`` and ``application``, the shared accounts ``team: platform``.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)
BUSINESS_UNITS = (
    "payments", "checkout", "identity", "data", "search", "marketing", "logistics", "billing",
    "analytics", "mobile", "partners", "ledger", "risk", "fraud", "support", "media", "catalog",
    "pricing", "inventory", "shipping", "loyalty", "messaging", "maps", "ads",
)  # fmt: skip
APPLICATIONS = (
    "api", "web", "ledger", "events", "reports", "gateway", "workers", "ml", "etl", "portal",
    "auth", "stream", "batch", "cache", "admin", "export",
)  # fmt: skip
ENVIRONMENTS = ("Prod", "Staging", "Dev")
SERVICES = ("s3", "ec2", "iam", "sts", "cloudfront", "lambda", "dynamodb", "rds")
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2")


def _when(rng: random.Random, low_days: int, high_days: int) -> str:
    moment = ANCHOR - timedelta(days=rng.randint(low_days, high_days), minutes=rng.randint(0, 1439))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _root_keys(rng: random.Random) -> list[dict[str, Any]]:
    """One or two forgotten root keys: half used lately, a quarter long ago, a quarter never."""
    keys = []
    for _ in range(2 if rng.random() < 0.2 else 1):
        key: dict[str, Any] = {
            "status": "Active" if rng.random() < 0.85 else "Inactive",
            "created": _when(rng, 400, 2500),
        }
        use = rng.random()
        if use < 0.75:
            recent = use < 0.5
            key["last_used"] = {
                "date": _when(rng, 0, 30) if recent else _when(rng, 200, 1200),
                "service": rng.choice(SERVICES),
                "region": rng.choice(REGIONS),
            }
        keys.append(key)
    return keys


def _root(rng: random.Random, created: bool, joined: str) -> dict[str, Any]:
    """Root credentials by how the account joined (ratios are the module docstring's mix)."""
    roll = rng.random()
    if created:
        if roll < 0.9:
            return {}
        if roll < 0.94:
            return {"recovery_only": True, "password_changed": _when(rng, 10, 300)}
        return {"password": f"Gen-{rng.getrandbits(48):012x}!", "password_changed": joined}
    if roll < 0.12:
        return {}
    root: dict[str, Any] = {
        "password": f"Gen-{rng.getrandbits(48):012x}!",
        "password_changed": _when(rng, 100, 1500),
    }
    if rng.random() < 0.6:
        root["password_last_used"] = _when(rng, 1, 900)
    mfa_roll = rng.random()
    if mfa_roll < 0.6:
        kind = "virtual" if mfa_roll < 0.45 else "hardware"
        root["mfa"] = [{"type": kind, "enabled": _when(rng, 100, 2000)}]
    if rng.random() < 0.25:
        root["access_keys"] = _root_keys(rng)
    if rng.random() < 0.05:
        root["signing_certificates"] = [{"status": "Active", "uploaded": _when(rng, 300, 2500)}]
    return root


class _Estate:
    """The organization being drawn: one random source, so the order of draws is the contract
    (same N and seed → same organization)."""

    def __init__(self, accounts: int, seed: int) -> None:
        self.size = accounts
        self.rng = random.Random(f"rootctl-sandbox:{accounts}:{seed}")
        self.used_ids: set[str] = set()
        self.names: set[str] = set()
        self.members: list[dict[str, Any]] = []

    def account_id(self) -> str:
        while True:
            candidate = str(self.rng.randrange(10**11, 10**12))
            if candidate not in self.used_ids:
                self.used_ids.add(candidate)
                return candidate

    def add(
        self,
        name: str,
        ou: str,
        *,
        created: bool | None = None,
        tags: dict[str, str] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        rng = self.rng
        unique, number = name, 2
        while unique in self.names:
            unique, number = f"{name}-{number}", number + 1
        self.names.add(unique)
        was_created = created if created is not None else rng.random() < 0.45
        joined = _when(rng, 30, 3000)
        account: dict[str, Any] = {
            "id": self.account_id(),
            "name": unique,
            "email": f"aws+{unique}@example.com",
            "ou": ou,
            "joined": "CREATED" if was_created else "INVITED",
            "joined_at": joined,
            "root": _root(rng, was_created, joined),
            **extra,
        }
        if tags:
            account["tags"] = tags
        if rng.random() < 0.01:
            account["status"] = "SUSPENDED"
        self.members.append(account)
        return account

    def add_workload(self, units: tuple[str, ...]) -> None:
        """One more account: a sandbox (10 %) or a workload in a unit's environment; some hold
        a locked bucket or queue."""
        rng = self.rng
        index = len(self.members)
        if rng.random() < 0.1:
            app = rng.choice(APPLICATIONS)
            account = self.add(f"sandbox-{app}", "Sandbox", tags={"application": app})
        else:
            unit = rng.choice(units)
            env = rng.choice(ENVIRONMENTS)
            app = rng.choice(APPLICATIONS)
            account = self.add(
                f"{unit}-{app}-{env.lower()}",
                f"Workloads/{unit.capitalize()}/{env}",
                tags={"team": unit, "application": app},
            )
        if index % 50 == 7:
            account["buckets"] = [
                {
                    "name": f"{account['name']}-{account['id']}-data",
                    "region": rng.choice(REGIONS),
                    "policy": "deny-all",
                }
            ]
        if index % 80 == 13:
            account["queues"] = [
                {"name": f"{account['name']}-events", "region": "us-east-1", "policy": "deny-all"}
            ]

    def management(self, account_id: str) -> dict[str, Any]:
        rng = self.rng
        return {
            "id": account_id,
            "name": "management",
            "email": "aws-management@example.com",
            "joined": "INVITED",
            "joined_at": (ANCHOR - timedelta(days=3200)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "root": {
                "password": f"Gen-{rng.getrandbits(48):012x}!",
                "password_changed": _when(rng, 200, 900),
                "mfa": [{"type": "hardware", "enabled": _when(rng, 900, 2000)}],
            },
            "principals": [{"name": "admin"}],
        }


def generate(accounts: int, seed: int = 0) -> dict[str, Any]:
    """A seed mapping (the YAML format, as data) for ``accounts`` member accounts."""
    if accounts < 1:
        raise ValueError("an organization needs at least one member account")
    estate = _Estate(accounts, seed)
    management_id = estate.account_id()
    units = BUSINESS_UNITS[: max(2, min(len(BUSINESS_UNITS), accounts // 40))]
    ous: list[Any] = ["Security", "Infrastructure", {"path": "Sandbox", "tags": {"env": "sandbox"}}]
    for unit in units:
        ous.append({"path": f"Workloads/{unit.capitalize()}", "tags": {"business-unit": unit}})
        ous += [
            {"path": f"Workloads/{unit.capitalize()}/{env}", "tags": {"env": env.lower()}}
            for env in ENVIRONMENTS
        ]
    platform = {"team": "platform"}
    estate.add(
        "security-tooling", "Security", created=True, principals=[{"name": "admin"}], tags=platform
    )
    for name, ou in (
        ("log-archive", "Security"),
        ("shared-networking", "Infrastructure"),
        ("shared-services", "Infrastructure"),
    ):
        if len(estate.members) < accounts:
            estate.add(name, ou, tags=platform)
    while len(estate.members) < accounts:
        estate.add_workload(units)
    organization = {
        "id": f"o-{estate.rng.getrandbits(50):013x}"[:12],
        "feature_set": "ALL",
        "trusted_access": [],
        "delegated_administrators": {},
        "features": [],
    }
    return {
        "organization": organization,
        "organizational_units": ous,
        "management_account": estate.management(management_id),
        "accounts": estate.members,
    }
