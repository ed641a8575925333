"""Issue item 7: the deterministic generator of N-account organizations."""

from __future__ import annotations

import re

from rootctl.sandbox import Sandbox
from rootctl.sandbox.generator import generate


def test_same_n_and_seed_give_the_same_organization() -> None:
    assert generate(120, seed=7) == generate(120, seed=7)
    first = Sandbox.generated(120, seed=7)
    snapshot, admin = first.snapshot(), first.admin_credentials()
    second = Sandbox.generated(120, seed=7)
    assert second.snapshot() == snapshot
    assert second.admin_credentials() == admin


def test_another_seed_or_size_gives_another_organization() -> None:
    assert generate(120, seed=7) != generate(120, seed=8)
    assert generate(120, seed=7)["accounts"][:5] != generate(121, seed=7)["accounts"][:5]


def test_shape_and_mix() -> None:
    sb = Sandbox.generated(400, seed=3)
    accounts = sb.accounts()
    assert len(accounts) == 401
    ids = [a.account_id for a in accounts]
    assert len(set(ids)) == 401
    assert all(re.fullmatch(r"\d{12}", i) for i in ids)
    assert len({a.email for a in accounts}) == 401
    assert max(a.ou_path.count("/") for a in accounts) == 2  # Workloads/<Unit>/<Env>
    assert {"Security", "Infrastructure", "Sandbox"} <= {a.ou_path for a in accounts}
    roots = [sb.root_user(a.account_id) for a in accounts]
    clean = sum(1 for r in roots if not r.has_credentials)
    with_keys = sum(1 for r in roots if r.access_keys)
    with_mfa = sum(1 for r in roots if r.mfa_devices)
    with_password = sum(1 for r in roots if r.password_set)
    assert 0.3 < clean / 401 < 0.6
    assert 0.05 < with_keys / 401 < 0.3
    assert 0.15 < with_mfa / 401 < 0.5
    assert 0.3 < with_password / 401 < 0.7
    assert sb.account_by_name("security-tooling").ou_path == "Security"


def test_tiny_organization() -> None:
    sb = Sandbox.generated(1, seed=0)
    assert [a.name for a in sb.accounts()] == ["management", "security-tooling"]


def test_tags_follow_the_structure() -> None:
    generated = generate(120, seed=7)
    by_path = {
        ou["path"]: ou["tags"] for ou in generated["organizational_units"] if isinstance(ou, dict)
    }
    assert by_path["Sandbox"] == {"env": "sandbox"}
    assert by_path["Workloads/Payments"] == {"business-unit": "payments"}
    assert by_path["Workloads/Payments/Prod"] == {"env": "prod"}
    workloads = [a for a in generated["accounts"] if a["ou"].startswith("Workloads/")]
    assert workloads
    for account in workloads:
        unit = account["ou"].split("/")[1].lower()
        assert account["tags"]["team"] == unit
        assert account["name"].startswith(f"{unit}-{account['tags']['application']}-")
