"""State moto has no model for: member-account root users, organization feature flags, issued
root sessions, and the sandbox-wide clock and mailbox.

Per-account state lives in a moto ``BackendDict`` so that ``mock_aws`` exit and
``POST /moto-api/reset`` clear it together with moto's own state.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from moto.core.base_backend import BackendDict, BaseBackend

from .policies import ROOT_CREDENTIALS_MANAGEMENT, ROOT_SESSIONS

FEATURE_ORDER = (ROOT_SESSIONS, ROOT_CREDENTIALS_MANAGEMENT)  # AWS echoes RootSessions first
ACCESS_KEY_QUOTA = 2
SIGNING_CERTIFICATE_QUOTA = 2
MFA_DEVICE_QUOTA = 8


class Clock:
    """Sandbox time: real UTC time plus an offset tests can advance (expiry, TOTP)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)

    def reset(self) -> None:
        self.offset = timedelta(0)


CLOCK = Clock()


class Propagation:
    """How long a revoked permission keeps AssumeRoot working: AWS propagates revocations
    eventually (new sessions were issued ~60 s after trusted access was disabled, spec §1.3,
    §2.7). 0, the default, applies every change at once."""

    def __init__(self) -> None:
        self.delay_seconds = 0.0

    def set(self, seconds: float) -> None:
        if not seconds >= 0:
            raise ValueError(f"the propagation delay must be >= 0 seconds, got {seconds}")
        self.delay_seconds = float(seconds)

    def lingers(self, revoked_at: datetime | None) -> bool:
        """Does a permission revoked at ``revoked_at`` still count?"""
        if revoked_at is None or not self.delay_seconds:
            return False
        return CLOCK.now() < revoked_at + timedelta(seconds=self.delay_seconds)


PROPAGATION = Propagation()


def naive_utc(moment: datetime) -> datetime:
    """moto keeps naive UTC datetimes; the sandbox's own models keep aware ones."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def aware_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _wire(record: Any, names: dict[str, str]) -> dict[str, Any]:
    """A record's attributes under their wire names (``names``: wire -> attribute), dates in
    ISO 8601: what snapshots show."""
    values = {wire: getattr(record, attribute) for wire, attribute in names.items()}
    return {k: iso(v) if isinstance(v, datetime) else v for k, v in values.items()}


@dataclass
class RootAccessKey:
    access_key_id: str
    secret_access_key: str
    created_at: datetime
    status: str = "Active"
    last_used_at: datetime | None = None
    last_used_service: str | None = None
    last_used_region: str | None = None

    WIRE: ClassVar[dict[str, str]] = {
        "AccessKeyId": "access_key_id",
        "Status": "status",
        "CreateDate": "created_at",
        "LastUsedDate": "last_used_at",
        "LastUsedService": "last_used_service",
        "LastUsedRegion": "last_used_region",
    }

    def snapshot(self) -> dict[str, Any]:
        return _wire(self, self.WIRE)


@dataclass
class MfaDevice:
    serial_number: str
    kind: str  # "virtual" | "hardware"
    secret: str  # base32 TOTP seed (RFC 6238); hardware tokens are simulated the same way
    enabled_at: datetime

    WIRE: ClassVar[dict[str, str]] = {
        "SerialNumber": "serial_number",
        "Type": "kind",
        "EnableDate": "enabled_at",
    }

    def snapshot(self) -> dict[str, Any]:
        return _wire(self, self.WIRE)


@dataclass
class SigningCertificate:
    certificate_id: str
    body: str
    uploaded_at: datetime
    status: str = "Active"

    WIRE: ClassVar[dict[str, str]] = {
        "CertificateId": "certificate_id",
        "Status": "status",
        "UploadDate": "uploaded_at",
    }

    def snapshot(self) -> dict[str, Any]:
        return _wire(self, self.WIRE)


@dataclass
class LoginProfile:
    created_at: datetime
    # None: the profile only allows password recovery ("Allow password recovery" creates it
    # with no password); a password exists once the owner of the root e-mail resets it.
    password_hash: str | None = None
    password_changed_at: datetime | None = None


@dataclass
class RootUser:
    """A member account's root user and its long-term credentials (spec §4)."""

    account_id: str
    email: str
    created_at: datetime
    login_profile: LoginProfile | None = None
    access_keys: list[RootAccessKey] = field(default_factory=list)
    mfa_devices: list[MfaDevice] = field(default_factory=list)
    # Deactivated virtual devices: the device object remains, detached (spec §4).
    detached_mfa_devices: list[MfaDevice] = field(default_factory=list)
    signing_certificates: list[SigningCertificate] = field(default_factory=list)
    password_last_used: datetime | None = None
    # Set when a root session deleted the password: from then on only "Allow password
    # recovery" (CreateLoginProfile) makes a reset possible again.
    credentials_deleted: bool = False
    reset_tokens: dict[str, datetime] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:root"

    def key(self, access_key_id: str) -> RootAccessKey | None:
        return next((k for k in self.access_keys if k.access_key_id == access_key_id), None)

    def summary_flags(self) -> dict[str, int]:
        return {
            "AccountPasswordPresent": int(self.login_profile is not None),
            "AccountAccessKeysPresent": int(bool(self.access_keys)),
            "AccountSigningCertificatesPresent": int(bool(self.signing_certificates)),
            "AccountMFAEnabled": int(bool(self.mfa_devices)),
        }

    def has_credentials(self) -> bool:
        return any(self.summary_flags().values())

    def snapshot(self) -> dict[str, Any]:
        profile = self.login_profile
        return {
            "AccountId": self.account_id,
            "Email": self.email,
            "CreateDate": iso(self.created_at),
            "LoginProfile": None
            if profile is None
            else {
                "CreateDate": iso(profile.created_at),
                "PasswordSet": profile.password_hash is not None,
                "PasswordLastChanged": iso(profile.password_changed_at),
            },
            "PasswordLastUsed": iso(self.password_last_used),
            "AccessKeys": [k.snapshot() for k in self.access_keys],
            "MFADevices": [d.snapshot() for d in self.mfa_devices],
            "DetachedMFADevices": [d.snapshot() for d in self.detached_mfa_devices],
            "SigningCertificates": [c.snapshot() for c in self.signing_certificates],
            "CredentialsDeleted": self.credentials_deleted,
            **self.summary_flags(),
        }


