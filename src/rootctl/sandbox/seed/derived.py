"""Values a seed may leave out, derived from the account id: the same seed always gives the
same keys, serials, secrets and certificates."""

from __future__ import annotations

import base64
import hashlib
import random

from ..keys import encode_key

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def derived_random(account_id: str, purpose: str) -> random.Random:
    digest = hashlib.sha256(f"{account_id}:{purpose}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def derived_secret(rng: random.Random, length: int = 40) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(length))


def derived_mfa_secret(account_id: str, index: int) -> str:
    return base64.b32encode(derived_random(account_id, f"mfa:{index}").randbytes(20)).decode()


def derived_mfa_serial(account_id: str, kind: str, index: int) -> str:
    """``arn:aws:iam::<id>:mfa/root-account-mfa-device[-N]`` or a hardware ``GAHT########``."""
    if kind == "virtual":
        suffix = "" if index == 0 else f"-{index + 1}"
        return f"arn:aws:iam::{account_id}:mfa/root-account-mfa-device{suffix}"
    return f"GAHT{derived_random(account_id, f'serial:{index}').randrange(10**8):08d}"


def derived_principal_keys(account_id: str, name: str) -> tuple[str, str]:
    rng = derived_random(account_id, f"principal:{name}")
    return encode_key(account_id, "AKIA", rng), derived_secret(rng)


def derived_certificate_id(account_id: str, index: int) -> str:
    return hashlib.sha256(f"{account_id}:cert:{index}".encode()).hexdigest().upper()[:32]


def certificate_body(certificate_id: str) -> str:
    lines = [
        base64.b64encode(hashlib.sha512(f"{certificate_id}:{i}".encode()).digest()).decode()
        for i in range(4)
    ]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----"
