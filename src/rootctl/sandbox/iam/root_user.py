"""The member account's root user as IAM reaches it without ``UserName`` — from a root session
or with the root user's own keys (spec §4) — and its row of the credential report.

Deletions are independent of each other and of their order; deleting the password from a root
session marks the credentials as deleted centrally (no recovery until "Allow password
recovery"), as the sign-in simulation needs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..keys import KEYS
from ..models import CLOCK, LoginProfile, RootUser, account_state, aware_utc, iso
from ..organizations import organization_of
from .exceptions import (
    NoRootLoginProfile,
    NoSuchCertificate,
    NoSuchMfaDevice,
    RootLoginProfileExists,
    RootPasswordGiven,
)


def root_user(account_id: str) -> RootUser:
    """The account's root user; an account the sandbox never seeded gets a credential-less one."""
    state = account_state(account_id)
    with state.lock:
        if state.root is None:
            org = organization_of(account_id)
            account = org.find_account(account_id) if org is not None else None
            email = account.email if account is not None else f"root+{account_id}@example.com"
            created = aware_utc(account.create_time) if account is not None else CLOCK.now()
            state.root = RootUser(account_id, email, created)
        return state.root


class RootCredentials:
    """Operations on one account's root user credentials; each returns the wire shape."""

    def __init__(self, account_id: str) -> None:
        self.root = root_user(account_id)
        self.lock = account_state(account_id).lock

    def user(self) -> dict[str, Any]:
        """``GetUser``: no UserName, no Path; the account id as UserId (spec §4)."""
        root = self.root
        user: dict[str, Any] = {"UserId": root.account_id, "Arn": root.arn}
        user["CreateDate"] = root.created_at
        if root.password_last_used is not None:
            user["PasswordLastUsed"] = root.password_last_used
        return user

    def login_profile(self) -> dict[str, Any]:
        if self.root.login_profile is None:
            raise NoRootLoginProfile()
        return {"CreateDate": self.root.login_profile.created_at, "PasswordResetRequired": False}

    def create_login_profile(self, *, password_given: bool) -> dict[str, Any]:
        """ "Allow password recovery": a profile without a password (spec §4.1)."""
        if password_given:
            raise RootPasswordGiven()
        with self.lock:
            if self.root.login_profile is not None:
                raise RootLoginProfileExists(self.root.account_id)
            self.root.login_profile = LoginProfile(created_at=CLOCK.now().replace(microsecond=0))
        return self.login_profile()

    def delete_login_profile(self, *, by_root_session: bool) -> None:
        with self.lock:
            if self.root.login_profile is None:
                raise NoRootLoginProfile()
            self.root.login_profile = None
            self.root.reset_tokens.clear()
            if by_root_session:
                self.root.credentials_deleted = True

    def access_keys(self) -> list[dict[str, Any]]:
        return [
            {"AccessKeyId": k.access_key_id, "Status": k.status, "CreateDate": k.created_at}
            for k in self.root.access_keys
        ]

    def holds_key(self, access_key_id: str) -> bool:
        return self.root.key(access_key_id) is not None

    def delete_access_key(self, access_key_id: str) -> None:
        with self.lock:
            self.root.access_keys = [
                k for k in self.root.access_keys if k.access_key_id != access_key_id
            ]
        KEYS.forget(access_key_id)

    def access_key_last_used(self, access_key_id: str) -> dict[str, Any] | None:
        """``AccessKeyLastUsed`` of one of the root's keys (``N/A`` when never used)."""
        key = self.root.key(access_key_id)
        if key is None:
            return None
        last_used: dict[str, Any] = {
            "ServiceName": key.last_used_service or "N/A",
            "Region": key.last_used_region or "N/A",
        }
        if key.last_used_at is not None:
            last_used["LastUsedDate"] = key.last_used_at
        return last_used

    def signing_certificates(self) -> list[dict[str, Any]]:
        return [
            {
                "CertificateId": c.certificate_id,
                "CertificateBody": c.body,
                "Status": c.status,
                "UploadDate": c.uploaded_at,
            }
            for c in self.root.signing_certificates
        ]

    def delete_signing_certificate(self, certificate_id: str) -> None:
        with self.lock:
            kept = [c for c in self.root.signing_certificates if c.certificate_id != certificate_id]
            if len(kept) == len(self.root.signing_certificates):
                raise NoSuchCertificate(certificate_id)
            self.root.signing_certificates = kept

    def mfa_devices(self) -> list[dict[str, Any]]:
        return [
            {"SerialNumber": d.serial_number, "EnableDate": d.enabled_at}
            for d in self.root.mfa_devices
        ]

    def deactivate_mfa_device(self, serial: str) -> None:
        """Detach the device; a virtual device object remains (spec §4)."""
        with self.lock:
            device = next((d for d in self.root.mfa_devices if d.serial_number == serial), None)
            if device is None:
                raise NoSuchMfaDevice(serial)
            self.root.mfa_devices.remove(device)
            if device.kind == "virtual":
                self.root.detached_mfa_devices.append(device)


def credential_report_row(root: RootUser) -> str:
    """The ``<root_account>`` row of the credential report (spec §4.1)."""

    def when(moment: datetime | None, absent: str = "N/A") -> str:
        return iso(moment) or absent

    profile = root.login_profile
    cells = [
        "<root_account>",
        root.arn,
        when(root.created_at),
        "true" if profile else "false",
        when(root.password_last_used, "no_information") if profile else "N/A",
        when(profile.password_changed_at or profile.created_at) if profile else "N/A",
        "not_supported",
        "true" if root.mfa_devices else "false",
    ]
    for index in range(2):
        key = root.access_keys[index] if index < len(root.access_keys) else None
        cells += [
            "true" if key and key.status == "Active" else "false",
            when(key.created_at) if key else "N/A",
            when(key.last_used_at) if key else "N/A",
            (key.last_used_region or "N/A") if key else "N/A",
            (key.last_used_service or "N/A") if key else "N/A",
        ]
    for index in range(2):
        cert = root.signing_certificates[index] if index < len(root.signing_certificates) else None
        cells += [
            "true" if cert and cert.status == "Active" else "false",
            when(cert.uploaded_at) if cert else "N/A",
        ]
    return ",".join(cells)
