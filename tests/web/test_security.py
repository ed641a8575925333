"""The front door: token → cookie, CSRF, Host, headers. None of these requests may reach a
route, so the engine behind the app is never configured for AWS."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

import rootctl
from rootctl.web import DashboardServer, Secrets, create_app
from rootctl.web.app import INTERNAL_ERROR
from rootctl.web.security import (
    CONTENT_SECURITY_POLICY,
    SECURITY_HEADERS,
    allowed_hosts,
    host_name,
)
from tests.web.conftest import LOCAL, logged_in

TEMPLATES = Path(rootctl.__file__).parent / "web" / "templates"
STATIC = Path(rootctl.__file__).parent / "web" / "static"


@pytest.fixture
def bare_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FastAPI]:
    # An engine that can reach nothing: if a refused request ever got through to AWS, it
    # would fail fast here instead of calling a real account.
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-a-secret")
    connection = rootctl.ConnectionOptions(
        endpoint_url="http://127.0.0.1:9", region="us-east-1", max_attempts=1, connect_timeout=0.5
    )
    with rootctl.RootAccess(connection, journal=tmp_path / "j.sqlite3") as ra:
        yield create_app(ra, audit_on_start=False)


@pytest.fixture
def anonymous(bare_app: FastAPI) -> TestClient:
    return TestClient(bare_app, base_url=LOCAL, follow_redirects=False)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/organization"),
        ("GET", "/accounts/111122223333"),
        ("GET", "/journal"),
        ("GET", "/api/status"),
        ("GET", "/api/openapi.json"),
        ("GET", "/api/session"),
        ("POST", "/api/plans"),
        ("POST", "/bulk"),
    ],
)
def test_requests_without_the_session_are_refused(
    anonymous: TestClient, method: str, path: str
) -> None:
    response = anonymous.request(method, path)
    assert response.status_code == 401
    assert "rootctl ui" in response.text


def test_a_wrong_token_or_cookie_is_refused(anonymous: TestClient) -> None:
    assert anonymous.get("/?token=guess").status_code == 401
    anonymous.cookies.set("rootctl_session", "forged")
    assert anonymous.get("/api/status").status_code == 401


def test_the_token_becomes_a_strict_httponly_cookie_and_leaves_the_url(
    bare_app: FastAPI, anonymous: TestClient
) -> None:
    secrets = bare_app.state.secrets
    response = anonymous.get(f"/organization?token={secrets.token}&q=prod")
    assert response.status_code == 303
    assert response.headers["location"] == "/organization?q=prod"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert secrets.token not in cookie  # the cookie holds a derived value, not the token
    # Posting the token is not a way in.
    assert anonymous.post(f"/?token={secrets.token}").status_code == 401


def test_state_changing_requests_need_the_csrf_token(bare_app: FastAPI) -> None:
    client = logged_in(bare_app, bare_app.state.secrets)
    body = {"accounts": ["111122223333"], "kinds": ["password"]}
    # No token, a wrong one, an empty form field: refused before any route runs.
    assert client.post("/api/plans", json=body).status_code == 403
    refused = client.post("/api/plans", json=body, headers={"X-CSRF-Token": "nope"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]
    form = client.post("/bulk", data={"action": "audit", "account": "111122223333"})
    assert form.status_code == 403
    bad_form = client.post("/bulk", data={"action": "audit", "csrf_token": "nope"})
    assert bad_form.status_code == 403
    # With the token, the request reaches validation (422: the body is wrong on purpose).
    passed = client.post(
        "/api/plans", json={"kinds": ["nonsense"]}, headers={"X-CSRF-Token": client.csrf}
    )
    assert passed.status_code == 422


def test_a_form_with_the_csrf_field_reaches_its_route(bare_app: FastAPI) -> None:
    client = logged_in(bare_app, bare_app.state.secrets)
    response = client.post("/bulk", data={"action": "explode", "csrf_token": client.csrf})
    assert response.status_code == 400  # the route ran and refused the unknown action
    assert "Choose an action" in response.text


def test_cross_site_and_foreign_origin_posts_are_refused_even_with_the_token(
    bare_app: FastAPI,
) -> None:
    client = logged_in(bare_app, bare_app.state.secrets)
    headers = {"X-CSRF-Token": client.csrf}
    cross = client.post("/api/plans", json={}, headers={**headers, "Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    foreign = client.post("/api/plans", json={}, headers={**headers, "Origin": "http://evil.test"})
    assert foreign.status_code == 403
    sandboxed = {**headers, "Origin": "null", "Sec-Fetch-Site": "cross-site"}
    assert client.post("/api/plans", json={}, headers=sandboxed).status_code == 403


def test_an_unknown_host_header_is_refused_dns_rebinding(bare_app: FastAPI) -> None:
    secrets = bare_app.state.secrets
    rebound = TestClient(bare_app, base_url="http://attacker.example:8765", follow_redirects=False)
    assert rebound.get(f"/?token={secrets.token}").status_code == 421
    assert host_name("[::1]:8765") == "::1"
    assert host_name("LocalHost:1") == "localhost"
    assert "10.0.0.5" in allowed_hosts("10.0.0.5")
    assert "0.0.0.0" not in allowed_hosts("0.0.0.0")  # noqa: S104


def assert_security_headers(response: httpx.Response) -> None:
    headers = response.headers
    what = f"{response.request.method} {response.request.url.path} → {response.status_code}"
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, (what, name, headers.get(name))
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"


def broken(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("a bug with a secret-looking detail AKIAEXAMPLEEXAMPLE00")


def test_every_kind_of_response_carries_the_security_headers(
    bare_app: FastAPI, anonymous: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refusals, the token exchange, redirects, static files (200/304/404), 404/405/422,
    error pages and 500s: each one has every header."""
    secrets = bare_app.state.secrets
    stranger = TestClient(bare_app, base_url="http://attacker.example", follow_redirects=False)
    responses = [
        anonymous.get("/"),  # 401 refusal page
        anonymous.get("/api/status"),  # 401 refusal, JSON
        stranger.get("/"),  # 421 wrong Host
        anonymous.get("/?token=guess"),  # 401 wrong token
        anonymous.get(f"/journal?token={secrets.token}"),  # 303 token exchange
        TestClient(bare_app, base_url=LOCAL).get(f"/?token={secrets.token}"),  # 401 used link
        anonymous.get("/static/app.css"),  # static, no cookie needed
    ]
    client = TestClient(
        bare_app, base_url=LOCAL, follow_redirects=False, raise_server_exceptions=False
    )
    client.cookies.set(secrets.cookie_name, secrets.session)
    csrf = {"X-CSRF-Token": secrets.csrf}
    etag = client.get("/static/app.css").headers["etag"]
    responses += [
        client.get("/static/app.css", headers={"If-None-Match": etag}),  # 304
        client.get("/static/no-such-file.css"),  # static 404
        client.get("/no/such/page"),  # 404 page
        client.get("/api/no/such/thing"),  # 404 JSON
        client.put("/", headers=csrf),  # 405
        client.head("/api/session"),
        client.get("/api/openapi.json"),
        client.post("/api/plans", json={"kinds": ["nonsense"]}, headers=csrf),  # 422
        client.post("/api/plans", json={}, headers={"X-CSRF-Token": "nope"}),  # 403 CSRF
        client.post("/bulk", data={"action": "explode", "csrf_token": secrets.csrf}),  # 400 page
    ]
    monkeypatch.setattr(bare_app.state.dashboard, "status", broken)
    monkeypatch.setattr(bare_app.state.dashboard, "organization", broken)
    api_500 = client.get("/api/status")
    page_500 = client.get("/organization")
    responses += [api_500, page_500]
    statuses = {r.status_code for r in responses}
    assert statuses >= {200, 303, 304, 400, 401, 403, 404, 405, 421, 422, 500}, statuses
    for response in responses:
        assert_security_headers(response)
    # The 500s say what happened without the exception's text.
    assert api_500.status_code == 500
    assert api_500.json() == {"error": INTERNAL_ERROR, "status": 500}
    assert page_500.status_code == 500
    assert "went wrong" in page_500.text
    assert "AKIA" not in page_500.text + api_500.text
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY


