"""pytest plugin: the rootctl sandbox for any project's test suite, as moto's ``mock_aws``.

Registered under the ``pytest11`` entry point, so it is active wherever rootctl is installed;
the sandbox itself needs ``rootctl[sandbox]`` (moto). This module imports only pytest and the
standard library: loading it costs nothing and never fails, and a test that asks for a
sandbox without moto fails with the ``pip install`` to run.

Fixtures (namespaced, so they never clash with a suite's own):

- ``rootctl_sandbox``: a fresh organization, answered in-process (moto's ``mock_aws``); the
  environment holds the management account's ``admin`` keys, us-east-1, no endpoint override,
  and none of the developer's own AWS settings. Yields the ``Sandbox``.
- ``rootctl_sandbox_http``: the same over real HTTP, ``AWS_ENDPOINT_URL`` set; yields a
  ``SandboxEndpoint`` (``sandbox``, ``endpoint_url``, ``env`` for subprocesses).
- ``rootctl_sandbox_server``: the HTTP server, one per session (the fixture above uses it).

Which organization: ``@pytest.mark.rootctl_sandbox(seed="org.yaml")`` (a path, relative to
the test's file, YAML text or a mapping), ``(accounts=50, random_seed=0)`` (generated),
``(propagation_delay=60)``; else the ini options ``rootctl_sandbox_seed`` /
``rootctl_sandbox_accounts``; else the built-in example organization. docs/sandbox.md has
an example.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from rootctl.sandbox import Sandbox
    from rootctl.sandbox.server import SandboxServer

MARKER = "rootctl_sandbox"
INSTALL_HINT = "the rootctl sandbox needs moto: pip install 'rootctl[sandbox]'"


@dataclass(frozen=True)
class SandboxEndpoint:
    """The HTTP sandbox of one test."""

    sandbox: Sandbox
    endpoint_url: str
    env: Mapping[str, str] = field(default_factory=dict)  # the whole environment, for subprocesses


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("rootctl_sandbox_seed", "seed file (YAML) of the rootctl sandbox fixtures")
    parser.addini("rootctl_sandbox_accounts", "generate an organization of N accounts instead")
    parser.addini("rootctl_sandbox_random_seed", "random seed of the generated organization")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(seed=None, accounts=None, random_seed=0, propagation_delay=0): the "
        "organization the rootctl_sandbox fixtures build for this test",
    )


def _import_sandbox() -> Any:
    try:
        import rootctl.sandbox as sandbox_package
    except ImportError as error:  # moto (rootctl[sandbox]) is missing
        missing = str(error)
    else:
        return sandbox_package
    pytest.fail(f"{INSTALL_HINT} ({missing})", pytrace=False)


def _build(request: pytest.FixtureRequest) -> Sandbox:
    """The organization the test's marker, then the ini options, ask for."""
    factory: Any = _import_sandbox().Sandbox
    marker = request.node.get_closest_marker(MARKER)
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    config = request.config
    delay = float(options.get("propagation_delay", 0))
    accounts = options.get("accounts") or config.getini("rootctl_sandbox_accounts")
    if accounts:
        random_seed = options.get("random_seed", config.getini("rootctl_sandbox_random_seed"))
        built: Sandbox = factory.generated(
            int(accounts), int(random_seed or 0), propagation_delay=delay
        )
        return built
    seed: Any = options.get("seed")
    base = Path(request.node.path).parent  # a marker's path is relative to the test file
    if seed is None and config.getini("rootctl_sandbox_seed"):
        seed, base = config.getini("rootctl_sandbox_seed"), Path(config.rootpath)
    if isinstance(seed, str | Path) and "\n" not in str(seed):
        seed = base / seed
    built = (
        factory.from_seed(seed, propagation_delay=delay)
        if seed is not None
        else (factory.example(propagation_delay=delay))
    )
    return built


def _point(monkeypatch: pytest.MonkeyPatch, sb: Sandbox, endpoint_url: str | None) -> None:
    """The environment of a client of the sandbox: the admin's keys, and nothing of the
    developer's own AWS setup."""
    from rootctl.sandbox.clientenv import client_environment

    admin = sb.admin_credentials()
    for name, value in client_environment(admin, endpoint_url, region=admin.region).items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    import boto3

    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


@pytest.fixture
def rootctl_sandbox(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Sandbox]:
    sb = _build(request)
    _point(monkeypatch, sb, None)
    with sb.in_process(env=False):
        yield sb


@pytest.fixture(scope="session")
def rootctl_sandbox_server() -> Iterator[SandboxServer]:
    _import_sandbox()
    from rootctl.sandbox.server import SandboxServer

    server = SandboxServer("127.0.0.1", 0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def rootctl_sandbox_http(
    request: pytest.FixtureRequest,
    rootctl_sandbox_server: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
) -> SandboxEndpoint:
    sb = _build(request)
    _point(monkeypatch, sb, rootctl_sandbox_server.endpoint_url)
    return SandboxEndpoint(sb, rootctl_sandbox_server.endpoint_url, dict(os.environ))
