"""A member account's root user credentials, as a root session reads them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class LoginProfile:
    """The root user's login profile. AWS cannot tell a set password from an empty one."""

    created: datetime | None
    last_used: datetime | None = None  # GetUser's PasswordLastUsed: the long-term root's use


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
