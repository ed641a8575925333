"""What a member account's root user does at the console once signed in: create an access key,
assign an MFA device, upload a signing certificate. AWS offers no API for another principal to
do this, so the sandbox offers it as a test control — how a credential "comes back" during a
break-glass window, or between a plan and its apply.

IAM's quotas hold (two keys, two certificates, eight MFA devices); new items are dated by the
sandbox clock.
"""

from __future__ import annotations

import base64
import secrets

from .keys import KEYS, encode_key
from .models import (
    ACCESS_KEY_QUOTA,
    CLOCK,
    MFA_DEVICE_QUOTA,
    SIGNING_CERTIFICATE_QUOTA,
    AccountState,
    MfaDevice,
    RootAccessKey,
    RootUser,
    SigningCertificate,
    account_state,
)
from .seed.derived import certificate_body

_RANDOM = secrets.SystemRandom()


class QuotaExceeded(ValueError):
    """The root user has as many of these as IAM allows."""


def _root(account_id: str) -> tuple[AccountState, RootUser]:
    state = account_state(account_id)
    if state.root is None:
        raise KeyError(f"no root user for account {account_id} in the sandbox")
    return state, state.root


def add_access_key(account_id: str) -> RootAccessKey:
    state, root = _root(account_id)
    with state.lock:
        if len(root.access_keys) >= ACCESS_KEY_QUOTA:
            raise QuotaExceeded(f"the root user of {account_id} has {ACCESS_KEY_QUOTA} access keys")
        key = RootAccessKey(
            access_key_id=encode_key(account_id, "AKIA", _RANDOM),
            secret_access_key=secrets.token_urlsafe(30)[:40],
            created_at=CLOCK.now().replace(microsecond=0),
        )
        root.access_keys.append(key)
    KEYS.register(key.access_key_id, account_id)
    return key


def add_mfa_device(account_id: str, kind: str = "virtual") -> MfaDevice:
    if kind not in ("virtual", "hardware"):
        raise ValueError(f"an MFA device is virtual or hardware, not {kind!r}")
    state, root = _root(account_id)
    with state.lock:
        if len(root.mfa_devices) >= MFA_DEVICE_QUOTA:
            raise QuotaExceeded(f"the root user of {account_id} has {MFA_DEVICE_QUOTA} MFA devices")
        suffix = secrets.token_hex(4)
        serial = (
            f"arn:aws:iam::{account_id}:mfa/root-{suffix}"
            if kind == "virtual"
            else f"GAHT{_RANDOM.randrange(10**8):08d}"
        )
        device = MfaDevice(
            serial_number=serial,
            kind=kind,
            secret=base64.b32encode(secrets.token_bytes(20)).decode().rstrip("="),
            enabled_at=CLOCK.now().replace(microsecond=0),
        )
        root.mfa_devices.append(device)
    return device


def add_signing_certificate(account_id: str) -> SigningCertificate:
    state, root = _root(account_id)
    with state.lock:
        if len(root.signing_certificates) >= SIGNING_CERTIFICATE_QUOTA:
            raise QuotaExceeded(
                f"the root user of {account_id} has {SIGNING_CERTIFICATE_QUOTA} signing "
                "certificates"
            )
        certificate_id = secrets.token_hex(16).upper()
        certificate = SigningCertificate(
            certificate_id=certificate_id,
            body=certificate_body(certificate_id),
            uploaded_at=CLOCK.now().replace(microsecond=0),
        )
        root.signing_certificates.append(certificate)
    return certificate
