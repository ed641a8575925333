"""Change control through the CLI on the sandbox: plan → approve → apply, refusing what must be
refused (a changed byte, the planner's own approval, expiry, a replay, a short count) and
leaving drift alone while the rest applies.

rootctl's clock and the sandbox's move together (``clocked``): plans expire by rootctl's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from rootctl.core import clock
from rootctl.sandbox import Credentials, Sandbox
from rootctl.sandbox.models import CLOCK
from tests.cli.conftest import (
    CHECKOUT,
    MANAGEMENT,
    ORDERS,
    PAYMENTS,
    SHARED_DEV,
    Cli,
    by_id,
    validate,
)

ALICE = "630495867701"
DELETE = "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"


@pytest.fixture
def clocked(monkeypatch: pytest.MonkeyPatch) -> None:
    """rootctl's clock is the sandbox's: advancing one advances both."""
    monkeypatch.setattr(clock, "utc_now", CLOCK.now)


@pytest.fixture
def reviewer(enabled: Cli) -> dict[str, str]:
    return enabled.as_principal(enabled.sandbox.principal_credentials(MANAGEMENT, "reviewer"))


def plan(cli: Cli, path: Path, *args: str) -> dict[str, Any]:
    result = cli("plan", *args, "--out", str(path))
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def show(cli: Cli, path: Path, **kw: Any) -> dict[str, Any]:
    return cli.json("plan", "show", str(path), **kw)


def approve(cli: Cli, path: Path, env: dict[str, str] | None = None) -> Any:
    return cli("approve", str(path), "--yes", env=env)


def root_key_ids(sandbox: Sandbox, account: str) -> set[str]:
    return {k["AccessKeyId"] for k in sandbox.root_user(account).access_keys}


def test_plan_approve_apply_leaves_drift_alone(
    enabled: Cli, reviewer: dict[str, str], tmp_path: Path, clocked: None
) -> None:
    cli, sandbox = enabled, enabled.sandbox
    path = tmp_path / "plan.json"
    before_keys = root_key_ids(sandbox, PAYMENTS)
    written = plan(
        cli, path, "delete-credentials", "--account", PAYMENTS, "--account", SHARED_DEV,
        "--account", ALICE, "--comment", "Q4 clean-up",
    )  # fmt: skip
    targets = {t["account_id"]: t for t in written["plan"]["targets"]}
    assert set(targets) == {PAYMENTS, SHARED_DEV}
    assert {o["account_id"]: o["state"] for o in written["plan"]["left_out"]}[ALICE] == (
        "nothing-to-do"
    )
    kinds = {i["kind"] for i in targets[PAYMENTS]["items"]}
    assert kinds == {"password", "access-keys", "mfa"}
    assert all(i["created_at"] for i in targets[PAYMENTS]["items"])

    # Not yet approved: apply refuses; the planner cannot approve their own plan.
    refused = cli("apply", str(path), "--yes")
    assert refused.exit_code == 2
    assert "0 of the 1 approval" in refused.stderr
    own = approve(cli, path)
    assert own.exit_code == 2
    assert "a different principal must approve" in own.stderr
    assert approve(cli, path, reviewer).exit_code == 0
    twice = approve(cli, path, reviewer)
    assert twice.exit_code == 2
    assert "approved this plan already" in twice.stderr
    checked = show(cli, path, exit_code=0)
    assert checked["status"] == "approved"
    assert checked["approvals_counted"] == 1
    assert checked["approvals"][0]["proof"] == "journal"

    # Drift: a key appears in payments; dev-shared-services' password is re-created.
    new_key = sandbox.add_root_access_key(PAYMENTS).access_key_id
    sandbox.advance_clock(5)
    for args in (("delete-credentials", "--only", "password"), ("allow-password-recovery",)):
        assert cli(*args, "--account", SHARED_DEV, "--yes").exit_code == 0

    applied = cli.json("apply", str(path), "--yes", exit_code=1)
    rows = by_id(applied)
    assert applied["outcome"] == "drifted"
    payments = {i["id"]: i for i in rows[PAYMENTS]["items"]}
    assert payments[new_key]["outcome"] == "drifted"
    assert payments[new_key]["planned"] is False
    assert {i["outcome"] for k, i in payments.items() if k != new_key} == {"applied"}
    shared = {i["kind"]: i for i in rows[SHARED_DEV]["items"]}
    assert shared["password"]["outcome"] == "drifted"
    assert "re-created" in shared["password"]["reason"]
    assert [i["outcome"] for i in rows[SHARED_DEV]["items"] if i["kind"] == "access-keys"] == [
        "applied",
        "applied",
    ]
    # What drifted is still there; what was planned is gone.
    assert root_key_ids(sandbox, PAYMENTS) == {new_key}
    assert new_key not in before_keys
    assert sandbox.root_user(SHARED_DEV).login_profile
    assert not sandbox.root_user(SHARED_DEV).access_keys

    # Every item is journaled with the plan's hash; drifted ones as skipped.
    change = f"plan:{written['sha256']}"
    entries = [e for e in cli.journal_entries() if e["change_ref"] == change]
    skipped = {e["items"][0]: e["action"] for e in entries if e["outcome"] == "skipped"}
    drifted = {item for item, action in skipped.items() if action != "delete-virtual-mfa-device"}
    assert drifted == {new_key, "login-profile"}  # (the MFA object's refusal is by design)
    assert {e["target"] for e in entries} == {PAYMENTS, SHARED_DEV}

    # Single use: a replay is refused, even by another principal.
    again = cli("apply", str(path), "--yes", env=reviewer)
    assert again.exit_code == 2
    assert "applied already" in again.stderr
    assert show(cli, path, exit_code=0)["status"] == "applied"


def test_a_changed_byte_is_refused(enabled: Cli, reviewer: dict[str, str], tmp_path: Path) -> None:
    cli = enabled
    path = tmp_path / "plan.json"
    plan(cli, path, "delete-credentials", "--account", CHECKOUT)
    assert approve(cli, path, reviewer).exit_code == 0
    text = path.read_text()
    # One byte: the access key id of the item (a different key would be deleted).
    position = text.index('"AKIA') + 8
    tampered = text[:position] + ("X" if text[position] != "X" else "Y") + text[position + 1 :]
    path.write_text(tampered)
    shown = show(cli, path, exit_code=1)
    assert shown["intact"] is False
    assert shown["status"] == "tampered"
    applied = cli("apply", str(path), "--yes")
    assert applied.exit_code == 2
    assert "changed after it was made" in applied.stderr
    assert cli.sandbox.root_user(CHECKOUT).access_keys  # nothing was deleted


def test_an_approval_typed_into_the_file_does_not_count(
    enabled: Cli, reviewer: dict[str, str], tmp_path: Path
) -> None:
    cli = enabled
    path = tmp_path / "plan.json"
    document = plan(cli, path, "delete-credentials", "--account", CHECKOUT,
                    "--required-approvals", "2")  # fmt: skip
    forged = {
        "approver_arn": "arn:aws:iam::123456789012:user/someone-else",
        "approved_at": document["plan"]["created_at"],
        "plan_sha256": document["sha256"],
        "signature": None,
    }
    path.write_text(json.dumps({**document, "approvals": [forged]}, indent=2))
    assert approve(cli, path, reviewer).exit_code == 0
    checked = show(cli, path, exit_code=0)
    assert checked["approvals_counted"] == 1
    assert checked["status"] == "awaiting-approval"
    reasons = {a["approver_arn"]: a["reason"] for a in checked["approvals"]}
    assert "not recorded in this journal" in reasons[forged["approver_arn"]]
    second = cli.as_principal(cli.sandbox.principal_credentials(MANAGEMENT, "second-reviewer"))
    assert approve(cli, path, second).exit_code == 0
    assert cli.json("apply", str(path), "--yes", exit_code=0)["outcome"] == "applied"


def test_expired_plans_are_refused(
    enabled: Cli, reviewer: dict[str, str], tmp_path: Path, clocked: None
) -> None:
    cli = enabled
    path = tmp_path / "plan.json"
    plan(cli, path, "allow-password-recovery", "--account", ALICE, "--expires-in", "30m")
    cli.sandbox.advance_clock(31 * 60)  # /_sandbox/clock does the same over HTTP
    late = approve(cli, path, reviewer)
    assert late.exit_code == 2
    assert "expired" in late.stderr
    assert show(cli, path, exit_code=0)["status"] == "expired"
    assert "expired" in cli("apply", str(path), "--yes").stderr


def test_a_plan_needs_an_explicit_flag_to_need_no_approval(enabled: Cli, tmp_path: Path) -> None:
    cli = enabled
    path = tmp_path / "plan.json"
    refused = cli("plan", "allow-password-recovery", "--account", ALICE,
                  "--required-approvals", "0", "--out", str(path))  # fmt: skip
    assert refused.exit_code == 2
    assert "--allow-no-approval" in refused.stderr
    assert not path.exists()
    plan(cli, path, "allow-password-recovery", "--account", ALICE, "--account", CHECKOUT,
         "--required-approvals", "0", "--allow-no-approval")  # fmt: skip
    before = cli.sandbox.snapshot()
    dry = cli.json("apply", str(path), "--dry-run", exit_code=0)
    assert dry["ready"] is True
    assert cli.sandbox.snapshot() == before
    report = cli.json("apply", str(path), "--yes", exit_code=0)
    assert [r["state"] for r in report["accounts"]] == ["applied"]  # checkout has a password
    assert cli.json("apply", str(path), "--dry-run", exit_code=1)["status"] == "applied"
    assert cli.sandbox.sign_in(ALICE, "x").reason.startswith("no password yet")


def test_a_plan_for_another_organization_is_refused(enabled: Cli, tmp_path: Path) -> None:
    cli = enabled
    path = tmp_path / "plan.json"
    plan(cli, path, "allow-password-recovery", "--account", ALICE,
         "--required-approvals", "0", "--allow-no-approval")  # fmt: skip
    Sandbox.generated(accounts=5, seed=3)  # another organization now answers
    refused = cli("apply", str(path), "--yes", env=cli.as_principal(Sandbox_admin()))
    assert refused.exit_code == 2
    assert "made for organization o-k3v9w2q7zt" in refused.stderr


def Sandbox_admin() -> Credentials:
    from rootctl.sandbox import current

    sandbox = current()
    assert sandbox is not None
    return sandbox.admin_credentials()


def test_unlock_plans_record_the_policy_hash_and_refuse_an_edited_policy(
    enabled: Cli, reviewer: dict[str, str], tmp_path: Path
) -> None:
    cli, sandbox = enabled, enabled.sandbox
    buckets, queues = tmp_path / "s3.json", tmp_path / "sqs.json"
    document = plan(cli, buckets, "unlock-s3", "--all", "--bucket", "prod-payments-receipts")
    [target] = document["plan"]["targets"]
    assert target["account_id"] == PAYMENTS
    assert len(target["items"][0]["policy_sha256"]) == 64
    plan(cli, queues, "unlock-sqs", "--account", ORDERS, "--queue", "orders-events")
    for path in (buckets, queues):
        assert approve(cli, path, reviewer).exit_code == 0
    # Someone edits the bucket's policy (as root may, through an unlock session).
    sts = boto3.client("sts", endpoint_url=cli.aws.endpoint_url, region_name="us-east-1")
    creds = sts.assume_root(
        TargetPrincipal=PAYMENTS,
        TaskPolicyArn={"arn": "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"},
    )["Credentials"]
    s3 = boto3.client(
        "s3",
        endpoint_url=cli.aws.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::prod-payments-receipts/*",
    }
    edited = {"Version": "2012-10-17", "Statement": [deny]}
    s3.put_bucket_policy(Bucket="prod-payments-receipts", Policy=json.dumps(edited))
    drifted = cli.json("apply", str(buckets), "--yes", exit_code=1)
    assert drifted["accounts"][0]["items"][0]["outcome"] == "drifted"
    assert "policy changed since the plan" in drifted["accounts"][0]["items"][0]["reason"]
    assert s3.get_bucket_policy(Bucket="prod-payments-receipts")["Policy"]
    applied = cli.json("apply", str(queues), "--yes", exit_code=0)
    item = applied["accounts"][0]["items"][0]
    assert item["outcome"] == "applied"
    assert "journal entry" in item["note"]
    assert sandbox.snapshot()  # still readable


def test_kms_signed_plans_and_approvals_travel_without_the_journal(
    enabled: Cli, tmp_path: Path
) -> None:
    cli = enabled
    admin = cli.sandbox.admin_credentials()
    kms = boto3.client("kms", endpoint_url=cli.aws.endpoint_url, **admin.boto3_kwargs())
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
    path = tmp_path / "plan.json"
    document = plan(cli, path, "delete-credentials", "--account", CHECKOUT, "--sign-with-kms", key)
    assert document["signature"]["kms_key_id"] == key
    assert show(cli, path, exit_code=0)["signature"]["state"] == "valid"
    # The reviewer approves on another machine (another journal), signing the approval.
    reviewer = cli.as_principal(cli.sandbox.principal_credentials(MANAGEMENT, "reviewer"))
    elsewhere = {**reviewer, "ROOTCTL_JOURNAL": str(tmp_path / "reviewer.sqlite3")}
    signed = cli("approve", str(path), "--yes", "--sign-with-kms", key, env=elsewhere)
    assert signed.exit_code == 0, signed.stderr
    checked = show(cli, path, exit_code=0)  # the planner's journal never saw the approval
    assert checked["approvals"][0]["proof"] == "kms"
    assert checked["status"] == "approved"

    # A signature that does not match the plan is refused.
    forged = json.loads(path.read_text())
    value = forged["signature"]["value"]
    forged["signature"]["value"] = value[:10] + ("A" if value[10] != "A" else "B") + value[11:]
    path.write_text(json.dumps(forged))
    bad = show(cli, path, exit_code=1)
    assert bad["status"] == "bad-signature"
    assert bad["signature"]["state"] == "invalid"
    assert cli("apply", str(path), "--yes").exit_code == 2
    validate(bad)


def test_plan_approve_apply_with_a_dynamodb_journal(
    enabled: Cli, reviewer: dict[str, str], tmp_path: Path
) -> None:
    """The same change control with the journal in DynamoDB (the sandbox's): approvals and the
    single use are the table's, a replay is refused, the rows carry the plan's hash."""
    cli, sandbox = enabled, enabled.sandbox
    table = {"ROOTCTL_JOURNAL": "dynamodb://rootctl-change-control"}
    path = tmp_path / "plan.json"
    written = plan(cli, path, "delete-credentials", "--account", CHECKOUT)
    assert cli("apply", str(path), "--yes", env=table).exit_code == 2  # not approved yet
    assert approve(cli, path, table | reviewer).exit_code == 0
    twice = approve(cli, path, table | reviewer)
    assert twice.exit_code == 2
    assert "approved this plan already" in twice.stderr
    assert show(cli, path, env=table, exit_code=0)["approvals"][0]["proof"] == "journal"
    assert show(cli, path, exit_code=0)["approvals_counted"] == 0  # the file journal has none

    applied = cli.json("apply", str(path), "--yes", env=table, exit_code=0)
    assert applied["outcome"] == "applied"
    assert not sandbox.root_user(CHECKOUT).login_profile
    assert not sandbox.root_user(CHECKOUT).access_keys
    again = cli("apply", str(path), "--yes", env=table | reviewer)
    assert again.exit_code == 2
    assert "applied already" in again.stderr
    assert show(cli, path, env=table, exit_code=0)["status"] == "applied"

    change = f"plan:{written['sha256']}"
    entries = cli.json("journal", env=table, exit_code=0)["entries"]
    assert {(e["target"], e["outcome"]) for e in entries if e["change_ref"] == change} == {
        (CHECKOUT, "succeeded")
    }
    assert not [e for e in cli.journal_entries() if e["change_ref"] == change]  # not the file's
    items = boto3.client("dynamodb").query(
        TableName="rootctl-change-control",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": f"plan#{written['sha256']}"}},
    )["Items"]
    assert sorted(i["sk"]["S"] for i in items)[-1] == "use"
