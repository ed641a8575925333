"""`rootctl find-lockouts` end to end against the lock-out seed (every class, and healthy
policies that look like them): exact findings, what the sandbox really enforces, Regions not
enabled, and the fix — by correction and by deletion — with its journal backups."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from rootctl.sandbox import Credentials
from tests.cli.conftest import Cli
from tests.cli.seeded import Keys, client, use_seed

VAULT, NETWORK, RECORDS, EVENTS, LEGACY, PARTNERS, EMPTY = (f"11110000000{n}" for n in range(1, 8))

FINDINGS = {
    ("s3", "vault-plain-deny", "locks-out-everyone"),
    ("s3", "vault-mixed", "locks-out-everyone"),
    ("s3", "network-vpce-only", "locks-out-outside-condition"),
    ("s3", "network-ops-role-only", "locks-out-outside-condition"),
    ("s3", "records-frozen-policy", "locks-out-everyone"),
    ("s3", "records-breakglass-only", "locks-out-outside-condition"),
    ("sqs", "events-locked", "locks-out-everyone"),
    ("s3", "legacy-garbled", "unparseable"),
}
HEALTHY = {
    "vault-tls-only",
    "events-ok",
    "partners-org-only",
    "partners-not-them",
    "partners-public",
}


@pytest.fixture
def lockouts(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return use_seed(cli, monkeypatch, "lockouts-org.yaml")


def _read_policy(
    cli: Cli, account: str, bucket: str, creds: Credentials | Keys | None = None
) -> str:
    """GetBucketPolicy as ``creds`` (default: the account's admin): "ok" or the error code."""
    s3 = client(cli, "s3", creds or cli.sandbox.principal_credentials(account, "admin"))
    try:
        s3.get_bucket_policy(Bucket=bucket)
    except ClientError as exc:
        return str(exc.response["Error"]["Code"])
    return "ok"


def test_every_lockout_is_found_and_no_healthy_policy_is_flagged(lockouts: Cli) -> None:
    # The seed's Regions (eu-south-1: an opt-in Region the accounts have not enabled).
    regions = "us-east-1,us-west-2,eu-west-1,af-south-1,eu-south-1"
    document = lockouts.json("find-lockouts", "--all", "--regions", regions, "--show-healthy",
                             exit_code=1)  # fmt: skip
    found = {(f["kind"], f["name"], f["class"]) for f in document["findings"]}
    assert found == FINDINGS
    assert {h["name"] for h in document["healthy"]} == HEALTHY
    assert document["summary"]["healthy"] == len(HEALTHY)
    by_name = {f["name"]: f for f in document["findings"]}
    assert by_name["events-locked"]["region"] == "eu-west-1"
    assert (
        "vpce-0a1b2c3d4e5f60718" in by_name["network-vpce-only"]["statements"][0]["who_gets_in"][0]
    )
    assert (
        "user/breakglass" in by_name["records-breakglass-only"]["statements"][0]["who_gets_in"][0]
    )
    assert by_name["records-frozen-policy"]["statement"]["Sid"] == "NobodyChangesThis"
    assert by_name["legacy-garbled"]["statement"] is None
    mixed = json.loads(by_name["vault-mixed"]["corrected_policy"])
    assert [s["Sid"] for s in mixed["Statement"]] == ["PublicRead", "NoDeletes"]
    # Regions not enabled are reported as such, not as failures.
    accounts = {a["account_id"]: a for a in document["accounts"]}
    assert all(a["state"] in ("locked", "clean", "skipped") for a in accounts.values())
    scans = {(s["kind"], s["region"]): s for s in accounts[EVENTS]["scans"]}
    assert scans[("sqs", "af-south-1")]["state"] == "scanned"
    assert scans[("sqs", "af-south-1")]["resources"] == 1
    assert scans[("sqs", "eu-south-1")]["state"] == "not-enabled"
    assert scans[("sqs", "eu-west-1")]["state"] == "scanned"
    assert not any(s["state"] == "failed" for a in accounts.values() for s in a["scans"])
    # --regions all: every Region SQS is offered in, the opt-in ones not enabled said so.
    every = lockouts.json("find-lockouts", "--account", EVENTS, "--kind", "sqs", "--regions",
                          "all", exit_code=1)  # fmt: skip
    states = {s["region"]: s["state"] for s in every["accounts"][0]["scans"]}
    assert len(states) > 20
    assert (states["af-south-1"], states["eu-south-1"], states["ap-east-1"]) == (
        "scanned", "not-enabled", "not-enabled",
    )  # fmt: skip
    assert {s for s in states.values()} == {"scanned", "not-enabled"}
    # Healthy policies are counted, not listed, by default; and --status narrows the findings.
    narrow = lockouts.json("find-lockouts", "--account", RECORDS, "--status", "unparseable",
                           exit_code=0)  # fmt: skip
    assert (narrow["findings"], narrow["healthy"]) == ([], [])


def test_the_classes_are_what_the_sandbox_enforces(lockouts: Cli) -> None:
    sb = lockouts.sandbox
    for account, bucket in [(VAULT, "vault-plain-deny"), (VAULT, "vault-mixed"),
                            (NETWORK, "network-vpce-only"), (NETWORK, "network-ops-role-only"),
                            (RECORDS, "records-breakglass-only")]:  # fmt: skip
        assert _read_policy(lockouts, account, bucket) == "AccessDenied", bucket
    for account, bucket in [(VAULT, "vault-tls-only"), (PARTNERS, "partners-org-only"),
                            (PARTNERS, "partners-not-them"), (PARTNERS, "partners-public"),
                            (RECORDS, "records-frozen-policy")]:  # fmt: skip
        assert _read_policy(lockouts, account, bucket) == "ok", bucket  # frozen: Put is denied
    s3 = client(lockouts, "s3", sb.principal_credentials(RECORDS, "admin"))
    with pytest.raises(ClientError, match="AccessDenied"):
        s3.put_bucket_policy(Bucket="records-frozen-policy", Policy=json.dumps(_empty_allow()))
    # Who still gets in does: the break-glass user, the Ops role.
    breakglass = sb.principal_credentials(RECORDS, "breakglass")
    assert _read_policy(lockouts, RECORDS, "records-breakglass-only", breakglass) == "ok"
    ops = _assume_role(lockouts, NETWORK, "Ops")
    assert _read_policy(lockouts, NETWORK, "network-ops-role-only", ops) == "ok"


def _empty_allow() -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
    return {"Version": "2012-10-17", "Statement": [statement]}


def _assume_role(cli: Cli, account: str, name: str) -> Keys:
    admin = cli.sandbox.principal_credentials(account, "admin")
    iam = client(cli, "iam", admin)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"AWS": f"arn:aws:iam::{account}:root"}}]}  # fmt: skip
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    found = client(cli, "sts", admin).assume_role(
        RoleArn=role["Arn"], RoleSessionName="ops-session"
    )
    keys = found["Credentials"]
    return {
        "aws_access_key_id": keys["AccessKeyId"],
        "aws_secret_access_key": keys["SecretAccessKey"],
        "aws_session_token": keys["SessionToken"],
    }


