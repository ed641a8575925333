"""allow-password-recovery, unlock-s3, unlock-sqs and journal show, end to end."""

from __future__ import annotations

import json

from tests.cli.conftest import (
    ALICE,
    CHECKOUT,
    DEV_PAYMENTS,
    MANAGEMENT,
    ORDERS,
    PAYMENTS,
    RECOVERY_ONLY,
    Cli,
    by_id,
)

BUCKET = "prod-payments-receipts"
QUEUE = "orders-events"


def test_allow_password_recovery(enabled: Cli) -> None:
    targets = ["--account", DEV_PAYMENTS, "--account", RECOVERY_ONLY]
    assert enabled("allow-password-recovery", *targets).exit_code == 2  # no terminal, no --yes
    assert not enabled.sandbox.root_user(DEV_PAYMENTS).login_profile
    result = enabled("allow-password-recovery", *targets, "--yes", "-o", "json")
    assert result.exit_code == 0
    assert "Forgot password" in result.stderr  # what happens next, said plainly
    rows = by_id(json.loads(result.stdout))
    assert rows[DEV_PAYMENTS]["state"] == "allowed"
    assert rows[RECOVERY_ONLY]["state"] == "already-allowed"
    assert rows[MANAGEMENT]["state"] == "skipped"
    root = enabled.sandbox.root_user(DEV_PAYMENTS)
    assert root.login_profile
    assert not root.password_set  # an empty profile: nobody knows a password
    assert enabled.sandbox.request_password_reset(DEV_PAYMENTS).ok
    again = enabled.json("allow-password-recovery", *targets, "--yes", exit_code=0)
    assert {r["state"] for r in again["accounts"]} == {"already-allowed", "skipped"}
    (entry,) = [e for e in enabled.journal_entries() if e["action"] == "create-login-profile"]
    assert entry["target"] == DEV_PAYMENTS
    assert entry["task_policy"].endswith("/IAMCreateRootUserPassword")


def test_recovery_failure_in_one_account(enabled: Cli) -> None:
    enabled.sandbox.faults.deny(ALICE, "iam:CreateLoginProfile")
    document = enabled.json(
        "allow-password-recovery", "--account", ALICE, "--account", DEV_PAYMENTS, "--yes",
        exit_code=1,
    )  # fmt: skip
    rows = by_id(document)
    assert rows[ALICE]["state"] == "failed"
    assert "AccessDenied" in rows[ALICE]["reason"]
    assert rows[DEV_PAYMENTS]["state"] == "allowed"


def test_unlock_s3_backs_up_then_deletes(enabled: Cli) -> None:
    listing = enabled.json("unlock-s3", PAYMENTS, exit_code=0)
    policies = {r["resource"]: r["policy"] for r in listing["resources"]}
    assert {r["resource"]: r["region"] for r in listing["resources"]}[BUCKET] == "eu-west-1"
    assert policies[BUCKET] is not None
    assert policies["prod-payments-exports"] is None
    shown = enabled("unlock-s3", PAYMENTS, BUCKET, "--show")
    assert shown.exit_code == 0
    original = json.loads(shown.stdout)
    assert original["Statement"][0]["Effect"] == "Deny"
    assert enabled("unlock-s3", PAYMENTS, BUCKET).exit_code == 2  # refuses without --yes
    result = enabled.json("unlock-s3", PAYMENTS, BUCKET, "--yes", exit_code=0)
    assert result["state"] == "removed"
    assert json.loads(result["policy"]) == original
    saved = enabled("journal", "show", str(result["journal_id"]))
    assert json.loads(saved.stdout) == original  # ready to re-apply
    assert f"--bucket {BUCKET}" in saved.stderr
    gone = enabled("unlock-s3", PAYMENTS, BUCKET, "--show")
    assert "has no policy" in gone.stderr
    entry = enabled.json("journal", "show", str(result["journal_id"]))
    assert entry["action"] == "delete-bucket-policy"
    assert entry["task_policy"].endswith("/S3UnlockBucketPolicy")
    assert entry["saved_policy"]["resource"] == BUCKET


def test_unlock_sqs_by_name_and_url(enabled: Cli) -> None:
    listing = enabled.json("unlock-sqs", ORDERS, exit_code=0)
    url = next(r["resource"] for r in listing["resources"] if r["resource"].endswith(QUEUE))
    shown = enabled("unlock-sqs", ORDERS, url, "--show")
    original = json.loads(shown.stdout)
    result = enabled.json("unlock-sqs", ORDERS, QUEUE, "--yes", exit_code=0)
    assert result["state"] == "removed"
    assert result["resource"] == url
    assert json.loads(enabled("journal", "show", str(result["journal_id"])).stdout) == original
    again = enabled.json("unlock-sqs", ORDERS, url, "--yes", exit_code=0)
    assert again["resources"][0]["policy"] is None  # nothing left to remove: shown, not unlocked


def test_unlock_needs_root_sessions_and_a_member_account(cli: Cli) -> None:
    assert cli("enable", "--credentials-management").exit_code == 0
    result = cli("unlock-s3", PAYMENTS, BUCKET, "--yes")
    assert result.exit_code == 3
    assert "rootctl enable --root-sessions" in result.stderr
    assert cli("unlock-s3", MANAGEMENT, BUCKET, "--yes").exit_code == 2
    assert cli("unlock-s3", "12345", BUCKET).exit_code == 2
    assert cli("enable").exit_code == 0
    assert cli("unlock-sqs", CHECKOUT, "no-such-queue", "--show").exit_code == 2
    assert cli("unlock-s3", CHECKOUT, "no-such-bucket", "--show").exit_code == 2


def test_unlock_refused_keeps_the_backup_and_says_so(enabled: Cli) -> None:
    enabled.sandbox.faults.deny(PAYMENTS, "s3:DeleteBucketPolicy")
    result = enabled.json("unlock-s3", PAYMENTS, BUCKET, "--yes", exit_code=3)
    assert result["state"] == "failed"
    assert "service control policy" in result["reason"]
    entry = enabled.json("journal", "show", str(result["journal_id"]))
    assert entry["outcome"] == "failed"
    assert entry["saved_policy"]["policy"] == result["policy"]
    still = enabled("unlock-s3", PAYMENTS, BUCKET, "--show")
    assert json.loads(still.stdout) == json.loads(result["policy"])  # nothing was lost
