"""Who may talk to the HTTP server: requests addressed to the host it serves (DNS rebinding
defence) and, for ``/_sandbox/``, no browser page of another origin.

DNS rebinding: a web page on ``evil.example`` whose name is made to resolve to 127.0.0.1 can
send requests to a loopback server, but the browser still names ``evil.example`` in ``Host``.
So the server answers only requests whose ``Host`` names what it serves:

- an IP address literal: any loopback address when bound to loopback, the bound address when
  bound to one, any address when bound to every interface (``0.0.0.0``/``::``). A rebinding
  attack always carries a name, never an address;
- a name: ``localhost`` (when bound to loopback or every interface), the machine's own names
  (bound to every interface), the name it was bound by, and the names given with
  ``allowed_hosts`` (``--allow-host``) — each with its subdomains, which S3's virtual-host
  addressing uses (``bucket.localhost``);
- AWS's own endpoint names (``*.amazonaws.com``): their DNS is AWS's, nobody can rebind them,
  and a client that addresses AWS by name through the sandbox as an HTTP proxy sends them
  (that is how it tells ``sts.amazonaws.com`` from a Regional STS endpoint).

The port is not compared: a forwarded port (``docker -p 8080:4566``) is not an attack.

Cross-origin: ``/_sandbox/`` hands out credentials and resets state, so a request a browser
sends on behalf of a page of another origin is refused: ``Sec-Fetch-Site`` other than
``same-origin``/``none``, or an ``Origin`` other than the server's own. SDKs and the AWS CLI
send neither. The AWS endpoints keep moto's CORS (browser uploads to S3 are a real use).
"""

from __future__ import annotations

import functools
import ipaddress
import json
import socket
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})  # noqa: S104 - names, not a bind
AWS_DOMAIN = "amazonaws.com"


def is_loopback(host: str) -> bool:
    """Does ``host`` (a name or an address, as given to bind) mean this machine only?"""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    address = _ip(host)
    return address is not None and address.is_loopback


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def host_name(host_header: str) -> str:
    """``Host`` without its port and brackets, lower-case: ``[::1]:4566`` → ``::1``."""
    text = host_header.strip().lower()
    if text.startswith("["):
        return text[1 : text.find("]")] if "]" in text else text[1:]
    return text.rsplit(":", 1)[0] if text.count(":") == 1 else text


class HostPolicy:
    """Which ``Host`` values a server listening on ``address`` (an IP address, as the bound
    socket reports it) answers; ``names``: further names (or addresses) it is reached by."""

    def __init__(self, address: str, names: Iterable[str] = ()) -> None:
        ip = _ip(address.strip("[]"))
        self.wildcard = ip is None or ip.is_unspecified
        self.address = ip
        given = {n.strip().strip("[]").lower().rstrip(".") for n in names if n.strip()}
        self.addresses = frozenset(a for a in map(_ip, given) if a is not None)
        allowed = {n for n in given if _ip(n) is None}
        if self.wildcard or (ip is not None and ip.is_loopback):
            allowed.add("localhost")
        if self.wildcard:
            allowed.update(n.lower() for n in (socket.gethostname(), socket.getfqdn()) if n)
        self.names = frozenset(allowed)

    def describe(self) -> str:
        """What it answers for, for a refusal's message."""
        if self.wildcard:
            what = "any address"
        elif self.address is not None and self.address.is_loopback:
            what = "loopback addresses"
        else:
            what = str(self.address)
        return ", ".join([what, *sorted(self.names), *sorted(map(str, self.addresses))])

    def allows(self, host_header: str | None) -> bool:
        if not host_header:
            return False
        return self._allows(host_header)

    @functools.lru_cache(maxsize=256)  # noqa: B019 - a policy lives as long as its server
    def _allows(self, host_header: str) -> bool:
        host = host_name(host_header).rstrip(".")
        address = _ip(host)
        if address is None:
            names = (*self.names, AWS_DOMAIN)
            return any(host.endswith(f".{name}") for name in names) or host in self.names
        if self.wildcard or address in self.addresses or address == self.address:
            return True
        return self.address is not None and self.address.is_loopback and address.is_loopback


def cross_origin(environ: dict[str, Any]) -> bool:
    """Did a browser send this on behalf of a page of another origin?"""
    site = str(environ.get("HTTP_SEC_FETCH_SITE", "none")).lower()
    if site not in ("same-origin", "none"):
        return True
    origin = str(environ.get("HTTP_ORIGIN", "")).lower()
    if not origin:
        return False
    own = str(environ.get("HTTP_HOST", "")).lower()
    return origin == "null" or urlsplit(origin).netloc != own


def refuse(start_response: Callable[..., Any], message: str) -> Iterable[bytes]:
    """A 403 with a JSON ``{"error": …}`` body, what a refused request gets."""
    body = json.dumps({"error": message}).encode()
    start_response(
        "403 Forbidden",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [body]
