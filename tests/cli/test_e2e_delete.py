"""rootctl delete-credentials, end to end against the sandbox over HTTP."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

from tests.cli.conftest import (
    CHECKOUT,
    CHECKOUT_PASSWORD,
    DELEGATE,
    DEV_PAYMENTS,
    MANAGEMENT,
    NETWORKING,
    ORDERS,
    PAYMENTS,
    SHARED_DEV,
    Cli,
    by_id,
    signed_in_days_ago,
)

TARGETS = ["--account", PAYMENTS, "--account", NETWORKING, "--account", DEV_PAYMENTS]


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_recently_used_root_password_is_in_the_plan(enabled: Cli) -> None:
    signed_in_days_ago(enabled.sandbox, CHECKOUT, CHECKOUT_PASSWORD, 3)
    both = ["--account", CHECKOUT, "--account", ORDERS, "--dry-run"]

    plan = enabled.json("delete-credentials", *both, exit_code=0)
    (recent,) = plan["risks"]["recently_used_passwords"]
    assert (recent["account_id"], recent["kind"]) == (CHECKOUT, "password")
    ago = _moment(plan["planned_at"]) - _moment(recent["last_used"])  # the exact time
    assert timedelta(days=3) <= ago < timedelta(days=3, minutes=5)
    rows = by_id(plan)
    assert rows[CHECKOUT]["items"][0]["last_used"] == recent["last_used"]
    assert rows[ORDERS]["items"][0]["last_used"] is None  # never signed in
    assert plan["risks"]["recently_used_keys"] == []

    table = enabled("delete-credentials", *both)
    assert table.exit_code == 0, table.output
    assert "password used 3 days ago" in table.stdout
    assert "1 root password used in the last 30 days will be deleted" in " ".join(
        table.stdout.split()
    )
    rows_csv = {
        r["account_id"]: r
        for r in csv.DictReader(
            io.StringIO(enabled(*["delete-credentials", *both, "-o", "csv"]).stdout)
        )
    }
    assert rows_csv[CHECKOUT]["recently_used"] == "password used 3 days ago"
    assert rows_csv[ORDERS]["recently_used"] == ""

    # the password kept (--only access-keys): nothing to warn about
    keys_only = enabled.json(
        "delete-credentials", "--account", CHECKOUT, "--only", "access-keys", "--dry-run"
    )
    assert keys_only["risks"]["recently_used_passwords"] == []


def test_dry_run_and_refusal_change_nothing(enabled: Cli) -> None:
    before = enabled.sandbox.snapshot()
    plan = enabled.json("delete-credentials", *TARGETS, "--dry-run", exit_code=0)
    assert plan["schema"] == "rootctl/deletion-plan"
    rows = by_id(plan)
    assert rows[PAYMENTS]["state"] == "to-delete"
    assert [i["kind"] for i in rows[PAYMENTS]["items"]] == ["password", "access-keys", "mfa"]
    assert rows[DEV_PAYMENTS]["state"] == "nothing-to-delete"
    assert rows[MANAGEMENT]["state"] == "skipped"
    refused = enabled("delete-credentials", *TARGETS)  # no terminal, no --yes
    assert refused.exit_code == 2
    assert "--yes" in refused.stderr
    assert enabled.sandbox.snapshot() == before
    assert [e["action"] for e in enabled.journal_entries()] == [
        "enable-capability", "enable-capability", "enable-trusted-access",
    ]  # fmt: skip


def test_delete_verifies_and_second_run_has_nothing_to_delete(enabled: Cli) -> None:
    report = enabled.json("delete-credentials", *TARGETS, "--yes", exit_code=0)
    rows = by_id(report)
    assert rows[PAYMENTS]["state"] == "deleted"
    outcomes = {i["kind"]: i["outcome"] for i in rows[PAYMENTS]["items"]}
    assert outcomes == {"password": "deleted", "access-keys": "deleted", "mfa": "deactivated"}
    mfa = next(i for i in rows[PAYMENTS]["items"] if i["kind"] == "mfa")
    assert "task policy denied" in mfa["note"]  # the virtual device object stays, said honestly
    assert rows[NETWORKING]["state"] == "deleted"
    assert len(rows[NETWORKING]["items"]) == 4  # password, 2 certificates, hardware MFA
    assert rows[DEV_PAYMENTS]["state"] == "nothing-to-delete"
    assert rows[MANAGEMENT]["state"] == "skipped"
    for account_id in (PAYMENTS, NETWORKING):
        assert not enabled.sandbox.root_user(account_id).has_credentials
    assert enabled.sandbox.root_user(CHECKOUT).has_credentials  # not targeted

    entries = [e for e in enabled.journal_entries() if e["target"] in (PAYMENTS, NETWORKING)]
    assert {e["action"] for e in entries} >= {
        "delete-login-profile", "delete-access-key", "delete-signing-certificate",
        "deactivate-mfa-device", "delete-virtual-mfa-device",
    }  # fmt: skip
    for entry in entries:
        assert entry["caller_arn"] == "arn:aws:iam::123456789012:user/admin"
        assert entry["task_policy"].endswith("/IAMDeleteRootUserCredentials")
        assert entry["request_id"]
        assert entry["items"]
        if entry["action"] == "delete-virtual-mfa-device":
            # Outside the delete task policy by design: skipped with its reason, not failed,
            # and the error and its consequence are separate sentences.
            assert entry["outcome"] == "skipped"
            assert entry["error"] == (
                "The IAMDeleteRootUserCredentials task policy does not allow "
                "DeleteVirtualMFADevice. The virtual MFA device object stays in the account, "
                "detached from the root user."
            )
        else:
            assert entry["outcome"] == "succeeded"
    failed = enabled.json("journal", "--outcome", "failed", exit_code=0)["entries"]
    assert failed == []

    again = enabled.json("delete-credentials", *TARGETS, "--yes", exit_code=0)
    assert {r["state"] for r in again["accounts"]} == {"nothing-to-delete", "skipped"}
    assert enabled.json("audit", *TARGETS, exit_code=0)["summary"]["with_root_credentials"] == 0


def test_only_some_kinds(enabled: Cli) -> None:
    report = enabled.json(
        "delete-credentials", "--account", SHARED_DEV, "--only", "access-keys", "--yes", exit_code=0
    )
    assert [i["kind"] for i in by_id(report)[SHARED_DEV]["items"]] == ["access-keys"] * 2
    root = enabled.sandbox.root_user(SHARED_DEV)
    assert root.access_keys == ()
    assert root.login_profile  # the password was not asked for


def test_one_failing_item_does_not_stop_the_others(enabled: Cli) -> None:
    enabled.sandbox.faults.deny(SHARED_DEV, "iam:DeleteAccessKey")
    result = enabled("delete-credentials", "--account", SHARED_DEV, "--account", PAYMENTS,
                     "--yes", "-o", "json")  # fmt: skip
    assert result.exit_code == 1
    rows = by_id(json.loads(result.stdout))
    shared = rows[SHARED_DEV]
    assert shared["state"] == "failed"
    assert "1 of 3 items removed" in shared["reason"]
    outcomes = [(i["kind"], i["outcome"]) for i in shared["items"]]
    assert outcomes == [
        ("password", "deleted"),
        ("access-keys", "failed"),
        ("access-keys", "failed"),
    ]
    assert rows[PAYMENTS]["state"] == "deleted"
    root = enabled.sandbox.root_user(SHARED_DEV)
    assert not root.login_profile
    assert len(root.access_keys) == 2
    failed = [e for e in enabled.journal_entries() if e["outcome"] == "failed"]
    assert {e["action"] for e in failed} >= {"delete-access-key"}


def test_denied_task_for_one_account(enabled: Cli) -> None:
    enabled.sandbox.faults.deny(CHECKOUT, "IAMDeleteRootUserCredentials")
    document = enabled.json(
        "delete-credentials", "--account", CHECKOUT, "--account", PAYMENTS, "--yes", exit_code=1
    )
    rows = by_id(document)
    assert rows[CHECKOUT]["state"] == "failed"
    assert rows[CHECKOUT]["reason"]
    assert all(i["outcome"] == "failed" for i in rows[CHECKOUT]["items"])
    assert rows[PAYMENTS]["state"] == "deleted"
    assert enabled.sandbox.root_user(CHECKOUT).has_credentials


def test_delete_as_delegate_over_a_whole_ou(enabled: Cli) -> None:
    assert enabled("enable", "--delegate", DELEGATE).exit_code == 0
    env = enabled.as_principal(enabled.sandbox.principal_credentials(DELEGATE))
    document = enabled.json("delete-credentials", "--all", "--yes", env=env, exit_code=0)
    assert {r["state"] for r in document["accounts"]} == {"deleted", "nothing-to-delete", "skipped"}
    audit = enabled.json("audit", env=env, exit_code=0)
    assert audit["summary"]["with_root_credentials"] == 0
    entries = enabled.journal_entries()
    assert {e["caller_arn"] for e in entries if e["action"].startswith("delete")} == {
        f"arn:aws:iam::{DELEGATE}:user/admin"
    }