_SESSION_SERIALS = itertools.count()


@dataclass
class RootSession:
    """Credentials issued by AssumeRoot; kept so the token cannot be forged and expiry holds."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    account_id: str
    task_policy: str  # task policy name, e.g. "IAMAuditRootUserCredentials"
    issued_at: datetime
    expires_at: datetime
    caller_arn: str
    caller_account: str
    # Issue order (expiry has second precision, so timestamps alone can tie).
    serial: int = field(default_factory=lambda: next(_SESSION_SERIALS))

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:root"


class AccountState(BaseBackend):
    """Everything the sandbox adds to one account."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.root: RootUser | None = None
        self.features: set[str] = set()  # meaningful in a management account
        self.sessions: dict[str, RootSession] = {}
        # What was revoked when, in this (management) account's organization: "trusted-access",
        # "feature:RootSessions", "delegate:<account>" (see Propagation).
        self.revoked: dict[str, datetime] = {}
        self.account_properties: dict[str, str] = {}  # IAM Get/PutAccountProperties
        self.lock = threading.RLock()

    def enabled_features(self) -> list[str]:
        return [f for f in FEATURE_ORDER if f in self.features]

    def revoke(self, what: str) -> None:
        self.revoked[what] = CLOCK.now()

    def restore(self, what: str) -> None:
        self.revoked.pop(what, None)

    def lingers(self, what: str) -> bool:
        """Is ``what``, revoked, still in effect for AssumeRoot (propagation delay)?"""
        return PROPAGATION.lingers(self.revoked.get(what))


# One backend per account, under the partition key "aws" (state is global, like IAM's).
sandbox_backends: BackendDict[AccountState] = BackendDict(
    AccountState, "rootaccess", use_boto3_regions=False, additional_regions=["aws"]
)


def account_state(account_id: str) -> AccountState:
    """The account's sandbox state, created on first use."""
    existing = dict.get(sandbox_backends, account_id)  # never BackendDict's creating lookup
    if existing is not None and dict.__contains__(existing, "aws"):
        state: AccountState = existing["aws"]
        return state
    created: AccountState = sandbox_backends[account_id]["aws"]
    return created


def issued_sessions(account_id: str | None = None) -> list[RootSession]:
    """Every session AssumeRoot issued (into ``account_id`` only, if given), in issue order."""
    found: list[RootSession] = []
    for owner, per_account in list(sandbox_backends.items()):
        state = dict.get(per_account, "aws")
        if state is not None and account_id in (None, owner):
            found.extend(list(state.sessions.values()))
    return sorted(found, key=lambda session: session.serial)


def peek_account_state(account_id: str) -> AccountState | None:
    """The account's sandbox state if it exists — never creates one."""
    existing = dict.get(sandbox_backends, account_id)
    if existing is None or not dict.__contains__(existing, "aws"):
        return None
    state: AccountState = existing["aws"]
    return state