def test_fix_by_correction_keeps_the_legitimate_statements(lockouts: Cli) -> None:
    result = lockouts("find-lockouts", "--account", VAULT, "--fix", "--yes", "-o", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    items = {i["name"]: i for i in document["items"]}
    assert {n: (i["action"], i["state"]) for n, i in items.items()} == {
        "vault-plain-deny": ("delete", "fixed"),  # only the lock: nothing to keep
        "vault-mixed": ("put-corrected", "fixed"),
    }
    assert "--- s3:vault-mixed (now)" in result.stderr  # the diff was shown before
    # The journal holds the original, and the corrected draft next to it.
    entries = {e["id"]: e for e in lockouts.journal_entries()}
    put = entries[items["vault-mixed"]["journal_id"]]
    assert (put["action"], put["outcome"]) == ("put-bucket-policy", "succeeded")
    assert "LockItDown" in put["saved_policy"]["policy"]
    assert json.loads(put["replacement_policy"]) == json.loads(
        items["vault-mixed"]["corrected_policy"]
    )
    deleted = entries[items["vault-plain-deny"]["journal_id"]]
    assert (deleted["action"], deleted["replacement_policy"]) == ("delete-bucket-policy", None)
    # The admin manages the bucket again; the statements that stayed still apply.
    admin = lockouts.sandbox.principal_credentials(VAULT, "admin")
    s3 = client(lockouts, "s3", admin)
    assert _read_policy(lockouts, VAULT, "vault-mixed") == "ok"
    s3.put_object(Bucket="vault-mixed", Key="k", Body=b"x")
    with pytest.raises(ClientError, match="AccessDenied"):
        s3.delete_object(Bucket="vault-mixed", Key="k")  # NoDeletes survived the correction
    # Re-running finds nothing there.
    assert lockouts.json("find-lockouts", "--account", VAULT, exit_code=0)["findings"] == []


def test_fix_by_deletion_after_a_dry_run(lockouts: Cli) -> None:
    before = lockouts.sandbox.snapshot()
    dry = lockouts.json("find-lockouts", "--account", RECORDS, "--account", LEGACY, "--fix",
                        "delete", "--dry-run", exit_code=0)  # fmt: skip
    assert ({i["state"] for i in dry["items"]}, dry["dry_run"]) == ({"planned"}, True)
    assert lockouts.sandbox.snapshot() == before
    # The default (correct) cannot correct what does not parse: left alone, said why.
    kept = lockouts.json("find-lockouts", "--account", LEGACY, "--fix", "--yes", exit_code=1)
    assert [(i["action"], i["state"]) for i in kept["items"]] == [("skip", "skipped")]
    gone = lockouts.json("find-lockouts", "--account", RECORDS, "--account", LEGACY, "--fix",
                         "delete", "--yes", exit_code=0)  # fmt: skip
    assert {(i["name"], i["state"]) for i in gone["items"]} == {
        ("records-frozen-policy", "fixed"),
        ("records-breakglass-only", "fixed"),
        ("legacy-garbled", "fixed"),
    }
    s3 = client(lockouts, "s3", lockouts.sandbox.principal_credentials(RECORDS, "admin"))
    with pytest.raises(ClientError, match="NoSuchBucketPolicy"):
        s3.get_bucket_policy(Bucket="records-breakglass-only")
    saved = [e["saved_policy"]["resource"] for e in lockouts.journal_entries() if e["saved_policy"]]
    assert sorted(saved) == ["legacy-garbled", "records-breakglass-only", "records-frozen-policy"]


def test_a_queue_in_a_second_region_is_fixed_there(lockouts: Cli) -> None:
    fixed = lockouts.json("find-lockouts", "--account", EVENTS, "--kind", "sqs", "--regions",
                          "us-east-1,eu-west-1", "--fix", "--yes", exit_code=0)  # fmt: skip
    assert [(i["name"], i["region"], i["state"]) for i in fixed["items"]] == [
        ("events-locked", "eu-west-1", "fixed")
    ]
    sqs = client(
        lockouts, "sqs", lockouts.sandbox.principal_credentials(EVENTS, "admin"), "eu-west-1"
    )
    url = sqs.get_queue_url(QueueName="events-locked")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "60"})


def test_the_table_at_80_columns_and_csv(lockouts: Cli) -> None:
    table = lockouts("find-lockouts", "--account", NETWORK, env={"COLUMNS": "80"})
    assert table.exit_code == 1
    assert "network-ops-role-only" in table.stdout
    assert "who still gets in" in table.stdout
    assert max(len(line) for line in table.stdout.splitlines()) <= 80
    csv = lockouts("find-lockouts", "--account", NETWORK, "-o", "csv")
    lines = csv.stdout.splitlines()
    assert lines[0].startswith("account_id,account_name,kind,name,region,class")
    assert len(lines) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--kind", "s3,ec2"), "unknown --kind value 'ec2'"),
        (("--regions", "mars-1"), "invalid --regions Region"),
        (("--status", "locked"), "unknown --status value"),
        (("--dry-run",), "--dry-run and --yes go with --fix"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    lockouts: Cli, args: tuple[str, ...], message: str
) -> None:
    result = lockouts("find-lockouts", "--all", *args)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr
    assert lockouts("find-lockouts", "--fix").exit_code == 2  # --fix needs named accounts
