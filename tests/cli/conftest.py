"""Fixtures for end-to-end CLI tests against the sandbox over HTTP.

``cli`` runs ``rootctl`` in-process (click's CliRunner) against the shared HTTP sandbox server
as the management account's admin, with a journal of its own; ``enabled`` is the same after
``rootctl enable`` (the example organization starts with root access management off).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from rootctl.cli import cli as rootctl_cli
from rootctl.sandbox import Credentials, Sandbox
from tests.conftest import AwsEnv

SCHEMA = json.loads((Path(__file__).parents[2] / "docs/json-schema/v1.json").read_text())

# Accounts of the example organization the tests talk about.
MANAGEMENT = "123456789012"
DELEGATE = "210987654321"  # security-tooling, has an admin IAM user
PAYMENTS = "418273645501"  # password, virtual MFA, used access key, locked bucket
CHECKOUT = "418273645502"  # password, never-used access key
ORDERS = "418273645505"  # password, virtual MFA, locked queue
SHARED_DEV = "529384756604"  # password, two access keys
DEV_PAYMENTS = "529384756601"  # created through Organizations: no root credentials
ALICE = "630495867701"  # no root credentials
RECOVERY_ONLY = "630495867703"  # an empty login profile (recovery allowed)
SUSPENDED = "630495867704"
NETWORKING = "741506978801"  # password, hardware MFA, two signing certificates
PROD_OU_PATH = ["Root", "Workloads", "Prod"]
CHECKOUT_PASSWORD = "Checkout-Prod-Root-19"  # the example seed's


def validate(document: dict[str, Any]) -> dict[str, Any]:
    jsonschema.validate(document, SCHEMA, format_checker=jsonschema.FormatChecker())
    return document


@dataclass
class Cli:
    """``cli("audit", "--all")`` → click Result; ``cli.json(...)`` → the parsed document."""

    aws: AwsEnv
    sandbox: Sandbox
    journal: Path

    def __call__(
        self, *args: str, env: Mapping[str, str | None] | None = None, input: str | None = None
    ) -> Result:
        merged: dict[str, str | None] = {
            "ROOTCTL_JOURNAL": str(self.journal),
            "COLUMNS": "160",  # tables on a pipe fold at $COLUMNS; keep it fixed for asserts
            **(env or {}),
        }
        return CliRunner().invoke(rootctl_cli, list(args), env=merged, input=input)

    def json(self, *args: str, exit_code: int | None = None, **kw: Any) -> dict[str, Any]:
        result = self(*args, "-o", "json", **kw)
        if exit_code is not None:
            assert result.exit_code == exit_code, (result.stdout, result.stderr)
        return validate(json.loads(result.stdout))

    def as_principal(self, creds: Credentials) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": creds.access_key_id,
            "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
        }

    def journal_entries(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self.json("journal", exit_code=0)["entries"]
        return entries


@pytest.fixture
def cli(aws_env: AwsEnv, sandbox: Sandbox, tmp_path: Path) -> Cli:
    return Cli(aws_env, sandbox, tmp_path / "journal.sqlite3")


@pytest.fixture
def enabled(cli: Cli) -> Cli:
    result = cli("enable")
    assert result.exit_code == 0, result.output
    return cli


def by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["account_id"]: row for row in document["accounts"]}


def signed_in_days_ago(sandbox: Sandbox, account_id: str, password: str, days: int) -> None:
    """The long-term root user signs in at the console ``days`` ago (the sandbox clock set
    back for the sign-in only): GetUser's PasswordLastUsed then says when."""
    sandbox.advance_clock(-days * 86400)
    try:
        assert sandbox.sign_in(account_id, password).ok
    finally:
        sandbox.advance_clock(days * 86400)
