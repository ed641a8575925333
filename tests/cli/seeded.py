"""For end-to-end tests on a seed of their own: point the CLI at it, and raw boto3 clients as
any principal of it (no retries: a refusal is the answer, not something to retry)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from rootctl.sandbox import Credentials, Sandbox
from tests.cli.conftest import Cli

SEEDS = Path(__file__).parents[2] / "src/rootctl/sandbox/seeds"
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})
Keys = dict[str, str]


def use_seed(cli: Cli, monkeypatch: pytest.MonkeyPatch, seed: str) -> Cli:
    """The CLI against ``seeds/<seed>``, as its management account's admin."""
    cli.sandbox = Sandbox.from_seed(SEEDS / seed)
    admin = cli.sandbox.admin_credentials()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", admin.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", admin.secret_access_key)
    return cli


def client(cli: Cli, service: str, creds: Credentials | Keys, region: str = "us-east-1") -> Any:
    """A boto3 client of the sandbox as ``creds`` (sandbox credentials or boto3 keywords)."""
    keys = (
        {"aws_access_key_id": creds.access_key_id, "aws_secret_access_key": creds.secret_access_key}
        if isinstance(creds, Credentials)
        else creds
    )
    make: Any = boto3.client  # the service name is a runtime value, not one of the overloads
    return make(
        service, region_name=region, endpoint_url=cli.aws.endpoint_url, config=NO_RETRIES, **keys
    )
