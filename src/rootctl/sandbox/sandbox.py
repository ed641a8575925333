"""``Sandbox``: the public face of the emulator (docs/sandbox.md is its contract).

moto's state is process-global, so there is one live organization per process: building a
``Sandbox`` (``example()``, ``from_seed()``, ``generated()``) replaces whatever was there, and
an older ``Sandbox`` object then describes state that no longer exists.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import builder
from . import seed as seed_module
from .clientenv import client_environment, patched_environment
from .faults import FAULTS, Faults
from .install import install
from .models import CLOCK, MAILBOX, Email, account_state, peek_account_state
from .organizations import IAM_SERVICE_PRINCIPAL, SandboxOrganizationsBackend, organization_of
from .policies import ADMIN_POLICY
from .seed import Seed, SeedError, SeedPrincipal, derived_principal_keys
from .signin import (
    PasswordResetResult,
    Reason,
    SignInResult,
    complete_reset,
    current_code,
    request_reset,
    sign_in,
)

if TYPE_CHECKING:
    from .server import SandboxServer

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Credentials:
    """Long-term keys of an IAM user in the sandbox."""

    access_key_id: str
    secret_access_key: str
    account_id: str
    user_name: str  # "root" for the root user's own keys
    region: str = DEFAULT_REGION

    @property
    def arn(self) -> str:
        if self.user_name == "root":
            return f"arn:aws:iam::{self.account_id}:root"
        return f"arn:aws:iam::{self.account_id}:user/{self.user_name}"

    def to_dict(self) -> dict[str, str]:
        return {
            "access_key_id": self.access_key_id,
            "secret_access_key": self.secret_access_key,
            "account_id": self.account_id,
            "user_name": self.user_name,
            "arn": self.arn,
            "region": self.region,
        }

    def boto3_kwargs(self) -> dict[str, Any]:
        """``boto3.client("iam", **creds.boto3_kwargs())``."""
        return {
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
            "region_name": self.region,
        }


@dataclass(frozen=True)
class AccountInfo:
    account_id: str
    name: str
    email: str
    ou_path: str  # "" for the organization root, else like "Workloads/Prod"
    status: str
    joined_method: str
    is_management: bool

    @property
    def id(self) -> str:
        """Alias of ``account_id``."""
        return self.account_id

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.account_id,
            "name": self.name,
            "email": self.email,
            "ou": self.ou_path,
            "status": self.status,
            "joined_method": self.joined_method,
            "management": self.is_management,
        }


@dataclass(frozen=True)
class RootUserSnapshot:
    """The root user's credentials at one moment, for assertions."""

    account_id: str
    email: str
    login_profile: bool  # AccountPasswordPresent: a profile exists (maybe recovery-only)
    password_set: bool  # a usable password exists (sign-in possible)
    access_keys: tuple[dict[str, Any], ...]
    mfa_devices: tuple[dict[str, Any], ...]
    signing_certificates: tuple[dict[str, Any], ...]
    credentials_deleted: bool

    @property
    def has_credentials(self) -> bool:
        return bool(
            self.login_profile or self.access_keys or self.mfa_devices or self.signing_certificates
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "email": self.email,
            "login_profile": self.login_profile,
            "password_set": self.password_set,
            "access_keys": list(self.access_keys),
            "mfa_devices": list(self.mfa_devices),
            "signing_certificates": list(self.signing_certificates),
            "credentials_deleted": self.credentials_deleted,
            "has_credentials": self.has_credentials,
        }


