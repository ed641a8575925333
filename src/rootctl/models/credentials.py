"""A member account's root user credentials, as a root session reads them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class LoginKind(StrEnum):
    """What a root login profile is. AWS answers GetLoginProfile the same way for a password
    and for the empty profile "Allow password recovery" creates, so rootctl says what it has
    evidence for."""

    PASSWORD = "password"  # noqa: S105 - a word; the password was used since the profile exists
    RECOVERY = "recovery-allowed"  # created without a password by rootctl (its journal says so)
    UNKNOWN = "unknown"  # a password, or an empty profile made elsewhere: AWS does not say


@dataclass(frozen=True, slots=True)
class LoginProfile:
    """The root user's login profile. AWS cannot tell a set password from an empty one:
    ``password_last_used`` (GetUser) and ``recovery_allowed_at`` (rootctl's journal: when
    it created this profile without a password) are the evidence rootctl has."""

    created: datetime | None
    password_last_used: datetime | None = None
    recovery_allowed_at: datetime | None = None

    @property
    def kind(self) -> LoginKind:
        used = self.password_last_used
        if used is not None and (self.created is None or used >= self.created):
            return LoginKind.PASSWORD
        if self.recovery_allowed_at is not None:
            return LoginKind.RECOVERY
        return LoginKind.UNKNOWN

    @property
    def recovery_only(self) -> bool:
        """Known to hold no password: only "Forgot password" can set one."""
        return self.kind is LoginKind.RECOVERY


@dataclass(frozen=True, slots=True)
class AccessKey:
    id: str
    status: str
    created: datetime | None
    last_used: datetime | None = None
    last_used_service: str | None = None
    last_used_region: str | None = None


@dataclass(frozen=True, slots=True)
class MfaDevice:
    serial: str
    enabled_at: datetime | None

    @property
    def virtual(self) -> bool:
        # Virtual devices are IAM resources (arn:aws:iam::…:mfa/…); anything else is hardware.
        return self.serial.startswith("arn:") and ":mfa/" in self.serial

    @property
    def kind(self) -> str:
        return "virtual" if self.virtual else "hardware"


@dataclass(frozen=True, slots=True)
class SigningCertificate:
    id: str
    status: str
    uploaded: datetime | None


@dataclass(frozen=True, slots=True)
class RootCredentials:
    login_profile: LoginProfile | None
    access_keys: tuple[AccessKey, ...] = ()
    mfa_devices: tuple[MfaDevice, ...] = ()
    signing_certificates: tuple[SigningCertificate, ...] = ()

    @property
    def has_root_credentials(self) -> bool:
        return bool(
            self.login_profile or self.access_keys or self.mfa_devices or self.signing_certificates
        )

    @property
    def recovery_allowed(self) -> bool:
        """True when a login profile exists: then "Forgot password" works for the root e-mail."""
        return self.login_profile is not None
