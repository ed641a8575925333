"""Run the dashboard: uvicorn in a background thread (for ``rootctl ui`` and the tests), and
the embedded sandbox behind ``rootctl ui --sandbox``."""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType

import uvicorn
from fastapi import FastAPI

from rootctl.web.security import TOKEN_PARAM

WILDCARD_HOSTS = ("0.0.0.0", "::", "")  # noqa: S104 - names to recognise, not to bind


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class DashboardServer:
    """uvicorn serving ``app`` on a thread; ``port=0`` picks a free port."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=2,
            server_header=False,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    def start(self, timeout: float = 15.0) -> DashboardServer:
        self._thread = threading.Thread(target=self._server.run, name="rootctl-ui", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"the dashboard could not start on {self.host}")
            if time.monotonic() > deadline:
                raise RuntimeError("the dashboard did not start in time")
            time.sleep(0.02)
        return self

    @property
    def port(self) -> int:
        sockets = self._server.servers[0].sockets
        return int(sockets[0].getsockname()[1])

    @property
    def base_url(self) -> str:
        host = "127.0.0.1" if self.host in WILDCARD_HOSTS else self.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}"

    def login_url(self) -> str:
        """The URL to print: it carries this run's secret, once."""
        return f"{self.base_url}/?{TOKEN_PARAM}={self.app.state.secrets.token}"

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C stops it)."""
        if self._thread is None:
            raise RuntimeError("the dashboard server was not started")
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        except KeyboardInterrupt:
            self.stop()

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> DashboardServer:
        return self.start()

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.stop()


@dataclass(frozen=True)
class EmbeddedSandbox:
    endpoint_url: str
    organization_id: str
    management_account_id: str
    access_key_id: str = field(repr=False)
    secret_access_key: str = field(repr=False)


@contextmanager
def embedded_sandbox() -> Iterator[EmbeddedSandbox]:
    """``Sandbox.example()`` over HTTP on a free loopback port, and the management account's
    admin keys to reach it with."""
    from rootctl.sandbox import Sandbox  # only `--sandbox` pays for importing moto

    sandbox = Sandbox.example()
    admin = sandbox.admin_credentials()
    with sandbox.serve(host="127.0.0.1", port=0) as server:
        yield EmbeddedSandbox(
            server.endpoint_url,
            sandbox.organization_id,
            sandbox.management_account_id,
            admin.access_key_id,
            admin.secret_access_key,
        )


def forget_local_aws_config() -> None:
    """For ``rootctl ui --sandbox`` (its own process): nothing of the user's AWS setup may
    leak in — the engine must not pick up a real profile, token or endpoint."""
    from rootctl.sandbox.clientenv import apply_environment, client_environment

    apply_environment(client_environment())
