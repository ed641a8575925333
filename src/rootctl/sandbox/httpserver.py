"""The HTTP/1.1 request handler of the server: persistent connections.

werkzeug's development server closes the connection after every response ("Connection:
close": http.server cannot drain a request body it did not read before the next request
line). Against an SDK that makes every call a new TCP connection and a new server thread —
most of the sandbox's CPU at zero latency. This handler runs the same WSGI application but
keeps the connection: it gives the application a body stream bounded by Content-Length and
drains what the application left unread, sends each response in one write (status line,
headers and body: no small-packet delay), and closes only when asked to, on a chunked request
body, on an error, or after ``timeout`` idle seconds.
"""

from __future__ import annotations

import contextlib
import io
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from moto.moto_server.werkzeug_app import MotoRequestHandler

IDLE_TIMEOUT_S = 60  # AWS's endpoints close idle connections after about a minute
MAX_HEADERS = 100
MAX_LINE = 65536


class RequestHeaders:
    """A request's headers, read without the e-mail parser http.server uses (a fifth of the
    server's CPU per request): what werkzeug's environ and http.server read of them."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs

    def items(self) -> list[tuple[str, str]]:
        return list(self._pairs)

    def keys(self) -> list[str]:
        return [name for name, _ in self._pairs]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._pairs)

    def get_all(self, name: str, failobj: Any = None) -> list[str] | Any:
        lowered = name.lower()
        found = [value for key, value in self._pairs if key.lower() == lowered]
        return found or failobj

    def get(self, name: str, failobj: Any = None) -> str | Any:
        found = self.get_all(name)
        return found[0] if found else failobj

    def __getitem__(self, name: str) -> str | None:
        return self.get(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None


def read_headers(stream: Any) -> RequestHeaders:
    """The header block up to the empty line; raises ``ValueError`` if it is too large."""
    pairs: list[tuple[str, str]] = []
    while True:
        line = stream.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise ValueError("header line too long")
        if line in (b"\r\n", b"\n", b""):
            return RequestHeaders(pairs)
        text = line.decode("iso-8859-1").rstrip("\r\n")
        if text[:1] in (" ", "\t") and pairs:  # an obsolete folded continuation
            name, value = pairs[-1]
            pairs[-1] = (name, f"{value} {text.strip()}")
        else:
            name, _, value = text.partition(":")
            pairs.append((name.strip(), value.strip()))
        if len(pairs) > MAX_HEADERS:
            raise ValueError("too many headers")


class BoundedBody(io.RawIOBase):
    """The request body: at most ``length`` bytes of the connection, the rest left for the
    next request."""

    def __init__(self, stream: Any, length: int) -> None:
        self.stream = stream
        self.remaining = length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.remaining <= 0:
            return 0
        view = memoryview(buffer)[: self.remaining]
        count = int(self.stream.readinto(view) or 0)
        self.remaining -= count
        if count == 0:
            self.remaining = 0  # the client went away mid-body
        return count

    def drain(self) -> None:
        while self.remaining > 0 and self.read(min(self.remaining, 65536)):
            pass


class OpenConnections:
    """The server's persistent connections, so that stopping the server ends them too: a
    stopped sandbox must look stopped to a client holding a kept-alive connection."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self.closed = False

    def add(self, sock: socket.socket) -> bool:
        with self._lock:
            if not self.closed:
                self._sockets.add(sock)
            return not self.closed

    def discard(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)

    def close_all(self) -> None:
        with self._lock:
            self.closed = True
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with contextlib.suppress(OSError):  # already gone
                sock.shutdown(socket.SHUT_RDWR)  # wakes the handler blocked on the next request


class KeepAliveHandler(MotoRequestHandler):
    """moto's request handler (it keeps underscored header names), with persistent
    connections."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = IDLE_TIMEOUT_S
    quiet = True

    def setup(self) -> None:
        super().setup()
        connections: OpenConnections | None = getattr(self.server, "open_connections", None)
        if connections is not None and not connections.add(self.connection):
            self.connection.shutdown(socket.SHUT_RDWR)  # accepted as the server stopped

    def finish(self) -> None:
        connections: OpenConnections | None = getattr(self.server, "open_connections", None)
        if connections is not None:
            connections.discard(self.connection)
        super().finish()

    def parse_request(self) -> bool:
        """http.server's, with the headers read by ``read_headers``; anything but a plain
        HTTP/1.0 or 1.1 request line goes to http.server's own parser and errors."""
        line = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = line.split()
        if len(words) != 3 or words[2] not in ("HTTP/1.1", "HTTP/1.0"):
            return bool(super().parse_request())
        self.requestline = line
        self.command, self.path, self.request_version = words
        self.close_connection = words[2] != "HTTP/1.1"
        if self.path.startswith("//"):  # as http.server: no open redirects (gh-87389)
            self.path = "/" + self.path.lstrip("/")
        try:
            self.headers = read_headers(self.rfile)  # type: ignore[assignment]
        except ValueError as error:
            self.send_error(431, str(error))
            return False
        connection = str(self.headers.get("Connection", "")).lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive":
            self.close_connection = False
        return True

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        if not self.quiet:
            super().log_request(code, size)

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        environ = self.make_environ()
        body: BoundedBody | None = None
        if "wsgi.input_terminated" in environ:  # chunked: no length to bound it by
            self.close_connection = True
        else:
            body = BoundedBody(self.rfile, int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BufferedReader(body)
        try:
            self._respond(self.server.app, environ)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
            return
        if body is not None:
            body.drain()

    def _respond(self, app: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> None:
        started: list[Any] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            started[:] = [status, headers]
            return lambda data: chunks.append(data)

        chunks: list[bytes] = []
        try:
            result = app(environ, start_response)
            try:
                chunks.extend(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except Exception as error:  # the application failed: a plain 500, then close
            self.close_connection = True
            self.log_error("error on request: %r", error)
            started[:] = ["500 Internal Server Error", [("Content-Type", "text/plain")]]
            chunks = [b"Internal Server Error"]
            print(f"sandbox: error on request: {error!r}", file=sys.stderr)
        self._send(started[0], started[1], b"".join(chunks), environ["REQUEST_METHOD"])

    def _send(self, status: str, headers: list[tuple[str, str]], data: bytes, method: str) -> None:
        names = {name.lower() for name, _ in headers}
        lines = [f"{self.protocol_version} {status}"]
        lines += [f"{name}: {value}" for name, value in headers]
        if "content-length" not in names:
            lines.append(f"Content-Length: {len(data)}")
        lines.append(f"Date: {self.date_time_string()}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head if method == "HEAD" else head + data)
        self.wfile.flush()
        code = status.split(None, 1)[0]
        self.log_request(code, len(data))


__all__ = ["IDLE_TIMEOUT_S", "KeepAliveHandler", "OpenConnections"]
