"""`rootctl check` and `rootctl enforce` against the example organization (sandbox over HTTP)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import (
    ALICE,
    CHECKOUT,
    DEV_PAYMENTS,
    MANAGEMENT,
    NETWORKING,
    PAYMENTS,
    RECOVERY_ONLY,
    Cli,
    by_id,
)

EXAMPLE = f"""\
version: 1
scope: {{all: true}}
exclude: ["{ALICE}"]
rules:
  root_credentials: none
exceptions:
  - account: "{PAYMENTS}"
    allow: [password, mfa]
    owner: alice@example.com
    reason: legacy payment provider needs root MFA
    expires: 2099-01-31
  - account: "{NETWORKING}"
    allow: [mfa]
    owner: bob@example.com
    reason: hardware token in the safe
    expires: 2026-01-31
"""


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "rootctl.yaml"
    path.write_text(text)
    return str(path)


def test_check_with_valid_and_expired_exceptions(enabled: Cli, tmp_path: Path) -> None:
    config = write(tmp_path, EXAMPLE)
    document = enabled.json("check", "--config", config, exit_code=1)
    assert document["schema"] == "rootctl/check"
    assert document["compliant"] is False
    rows = by_id(document)
    assert rows[ALICE]["state"] == "skipped"
    assert rows[ALICE]["reason"] == "excluded by the desired state"
    payments = rows[PAYMENTS]
    assert payments["allowed"] == ["password", "mfa"]
    assert [(v["rule"], v["kinds"]) for v in payments["violations"]] == [
        ("root_credentials", ["access-keys"])
    ]
    networking = {v["rule"]: v for v in rows[NETWORKING]["violations"]}
    assert networking["exceptions"]["kinds"] == ["mfa"]
    assert networking["exceptions"]["exception"]["owner"] == "bob@example.com"
    assert networking["exceptions"]["rule_line"] == 12
    assert rows[DEV_PAYMENTS]["state"] == "compliant"


def test_check_compliant_and_excepted_exit_0(enabled: Cli, tmp_path: Path) -> None:
    config = write(
        tmp_path,
        f"version: 1\nscope: {{accounts: ['{DEV_PAYMENTS}', '{PAYMENTS}']}}\nexceptions:\n"
        f"  - {{account: '{PAYMENTS}', allow: [password, mfa, access-keys], owner: o,"
        " reason: r, expires: 2099-01-01}\n",
    )
    document = enabled.json("check", "--config", config, exit_code=0)
    assert {r["account_id"]: r["state"] for r in document["accounts"]} == {
        DEV_PAYMENTS: "compliant",
        PAYMENTS: "excepted",
        MANAGEMENT: "skipped",
    }


def test_bad_config_exit_2_before_any_aws_call(enabled: Cli, tmp_path: Path) -> None:
    config = write(tmp_path, "version: 1\nscope: {all: yes}\nrules:\n  root_credential: none\n")
    before = len(enabled.sandbox.issued_root_sessions())
    result = enabled("check", "--config", config)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {config}:4:3: rules: unknown key 'root_credential' "
        "(did you mean 'root_credentials'?)\n"
    )
    assert result.stdout == ""
    missing = enabled("check", "--config", str(tmp_path / "nope.yaml"))
    assert missing.exit_code == 2
    assert "cannot read the desired-state file" in missing.stderr
    assert len(enabled.sandbox.issued_root_sessions()) == before


def test_enforce_plans_exactly_the_violations_and_applies_auto_ones(
    enabled: Cli, tmp_path: Path
) -> None:
    config = write(
        tmp_path,
        f"version: 1\nscope: {{accounts: ['{PAYMENTS}', '{CHECKOUT}', '{RECOVERY_ONLY}']}}\n"
        f"exceptions:\n  - {{account: '{PAYMENTS}', allow: [password, mfa], owner: o, reason: r,"
        " expires: 2099-01-01}\nenforce:\n  auto_apply:\n"
        "    - {rule: root_credentials, kinds: [password]}\n",
    )
    out = tmp_path / "plan.json"
    snapshot = enabled.sandbox.snapshot()
    plan = enabled("enforce", "--config", config, "--out", str(out), "-o", "json")
    assert plan.exit_code == 1, plan.output
    assert enabled.sandbox.snapshot() == snapshot  # no --yes: nothing changed
    printed = json.loads(plan.stdout)  # the deletion plan of every violation
    items = {row["account_id"]: [i["kind"] for i in row["items"]] for row in printed["accounts"]}
    # PAYMENTS keeps its password and MFA (the exception): only its access key is planned.
    assert items == {
        PAYMENTS: ["access-keys"],
        CHECKOUT: ["password", "access-keys"],
        RECOVERY_ONLY: ["password"],
        MANAGEMENT: [],
    }
    written = json.loads(out.read_text())["plan"]  # the change-control plan: the same items
    assert {t["account_id"]: [i["kind"] for i in t["items"]] for t in written["targets"]} == {
        account: kinds for account, kinds in items.items() if kinds
    }

    applied = enabled.json("enforce", "--config", config, "--yes", exit_code=1)
    assert applied["schema"] == "rootctl/deletion"
    done = {r["account_id"]: r for r in applied["accounts"]}
    assert done[CHECKOUT]["state"] == "deleted"
    assert [i["kind"] for i in done[CHECKOUT]["items"]] == ["password"]  # auto_apply: passwords
    assert enabled.sandbox.root_user(CHECKOUT).login_profile is False
    assert enabled.sandbox.root_user(CHECKOUT).access_keys  # needs a person
    assert enabled.sandbox.root_user(PAYMENTS).login_profile is True
    journaled = [(e["action"], e["target"]) for e in enabled.journal_entries()]
    assert ("delete-login-profile", CHECKOUT) in journaled
    assert ("delete-login-profile", RECOVERY_ONLY) in journaled
    assert not any(target == PAYMENTS for _action, target in journaled)
