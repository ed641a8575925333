"""Lock-out fixes under change control, end to end on the lock-out seed: `plan lockouts` →
`plan show` → `approve` → `apply`, fixing exactly the planned policies, leaving a policy edited
since the plan alone (drifted), and refusing a second apply or a missing approval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from botocore.exceptions import ClientError

from tests.cli.conftest import Cli, validate
from tests.cli.seeded import Keys, client, use_seed

VAULT, NETWORK, EVENTS, LEGACY, PARTNERS = (f"11110000000{n}" for n in (1, 2, 4, 5, 6))
MANAGEMENT = "111100000000"
PLAN_SCHEMA = json.loads((Path(__file__).parents[2] / "docs/json-schema/plan-v1.json").read_text())


@pytest.fixture
def lockouts(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return use_seed(cli, monkeypatch, "lockouts-org.yaml")


@pytest.fixture
def reviewer(lockouts: Cli) -> dict[str, str]:
    return lockouts.as_principal(lockouts.sandbox.principal_credentials(MANAGEMENT, "reviewer"))


def _plan(cli: Cli, path: Path, *args: str) -> dict[str, Any]:
    result = cli("plan", "lockouts", *args, "--out", str(path))
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(path.read_text())
    jsonschema.validate(document, PLAN_SCHEMA, format_checker=jsonschema.FormatChecker())
    return document


def _root_s3(cli: Cli, account: str) -> Any:
    """S3 as the account's root user in an S3 unlock session (what may still edit a lock)."""
    admin = cli.sandbox.admin_credentials()
    sts = client(cli, "sts", admin)
    task = {"arn": "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"}
    keys = sts.assume_root(TargetPrincipal=account, TaskPolicyArn=task)["Credentials"]
    root: Keys = {
        "aws_access_key_id": keys["AccessKeyId"],
        "aws_secret_access_key": keys["SecretAccessKey"],
        "aws_session_token": keys["SessionToken"],
    }
    return client(cli, "s3", root)


def test_plan_show_approve_apply_fixes_exactly_the_planned_policies(
    lockouts: Cli, reviewer: dict[str, str], tmp_path: Path
) -> None:
    cli, path = lockouts, tmp_path / "fix.json"
    before = cli.sandbox.snapshot()
    accounts = ("--account", VAULT, "--account", EVENTS, "--account", LEGACY, "--account",
                PARTNERS)  # fmt: skip
    written = _plan(cli, path, *accounts, "--regions", "us-east-1,eu-west-1")
    assert cli.sandbox.snapshot() == before  # planning changes nothing
    plan = written["plan"]
    assert plan["operation"] == "fix-lockouts"
    items = {(t["account_id"], i["id"]): i for t in plan["targets"] for i in t["items"]}
    vault_mixed, plain = items[(VAULT, "vault-mixed")], items[(VAULT, "vault-plain-deny")]
    [(_, queue_url)] = [k for k in items if k[0] == EVENTS]
    queue = items[(EVENTS, queue_url)]
    assert queue_url.endswith("/events-locked")
    assert (queue["kind"], queue["region"], queue["action"]) == (
        "queue-policy", "eu-west-1", "delete",  # its one statement is the lock
    )  # fmt: skip
    assert (plain["action"], plain["replacement_policy"]) == ("delete", None)
    assert vault_mixed["action"] == "put-corrected"
    corrected = json.loads(vault_mixed["replacement_policy"])
    assert [s["Sid"] for s in corrected["Statement"]] == ["PublicRead", "NoDeletes"]
    assert all(len(i["policy_sha256"]) == 64 for i in items.values())
    left_out = {o["account_id"]: o for o in plan["left_out"]}
    assert left_out[PARTNERS]["state"] == "nothing-to-do"
    assert left_out[LEGACY]["state"] == "skipped"  # does not parse: cannot be corrected
    assert "legacy-garbled" in left_out[LEGACY]["reason"]

    # plan show: the check, each fix's action and the documents it puts.
    shown = cli("plan", "show", str(path))
    assert shown.exit_code == 0, shown.output
    assert "put-corrected: bucket policy of vault-mixed" in shown.stdout
    assert "delete: bucket policy of vault-plain-deny" in shown.stdout
    assert '"Sid": "NoDeletes"' in shown.stdout
    checked = cli.json("plan", "show", str(path), exit_code=0)
    assert (checked["status"], checked["plan"]) == ("awaiting-approval", plan)

    # Approvals are required like for every plan.
    refused = cli("apply", str(path), "--yes")
    assert refused.exit_code == 2
    assert "0 of the 1 approval" in refused.stderr
    assert cli.sandbox.snapshot() == before
    assert cli("approve", str(path), "--yes", env=reviewer).exit_code == 0

    applied = cli.json("apply", str(path), "--yes", exit_code=0)
    assert (applied["operation"], applied["outcome"]) == ("fix-lockouts", "applied")
    outcomes = {(a["account_id"], i["id"]): i["outcome"] for a in applied["accounts"]
                for i in a["items"]}  # fmt: skip
    assert outcomes == {key: "applied" for key in items}
    # The sandbox: the admin manages the bucket again, NoDeletes survived; the plain deny is
    # gone; the queue is usable again.
    s3 = client(cli, "s3", cli.sandbox.principal_credentials(VAULT, "admin"))
    s3.put_object(Bucket="vault-mixed", Key="k", Body=b"x")
    with pytest.raises(ClientError, match="AccessDenied"):
        s3.delete_object(Bucket="vault-mixed", Key="k")
    with pytest.raises(ClientError, match="NoSuchBucketPolicy"):
        s3.get_bucket_policy(Bucket="vault-plain-deny")
    sqs = client(cli, "sqs", cli.sandbox.principal_credentials(EVENTS, "admin"), "eu-west-1")
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"VisibilityTimeout": "60"})
    assert cli.json("find-lockouts", *accounts, "--regions", "us-east-1,eu-west-1",
                    exit_code=1)["findings"][0]["name"] == "legacy-garbled"  # fmt: skip

    # Journaled under the plan, each original saved and the planned document put.
    change = f"plan:{written['sha256']}"
    entries = [e for e in cli.journal_entries() if e["change_ref"] == change]
    put = next(e for e in entries if e["items"] == ["vault-mixed"] and e["saved_policy"])
    assert (put["action"], put["outcome"]) == ("put-bucket-policy", "succeeded")
    assert "LockItDown" in put["saved_policy"]["policy"]
    assert put["replacement_policy"] == vault_mixed["replacement_policy"]
    assert {e["action"] for e in entries if e["saved_policy"]} == {
        "put-bucket-policy", "delete-bucket-policy", "delete-queue-policy",
    }  # fmt: skip

    # Single use.
    again = cli("apply", str(path), "--yes", env=reviewer)
    assert again.exit_code == 2
    assert "applied already" in again.stderr
    assert validate(cli.json("plan", "show", str(path), exit_code=0))["status"] == "applied"


