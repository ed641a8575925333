"""Fixtures for the fault tests (issue 6): generated organizations with root access management
on, served over HTTP by the test process, and ``rootctl`` run as a real subprocess.

The sandbox lives in the test process (the shared ``sandbox_server``), so it survives whatever
happens to the rootctl process and the tests can read its true state directly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rootctl.sandbox import Sandbox
from rootctl.sandbox.clientenv import client_environment
from rootctl.sandbox.generator import generate
from rootctl.sandbox.server import SandboxServer

ROOTCTL = [sys.executable, "-m", "rootctl"]
IAM = "iam.amazonaws.com"
BOTH_FEATURES = ["RootCredentialsManagement", "RootSessions"]


def enabled_organization(accounts: int, seed: int) -> Sandbox:
    """A generated organization with IAM trusted access and both features already on."""
    mapping = generate(accounts, seed)
    mapping["organization"].update(trusted_access=[IAM], features=BOTH_FEATURES)
    return Sandbox.from_seed(mapping)


def members(sandbox: Sandbox) -> list[str]:
    """Ids of the accounts an org-wide command works on: active members."""
    return [
        a.account_id for a in sandbox.accounts() if not a.is_management and a.status == "ACTIVE"
    ]


def credentials_of(sandbox: Sandbox, account_id: str) -> dict[str, Any]:
    """The sandbox's true root credentials of an account, in the terms of `audit -o json`."""
    root = sandbox.root_user(account_id)
    return {
        "password": root.login_profile,
        "access_keys": sorted((k["AccessKeyId"], k["Status"]) for k in root.access_keys),
        "mfa_devices": sorted(d["SerialNumber"] for d in root.mfa_devices),
        "signing_certificates": sorted(
            (c["CertificateId"], c["Status"]) for c in root.signing_certificates
        ),
    }


def reported_credentials(row: dict[str, Any]) -> dict[str, Any]:
    """The same view of one account row of `rootctl audit -o json`."""
    return {
        "password": row["password"]["present"],
        "access_keys": sorted((k["id"], k["status"]) for k in row["access_keys"]),
        "mfa_devices": sorted(d["serial"] for d in row["mfa_devices"]),
        "signing_certificates": sorted((c["id"], c["status"]) for c in row["signing_certificates"]),
    }


@dataclass
class Rootctl:
    """``rootctl`` as a subprocess against one sandbox endpoint, with its own journal."""

    sandbox: Sandbox
    env: dict[str, str]
    journal: Path
    home: Path

    def spawn(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*ROOTCTL, *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            cwd=self.home,
        )

    def run(self, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*ROOTCTL, *args],
            env=self.env,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            text=True,
            timeout=timeout,
            check=False,
            cwd=self.home,
        )

    def json(self, *args: str, timeout: float = 240) -> dict[str, Any]:
        result = self.run(*args, "-o", "json", timeout=timeout)
        assert result.stdout, result.stderr
        document: dict[str, Any] = json.loads(result.stdout)
        return document

    def journal_entries(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self.json("journal")["entries"]
        return entries


def client_env(sandbox: Sandbox, endpoint_url: str, home: Path) -> dict[str, str]:
    """A clean environment: the sandbox's admin, no user AWS configuration, HOME and temp
    files inside ``home`` (so a test can scan every file a run wrote)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROOTCTL_", "MOTO"))}
    wanted = client_environment(sandbox.admin_credentials(), endpoint_url)
    return (
        env
        | {name: value for name, value in wanted.items() if value is not None}
        | {
            "HOME": str(home),
            "TMPDIR": str(home),
            "XDG_STATE_HOME": str(home / "state"),
            "ROOTCTL_JOURNAL": str(home / "journal.sqlite3"),
        }
    )


@pytest.fixture
def rootctl_for(sandbox_server: SandboxServer, tmp_path: Path) -> Callable[..., Rootctl]:
    """``rootctl_for(sandbox, endpoint_url=None)`` → a ``Rootctl`` talking to it."""

    def make(sandbox: Sandbox, endpoint_url: str | None = None) -> Rootctl:
        home = tmp_path / "home"
        home.mkdir(exist_ok=True)
        env = client_env(sandbox, endpoint_url or sandbox_server.endpoint_url, home)
        return Rootctl(sandbox, env, home / "journal.sqlite3", home)

    return make


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")