@dataclass(frozen=True)
class IssuedRootSession:
    """Credentials AssumeRoot handed out (tests use it to look for leaked secrets)."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    account_id: str  # the target member account
    task_policy: str  # e.g. "IAMAuditRootUserCredentials"
    caller_arn: str
    caller_account: str
    issued_at: datetime
    expires_at: datetime

    @property
    def task_policy_arn(self) -> str:
        return f"arn:aws:iam::aws:policy/root-task/{self.task_policy}"

    @property
    def duration_seconds(self) -> int:
        return int((self.expires_at - self.issued_at).total_seconds())

    def to_dict(self) -> dict[str, Any]:
        return {
            "access_key_id": self.access_key_id,
            "secret_access_key": self.secret_access_key,
            "session_token": self.session_token,
            "account_id": self.account_id,
            "task_policy": self.task_policy,
            "task_policy_arn": self.task_policy_arn,
            "caller_arn": self.caller_arn,
            "caller_account": self.caller_account,
            "issued_at": self.issued_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "duration_seconds": self.duration_seconds,
        }


@cache
def _example_seed() -> Seed:
    text = resources.files(__package__).joinpath("seeds/example-org.yaml").read_text()
    return seed_module.load(text)


_current: Sandbox | None = None


def current() -> Sandbox | None:
    """The ``Sandbox`` that built the live state, if any."""
    return _current


class Sandbox:
    """One emulated organization: build it with ``example()``, ``from_seed()``, ``generated()``."""

    def __init__(self, seed: Seed, *, origin: dict[str, Any]) -> None:
        global _current
        install()
        self.seed = seed
        self.origin = origin  # how to rebuild it: {"example": True} / {"accounts": N, ...}
        builder.build(seed)
        _current = self

    # --- construction -----------------------------------------------------------------

    @classmethod
    def from_seed(cls, source: str | Path | Mapping[str, Any] | Seed) -> Sandbox:
        """From a YAML file, YAML text or a mapping (docs/sandbox.md, "Seed files")."""
        parsed = source if isinstance(source, Seed) else seed_module.load(source)
        return cls(parsed, origin={"seed": parsed})

    @classmethod
    def example(cls) -> Sandbox:
        """The built-in example organization (``seeds/example-org.yaml``), fresh."""
        return cls(_example_seed(), origin={"example": True})

    @classmethod
    def generated(cls, accounts: int, seed: int = 0) -> Sandbox:
        """A deterministic organization of ``accounts`` accounts (same N + seed → same org)."""
        from .generator import generate

        return cls(
            seed_module.validate(generate(accounts, seed)),
            origin={"accounts": accounts, "random_seed": seed},
        )

    def reset(self) -> Sandbox:
        """Rebuild this sandbox's organization from its seed (faults and clock reset too)."""
        return Sandbox(self.seed, origin=self.origin)

    # --- the organization -------------------------------------------------------------

    @property
    def organization_id(self) -> str:
        return self.seed.organization_id

    @property
    def management_account_id(self) -> str:
        return self.seed.management.account_id

    @property
    def root_id(self) -> str:
        return self.seed.root_id

    @property
    def delegated_administrator_id(self) -> str | None:
        """The account registered as IAM delegated administrator right now, if any."""
        org = self._org()
        delegates = org.delegates(IAM_SERVICE_PRINCIPAL)
        return delegates[0] if delegates else None

    def _org(self) -> SandboxOrganizationsBackend:
        org = organization_of(self.management_account_id)
        if org is None:
            raise RuntimeError("the sandbox's organization is gone (moto was reset)")
        return org

    def accounts(self) -> list[AccountInfo]:
        """Every account of the organization (management first), with its OU path."""
        org = self._org()
        names = {ou.id: ou for ou in org.ou}

        def path_of(parent_id: str) -> str:
            parts: list[str] = []
            while parent_id in names and parent_id != self.root_id:
                ou = names[parent_id]
                parts.append(str(ou.name))
                parent_id = str(ou.parent_id)
            return "/".join(reversed(parts))

        found = [
            AccountInfo(
                a.id,
                a.name,
                a.email,
                path_of(a.parent_id),
                a.status,
                a.joined_method,
                a.id == self.management_account_id,
            )
            for a in org.accounts_sorted()
        ]
        return sorted(found, key=lambda a: (not a.is_management,))

    def account(self, account_id: str) -> AccountInfo:
        for info in self.accounts():
            if info.account_id == account_id:
                return info
        raise KeyError(f"no account {account_id} in the sandbox")

    def account_by_name(self, name: str) -> AccountInfo:
        for info in self.accounts():
            if info.name == name:
                return info
        raise KeyError(f"no account named {name!r} in the sandbox")

    # --- callers ------------------------------------------------------------------------

    def admin_credentials(self) -> Credentials:
        """The management account's ``admin`` IAM user (full permissions)."""
        return self.principal_credentials(self.management_account_id, "admin")

    def principal_credentials(
        self, account_id: str, name: str = "admin", *, policy: Mapping[str, Any] | str = "admin"
    ) -> Credentials:
        """An IAM user in ``account_id``; created on first use (``policy``: a document,
        ``"admin"`` or ``"none"``). Keys are derived from account and name: stable."""
        from moto.iam.models import iam_backends

        backend = iam_backends[account_id]["aws"]
        user = backend.users.get(name)
        if user is not None and user.access_keys:
            key = user.access_keys[0]
            return Credentials(key.access_key_id, key.secret_access_key, account_id, name)
        key_id, secret = derived_principal_keys(account_id, name)
        document = ADMIN_POLICY if policy == "admin" else None if policy == "none" else policy
        if isinstance(document, str):
            raise ValueError("policy must be a mapping, 'admin' or 'none'")
        builder.add_principal(account_id, SeedPrincipal(name, key_id, secret, document))
        return Credentials(key_id, secret, account_id, name)

    def root_access_key(self, account_id: str, index: int = 0) -> Credentials:
        """The root user's own long-term access key (as leaked or forgotten keys are used)."""
        state = peek_account_state(account_id)
        if state is None or state.root is None or index >= len(state.root.access_keys):
            raise KeyError(f"the root user of {account_id} has no access key #{index}")
        key = state.root.access_keys[index]
        return Credentials(key.access_key_id, key.secret_access_key, account_id, "root")

    def issued_root_sessions(self, account_id: str | None = None) -> list[IssuedRootSession]:
        """Every session AssumeRoot issued since the sandbox was built (into ``account_id``
        only, if given), oldest first — expired ones included."""
        from .models import sandbox_backends

        found: list[tuple[int, IssuedRootSession]] = []
        for owner, per_account in list(sandbox_backends.items()):
            if account_id is not None and owner != account_id:
                continue
            state = dict.get(per_account, "aws")
            for s in list(state.sessions.values()) if state is not None else []:
                found.append(
                    (
                        s.serial,
                        IssuedRootSession(
                            s.access_key_id,
                            s.secret_access_key,
                            s.session_token,
                            s.account_id,
                            s.task_policy,
                            s.caller_arn,
                            s.caller_account,
                            s.issued_at,
                            s.expires_at,
                        ),
                    )
                )
        return [session for _, session in sorted(found, key=lambda item: item[0])]

    # --- root users -----------------------------------------------------------------------

    def root_user(self, account_id: str) -> RootUserSnapshot:
        state = peek_account_state(account_id)
        root = state.root if state is not None else None
        if root is None:
            raise KeyError(f"no root user for account {account_id} in the sandbox")
        with account_state(account_id).lock:
            data = root.snapshot()
            profile = root.login_profile
            return RootUserSnapshot(
                account_id=account_id,
                email=root.email,
                login_profile=profile is not None,
                password_set=profile is not None and profile.password_hash is not None,
                access_keys=tuple(data["AccessKeys"]),
                mfa_devices=tuple(data["MFADevices"]),
                signing_certificates=tuple(data["SigningCertificates"]),
                credentials_deleted=root.credentials_deleted,
            )

    def _root_and_status(self, account_id: str) -> tuple[Any, bool] | None:
        state = peek_account_state(account_id)
        org = organization_of(account_id)
        account = org.find_account(account_id) if org is not None else None
        if state is None or state.root is None or account is None:
            return None
        return state.root, account.status == "SUSPENDED"

    def features(self) -> list[str]:
        """The organization's enabled root access features (RootSessions first)."""
        return account_state(self.management_account_id).enabled_features()

    def sign_in(self, account_id: str, password: str, mfa_code: str | None = None) -> SignInResult:
        """Simulate the root user signing in to the console."""
        found = self._root_and_status(account_id)
        if found is None:
            return SignInResult(False, Reason.UNKNOWN_ACCOUNT)
        root, suspended = found
        with account_state(account_id).lock:
            return sign_in(root, password, mfa_code, suspended)

    def request_password_reset(self, account_id: str) -> PasswordResetResult:
        """Simulate "Forgot password?": on success the link goes to the root e-mail."""
        found = self._root_and_status(account_id)
        if found is None:
            return PasswordResetResult(False, Reason.UNKNOWN_ACCOUNT)
        root, suspended = found
        with account_state(account_id).lock:
            return request_reset(root, set(self.features()), suspended)

    def complete_password_reset(
        self, account_id: str, token: str, new_password: str
    ) -> PasswordResetResult:
        """Follow the e-mailed link and choose a new password."""
        found = self._root_and_status(account_id)
        if found is None:
            return PasswordResetResult(False, Reason.UNKNOWN_ACCOUNT)
        with account_state(account_id).lock:
            return complete_reset(found[0], token, new_password)

    def mailbox(self, address: str | None = None) -> list[Email]:
        """E-mails the simulated sign-in service sent (to ``address`` only, if given)."""
        return [m for m in MAILBOX.messages if address is None or m.to == address]

    def mfa_code(self, account_id: str, serial: str | None = None) -> str:
        """What the root user's MFA device (``serial``, default: the first) shows right now."""
        found = self._root_and_status(account_id)
        if found is None:
            raise KeyError(f"no root user for account {account_id}")
        devices = [*found[0].mfa_devices, *found[0].detached_mfa_devices]
        for device in devices:
            if serial is None or device.serial_number == serial:
                return current_code(device.secret)
        raise KeyError(f"no MFA device {serial!r} for the root user of {account_id}")

    # --- faults, time, state ------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        return FAULTS

    def advance_clock(self, seconds: float) -> None:
        """Move sandbox time forward (session expiry, MFA codes, reset links)."""
        CLOCK.advance(seconds)

    def snapshot(self) -> bytes:
        """Canonical bytes of everything a privileged action could change — compare two
        snapshots to prove that nothing changed. Leaves out request bookkeeping: issued
        sessions, last-used stamps of IAM users' keys, faults, the clock, the mailbox."""
        from moto.s3.models import s3_backends
        from moto.sqs.models import sqs_backends

        org = self._org()
        state: dict[str, Any] = {
            "organization": {
                "id": org.organization.id,
                "feature_set": org.organization.feature_set,
                "trusted_access": sorted(s["ServicePrincipal"] for s in org.services),
                "delegated_administrators": sorted(
                    [a.account.id, sorted(a.services)] for a in org.admins
                ),
                "features": self.features(),
                "ous": sorted([o.id, o.name, o.parent_id] for o in org.ou),
                "accounts": sorted(
                    [a.id, a.name, a.email, a.parent_id, a.status] for a in org.accounts
                ),
            },
            "root_users": {},
            "buckets": {},
            "queues": {},
        }
        for account in org.accounts:
            account_root = peek_account_state(account.id)
            if account_root is not None and account_root.root is not None:
                state["root_users"][account.id] = account_root.root.snapshot()
        for name, (partition, owner) in sorted(s3_backends.bucket_accounts.items()):
            bucket = s3_backends[owner][partition].buckets.get(name)
            if bucket is not None:
                policy = bucket.policy.decode() if bucket.policy else None
                state["buckets"][name] = {"account": owner, "policy": policy}
        for owner, per_account in list(sqs_backends.items()):
            for region, backend in list(per_account.items()):
                for name, queue in backend.queues.items():
                    state["queues"][f"{owner}/{region}/{name}"] = queue.policy
        return json.dumps(state, sort_keys=True, separators=(",", ":"), default=str).encode()

    # --- the two ways of talking to it ---------------------------------------------------

    @contextmanager
    def in_process(self, *, env: bool = True) -> Iterator[Sandbox]:
        """boto3 in this process talks to the sandbox (moto's ``mock_aws``) — without
        resetting the seeded state on entry or exit.

        With ``env`` (the default) the process environment holds the management admin's keys
        (and no endpoint override, profile or session token) for the duration; pass
        ``env=False`` to manage credentials yourself."""
        from moto import mock_aws

        admin = self.admin_credentials()
        wanted = client_environment(admin, region=admin.region) if env else {}
        mock = mock_aws(config={"core": {"mock_credentials": False}})
        with patched_environment(wanted):
            mock.start(reset=False)
            try:
                yield self
            finally:
                mock.stop(remove_data=False)

    @contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[SandboxServer]:
        """A real HTTP endpoint in a background thread, for boto3, the CLI or the ``aws`` CLI."""
        from .server import SandboxServer

        server = SandboxServer(host, port)
        server.start()
        try:
            yield server
        finally:
            server.stop()


__all__ = [
    "AccountInfo",
    "Credentials",
    "IssuedRootSession",
    "PasswordResetResult",
    "RootUserSnapshot",
    "Sandbox",
    "SeedError",
    "SignInResult",
    "current",
]
