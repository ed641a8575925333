"""Break-glass recovery windows through the CLI on the sandbox: open → the root e-mail's owner
resets the password and signs in (adding an MFA device and a key) → close removes all of it →
sign-in fails again; sweep closes an expired window once however many sweeps run; bad input
changes nothing.

rootctl's clock and the sandbox's move together (``clocked``): windows expire by rootctl's."""

from __future__ import annotations

import threading
from typing import Any

import pytest

import rootctl
from rootctl.core import clock
from rootctl.sandbox.models import CLOCK
from tests.cli.conftest import ALICE, CHECKOUT, MANAGEMENT, RECOVERY_ONLY, Cli

DEV = "529384756601"  # created through Organizations: no root credentials


@pytest.fixture
def clocked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "utc_now", CLOCK.now)


def reset_and_sign_in(cli: Cli, account: str, password: str) -> None:
    sandbox = cli.sandbox
    asked = sandbox.request_password_reset(account)
    assert asked.ok, asked.reason
    assert asked.token is not None
    done = sandbox.complete_password_reset(account, asked.token, password)
    assert done.ok, done.reason
    signed = sandbox.sign_in(account, password)
    assert signed.ok, signed.reason


def test_open_reset_sign_in_close_and_the_door_shuts_again(enabled: Cli, clocked: None) -> None:
    cli, sandbox = enabled, enabled.sandbox
    password = "Correct-Horse-9-Battery"
    # Before the window: the root user of alice has no password and cannot reset one.
    assert not sandbox.request_password_reset(ALICE).ok

    before = sandbox.snapshot()
    dry = cli.json("recovery", "open", ALICE, "--reason", "r", "--dry-run", exit_code=0)
    assert dry["window"]["state"] == "not-opened"
    assert "dry run" in dry["window"]["note"]
    assert sandbox.snapshot() == before
    assert cli.json("recovery", "status", exit_code=0)["windows"] == []

    opened = cli.json(
        "recovery", "open", ALICE, "--reason", "vendor \u202eneeds root\x1b[31m",
        "--ticket", "CHG-42", "--for", "2h", "--yes", exit_code=0,
    )  # fmt: skip
    window = opened["window"]
    assert window["state"] == "open"
    assert window["ticket"] == "CHG-42"
    assert window["length_seconds"] == 7200
    again = cli("recovery", "open", ALICE, "--reason", "twice", "--yes")
    assert again.exit_code == 2
    assert "already has a recovery window" in again.stderr

    sandbox.advance_clock(60)
    reset_and_sign_in(cli, ALICE, password)
    mfa = sandbox.add_root_mfa_device(ALICE, "virtual")
    key = sandbox.add_root_access_key(ALICE).access_key_id

    status = cli.json("recovery", "status", exit_code=0)
    [view] = [v for v in status["windows"] if v["account_id"] == ALICE]
    gained = view["root_user_now"]["gained"]
    assert gained["signed_in_at"]
    assert gained["login_profile_created_at"]
    assert [k["id"] for k in gained["access_keys"]] == [key]
    assert [d["serial"] for d in gained["mfa_devices"]] == [mfa]
    table = cli("recovery", "status", env={"COLUMNS": "80"})
    assert "CHG-42" in table.stdout
    assert "\x1b[31m" not in table.stdout  # the reason is printed inert
    assert "\u202e" not in table.stdout

    closed = cli.json("recovery", "close", ALICE, "--yes", exit_code=0)
    assert closed["state"] == "closed"
    evidence = closed["window"]["evidence"]
    assert "3 credentials removed" in evidence["summary"]
    assert "signed in at" in evidence["summary"]
    assert {r["outcome"] for r in evidence["removed"]} <= {"deleted", "deactivated"}
    root = sandbox.root_user(ALICE)
    assert not root.login_profile
    assert not root.access_keys
    assert not root.mfa_devices
    assert not sandbox.sign_in(ALICE, password).ok
    assert not sandbox.request_password_reset(ALICE).ok

    # Journaled before and after, under the window.
    entries = [e for e in cli.journal_entries() if (e["change_ref"] or "").startswith("window:")]
    actions = {e["action"] for e in entries}
    assert {"create-login-profile", "delete-login-profile", "delete-access-key"} <= actions
    outcomes = {e["action"]: e["outcome"] for e in entries}
    assert outcomes["create-login-profile"] == "succeeded", entries
    closed_again = cli("recovery", "close", ALICE, "--yes")
    assert closed_again.exit_code != 0


def test_sweep_closes_expired_windows_once_however_many_sweeps_run(
    enabled: Cli, clocked: None
) -> None:
    cli, sandbox = enabled, enabled.sandbox
    for account, length in ((ALICE, "30m"), (DEV, "3h")):
        assert (
            cli("recovery", "open", account, "--reason", "r", "--for", length, "--yes").exit_code
            == 0
        )
    reset_and_sign_in(cli, ALICE, "Another-Long-Passw0rd")
    nothing = cli.json("recovery", "sweep", exit_code=0)
    assert nothing["windows"] == []

    sandbox.advance_clock(31 * 60)
    overdue = cli("recovery", "status")
    assert overdue.exit_code == 1  # a window past its time and not closed
    would = cli.json("recovery", "sweep", "--dry-run", exit_code=0)
    assert [v["account_id"] for v in would["windows"]] == [ALICE]
    assert sandbox.root_user(ALICE).login_profile  # a dry run closes nothing
    # Three sweepers at once (three engines on one journal file, as three cron hosts sharing
    # it): each window is closed by one of them. (CliRunner swaps sys.stdout, so not threads.)
    results: list[Any] = []
    barrier = threading.Barrier(3)

    def sweep() -> None:
        with rootctl.RootAccess(journal=cli.journal) as ra:
            barrier.wait()
            results.append(ra.sweep_recovery_windows())

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    closers = [c for r in results for c in r.accounts if c.state.value == "closed"]
    assert [c.account.id for c in closers] == [ALICE]  # one closer; the other window is not due
    assert cli.json("recovery", "sweep", exit_code=0)["windows"] == []  # nothing left to close
    assert not sandbox.root_user(ALICE).login_profile
    assert sandbox.root_user(DEV).login_profile is not None  # still open: not expired
    status = cli.json("recovery", "status", exit_code=0)
    states = {v["account_id"]: v["state"] for v in status["windows"]}
    assert states == {ALICE: "closed", DEV: "open"}


BAD = [
    (("open", ALICE, "--reason", "r", "--for", "8d"), "at most"),
    (("open", ALICE, "--reason", "r", "--for", "soon"), "--for"),
    (("open", ALICE, "--reason", "", "--for", "1h"), "--reason"),
    (("open", "12345", "--reason", "r"), "account id"),
    (("open", MANAGEMENT, "--reason", "r"), "management account"),
    (("open", CHECKOUT, "--reason", "r"), "has a login profile already"),
    (("open", RECOVERY_ONLY, "--reason", "r"), "has a login profile already"),
    (("close", ALICE), "no recovery window"),
]


def test_bad_input_is_one_line_exit_2_and_changes_nothing(enabled: Cli) -> None:
    before = enabled.sandbox.snapshot()
    for args, message in BAD:
        result = enabled("recovery", *args, "--yes")
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr, args
        assert len(result.stderr.strip().splitlines()) == 1, args
    assert enabled.sandbox.snapshot() == before
    assert enabled.json("recovery", "status", exit_code=0)["windows"] == []