def test_a_policy_edited_after_planning_is_drifted_and_left_alone(
    lockouts: Cli, tmp_path: Path
) -> None:
    cli, path = lockouts, tmp_path / "fix.json"
    _plan(cli, path, "--account", NETWORK, "--fix", "delete", "--required-approvals", "0",
          "--allow-no-approval")  # fmt: skip
    s3 = _root_s3(cli, NETWORK)
    arn = "arn:aws:s3:::network-vpce-only"
    deny = {"Sid": "EditedSince", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [arn, f"{arn}/*"]}  # fmt: skip
    edited = json.dumps({"Version": "2012-10-17", "Statement": [deny]})
    s3.put_bucket_policy(Bucket="network-vpce-only", Policy=edited)

    applied = cli.json("apply", str(path), "--yes", exit_code=1)
    assert applied["outcome"] == "drifted"
    [row] = applied["accounts"]
    assert row["state"] == "drifted"
    outcomes = {i["id"]: (i["outcome"], i["reason"]) for i in row["items"]}
    assert outcomes["network-ops-role-only"] == ("applied", None)
    drifted, reason = outcomes["network-vpce-only"]
    assert drifted == "drifted"
    assert "policy changed since the plan" in reason
    assert s3.get_bucket_policy(Bucket="network-vpce-only")["Policy"] == edited  # untouched
    with pytest.raises(ClientError, match="NoSuchBucketPolicy"):
        s3.get_bucket_policy(Bucket="network-ops-role-only")
    skipped = [e for e in cli.journal_entries() if e["outcome"] == "skipped"]
    assert [(e["action"], e["items"]) for e in skipped] == [
        ("delete-bucket-policy", ["network-vpce-only"])
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "name the accounts"),
        (("--all", "--fix", "replace"), "Invalid value for '--fix'"),
        (("--all", "--kind", "ec2"), "unknown --kind value 'ec2'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    lockouts: Cli, args: tuple[str, ...], message: str
) -> None:
    result = lockouts("plan", "lockouts", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
