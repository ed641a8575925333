"""`enforce.approvals: N`: enforce writes the violations left for people as a change-control
plan needing N approvals (`rootctl approve`, then `rootctl apply`); only auto_apply violations
are removed without one (`enforce --yes`, `watch --enforce`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli.conftest import CHECKOUT, MANAGEMENT, PAYMENTS, RECOVERY_ONLY, Cli
from tests.continuous.test_check_cli import write

CONFIG = f"""\
version: 1
scope: {{accounts: ['{PAYMENTS}', '{CHECKOUT}', '{RECOVERY_ONLY}']}}
exceptions:
  - {{account: '{PAYMENTS}', allow: [password, mfa], owner: o, reason: r, expires: 2099-01-01}}
enforce:
  approvals: 2
  auto_apply:
    - {{rule: root_credentials, kinds: [password]}}
"""


def targets(path: Path) -> tuple[dict[str, Any], dict[str, list[str]]]:
    plan = json.loads(path.read_text())["plan"]
    kinds = {t["account_id"]: [i["kind"] for i in t["items"]] for t in plan["targets"]}
    return plan, kinds


def test_enforce_plan_needs_the_files_approvals_and_auto_apply_needs_none(
    enabled: Cli, tmp_path: Path
) -> None:
    config = write(tmp_path, CONFIG)
    everything = tmp_path / "all.json"
    snapshot = enabled.sandbox.snapshot()
    planned = enabled("enforce", "--config", config, "--out", str(everything))
    assert planned.exit_code == 1, planned.output
    assert enabled.sandbox.snapshot() == snapshot  # no --yes: nothing changed
    plan, kinds = targets(everything)
    assert plan["operation"] == "delete-credentials"
    assert plan["required_approvals"] == 2
    assert kinds == {
        PAYMENTS: ["access-keys"],  # its password and MFA are excepted
        CHECKOUT: ["password", "access-keys"],
        RECOVERY_ONLY: ["password"],
    }
    assert "needs 2 approval(s)" in planned.stderr
    assert f"rootctl approve {everything}" in planned.stderr

    rest = tmp_path / "rest.json"
    applied = enabled.json("enforce", "--config", config, "--yes", "--out", str(rest), exit_code=1)
    removed = {r["account_id"]: [i["kind"] for i in r["items"]] for r in applied["accounts"]}
    assert removed[CHECKOUT] == ["password"]  # auto_apply: passwords only
    assert removed[RECOVERY_ONLY] == ["password"]
    assert enabled.sandbox.root_user(CHECKOUT).access_keys  # waits for its approvals
    plan, kinds = targets(rest)
    assert kinds == {PAYMENTS: ["access-keys"], CHECKOUT: ["access-keys"]}
    assert plan["required_approvals"] == 2

    # The plan is ordinary change control: two principals besides the planner, then apply.
    first = enabled.as_principal(enabled.sandbox.principal_credentials(MANAGEMENT, "reviewer"))
    second = enabled.as_principal(enabled.sandbox.principal_credentials(MANAGEMENT, "reviewer2"))
    assert enabled("approve", str(rest), "--yes", env=first).exit_code == 0
    short = enabled("apply", str(rest), "--yes")
    assert short.exit_code == 2
    assert "1 of the 2 approval" in short.stderr
    assert enabled.sandbox.root_user(CHECKOUT).access_keys
    assert enabled("approve", str(rest), "--yes", env=second).exit_code == 0
    done = enabled("apply", str(rest), "--yes")
    assert done.exit_code == 0, done.output
    assert not enabled.sandbox.root_user(CHECKOUT).access_keys
    assert enabled.sandbox.root_user(PAYMENTS).login_profile is True  # excepted: kept
    assert enabled("check", "--config", config).exit_code == 0


def test_watch_enforce_removes_only_auto_apply_and_says_what_waits(
    enabled: Cli, tmp_path: Path
) -> None:
    config = write(tmp_path, CONFIG)
    result = enabled("watch", "--config", config, "--once", "--enforce")
    assert result.exit_code == 1, result.stderr  # the check before enforcement had violations
    events = [json.loads(line) for line in result.stderr.splitlines()]
    (waiting,) = [e for e in events if e["event"] == "needs-approval"]
    assert waiting["accounts"] == sorted([PAYMENTS, CHECKOUT])
    assert waiting["approvals"] == 2
    assert enabled.sandbox.root_user(CHECKOUT).login_profile is False  # auto_apply
    assert enabled.sandbox.root_user(CHECKOUT).access_keys  # not without its approvals
    assert enabled.sandbox.root_user(PAYMENTS).access_keys
    again = enabled("watch", "--config", config, "--once", "--enforce")
    assert not any(json.loads(x)["event"] == "needs-approval" for x in again.stderr.splitlines())
