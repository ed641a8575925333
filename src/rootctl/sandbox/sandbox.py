"""``Sandbox``: the public face of the emulator (docs/sandbox.md is its contract).

moto's state is process-global, so there is one live organization per process: building a
``Sandbox`` (``example()``, ``from_seed()``, ``generated()``) replaces whatever was there, and
an older ``Sandbox`` object then describes state that no longer exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import builder, console
from . import seed as seed_module
from .clientenv import client_environment, patched_environment
from .cloudtrail import events as trail
from .faults import FAULTS, Faults
from .install import install
from .models import CLOCK, PROPAGATION, account_state, issued_sessions, peek_account_state
from .organizations import IAM_SERVICE_PRINCIPAL, SandboxOrganizationsBackend, organization_of
from .policies import ADMIN_POLICY
from .records import AccountInfo, Credentials, IssuedRootSession, RootUserSnapshot
from .seed import Seed, SeedError, SeedPrincipal, derived_principal_keys
from .signin import (
    MAILBOX,
    Email,
    PasswordResetResult,
    Reason,
    SignInResult,
    complete_reset,
    current_code,
    request_reset,
    sign_in,
)
from .snapshot import state_snapshot

if TYPE_CHECKING:
    from .server import SandboxServer


@cache
def _example_seed() -> Seed:
    text = resources.files(__package__).joinpath("seeds/example-org.yaml").read_text()
    return seed_module.load(text)


@cache
def _example_seed_without_scps() -> Seed:
    return replace(_example_seed(), policy_types=(), policies=())


_current: Sandbox | None = None


def current() -> Sandbox | None:
    """The ``Sandbox`` that built the live state, if any."""
    return _current


class Sandbox:
    """One emulated organization: build it with ``example()``, ``from_seed()``, ``generated()``."""

    def __init__(
        self, seed: Seed, *, origin: dict[str, Any], propagation_delay: float = 0.0
    ) -> None:
        global _current
        install()
        self.seed = seed
        self.origin = origin  # how to rebuild it: {"example": True} / {"accounts": N, ...}
        builder.build(seed)
        self.propagation_delay = propagation_delay
        _current = self

    # --- construction -----------------------------------------------------------------

    @classmethod
    def from_seed(
        cls, source: str | Path | Mapping[str, Any] | Seed, *, propagation_delay: float = 0.0
    ) -> Sandbox:
        """From a YAML file, YAML text or a mapping (docs/sandbox.md, "Seed files")."""
        parsed = source if isinstance(source, Seed) else seed_module.load(source)
        return cls(parsed, origin={"seed": parsed}, propagation_delay=propagation_delay)

    @classmethod
    def example(cls, *, propagation_delay: float = 0.0, scps: bool = True) -> Sandbox:
        """The built-in example organization (``seeds/example-org.yaml``), fresh.

        It ships Control Tower's "deny root" SCP on the Security OU, which blocks root task
        sessions there until it is exempted (the demo's SCP step). ``scps=False`` leaves SCPs
        off, for tests that are not about them: every member account is then reachable."""
        seed = _example_seed() if scps else _example_seed_without_scps()
        origin: dict[str, Any] = {"example": True} if scps else {"example": True, "scps": False}
        return cls(seed, origin=origin, propagation_delay=propagation_delay)

    @classmethod
    def generated(cls, accounts: int, seed: int = 0, *, propagation_delay: float = 0.0) -> Sandbox:
        """A deterministic organization of ``accounts`` accounts (same N + seed → same org)."""
        from .generator import generate

        return cls(
            seed_module.validate(generate(accounts, seed)),
            origin={"accounts": accounts, "random_seed": seed},
            propagation_delay=propagation_delay,
        )

    def reset(self) -> Sandbox:
        """Rebuild this sandbox's organization from its seed (faults and clock reset too; the
        propagation delay stays)."""
        return Sandbox(self.seed, origin=self.origin, propagation_delay=self.propagation_delay)

    @property
    def propagation_delay(self) -> float:
        """Seconds during which AssumeRoot is still issued after IAM trusted access is disabled,
        a feature is disabled or the delegate is deregistered (AWS propagates revocations
        eventually); 0, the default, applies them at once."""
        return PROPAGATION.delay_seconds

    @propagation_delay.setter
    def propagation_delay(self, seconds: float) -> None:
        PROPAGATION.set(seconds)

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
        return [IssuedRootSession.of(session) for session in issued_sessions(account_id)]

    def cloudtrail_events(self, account_id: str | None = None) -> list[dict[str, Any]]:
        """The CloudTrail records the sandbox kept (of ``account_id`` only, if given), oldest
        first: what ``LookupEvents`` and CloudTrail Lake serve."""
        if account_id is not None:
            return trail.events_of(account_id)
        return sorted(trail.all_events(), key=lambda e: str(e["eventTime"]))

    def create_event_data_store(self, name: str = "organization-events") -> str:
        """An organization-wide, multi-Region CloudTrail Lake event data store in the management
        account (holding events from now on); returns its ARN."""
        from .cloudtrail import lake

        params = {"Name": name, "OrganizationEnabled": True, "MultiRegionEnabled": True}
        return lake.create(self.management_account_id, "us-east-1", params).arn

    # --- root users -----------------------------------------------------------------------

    def root_user(self, account_id: str) -> RootUserSnapshot:
        state = peek_account_state(account_id)
        root = state.root if state is not None else None
        if root is None:
            raise KeyError(f"no root user for account {account_id} in the sandbox")
        with account_state(account_id).lock:
            return RootUserSnapshot.of(root)

    def _root_and_status(self, account_id: str) -> tuple[Any, bool] | None:
        state = peek_account_state(account_id)
        org = organization_of(account_id)
        account = org.find_account(account_id) if org is not None else None
        if state is None or state.root is None or account is None:
            return None
        return state.root, account.status == "SUSPENDED"

    # The root user at the console, signed in: credentials coming back (console.py).

    def add_root_access_key(self, account_id: str) -> Credentials:
        """The root user creates an access key (IAM allows two); returns its key pair."""
        key = console.add_access_key(account_id)
        return Credentials(key.access_key_id, key.secret_access_key, account_id, "root")

    def add_root_mfa_device(self, account_id: str, kind: str = "virtual") -> str:
        """The root user assigns an MFA device (``virtual`` or ``hardware``); returns its
        serial (``mfa_code()`` shows its codes)."""
        return console.add_mfa_device(account_id, kind).serial_number

    def add_root_signing_certificate(self, account_id: str) -> str:
        """The root user uploads a signing certificate; returns its id."""
        return console.add_signing_certificate(account_id).certificate_id

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
            result = sign_in(root, password, mfa_code, suspended)
        if result.reason != Reason.MFA_REQUIRED:  # the console asks for the code: no event yet
            trail.record(
                trail.sign_in_event(
                    account_id, "ConsoleLogin", success=result.ok, mfa_used=bool(mfa_code)
                )
            )
        return result

    def request_password_reset(self, account_id: str) -> PasswordResetResult:
        """Simulate "Forgot password?": on success the link goes to the root e-mail."""
        found = self._root_and_status(account_id)
        if found is None:
            return PasswordResetResult(False, Reason.UNKNOWN_ACCOUNT)
        root, suspended = found
        with account_state(account_id).lock:
            result = request_reset(root, set(self.features()), suspended)
        trail.record(
            trail.sign_in_event(
                account_id,
                "PasswordRecoveryRequested",
                success=result.ok,
                error_message=None if result.ok else result.reason,
            )
        )
        return result

    def complete_password_reset(
        self, account_id: str, token: str, new_password: str
    ) -> PasswordResetResult:
        """Follow the e-mailed link and choose a new password."""
        found = self._root_and_status(account_id)
        if found is None:
            return PasswordResetResult(False, Reason.UNKNOWN_ACCOUNT)
        with account_state(account_id).lock:
            result = complete_reset(found[0], token, new_password)
        trail.record(
            trail.sign_in_event(
                account_id,
                "PasswordRecoveryCompleted",
                success=result.ok,
                error_message=None if result.ok else result.reason,
            )
        )
        return result

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
        return state_snapshot(self._org(), self.features())

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
    def serve(
        self, host: str = "127.0.0.1", port: int = 0, *, allowed_hosts: Iterable[str] = ()
    ) -> Iterator[SandboxServer]:
        """A real HTTP endpoint in a background thread, for boto3, the CLI or the ``aws`` CLI.
        ``allowed_hosts``: names clients may use besides its address and ``localhost``."""
        from .server import SandboxServer

        server = SandboxServer(host, port, allowed_hosts=allowed_hosts)
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
