from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from rich.console import Console

from rootctl.models import (
    AccessKey,
    AccountAudit,
    AuditReport,
    AuditState,
    LoginProfile,
    MfaDevice,
    RootCredentials,
    SigningCertificate,
)
from rootctl.render import audit_view, flat, serialize
from tests.core.factories import organization

SCHEMA = json.loads((Path(__file__).parents[2] / "docs/json-schema/v1.json").read_text())
WHEN = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def validate(document: dict[str, object]) -> None:
    jsonschema.validate(document, SCHEMA, format_checker=jsonschema.FormatChecker())


def report() -> AuditReport:
    org = organization()
    prod, web, dev, closed = org.accounts[1:]
    creds = RootCredentials(
        LoginProfile(WHEN),
        (AccessKey("AKIA1", "Active", WHEN, WHEN, "s3", "us-east-1"),),
        (
            MfaDevice("arn:aws:iam::222222222222:mfa/root-account-mfa-device", WHEN),
            MfaDevice("GAHT12345678", WHEN),
        ),
        (SigningCertificate("CERT1", "Active", WHEN),),
    )
    return AuditReport(
        org.id,
        (
            AccountAudit(prod, AuditState.AUDITED, creds),
            AccountAudit(web, AuditState.AUDITED, RootCredentials(None)),
            AccountAudit(dev, AuditState.FAILED, reason="AssumeRoot failed: AccessDenied"),
            AccountAudit(closed, AuditState.SKIPPED, reason="account is SUSPENDED"),
        ),
    )


def test_mfa_kinds_and_flags():
    rows = report().accounts
    creds = rows[0].credentials
    assert creds is not None
    devices = creds.mfa_devices
    assert [d.kind for d in devices] == ["virtual", "hardware"]
    assert rows[0].has_root_credentials
    assert creds.recovery_allowed
    assert rows[1].has_root_credentials is False
    assert rows[2].has_root_credentials is None


def test_audit_json_matches_schema_and_lists_are_never_null():
    document = serialize.audit_report(report())
    validate(document)
    failed = document["accounts"][2]
    assert failed["state"] == "failed"
    assert failed["reason"]
    assert failed["access_keys"] == []
    assert failed["mfa_devices"] == []
    assert document["summary"] == {
        "accounts": 4, "audited": 2, "with_root_credentials": 1, "failed": 1, "skipped": 1,
        "not_run": 0,
    }  # fmt: skip
    empty = serialize.audit_report(AuditReport("o-abcdefghij", ()))
    validate(empty)
    assert empty["accounts"] == []


def test_audit_csv_is_flat():
    rows = list(csv.DictReader(io.StringIO(flat.audit_csv(report().accounts))))
    assert len(rows) == 4
    assert rows[0]["mfa_devices"].count("; ") == 1
    assert rows[0]["has_root_credentials"] == "true"
    assert rows[2]["state"] == "failed"
    assert rows[2]["has_root_credentials"] == ""


@pytest.mark.parametrize("renderer", ["table", "tree"])
def test_human_output_names_every_account(renderer):
    buffer = io.StringIO()
    console = Console(file=buffer, width=300)
    rendered = (
        audit_view.audit_table(report())
        if renderer == "table"
        else audit_view.audit_tree(report(), organization())
    )
    console.print(rendered)
    text = buffer.getvalue()
    for account in organization().accounts[1:]:
        assert account.id in text
    assert "✘" in text
    assert "✔" in text
    assert "!" in text
