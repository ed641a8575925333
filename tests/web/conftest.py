"""Fixtures for the dashboard's tests.

- ``engine``: a RootAccess on the HTTP sandbox (``aws_env``), with its own journal.
- ``enabled``: the same, after root access management was enabled (the example org starts
  with it off) — what most tests want.
- ``client``: a starlette TestClient on the app, already holding the session cookie; its
  ``csrf`` attribute is the token to send.
- ``live``: the real server (uvicorn in a thread on a free port) for the browser tests.
- ``chromium``: Debian's Chromium through Playwright. Missing browser: skip locally, FAIL when
  CI is set (CI must never pass by skipping the browser tests).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

import rootctl
from rootctl.sandbox import Sandbox
from rootctl.web import DashboardServer, Secrets, create_app

# ROOTCTL_CHROMIUM exists so the "fail in CI when missing" rule can itself be tested.
CHROMIUM = os.environ.get("ROOTCTL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
LOCAL = "http://127.0.0.1:8765"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture
def engine(aws_env: Any, tmp_path: Path) -> Iterator[rootctl.RootAccess]:
    with rootctl.RootAccess(
        rootctl.ConnectionOptions(endpoint_url=aws_env.endpoint_url, region="us-east-1"),
        journal=tmp_path / "journal.sqlite3",
        concurrency=8,
    ) as ra:
        yield ra


@pytest.fixture
def enabled(engine: rootctl.RootAccess) -> rootctl.RootAccess:
    change = engine.enable()
    assert not change.failed, change.steps
    return engine


def logged_in(app: FastAPI, secrets: Secrets) -> TestClient:
    client = TestClient(app, base_url=LOCAL, follow_redirects=False)
    response = client.get(f"/?token={secrets.token}")
    assert response.status_code == 303, response.text
    client.csrf = secrets.csrf
    return client


@pytest.fixture
def app(enabled: rootctl.RootAccess) -> FastAPI:
    return create_app(enabled, audit_on_start=False)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with logged_in(app, app.state.secrets) as test_client:
        yield test_client


@dataclass
class Live:
    server: DashboardServer
    sandbox: Sandbox
    engine: rootctl.RootAccess

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def login_url(self) -> str:
        return self.server.login_url()


def wait_for_result(page: Any, timeout: float = 60_000) -> None:
    """On a job page: wait for the finished page the live stream reloads to, with its deferred
    script run (the status text is in the HTML before app.js has run)."""
    try:
        page.locator("#job[data-finished='yes']").wait_for(timeout=timeout)
    except Exception as exc:
        main = page.locator("main").inner_text()[:2000]
        raise AssertionError(f"no finished job at {page.url}:\n{main}") from exc
    page.wait_for_load_state("load")


@pytest.fixture
def live(sandbox: Sandbox, engine: rootctl.RootAccess) -> Iterator[Live]:
    app = create_app(engine, sandbox_note="Sandbox: an emulated organization (tests).")
    with DashboardServer(app, "127.0.0.1", 0) as server:
        yield Live(server, sandbox, engine)
        app.state.dashboard.jobs.wait_all(10)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if shutil.which(CHROMIUM) is None:
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if in_ci():
            pytest.fail(f"{message}: browser tests must run in CI")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
