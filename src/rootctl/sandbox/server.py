"""HTTP mode: moto's server app, with the sandbox installed first and ``/_sandbox/`` in front.

``moto_server`` cannot load extensions and builds each service's Flask app on first use, so
the sandbox is installed before the server starts and the apps are built afterwards. Every
request passes ``httpguard`` first: its Host must name the server (DNS rebinding), and no
browser page of another origin reaches ``/_sandbox/``.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from . import api
from .direct import DirectDispatch
from .gate import SANDBOXED_SERVICES
from .httpguard import HostPolicy, cross_origin, host_name, is_loopback, refuse
from .httpserver import KeepAliveHandler, OpenConnections
from .install import install


def _parse_service_models() -> None:
    """moto parses a service's model on its first request, cached but not one flight: the
    first burst of concurrent requests (a scan's 32 workers and their readers) parsed S3's
    model over a hundred times, ~9 s of CPU. Parse each served model once, before serving."""
    from moto.core.utils import get_service_model

    for service in sorted(SANDBOXED_SERVICES):
        get_service_model(service)


class SandboxApp:
    """WSGI: ``/_sandbox/…`` to the sandbox API, SDK calls of IAM, STS, Organizations and SQS
    straight to their response classes (``direct.py``), everything else to moto's dispatcher."""

    def __init__(self, hosts: HostPolicy | None = None) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        install()
        _parse_service_models()
        self.hosts = hosts
        self.direct = DirectDispatch()
        self.moto = DomainDispatcherApplication(create_backend_app)
        # moto resolves each request's host to a backend under one global lock, listing its
        # package directory and trying hundreds of URL patterns (~12% of the server's CPU in
        # an audit). A host always maps to the same backend: remember it.
        self.moto.get_backend_for_host = functools.lru_cache(maxsize=4096)(  # type: ignore[method-assign]
            self.moto.get_backend_for_host
        )

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        host = environ.get("HTTP_HOST")
        if self.hosts is not None and not self.hosts.allows(host):
            shown = host_name(host or "")[:100] or "(none)"
            return refuse(
                start_response,
                f"this sandbox does not answer for host {shown!r}; it answers for "
                f"{self.hosts.describe()} (add names with --allow-host)",
            )
        if path == "/_sandbox" or path.startswith("/_sandbox/"):
            if cross_origin(environ):
                return refuse(start_response, "the sandbox API refuses cross-origin requests")
            return api.application(environ, start_response)
        answered = self.direct(environ, start_response)
        if answered is not None:
            return answered
        result: Iterable[bytes] = self.moto(environ, start_response)
        return result


class SandboxServer:
    """The sandbox over real HTTP, in a background thread (``start``/``stop``) or in the
    foreground (``serve_forever``)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        quiet: bool = True,
        allowed_hosts: Iterable[str] = (),
    ) -> None:
        """Listen on ``host``:``port``; ``allowed_hosts``: more names (or addresses) clients
        may reach it by, besides its own address and ``localhost`` (see ``httpguard``)."""

        class Handler(KeepAliveHandler):
            pass

        Handler.quiet = quiet
        self.app = SandboxApp()
        self._server: BaseWSGIServer = make_server(
            host, port, self.app, threaded=True, request_handler=Handler
        )
        names = [*allowed_hosts, host]
        self.app.hosts = HostPolicy(str(self._server.server_address[0]), names)
        self._server.daemon_threads = True  # type: ignore[attr-defined]  # threaded server
        self._connections = OpenConnections()
        self._server.open_connections = self._connections  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def endpoint_url(self) -> str:
        host = self.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}"

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(
            target=self.serve_forever, name="rootctl-sandbox", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        # A short poll interval: stop() and Ctrl-C take 50 ms, not the default 0.5 s.
        self._server.serve_forever(poll_interval=0.05)

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()  # blocks until serve_forever returns: only if it runs
        self._server.server_close()
        self._connections.close_all()  # and the kept-alive connections with it
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


__all__ = ["SandboxApp", "SandboxServer", "is_loopback"]
