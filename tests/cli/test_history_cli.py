"""Memory and evidence against the sandbox over HTTP: two audits with changes in between (a root
password that came back through password recovery, a new account, a move, keys deleted, an
account suspended) give the exact drift; history, pruning; every report format validated by
its schema or model; the findings exported into the sandbox's Security Hub and read back with
GetFindings, archived (not duplicated) after the organization is clean."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import jsonschema
import pytest

from rootctl.sandbox import Sandbox
from rootctl.sandbox.server import SandboxServer
from tests.cli.conftest import (
    ALICE,
    CHECKOUT,
    MANAGEMENT,
    PAYMENTS,
    SHARED_DEV,
    SUSPENDED,
    Cli,
    validate,
)
from tests.conftest import AwsEnv
from tests.evidence_formats import check_asff, check_ocsf, check_sarif
from tests.hostile.conftest import pointed_at

NEW_PASSWORD = "Recovered-Passw0rd!"


def _org() -> Any:
    return boto3.client("organizations", region_name="us-east-1")


def _unit_id(name: str) -> str:
    org = _org()
    root = org.list_roots()["Roots"][0]["Id"]
    units = org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]
    return next(str(u["Id"]) for u in units if u["Name"] == name)


def _changes(cli: Cli) -> str:
    """Between the two audits: ALICE's root password comes back (recovery allowed by rootctl,
    then the e-mail's owner resets it), a new account joins, CHECKOUT moves to the Sandbox OU,
    SHARED_DEV's root access keys are deleted. Returns the new account's id."""
    assert cli("allow-password-recovery", "--account", ALICE, "--yes").exit_code == 0
    reset = cli.sandbox.request_password_reset(ALICE)
    assert reset.ok, reset.reason
    assert reset.token is not None
    cli.sandbox.complete_password_reset(ALICE, reset.token, NEW_PASSWORD)
    created = _org().create_account(Email="newcomer@example.com", AccountName="newcomer")
    new_account = str(created["CreateAccountStatus"]["AccountId"])
    parent = _org().list_parents(ChildId=CHECKOUT)["Parents"][0]["Id"]
    _org().move_account(
        AccountId=CHECKOUT, SourceParentId=parent, DestinationParentId=_unit_id("Sandbox")
    )
    result = cli("delete-credentials", "--account", SHARED_DEV, "--only", "access-keys", "--yes")
    assert result.exit_code == 0, result.output
    return new_account


def _shape(document: dict[str, Any]) -> dict[str, tuple[str, list[tuple[Any, ...]]]]:
    return {
        a["account_id"]: (a["state"], [(c["kind"], c["credential"], c["id"]) for c in a["changes"]])
        for a in document["accounts"]
    }


@dataclass
class Story:
    """Two audits of the example organization with ``_changes`` in between, in a journal of
    their own. Everything the tests below run on it reads the history only (no AWS call), so
    one story serves the module while other tests reset the sandbox."""

    cli: Cli
    new_account: str
    keys: list[str]
    first: dict[str, Any]
    second: dict[str, Any]
    secrets: list[str]  # of every root session the story opened


@pytest.fixture(scope="module")
def story(sandbox_server: SandboxServer, tmp_path_factory: pytest.TempPathFactory) -> Story:
    sb = Sandbox.example(scps=False)
    journal = tmp_path_factory.mktemp("history") / "journal.sqlite3"
    with pointed_at(sb, sandbox_server):
        admin = sb.admin_credentials()
        aws = AwsEnv(sandbox_server.endpoint_url, admin.access_key_id,
                     admin.secret_access_key, admin.account_id, "us-east-1",
                     dict(os.environ))  # fmt: skip
        cli = Cli(aws, sb, journal)
        assert cli("enable").exit_code == 0
        first = cli.json("audit", "--all", exit_code=1)
        assert first["audit_id"] == 1
        keys = [k["id"] for k in next(
            a for a in first["accounts"] if a["account_id"] == SHARED_DEV
        )["access_keys"]]  # fmt: skip
        new_account = _changes(cli)
        second = cli.json("audit", "--all", exit_code=1)
        assert second["audit_id"] == 2
        secrets = [
            secret
            for session in sb.issued_root_sessions()
            for secret in (session.secret_access_key, session.session_token)
        ]
    assert secrets
    return Story(cli, new_account, keys, first, second, secrets)


def test_two_audits_give_the_exact_drift(story: Story) -> None:
    cli, new_account = story.cli, story.new_account
    result = cli("drift", "-o", "json")
    assert result.exit_code == 1, result.stderr  # a root password appeared
    drift = validate(json.loads(result.stdout))
    assert (drift["from"]["id"], drift["to"]["id"]) == (1, 2)
    shape = _shape(drift)
    expected = {
        ALICE: ("changed", [
            ("credential-appeared", "password", "login profile"),
            ("recovery-allowed", None, None),
        ]),
        new_account: ("joined", [("joined", None, None)]),
        CHECKOUT: ("changed", [("moved", None, None)]),
        SHARED_DEV: ("changed", [
            ("credential-removed", "access-key", key) for key in story.keys
        ]),
        MANAGEMENT: ("not-comparable", []),
        SUSPENDED: ("not-comparable", []),
    }  # fmt: skip
    for account_id, want in expected.items():
        assert shape.pop(account_id) == want, account_id
    assert {state for state, changes in shape.values()} == {"unchanged"}
    assert all(not changes for _state, changes in shape.values())
    moved = next(a for a in drift["accounts"] if a["account_id"] == CHECKOUT)["changes"][0]
    assert (moved["before"], moved["after"]) == ("Root/Workloads/Prod", "Root/Sandbox")
    suspended = next(a for a in drift["accounts"] if a["account_id"] == SUSPENDED)
    assert suspended["reason"] == "skipped in both audits: account is SUSPENDED"
    assert drift["summary"] == {
        "changed": 3, "joined": 1, "left": 0, "not_comparable": 2,
        "unchanged": len(drift["accounts"]) - 6,
    }  # fmt: skip
    # The table says the same, and the CSV has one row per change.
    table = cli("drift").stdout
    assert "password (login profile) appeared" in table
    assert "Root credentials appeared." in table
    rows = list(csv.DictReader(io.StringIO(cli("drift", "-o", "csv").stdout)))
    assert sum(1 for r in rows if r["account_id"] == SHARED_DEV) == len(story.keys)
    # Drift back in time is refused for the same audit, and --from a date picks the audit then.
    assert cli("drift", "--from", "2", "--to", "2").exit_code == 2
    since = cli.json("drift", "--from", story.first["generated_at"], exit_code=1)
    assert since["from"]["id"] == 1


def test_suspension_is_drift_and_no_history_and_pruning(enabled: Cli) -> None:
    result = enabled.json("audit", "--all", "--no-history", exit_code=1)
    assert result["audit_id"] is None
    assert enabled.json("history", exit_code=0)["audits"] == []
    enabled.json("audit", "--all", exit_code=1)
    _org().close_account(AccountId=CHECKOUT)
    enabled.json("audit", "--all", exit_code=1)
    drift = enabled.json("drift", exit_code=0)  # nothing appeared: exit 0
    checkout = next(a for a in drift["accounts"] if a["account_id"] == CHECKOUT)
    assert checkout["state"] == "not-comparable"  # its root user can no longer be read
    (change,) = checkout["changes"]
    assert (change["kind"], change["before"]) == ("state-changed", "ACTIVE")
    assert change["after"] in ("SUSPENDED", "PENDING_CLOSURE")
    # Pruning: nothing is a year old; everything started before now.
    assert enabled("history", "--prune-older-than", "400d", "--yes").exit_code == 0
    assert len(enabled.json("history", exit_code=0)["audits"]) == 2
    refused = enabled("history", "--prune-older-than", "0s")  # no terminal, no --yes
    assert refused.exit_code == 2
    assert "--yes" in refused.stderr
    pruned = enabled("history", "--prune-older-than", "0s", "--yes", "-o", "json")
    assert validate(json.loads(pruned.stdout))["audits"] == 2
    assert enabled.json("history", exit_code=0)["audits"] == []
    assert len(enabled.journal_entries()) > 0  # the journal of privileged actions is kept


def test_history_lists_with_counts_and_holds_no_secret(story: Story) -> None:
    cli = story.cli
    history = cli.json("history", exit_code=0)
    assert [a["id"] for a in history["audits"]] == [2, 1]
    second = history["audits"][0]
    assert second["source"] == "cli"
    assert second["complete"] is True
    assert second["caller_arn"] == f"arn:aws:iam::{MANAGEMENT}:user/admin"
    assert (
        second["counts"]["with_root_credentials"]
        == story.second["summary"]["with_root_credentials"]
    )
    assert second["scope"]["all"] is True
    table = cli("history").stdout
    assert "2 audit(s)" in table
    rows = list(csv.DictReader(io.StringIO(cli("history", "-o", "csv").stdout)))
    assert [r["id"] for r in rows] == ["2", "1"]
    dump = "\n".join(sqlite3.connect(cli.journal).iterdump())
    assert not [secret for secret in story.secrets if secret in dump]
    assert NEW_PASSWORD not in dump


def test_every_report_format_is_valid(story: Story, tmp_path: Path) -> None:
    cli = story.cli
    out: dict[str, str] = {}
    for fmt in ("html", "json", "csv", "sarif", "asff", "ocsf"):
        path = tmp_path / f"report.{fmt}"
        result = cli("report", "--format", fmt, "-o", str(path))
        assert result.exit_code == 0, result.stderr
        out[fmt] = path.read_text()
    report = validate(json.loads(out["json"]))
    assert report["audit"]["id"] == 2
    assert report["previous_audit"]["id"] == 1
    assert report["drift"]["credentials_appeared"] is True
    actions = {e["action"] for e in report["journal"]}
    assert {"create-login-profile", "delete-access-key"} <= actions
    rows = list(csv.DictReader(io.StringIO(out["csv"])))
    assert len(rows) == len(report["findings"])
    check_sarif(json.loads(out["sarif"]))
    check_asff(json.loads(out["asff"])["Findings"], account_id=MANAGEMENT, region="us-east-1")
    check_ocsf(json.loads(out["ocsf"]))
    assert "<script src" not in out["html"]
    assert "Drift since the previous audit" in out["html"]
    # Fingerprints and ids are stable: the earlier audit's report names the same results.
    earlier = json.loads(cli("report", "--audit", "1", "--format", "sarif").stdout)
    later = json.loads(out["sarif"])

    def prints(log: dict[str, Any]) -> dict[str, str]:
        return {
            r["properties"]["findingId"]: r["partialFingerprints"]["rootctl/finding/v1"]
            for r in log["runs"][0]["results"]
        }

    common = prints(earlier).keys() & prints(later).keys()
    assert common
    assert all(prints(earlier)[k] == prints(later)[k] for k in common)


def test_security_hub_export_then_archive_after_cleaning(enabled: Cli) -> None:
    hub = boto3.client("securityhub", region_name="us-east-1")
    two = ("--account", SHARED_DEV, "--account", PAYMENTS)  # a partial audit is evidence too
    enabled.json("audit", *two, exit_code=1)
    not_enabled = enabled("securityhub", "export", "--yes")
    assert not_enabled.exit_code == 3
    assert "Enable Security Hub" in not_enabled.stderr
    hub.enable_security_hub()
    dry = enabled.json("securityhub", "export", "--dry-run", exit_code=0)
    assert dry["dry_run"] is True
    assert dry["imported"] == 0
    assert dry["active"] > 0
    assert _findings(hub) == []
    first = enabled.json("securityhub", "export", "--yes", exit_code=0)
    assert first["imported"] == first["findings"] == first["active"]
    assert first["archived"] == 0
    stored = _findings(hub)
    assert len(stored) == first["findings"]
    assert {f["RecordState"] for f in stored} == {"ACTIVE"}
    assert {f["Compliance"]["Status"] for f in stored} == {"FAILED"}
    assert {f["AwsAccountId"] for f in stored} == {MANAGEMENT}
    assert {f["Resources"][0]["Id"] for f in stored if "/CIS-2.1.1/" not in f["Id"]} == {
        f"AWS::::Account:{SHARED_DEV}", f"AWS::::Account:{PAYMENTS}"
    }  # fmt: skip
    # Clean both accounts, audit them again, export again: the same findings, archived.
    assert enabled("delete-credentials", *two, "--yes").exit_code == 0
    enabled.json("audit", *two, exit_code=0)
    second = enabled.json("securityhub", "export", "--yes", exit_code=0)
    assert second["archived"] == len(stored)
    after = _findings(hub)
    assert {f["Id"] for f in after} == {f["Id"] for f in stored}  # updated, none added
    archived = [f for f in after if f["RecordState"] == "ARCHIVED"]
    assert len(archived) == len(stored)
    assert {f["Workflow"]["Status"] for f in archived} == {"RESOLVED"}
    assert {f["Compliance"]["Status"] for f in archived} <= {"PASSED", "NOT_AVAILABLE"}
    journaled = [e for e in enabled.journal_entries() if e["action"] == "import-findings"]
    # The refused export is journaled too (intent, then the failure), oldest last.
    assert [e["outcome"] for e in journaled] == ["succeeded", "succeeded", "failed"]


def _findings(hub: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for page in hub.get_paginator("get_findings").paginate():
        found.extend(page["Findings"])
    return found


def test_history_needs_a_writable_journal_unless_no_history(enabled: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "not-a-journal"
    sqlite3.connect(bad).execute("CREATE TABLE other (x)").connection.commit()
    refused = enabled("audit", "--all", env={"ROOTCTL_JOURNAL": str(bad)})
    assert refused.exit_code == 2, refused.stderr
    assert "--no-history" in refused.stderr
    assert enabled.sandbox.issued_root_sessions() == []
    allowed = enabled("audit", "--all", "--no-history", env={"ROOTCTL_JOURNAL": str(bad)})
    assert allowed.exit_code == 1, allowed.stderr


def test_schema_of_the_report_is_the_one_documented() -> None:
    schema = json.loads((Path(__file__).parents[2] / "docs/json-schema/v1.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    for kind in ("history", "drift", "history-prune", "report", "securityhub-export"):
        assert {"$ref": f"#/$defs/{kind}"} in schema["oneOf"]
