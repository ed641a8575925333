"""Fixtures for the hostile-organization tests.

- ``hostile`` (function): the ``aws_env`` of the root conftest, on a fresh hostile organization
  (its Security OU renamed through the API to a name with ``[/]``).
- ``Runner``: runs ``rootctl`` in-process (click's CliRunner) against the HTTP sandbox with a
  journal of its own, as ``tests/cli`` does; ``pointed_at`` sets the process environment for a
  sandbox outside the function-scoped fixtures (the module-scoped scenarios).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner, Result

from rootctl.cli import cli as rootctl_cli
from rootctl.sandbox import Sandbox
from rootctl.sandbox.clientenv import client_environment
from rootctl.sandbox.server import SandboxServer
from tests.conftest import AwsEnv
from tests.hostile import org


@pytest.fixture
def sandbox() -> Sandbox:
    """Overrides the root conftest's example organization for this directory."""
    return org.build()


@pytest.fixture
def hostile(aws_env: AwsEnv) -> AwsEnv:
    org.rename_security_ou()
    return aws_env


@contextmanager
def pointed_at(sb: Sandbox, server: SandboxServer) -> Iterator[None]:
    """The process environment of a client of ``server`` as ``sb``'s management admin."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in client_environment(sb.admin_credentials(), server.endpoint_url).items():
            if value is None:
                patch.delenv(name, raising=False)
            else:
                patch.setenv(name, value)
        patch.setattr(boto3, "DEFAULT_SESSION", None)
        yield


@dataclass
class Runner:
    journal: Path
    columns: int = 300  # wide enough that no name folds: legibility is asserted on whole lines
    env: dict[str, str | None] = field(default_factory=dict)

    def __call__(
        self, *args: str, input: str | None = None, env: Mapping[str, str | None] | None = None
    ) -> Result:
        merged: dict[str, str | None] = {
            "ROOTCTL_JOURNAL": str(self.journal),
            "COLUMNS": str(self.columns),
            **self.env,
            **(env or {}),
        }
        return CliRunner().invoke(rootctl_cli, list(args), env=merged, input=input)


@pytest.fixture
def run(hostile: AwsEnv, tmp_path: Path) -> Runner:
    return Runner(tmp_path / "journal.sqlite3")
