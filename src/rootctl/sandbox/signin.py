"""Root sign-in and password-reset simulation: what AWS shows a person at the console, which
no API offers — so "login fails / recovery works" becomes observable in tests and demos.

MFA codes are RFC 6238 TOTP (HMAC-SHA1, 30-second steps, 6 digits) on the sandbox clock, so
``mfa_code()`` returns what the device would display.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from .models import CLOCK, LoginProfile, RootUser, iso
from .policies import ROOT_CREDENTIALS_MANAGEMENT


@dataclass
class Email:
    to: str
    subject: str
    body: str
    sent_at: datetime
    account_id: str
    reset_token: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "to": self.to,
            "subject": self.subject,
            "body": self.body,
            "sent_at": iso(self.sent_at),
            "account_id": self.account_id,
            "reset_token": self.reset_token,
        }


class Mailbox:
    """Outgoing e-mail of the simulated AWS sign-in service (password resets)."""

    def __init__(self) -> None:
        self.messages: list[Email] = []
        self._lock = threading.Lock()

    def send(self, email: Email) -> None:
        with self._lock:
            self.messages.append(email)

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()


MAILBOX = Mailbox()


TOTP_STEP = 30
RESET_TOKEN_LIFETIME = timedelta(hours=1)


def hash_password(password: str, salt: str | None = None) -> str:
    """Salted SHA-256 — the sandbox keeps no plaintext, but it is no vault: fast on purpose
    (5,000 generated accounts must seed in seconds)."""
    salt = salt or secrets.token_hex(8)
    digest = hashlib.sha256(f"{salt}:{password}".encode()).hexdigest()
    return f"sha256${salt}${digest}"


def password_matches(password: str, stored: str) -> bool:
    _, salt, _ = stored.split("$", 2)
    return hmac.compare_digest(hash_password(password, salt), stored)


def totp(secret: str, at: float, step: int = TOTP_STEP, digits: int = 6) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int(at // step))
    digest = hmac.new(key, counter, "sha1").digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"


def current_code(secret: str) -> str:
    return totp(secret, CLOCK.now().timestamp())


def code_is_valid(secret: str, code: str) -> bool:
    now = CLOCK.now().timestamp()
    return any(
        hmac.compare_digest(totp(secret, now + drift * TOTP_STEP), code) for drift in (-1, 0, 1)
    )


class Reason:
    """The reasons a sign-in or reset gives; stable strings tests may compare."""

    # (S105: these are messages about passwords, not passwords.)

    SIGNED_IN = "signed in"
    UNKNOWN_ACCOUNT = "unknown account"
    SUSPENDED = "account is suspended"
    NO_PASSWORD_DELETED = "no password (root credentials deleted)"  # noqa: S105
    NO_PASSWORD = "no password set"  # noqa: S105
    RECOVERY_ONLY = (
        "no password yet: password recovery is allowed, reset it through the root e-mail"
    )
    WRONG_PASSWORD = "wrong password"  # noqa: S105
    MFA_REQUIRED = "MFA code required"
    WRONG_MFA = "wrong MFA code"
    RESET_REFUSED = (
        "password recovery is not enabled for this account; ask your organization's administrator"
    )
    RESET_SENT = "a password reset link was sent to the root user's e-mail address"
    RESET_DONE = "password changed"
    BAD_TOKEN = "the reset link is invalid or has expired"  # noqa: S105
    WEAK_PASSWORD = "the new password must be at least 8 characters"  # noqa: S105


@dataclass(frozen=True)
class SignInResult:
    ok: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PasswordResetResult:
    ok: bool
    reason: str
    email: str | None = None  # where the reset link went
    token: str | None = None  # the link's token (what the e-mail carries)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sign_in(root: RootUser, password: str, mfa_code: str | None, suspended: bool) -> SignInResult:
    if suspended:
        return SignInResult(False, Reason.SUSPENDED)
    profile = root.login_profile
    if profile is None:
        reason = Reason.NO_PASSWORD_DELETED if root.credentials_deleted else Reason.NO_PASSWORD
        return SignInResult(False, reason)
    if profile.password_hash is None:
        return SignInResult(False, Reason.RECOVERY_ONLY)
    if not password_matches(password, profile.password_hash):
        return SignInResult(False, Reason.WRONG_PASSWORD)
    if root.mfa_devices:
        if not mfa_code:
            return SignInResult(False, Reason.MFA_REQUIRED)
        if not any(code_is_valid(d.secret, mfa_code) for d in root.mfa_devices):
            return SignInResult(False, Reason.WRONG_MFA)
    root.password_last_used = CLOCK.now().replace(microsecond=0)
    return SignInResult(True, Reason.SIGNED_IN)


def recovery_allowed(root: RootUser, organization_features: set[str]) -> bool:
    """Who may use "Forgot password": anyone with a login profile; without one, only accounts
    whose root credentials were never deleted centrally, while root credentials management is
    off (with it on, credential-less roots are not eligible — spec §5)."""
    if root.login_profile is not None:
        return True
    if root.credentials_deleted:
        return False
    return ROOT_CREDENTIALS_MANAGEMENT not in organization_features


def request_reset(
    root: RootUser, organization_features: set[str], suspended: bool
) -> PasswordResetResult:
    if suspended or not recovery_allowed(root, organization_features):
        return PasswordResetResult(False, Reason.RESET_REFUSED)
    token = secrets.token_urlsafe(24)
    now = CLOCK.now()
    root.reset_tokens[token] = now + RESET_TOKEN_LIFETIME
    MAILBOX.send(
        Email(
            to=root.email,
            subject="Amazon Web Services Password Assistance",
            body=(
                f"We received a request to reset the password of the root user of AWS account "
                f"{root.account_id}. Use this link within an hour to choose a new password: "
                f"https://signin.aws.amazon.com/resetpassword?token={token}"
            ),
            sent_at=now,
            account_id=root.account_id,
            reset_token=token,
        )
    )
    return PasswordResetResult(True, Reason.RESET_SENT, email=root.email, token=token)


def complete_reset(root: RootUser, token: str, new_password: str) -> PasswordResetResult:
    expires = root.reset_tokens.get(token)
    if expires is None or CLOCK.now() >= expires:
        return PasswordResetResult(False, Reason.BAD_TOKEN)
    if len(new_password) < 8:
        return PasswordResetResult(False, Reason.WEAK_PASSWORD)
    now = CLOCK.now().replace(microsecond=0)
    if root.login_profile is None:
        root.login_profile = LoginProfile(created_at=now)
    root.login_profile.password_hash = hash_password(new_password)
    root.login_profile.password_changed_at = now
    root.credentials_deleted = False
    root.reset_tokens.clear()
    return PasswordResetResult(True, Reason.RESET_DONE, email=root.email)
