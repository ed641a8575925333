"""rootctl audit, end to end against the sandbox over HTTP."""

from __future__ import annotations

import csv
import io
import json
import re

import boto3

from tests.cli.conftest import (
    ALICE,
    DELEGATE,
    DEV_PAYMENTS,
    MANAGEMENT,
    NETWORKING,
    PAYMENTS,
    PROD_OU_PATH,
    RECOVERY_ONLY,
    SHARED_DEV,
    SUSPENDED,
    Cli,
    by_id,
)


def test_audit_needs_the_feature_on(cli: Cli) -> None:
    result = cli("audit")
    assert result.exit_code == 3
    assert "rootctl enable" in result.stderr


def test_audit_everything_as_json(enabled: Cli) -> None:
    document = enabled.json("audit", exit_code=1)  # root credentials found → 1
    rows = by_id(document)
    org_accounts = {a.account_id for a in enabled.sandbox.accounts()}
    assert set(rows) == org_accounts  # every account, management included
    assert rows[MANAGEMENT]["state"] == "skipped"
    assert "management account" in rows[MANAGEMENT]["reason"]
    assert rows[SUSPENDED]["state"] == "skipped"
    for account_id, row in rows.items():
        if row["state"] != "audited":
            continue
        truth = enabled.sandbox.root_user(account_id)
        assert row["has_root_credentials"] == truth.has_credentials, account_id
        assert len(row["access_keys"]) == len(truth.access_keys)
        assert len(row["mfa_devices"]) == len(truth.mfa_devices)
        assert len(row["signing_certificates"]) == len(truth.signing_certificates)
        assert row["recovery_allowed"] == truth.login_profile
    payments = rows[PAYMENTS]
    assert payments["ou_path"] == PROD_OU_PATH
    assert payments["password"]["present"] is True
    (key,) = payments["access_keys"]
    assert (key["last_used_service"], key["last_used_region"]) == ("s3", "eu-west-1")
    assert payments["mfa_devices"][0]["type"] == "virtual"
    assert rows[NETWORKING]["mfa_devices"][0]["type"] == "hardware"
    assert rows[DEV_PAYMENTS]["has_root_credentials"] is False
    assert rows[DEV_PAYMENTS]["password"] == {
        "present": False,
        "created": None,
        "kind": None,
        "last_used": None,
    }
    # An empty "recovery" profile looks exactly like a password to the API.
    assert rows[RECOVERY_ONLY]["recovery_allowed"] is True
    assert document["summary"]["failed"] == 0


def test_clean_targets_exit_0_and_formats(enabled: Cli) -> None:
    assert enabled.json("audit", "--account", ALICE, exit_code=0)["summary"]["audited"] == 1
    table = enabled("audit", "--account", ALICE)
    assert table.exit_code == 0
    assert ALICE in table.stdout
    default = enabled("audit", env={"COLUMNS": None}).stdout.splitlines()
    # A pipe without $COLUMNS guesses no width: each row is one line, as long as it needs …
    header = next(line for line in default if line.lstrip().startswith("Account "))
    assert "OU path" in header
    assert "Recovery" in header
    assert all(line == line.rstrip() for line in default)  # … and no trailing blanks
    assert any(PAYMENTS in line for line in default)  # ids are never split
    narrow = enabled("audit", env={"COLUMNS": "100"}).stdout.splitlines()
    assert max(len(line) for line in narrow) <= 100
    assert "no root credentials" not in table.stdout  # the table, not the tree
    rows = list(csv.DictReader(io.StringIO(enabled("audit", "-o", "csv").stdout)))
    assert len(rows) == len(enabled.sandbox.accounts())
    shared = next(r for r in rows if r["account_id"] == SHARED_DEV)
    assert shared["access_keys"].count("; ") == 1


def test_nested_ou_and_tree(enabled: Cli) -> None:
    document = enabled.json("audit", "--ou", _ou_id(enabled, "Workloads"))
    paths = {tuple(r["ou_path"]) for r in document["accounts"] if r["state"] != "skipped"}
    assert paths == {("Root", "Workloads", "Prod"), ("Root", "Workloads", "Dev")}
    tree = enabled("audit", "-o", "tree")
    assert tree.exit_code == 1
    lines = tree.stdout.splitlines()
    prod = next(i for i, line in enumerate(lines) if "Prod" in line and "ou-" in line)
    workloads = next(line for line in lines if "Workloads" in line)
    assert lines[prod].index("Prod") > workloads.index("Workloads")  # nested one level deeper
    assert any("✘" in line and PAYMENTS in line for line in lines)
    assert any("✔" in line and ALICE in line for line in lines)
    assert f"Not a target: acme-management ({MANAGEMENT})" in tree.stdout
    assert not any(MANAGEMENT in line and "–" in line for line in lines)  # not a node
    workloads_only = enabled("audit", "-o", "tree", "--ou", _ou_id(enabled, "Workloads")).stdout
    assert "Workloads" in workloads_only
    assert PAYMENTS in workloads_only
    assert "Sandbox" not in workloads_only
    assert "Security" not in workloads_only


