"""The dashboard's front door: one ASGI middleware in front of every route.

It performs root-level actions, so nothing reaches a route unless:

* the Host header names this server (a DNS-rebinding page cannot talk to it);
* the browser holds the session cookie, obtained by opening the URL ``rootctl ui`` printed
  (``/?token=…``): the token is swapped for an HttpOnly SameSite=Strict cookie and the browser
  is redirected to the same URL without it. The token is swapped once: a second browser (or a
  link preview that fetched it first) is refused;
* a state-changing request (anything but GET/HEAD/OPTIONS) carries the CSRF token, in the
  ``X-CSRF-Token`` header or a ``csrf_token`` form field, and is not cross-site.

Every response gets a strict Content-Security-Policy and friends, set by ``SecurityHeaders``
outside everything else (so 404s, 500s and refusals have them too). Static assets are exempt
from the cookie check only (the "open the printed link" page needs its stylesheet).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
TOKEN_PARAM = "token"  # noqa: S105 - the query parameter's name, not a secret
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_FORM_BYTES = 64 * 1024
PUBLIC_PREFIXES = ("/static/",)
USED_LINK = (
    "This link was already used: it logs in one browser, once. Go on in the browser that "
    "opened it, or restart `rootctl ui` for a new link."
)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "cache-control": "no-store",
}


def _derive(token: str, purpose: str) -> str:
    return hmac.new(token.encode(), purpose.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Secrets:
    """The per-run secret and what is derived from it. Nothing here is ever rendered except
    ``csrf`` (into the pages of an authenticated browser)."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    cookie_name: str = "rootctl_session"
    _redeemed: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def session(self) -> str:
        return _derive(self.token, "session")

    @property
    def csrf(self) -> str:
        return _derive(self.token, "csrf")

    def is_token(self, value: str) -> bool:
        return hmac.compare_digest(value.encode(), self.token.encode())

    def redeem(self, value: str) -> bool:
        """True for the first request that presents the token, False ever after."""
        if not self.is_token(value):
            return False
        with self._lock:
            if self._redeemed.is_set():
                return False
            self._redeemed.set()
            return True

    def is_session(self, value: str) -> bool:
        return hmac.compare_digest(value.encode(), self.session.encode())

    def is_csrf(self, value: str) -> bool:
        return hmac.compare_digest(value.encode(), self.csrf.encode())


def host_name(host_header: str) -> str:
    """``[::1]:8765`` → ``::1``, ``Example.COM:80`` → ``example.com``."""
    parsed = urlsplit(f"//{host_header}")
    try:
        return (parsed.hostname or "").lower()
    except ValueError:
        return ""


def allowed_hosts(bind_host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """Loopback names, the bound address unless it is a wildcard, and what the user added."""
    hosts = set(LOOPBACK_HOSTS) | {h.lower().strip("[]") for h in extra}
    if bind_host not in ("0.0.0.0", "::", ""):  # noqa: S104 - comparing, not binding
        hosts.add(bind_host.lower().strip("[]"))
    return frozenset(hosts)


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, *, secrets: Secrets, hosts: frozenset[str]) -> None:
        self.app = app
        self.secrets = secrets
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # no websockets here
            return
        headers = Headers(scope=scope)
        path: str = scope["path"]
        if host_name(headers.get("host", "")) not in self.hosts:
            await _refuse(send, path, 421, "This server does not answer to that Host name.")
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if TOKEN_PARAM in query:
            await self._exchange_token(scope, headers, query, send)
            return
        if not path.startswith(PUBLIC_PREFIXES) and not self._has_session(headers):
            await _refuse(
                send,
                path,
                401,
                "Open the link that `rootctl ui` printed (it carries this run's secret).",
            )
            return
        if scope["method"] not in SAFE_METHODS:
            reason, receive = await self._check_csrf(scope, headers, receive)
            if reason:
                await _refuse(send, path, 403, reason)
                return
        await self.app(scope, receive, send)

    def _has_session(self, headers: Headers) -> bool:
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header is simply no session
            return False
        morsel = cookie.get(self.secrets.cookie_name)
        return morsel is not None and self.secrets.is_session(morsel.value)

    async def _exchange_token(
        self, scope: Scope, headers: Headers, query: dict[str, list[str]], send: Send
    ) -> None:
        given = query.pop(TOKEN_PARAM)[0]
        if scope["method"] != "GET" or not self.secrets.is_token(given):
            await _refuse(send, scope["path"], 401, "That link's secret is not this run's.")
            return
        clean = scope["path"] + (f"?{urlencode(query, doseq=True)}" if query else "")
        response = [(b"location", clean.encode("latin-1")), (b"content-length", b"0")]
        if self._has_session(headers):
            pass  # the link opened again in the browser that used it: just drop the token
        elif self.secrets.redeem(given):
            cookie = (
                f"{self.secrets.cookie_name}={self.secrets.session}; "
                "Path=/; HttpOnly; SameSite=Strict"
            )
            response.append((b"set-cookie", cookie.encode("latin-1")))
        else:
            await _refuse(send, scope["path"], 401, USED_LINK)
            return
        await send({"type": "http.response.start", "status": 303, "headers": response})
        await send({"type": "http.response.body", "body": b""})

    async def _check_csrf(
        self, scope: Scope, headers: Headers, receive: Receive
    ) -> tuple[str | None, Receive]:
        """The refusal reason (``None`` when fine) and the receive channel to pass on (the
        body is read here when the token is in a form field, then replayed)."""
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return "Cross-site requests are refused.", receive
        # "null" is what a browser sends for our own form posts under Referrer-Policy
        # no-referrer; Sec-Fetch-Site and the token below still decide.
        origin = headers.get("origin")
        if origin and origin != "null" and host_name(urlsplit(origin).netloc) not in self.hosts:
            return "Requests from another origin are refused.", receive
        if self.secrets.is_csrf(headers.get(CSRF_HEADER, "")):
            return None, receive
        if not headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return "Missing or wrong CSRF token (X-CSRF-Token header).", receive
        body = await _read_body(receive)
        if body is None:
            return "Form too large.", receive
        fields = parse_qs(body.decode("utf-8", "replace"))
        if not self.secrets.is_csrf((fields.get(CSRF_FIELD) or [""])[0]):
            return "Missing or wrong CSRF token: reload the page and try again.", receive
        return None, _replay(body, receive)


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class SecurityHeaders:
    """Sets the security headers on every response, overriding what a route set: wrapped
    around the whole app, outside the error handling, so even a 500 has them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)


def refusal(path: str, status: int, reason: str) -> tuple[bytes, str]:
    """Body and content type of a refusal: JSON for the API, a small styled page for people.
    No template and no engine call, so it also serves as the 500 page."""
    if path.startswith("/api/"):
        return json.dumps({"error": reason, "status": status}).encode(), "application/json"
    page = _REFUSAL_PAGE.format(status=status, reason=_escape(reason))
    return page.encode(), "text/html; charset=utf-8"


async def _refuse(send: Send, path: str, status: int, reason: str) -> None:
    body, content_type = refusal(path, status, reason)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_REFUSAL_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rootctl: {status}</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><main class="narrow"><h1>rootctl dashboard</h1>
<p class="notice notice-error" role="alert">{reason}</p></main></body></html>
"""