def test_the_real_server_sends_the_headers_on_errors_too(
    bare_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same through uvicorn: what a browser really gets."""
    with DashboardServer(bare_app, "127.0.0.1", 0) as server, httpx.Client() as browser:
        base = server.base_url
        assert_security_headers(browser.get(base + "/"))  # 401
        login = browser.get(server.login_url())
        assert login.status_code == 303
        assert_security_headers(login)
        assert_security_headers(browser.get(base + "/api/nothing-here"))  # 404
        assert_security_headers(browser.get(base + "/static/app.css"))
        monkeypatch.setattr(bare_app.state.dashboard, "status", broken)
        failed = browser.get(base + "/api/status")
        assert failed.status_code == 500
        assert_security_headers(failed)


def test_the_login_link_works_once(bare_app: FastAPI) -> None:
    """The README's promise: a one-time URL. The second browser to open it is refused; the
    browser that opened it may open it again (nothing new is issued)."""
    secrets = bare_app.state.secrets
    first = TestClient(bare_app, base_url=LOCAL, follow_redirects=False)
    assert first.get("/?token=not-it").status_code == 401  # a wrong guess does not spend it
    opened = first.get(f"/?token={secrets.token}")
    assert opened.status_code == 303
    assert "set-cookie" in opened.headers
    again = first.get(f"/organization?token={secrets.token}")
    assert again.status_code == 303
    assert again.headers["location"] == "/organization"
    assert "set-cookie" not in again.headers

    second = TestClient(bare_app, base_url=LOCAL, follow_redirects=False)
    refused = second.get(f"/?token={secrets.token}")
    assert refused.status_code == 401
    assert "set-cookie" not in refused.headers
    assert "already used" in refused.text
    assert second.get("/api/session").status_code == 401
    assert first.get("/api/session").json() == {"csrf_token": secrets.csrf}


def test_the_token_is_redeemed_once_under_concurrency() -> None:
    secrets = Secrets()
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda _: secrets.redeem(secrets.token), range(64)))
    assert results.count(True) == 1
    assert not Secrets().redeem(secrets.token)


def test_no_cdn_docs_and_no_asset_from_the_internet(bare_app: FastAPI) -> None:
    client = logged_in(bare_app, bare_app.state.secrets)
    assert client.get("/docs").status_code == 404  # Swagger UI would load from a CDN
    assert client.get("/redoc").status_code == 404
    external = re.compile(r"""(src|href|action)\s*=\s*["']?(https?:)?//""", re.IGNORECASE)
    for path in [*TEMPLATES.iterdir(), *STATIC.iterdir()]:
        text = path.read_text(encoding="utf-8")
        assert not external.search(text), f"{path.name} refers to another origin"
        assert "<script>" not in text, f"{path.name} has an inline script"
        assert " on" + "click=" not in text, f"{path.name} has an inline handler"


def test_the_session_endpoint_hands_out_the_csrf_token_only_with_the_cookie(
    bare_app: FastAPI, anonymous: TestClient
) -> None:
    client = logged_in(bare_app, bare_app.state.secrets)
    assert client.get("/api/session").json() == {"csrf_token": client.csrf}
    assert anonymous.get("/api/session").status_code == 401
