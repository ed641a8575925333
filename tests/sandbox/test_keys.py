"""The O(1) access key → account lookup, and a guard on moto's key format."""

from __future__ import annotations

import random

import pytest
from moto.iam.models import iam_backends
from moto.iam.utils import generate_access_key_id_from_account_id

from rootctl.sandbox import Sandbox
from rootctl.sandbox.keys import KEYS, decode_account, encode_key

ACCOUNTS = ["000000000001", "123456789012", "210987654321", "999999999999", "418273645504"]


@pytest.mark.parametrize("account_id", ACCOUNTS)
@pytest.mark.parametrize("prefix", ["AKIA", "ASIA", "AROA"])
def test_moto_key_format_still_encodes_the_account(account_id: str, prefix: str) -> None:
    """Fails when moto changes how it embeds the account in keys: the O(1) lookup relies on
    it (it would fall back to a slow scan, and this test says why)."""
    for _ in range(20):
        key = generate_access_key_id_from_account_id(account_id, prefix=prefix, total_length=20)
        assert decode_account(key) == account_id, f"moto's key format changed: {key}"


def test_keys_moto_mints_through_its_backend(sandbox: Sandbox) -> None:
    backend = iam_backends["418273645504"]["global"]
    backend.create_user("us-east-1", "ci")
    for key in (backend.create_access_key("ci"), backend.create_temp_access_key()):
        assert decode_account(key.access_key_id) == "418273645504"
        assert KEYS.account_for(key.access_key_id) == "418273645504"


@pytest.mark.parametrize("account_id", ACCOUNTS)
def test_our_encoder_matches_moto(account_id: str) -> None:
    key = encode_key(account_id, "AKIA", random.Random(1))
    assert len(key) == 20
    assert decode_account(key) == account_id


def test_not_a_moto_key() -> None:
    for key in ("testing", "FOOBARKEY", "AKIAIOSFODNN7EXAMPLE", "AKIA!!!!!!!!!!!!!!!!"):
        assert decode_account(key) is None


def test_unknown_keys_act_in_the_management_account(sandbox: Sandbox) -> None:
    assert KEYS.account_for("testing") == sandbox.management_account_id
    generated = Sandbox.generated(5, seed=1)
    assert KEYS.account_for("testing") == generated.management_account_id
    assert KEYS.account_for(generated.admin_credentials().access_key_id) == (
        generated.management_account_id
    )


def test_lookup_does_not_scan_for_minted_keys(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_scan(_key: str) -> str | None:
        raise AssertionError("scanned")

    monkeypatch.setattr(KEYS, "scan", no_scan)
    root_key = sandbox.root_access_key("418273645501").access_key_id
    assert KEYS.account_for(root_key) == "418273645501"
    assert KEYS.account_for(sandbox.admin_credentials().access_key_id) == "123456789012"


def test_unknown_keys_are_scanned_once(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    scans: list[str] = []
    monkeypatch.setattr(KEYS, "scan", lambda key: scans.append(key))
    for _ in range(3):
        KEYS.account_for("an-unknown-key-xyz")
    assert scans == ["an-unknown-key-xyz"]
