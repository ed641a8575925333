"""Change control in the dashboard, over the sandbox: a deletion preview saved as a plan; the
planner's dashboard offers no Approve, a reviewer's does (the same journal and plans folder,
another identity); apply refuses a wrong confirmation, reports drift and leaves it alone, and
refuses a replay; recovery windows open, show what the root user gained, and close.

The same flow in Chromium, with screenshots at desktop and phone width, is at the end."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

import rootctl
from rootctl.sandbox import Sandbox
from rootctl.web import DashboardServer, create_app
from tests.web.conftest import Live, logged_in

MANAGEMENT = "123456789012"
CHECKOUT = "418273645502"  # password, one access key
ALICE = "630495867701"  # no root credentials


@pytest.fixture
def plans_dir(tmp_path: Path) -> Path:
    return tmp_path / "plans"


@pytest.fixture
def planner_app(enabled: rootctl.RootAccess, plans_dir: Path) -> FastAPI:
    return create_app(enabled, audit_on_start=False, plans_dir=plans_dir)


@pytest.fixture
def reviewer_engine(
    enabled: rootctl.RootAccess, sandbox: Sandbox, aws_env: Any, tmp_path: Path
) -> Iterator[rootctl.RootAccess]:
    """Another identity of the management account, on the planner's journal file."""
    creds = sandbox.principal_credentials(MANAGEMENT, "reviewer")
    session = boto3.Session(**creds.boto3_kwargs())
    with rootctl.RootAccess(
        rootctl.ConnectionOptions(endpoint_url=aws_env.endpoint_url, region="us-east-1"),
        session=session,
        journal=tmp_path / "journal.sqlite3",
    ) as ra:
        yield ra


def post(client: TestClient, url: str, **data: Any) -> Any:
    return client.post(url, data={"csrf_token": client.csrf, **data})


def follow(client: TestClient, response: Any) -> str:
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert page.status_code == 200, page.text
    return str(page.text)


def saved_plan(client: TestClient, app: FastAPI, account: str) -> str:
    """Preview deleting ``account``'s root credentials, then save the preview as a plan."""
    job = post(client, f"/accounts/{account}/plan", kind=["password", "access-keys"])
    job_id = job.headers["location"].rsplit("/", 1)[1]
    assert app.state.dashboard.jobs.wait_all(30)
    saved = post(client, f"/jobs/{job_id}/save-plan", required_approvals="1", comment="Q4")
    assert saved.status_code == 303, saved.text
    return str(saved.headers["location"]).split("?")[0]


def test_save_approve_apply_with_drift_then_replay_refused(
    planner_app: FastAPI,
    reviewer_engine: rootctl.RootAccess,
    plans_dir: Path,
    sandbox: Sandbox,
) -> None:
    reviewer_app = create_app(reviewer_engine, audit_on_start=False, plans_dir=plans_dir)
    with logged_in(planner_app, planner_app.state.secrets) as planner, logged_in(
        reviewer_app, reviewer_app.state.secrets
    ) as reviewer:  # fmt: skip
        url = saved_plan(planner, planner_app, CHECKOUT)
        own = planner.get(url).text
        assert 'id="approve"' not in own
        assert "another identity must approve" in own
        listing = planner.get("/plans").text
        assert "awaiting-approval" in listing
        assert "0 of 1" in listing
        # Apply before approval: the engine refuses, nothing changes.
        short = re.search(r"<code>([0-9a-f]{8})</code>", own.split("apply-confirm")[-1])
        assert short is None  # no Apply form is offered while under-approved
        before = sandbox.snapshot()
        plan_id = url.rsplit("-", 1)[1].removesuffix(".json")
        assert post(planner, f"{url}/apply", confirm=plan_id).status_code == 400
        assert sandbox.snapshot() == before

        page = reviewer.get(url).text
        assert 'id="approve"' in page
        assert post(reviewer, f"{url}/approve", kms_key="not a key").status_code == 400
        assert "Approvals: 0 of 1" in reviewer.get(url).text
        approved = follow(reviewer, post(reviewer, f"{url}/approve"))
        assert "Approved by arn:aws:iam::123456789012:user/reviewer" in approved
        assert 'id="approve"' not in approved  # once per identity
        assert post(reviewer, f"{url}/approve").status_code == 400

        # Drift: a key appears after the plan; apply leaves it alone.
        new_key = sandbox.add_root_access_key(CHECKOUT).access_key_id
        assert post(planner, f"{url}/apply", confirm="nope").status_code == 400
        report = follow(planner, post(planner, f"{url}/apply", confirm=plan_id))
        assert 'id="drift-report"' in report
        assert re.search(rf'data-item="{new_key}">.*?drifted', report)
        assert "(not in the plan)" in report
        keys = {k["AccessKeyId"] for k in sandbox.root_user(CHECKOUT).access_keys}
        assert keys == {new_key}
        assert not sandbox.root_user(CHECKOUT).login_profile
        assert "delete-login-profile" in report  # the journal rows of the plan
        # Single use, whoever asks.
        assert post(reviewer, f"{url}/apply", confirm=plan_id).status_code == 400
        assert "applied" in reviewer.get("/plans").text


