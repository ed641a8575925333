"""Access key → account: the O(1) lookup that replaces moto's scan over every account.

moto answers "which account does this request belong to?" by scanning every account's IAM
backend (× six partitions) for the access key. At 5,000 accounts that is ~20 ms per request and
makes seeding quadratic. moto, like AWS, embeds the account number in the keys it mints
(``moto.iam.utils.generate_access_key_id_from_account_id``), so the account can be *decoded*
from the key and then verified in that one account. The decoding depends on moto's internal
format; ``tests/sandbox/test_keys.py`` fails if that format changes.
"""

from __future__ import annotations

import base64
import binascii
import random
import threading
from collections.abc import Callable

# The format (moto ≥ 5.0): 4-char prefix + base32(5 bytes: account // 2 + OFFSET) + one
# character whose alphabet half gives the account's parity + random filler up to 20 chars.
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_OFFSET = 549755813888  # int.from_bytes(base64.b32decode(b"QAAAAAAA"), "big")
_KEY_LENGTH = 20
DEFAULT_ACCOUNT = "123456789012"  # moto's DEFAULT_ACCOUNT_ID


def decode_account(access_key_id: str) -> str | None:
    """The 12-digit account a moto-format key was minted for, or None if it is not one."""
    if len(access_key_id) != _KEY_LENGTH:
        return None
    try:
        number = int.from_bytes(base64.b32decode(access_key_id[4:12]), "big") - _OFFSET
    except (binascii.Error, ValueError):
        return None
    parity_char = access_key_id[12]
    if number < 0 or parity_char not in _ALPHABET:
        return None
    account = number * 2 + (1 if _ALPHABET.index(parity_char) >= 16 else 0)
    return f"{account:012d}" if account < 10**12 else None


def encode_key(account_id: str, prefix: str, rng: random.Random) -> str:
    """A key in moto's format for ``account_id``, drawn from ``rng`` (deterministic seeding)."""
    number = int(account_id)
    account_part = base64.b32encode((number // 2 + _OFFSET).to_bytes(5, "big")).decode()
    half = _ALPHABET[16:] if number % 2 else _ALPHABET[:16]
    head = prefix + account_part + rng.choice(half)
    return head + "".join(rng.choice(_ALPHABET) for _ in range(_KEY_LENGTH - len(head)))


class KeyIndex:
    """Maps access keys to accounts for the moto request path.

    Order: keys the sandbox minted itself (exact dict), then decode-and-verify for keys moto
    minted (e.g. ``CreateAccessKey``), then — only for keys that decode to nothing known — a
    one-off scan whose negative result is cached, so unknown keys such as ``testing`` cost a
    scan once, not on every request. Unknown keys belong to ``fallback_account``.
    """

    _NEGATIVE_CACHE_LIMIT = 10_000

    def __init__(self) -> None:
        self._known: dict[str, str] = {}
        self._unknown: set[str] = set()
        self._lock = threading.Lock()
        self.fallback_account = DEFAULT_ACCOUNT
        self.fallback_alive: Callable[[], bool] = lambda: True
        # Set by the installer: (account, key) -> does that account hold this key?
        self.verify: Callable[[str, str], bool] = lambda _account, _key: False
        self.scan: Callable[[str], str | None] = lambda _key: None

    def register(self, access_key_id: str, account_id: str) -> None:
        with self._lock:
            self._known[access_key_id] = account_id
            self._unknown.discard(access_key_id)

    def forget(self, access_key_id: str) -> None:
        with self._lock:
            self._known.pop(access_key_id, None)

    def clear(self) -> None:
        with self._lock:
            self._known.clear()
            self._unknown.clear()

    def owner(self, access_key_id: str) -> str | None:
        """The account holding the key, or None when the key is unknown."""
        account = self._known.get(access_key_id)
        if account is not None:
            return account
        decoded = decode_account(access_key_id)
        if decoded is not None and self.verify(decoded, access_key_id):
            return decoded
        if access_key_id in self._unknown:
            return None
        found = self.scan(access_key_id)
        if found is None:
            with self._lock:
                if len(self._unknown) >= self._NEGATIVE_CACHE_LIMIT:
                    self._unknown.clear()
                self._unknown.add(access_key_id)
        return found

    def account_for(self, access_key_id: str) -> str:
        """What moto's ``get_account_id_from`` answers: the owner, else the fallback account
        (the sandbox's management account while its organization exists, else moto's
        default account)."""
        owner = self.owner(access_key_id)
        if owner is not None:
            return owner
        return self.fallback_account if self.fallback_alive() else DEFAULT_ACCOUNT


KEYS = KeyIndex()
