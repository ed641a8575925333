"""Shared fixtures: the sandbox, in-process and over HTTP.

- ``sandbox`` (function): a fresh ``Sandbox.example()`` — moto reset and the example
  organization re-seeded (a few milliseconds). Every test that touches AWS state should ask for
  it, directly or through the fixtures below, so it starts from the same organization.
- ``sandbox_server`` (session): one HTTP server per test process (each pytest-xdist worker has
  its own) on 127.0.0.1, any free port. moto's state is process-global, so it serves whatever
  the current ``sandbox`` holds. ``.endpoint_url`` is what boto3/the CLI/``aws`` need.
- ``aws_env`` (function): ``sandbox`` + ``sandbox_server``, and the process environment set so
  that boto3, the rootctl CLI and subprocesses talk to the server as the management account's
  ``admin`` IAM user: ``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
  ``AWS_DEFAULT_REGION``/``AWS_REGION`` = us-east-1; no ``AWS_PROFILE``/session token; config
  and credential files pointing at empty temporary files so a developer's real configuration
  never leaks in. Returns an ``AwsEnv`` (endpoint, keys, account, region, ``env`` mapping).
- ``in_process_sandbox`` (function): ``sandbox`` with moto's in-process interception
  (``mock_aws``) active and the same admin credentials in the environment, no endpoint
  override — boto3 calls to ``*.amazonaws.com`` are answered in-process.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from rootctl.sandbox import Sandbox
from rootctl.sandbox.server import SandboxServer

_SCRUBBED = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "MOTO_ACCOUNT_ID",
)


@dataclass(frozen=True)
class AwsEnv:
    endpoint_url: str
    access_key_id: str
    secret_access_key: str
    account_id: str
    region: str
    env: dict[str, str]


def _isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    for name in _SCRUBBED:
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "aws-config"
    credentials = tmp_path / "aws-credentials"
    config.write_text("")
    credentials.write_text("")
    values = {
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    import boto3

    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    return values


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox.example()


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    server = SandboxServer("127.0.0.1", 0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def aws_env(
    sandbox: Sandbox,
    sandbox_server: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> AwsEnv:
    values = _isolate(monkeypatch, tmp_path)
    admin = sandbox.admin_credentials()
    values.update(
        AWS_ENDPOINT_URL=sandbox_server.endpoint_url,
        AWS_ACCESS_KEY_ID=admin.access_key_id,
        AWS_SECRET_ACCESS_KEY=admin.secret_access_key,
    )
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return AwsEnv(
        endpoint_url=sandbox_server.endpoint_url,
        access_key_id=admin.access_key_id,
        secret_access_key=admin.secret_access_key,
        account_id=admin.account_id,
        region="us-east-1",
        env=dict(os.environ),
    )


@pytest.fixture
def in_process_sandbox(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Sandbox]:
    _isolate(monkeypatch, tmp_path)
    admin = sandbox.admin_credentials()
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", admin.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", admin.secret_access_key)
    with sandbox.in_process(env=False):
        yield sandbox