def test_a_recovery_preview_and_an_unlock_save_as_plans(planner_app: FastAPI) -> None:
    with logged_in(planner_app, planner_app.state.secrets) as client:
        bad = post(client, "/plans/recovery", account=ALICE, required_approvals="0")
        assert bad.status_code == 400
        assert "nobody else reviews" in bad.text
        page = follow(client, post(client, "/plans/recovery", account=ALICE, expires_in="2h"))
        assert "allow-password-recovery" in page
        assert ALICE in page
        unlock = post(
            client,
            "/accounts/418273645501/s3-bucket/save-plan",
            name="prod-payments-receipts",
            required_approvals="2",
        )
        page = follow(client, unlock)
        assert "unlock-s3" in page
        assert "policy sha256" in page
        assert "Approvals: 0 of 2" in page


def test_recovery_windows_open_show_gains_and_close(planner_app: FastAPI, sandbox: Sandbox) -> None:
    with logged_in(planner_app, planner_app.state.secrets) as client:
        form = {"account": ALICE, "reason": "vendor <b>needs</b> root", "length": "2h"}
        assert post(client, "/recovery-windows/open", **form, confirm="x").status_code == 400
        assert not sandbox.root_user(ALICE).login_profile
        opened = follow(client, post(client, "/recovery-windows/open", **form, confirm=ALICE))
        assert "Recovery window open on" in opened
        assert "vendor &lt;b&gt;needs&lt;/b&gt; root" in opened
        assert 'class="countdown"' in opened
        asked = sandbox.request_password_reset(ALICE)
        assert asked.token is not None
        assert sandbox.complete_password_reset(ALICE, asked.token, "A-Long-Passw0rd!").ok
        assert sandbox.sign_in(ALICE, "A-Long-Passw0rd!").ok
        page = client.get("/recovery-windows").text
        assert "signed in with a password" in page
        closed = follow(client, post(client, f"/recovery-windows/{ALICE}/close", confirm=ALICE))
        assert f"Window on {ALICE}: closed" in closed
        assert "No window is open." in closed
        assert not sandbox.sign_in(ALICE, "A-Long-Passw0rd!").ok


def test_in_chromium(
    chromium: Any,
    live: Live,
    reviewer_engine: rootctl.RootAccess,
    screenshots: Path,
) -> None:
    """Planner saves a plan; the reviewer's dashboard approves it; the planner applies and
    sees the drift report; a window counts down and closes. Desktop and 390 px."""
    live.engine.enable()
    plans = Path(live.server.app.state.plans.directory)
    reviewer_app = create_app(reviewer_engine, audit_on_start=False, plans_dir=plans)
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    phone = chromium.new_page(viewport={"width": 390, "height": 844})
    with DashboardServer(reviewer_app, "127.0.0.1", 0) as reviewer_server:
        page.goto(live.login_url())
        page.goto(f"{live.base_url}/accounts/{CHECKOUT}")
        page.get_by_role("button", name="Preview deletion").click()
        page.get_by_text("What will be removed").wait_for(timeout=60_000)
        page.get_by_role("button", name="Save as plan").click()
        page.get_by_text("Plan saved").wait_for()
        assert page.locator("#approve").count() == 0
        plan_url = page.url.split("?")[0]
        name = plan_url.rsplit("/", 1)[1]

        phone.goto(reviewer_server.login_url())
        phone.goto(f"{reviewer_server.base_url}/plans/{name}")
        phone.screenshot(path=str(screenshots / "plan-reviewer-390.png"), full_page=True)
        phone.locator("#approve").click()
        phone.get_by_text("Approved by").wait_for()

        live.sandbox.add_root_access_key(CHECKOUT)
        page.goto(plan_url)
        short = name.rsplit("-", 1)[1].removesuffix(".json")
        page.fill("#apply-confirm", short)
        page.get_by_role("button", name="Apply the plan").click()
        page.locator("#drift-report").wait_for()
        assert page.locator("#drift-report").get_by_text("drifted").count() >= 1
        page.screenshot(path=str(screenshots / "plan-applied-drift.png"), full_page=True)

        page.goto(f"{live.base_url}/recovery-windows")
        page.fill("#w-account", ALICE)
        page.fill("#w-reason", "vendor needs root \u202eevil")
        page.fill("#w-length", "2h")
        page.fill("#w-confirm", ALICE)
        page.get_by_role("button", name="Open the window").click()
        countdown = page.locator(".countdown")
        countdown.wait_for()
        first = countdown.inner_text()
        page.wait_for_timeout(1500)
        assert countdown.inner_text() != first  # it ticks
        assert "\u202e" not in page.content()
        page.screenshot(path=str(screenshots / "recovery-windows.png"), full_page=True)
        phone.goto(f"{reviewer_server.base_url}/recovery-windows")
        phone.screenshot(path=str(screenshots / "recovery-windows-390.png"), full_page=True)
        page.fill(f"#close-{ALICE}", ALICE)
        page.get_by_role("button", name="Close the window").click()
        page.get_by_text(f"Window on {ALICE}: closed").wait_for()
    page.close()
    phone.close()
