"""Shared fixtures: the sandbox, in-process and over HTTP.

- ``sandbox`` (function): a fresh ``Sandbox.example(scps=False)`` — moto reset and the example
  organization re-seeded (a few milliseconds), without its "deny root" SCP on the Security OU
  (the demo's and the SCP tests' subject), so every member account is reachable. Every test
  that touches AWS state should ask for it, directly or through the fixtures below, so it
  starts from the same organization.
- ``sandbox_server`` (session): one HTTP server per test process (each pytest-xdist worker has
  its own) on 127.0.0.1, any free port. moto's state is process-global, so it serves whatever
  the current ``sandbox`` holds. ``.endpoint_url`` is what boto3/the CLI/``aws`` need.
- ``aws_env`` (function): ``sandbox`` + ``sandbox_server``, and the process environment set so
  that boto3, the rootctl CLI and subprocesses talk to the server as the management account's
  ``admin`` IAM user: ``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
  ``AWS_DEFAULT_REGION``/``AWS_REGION`` = us-east-1; no ``AWS_PROFILE``/session token; config
  and credential files pointing at /dev/null so a developer's real configuration never leaks
  in (``rootctl.sandbox.clientenv.client_environment``). Returns an ``AwsEnv`` (endpoint,
  keys, account, region, ``env`` mapping).
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

import rootctl
from rootctl.sandbox import Credentials, Sandbox
from rootctl.sandbox.clientenv import client_environment
from rootctl.sandbox.server import SandboxServer


@dataclass(frozen=True)
class AwsEnv:
    endpoint_url: str
    access_key_id: str
    secret_access_key: str
    account_id: str
    region: str
    env: dict[str, str]


def _point(
    monkeypatch: pytest.MonkeyPatch, keys: Credentials | None, endpoint_url: str | None
) -> dict[str, str | None]:
    """The environment of a client of the sandbox (none of the developer's own AWS setup)."""
    values = client_environment(keys, endpoint_url)
    for name, value in values.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    import boto3

    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    return values


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox.example(scps=False)


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
) -> AwsEnv:
    admin = sandbox.admin_credentials()
    _point(monkeypatch, admin, sandbox_server.endpoint_url)
    return AwsEnv(
        endpoint_url=sandbox_server.endpoint_url,
        access_key_id=admin.access_key_id,
        secret_access_key=admin.secret_access_key,
        account_id=admin.account_id,
        region="us-east-1",
        env=dict(os.environ),
    )


@pytest.fixture
def in_process_sandbox(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    _point(monkeypatch, sandbox.admin_credentials(), None)
    with sandbox.in_process(env=False):
        yield sandbox


def engine_on(env: AwsEnv, journal_dir: Path, concurrency: int = 4) -> rootctl.RootAccess:
    """A fresh ``rootctl.RootAccess`` on the HTTP sandbox, with its journal in ``journal_dir``
    (an engine that has not read the organization yet, as a CLI run starts)."""
    return rootctl.RootAccess(
        rootctl.ConnectionOptions(endpoint_url=env.endpoint_url, region=env.region),
        journal=journal_dir / "journal.sqlite3",
        concurrency=concurrency,
    )