def _ou_id(cli: Cli, name: str) -> str:
    """The id of the top-level OU ``name`` (read with boto3 as the management admin)."""
    orgs = boto3.client("organizations", endpoint_url=cli.aws.endpoint_url, region_name="us-east-1")
    units = orgs.list_organizational_units_for_parent(ParentId=cli.sandbox.root_id)
    return next(u["Id"] for u in units["OrganizationalUnits"] if u["Name"] == name)


def test_denied_task_in_one_account_is_a_failed_row(enabled: Cli) -> None:
    enabled.sandbox.faults.deny(PAYMENTS, "IAMAuditRootUserCredentials")
    document = enabled.json("audit", exit_code=1)
    rows = by_id(document)
    assert rows[PAYMENTS]["state"] == "failed"
    assert "AccessDenied" in rows[PAYMENTS]["reason"]
    assert "service control policy" in rows[PAYMENTS]["reason"]
    assert "aws:AssumedRoot" in rows[PAYMENTS]["reason"]  # the advice
    assert rows[PAYMENTS]["access_keys"] == []
    assert document["summary"]["failed"] == 1
    assert rows[NETWORKING]["state"] == "audited"


def test_throttling_is_retried(enabled: Cli) -> None:
    enabled.sandbox.faults.update(throttle_rate=0.3, match=["sts:AssumeRoot"], seed=7)
    result = enabled("audit", "--ou", _ou_id(enabled, "Sandbox"), "-o", "json")
    assert result.exit_code == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["summary"]["failed"] == 0
    assert document["summary"]["audited"] == 3
    # A run slowed by throttling says so, on stderr (stdout stays the document).
    said = re.search(r"^AWS throttled (\d+) calls; retried\.$", result.stderr, re.M)
    assert said is not None, result.stderr
    assert int(said.group(1)) >= 1


def test_no_throttling_no_line(enabled: Cli) -> None:
    result = enabled("audit", "--account", ALICE, "-o", "json")
    assert "throttled" not in result.stderr


def test_throttling_after_all_retries_names_the_account(enabled: Cli) -> None:
    enabled.sandbox.faults.update(throttle_rate=1.0, match=["sts:AssumeRoot"])
    # Its only target failed: AWS stopped the run (3), this is no finding (1).
    document = enabled.json("audit", "--account", ALICE, "--max-attempts", "2", exit_code=3)
    row = by_id(document)[ALICE]
    assert row["state"] == "failed"
    assert "throttling" in row["reason"]
    assert "Retry later" in row["reason"]  # the advice, in the library's neutral words


def test_bad_targets_exit_2_and_do_nothing(enabled: Cli) -> None:
    before = enabled.sandbox.snapshot()
    for args in (["--ou", "ou-k3v9-zzzzzzzz"], ["--account", "999999999999"]):
        result = enabled("audit", *args)
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1
    assert enabled.sandbox.snapshot() == before


def test_audit_from_the_delegate_and_an_audit_only_principal(enabled: Cli) -> None:
    assert enabled("enable", "--delegate", DELEGATE).exit_code == 0
    for creds in (
        enabled.sandbox.principal_credentials(DELEGATE),
        enabled.sandbox.principal_credentials(MANAGEMENT, "auditor"),
    ):
        document = enabled.json("audit", exit_code=1, env=enabled.as_principal(creds))
        assert document["summary"]["failed"] == 0
        assert by_id(document)[PAYMENTS]["has_root_credentials"] is True


def test_compliance(enabled: Cli) -> None:
    document = enabled.json("compliance", exit_code=1)
    controls = {c["id"]: c for c in document["controls"]}
    assert document["passed"] is False
    assert controls["IAM.4"]["status"] == "FAILED"
    failed = {f["subject_id"] for f in controls["IAM.4"]["findings"] if f["status"] == "FAILED"}
    assert PAYMENTS in failed
    assert ALICE not in failed
    assert enabled.json("delete-credentials", "--all", "--yes", exit_code=0)
    after = enabled.json("compliance", exit_code=0)
    assert after["passed"] is True
    table = enabled("compliance")
    assert "IAM.4" in table.stdout
    assert "All controls pass." in table.stdout
