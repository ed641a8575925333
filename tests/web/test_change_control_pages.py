"""Change control in the dashboard, over the sandbox: a deletion preview saved as a plan; the
planner's dashboard offers no Approve, a reviewer's does (the same journal and plans folder,
another identity); apply refuses a wrong confirmation, reports drift and leaves it alone, and
refuses a replay; recovery windows open, show what the root user gained, and close.

The same flow in Chromium, with screenshots at desktop and phone width, is at the end."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

import rootctl
from rootctl.models import JournalEntry, JournalOutcome, JournalQuery
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
        # Apply before approval: refused before any AssumeRoot, no job started.
        short = re.search(r"<code>([0-9a-f]{8})</code>", own.split("apply-confirm")[-1])
        assert short is None  # no Apply form is offered while under-approved
        plan_id = url.rsplit("-", 1)[1].removesuffix(".json")

        def unapproved() -> None:
            refused = post(planner, f"{url}/apply", confirm=plan_id)
            assert refused.status_code == 400
            assert "approval" in refused.text

        assert_nothing_started(planner_app, sandbox, unapproved)

        page = reviewer.get(url).text
        assert 'id="approve"' in page
        assert post(reviewer, f"{url}/approve", kms_key="not a key").status_code == 400
        assert "Approvals: 0 of 1" in reviewer.get(url).text
        approved = follow(reviewer, post(reviewer, f"{url}/approve"))
        assert "Approved by arn:aws:iam::123456789012:user/reviewer" in approved
        assert 'id="approve"' not in approved  # once per identity
        assert post(reviewer, f"{url}/approve").status_code == 400

        # Drift: a key appears after the plan; apply (a job) leaves it alone.
        new_key = sandbox.add_root_access_key(CHECKOUT).access_key_id
        assert post(planner, f"{url}/apply", confirm="nope").status_code == 400
        assert not planner_app.state.dashboard.jobs.running()
        assert all(j.kind != "apply" for j in planner_app.state.dashboard.jobs.all())
        started = post(planner, f"{url}/apply", confirm=plan_id)
        assert started.status_code == 303, started.text
        job_url = started.headers["location"]
        assert job_url.startswith("/jobs/")
        assert planner_app.state.dashboard.jobs.wait_all(60)
        report = planner.get(job_url).text
        assert 'id="drift-report"' in report
        assert re.search(r'Finished at .*?plan <span class="state state-drifted">drifted', report)
        assert "succeeded" not in report.split('id="job-status"')[1].split("</p>")[0]
        assert "<strong>2</strong> applied, <strong>1</strong> drifted" in report
        assert re.search(rf'data-item="{new_key}">.*?drifted', report)
        assert "(not in the plan)" in report
        keys = {k["AccessKeyId"] for k in sandbox.root_user(CHECKOUT).access_keys}
        assert keys == {new_key}
        assert not sandbox.root_user(CHECKOUT).login_profile
        plan_page = planner.get(url).text
        assert "delete-login-profile" in plan_page  # the journal rows of the plan
        assert 'id="drift-report"' in plan_page
        assert "apply-confirm" not in plan_page
        job_json = planner.get(f"/api{job_url}").json()
        assert job_json["kind"] == "apply"
        assert job_json["result"]["schema"] == "rootctl/plan-apply"
        assert job_json["result"]["summary"]["drifted"] == 1

        # Single use, whoever asks: refused before any AssumeRoot, no job.
        def replayed() -> None:
            replay = post(reviewer, f"{url}/apply", confirm=plan_id)
            assert replay.status_code == 400
            assert "applied" in replay.text

        assert_nothing_started(reviewer_app, sandbox, replayed)
        assert "applied" in reviewer.get("/plans").text


def assert_nothing_started(app: FastAPI, sandbox: Sandbox, refuse: Any) -> None:
    """``refuse()`` (a refused apply) starts no job, opens no root session, changes nothing."""
    jobs = len(app.state.dashboard.jobs.all())
    sessions = len(sandbox.issued_root_sessions())
    before = sandbox.snapshot()
    refuse()
    assert len(app.state.dashboard.jobs.all()) == jobs
    assert len(sandbox.issued_root_sessions()) == sessions
    assert sandbox.snapshot() == before


def approved_plan(
    client: TestClient, app: FastAPI, reviewer: rootctl.RootAccess, **form: Any
) -> str:
    """A deletion preview of ``form``'s selection saved as a plan, approved by ``reviewer``."""
    job = post(client, "/bulk", action="delete", **form)
    job_id = job.headers["location"].rsplit("/", 1)[1]
    assert app.state.dashboard.jobs.wait_all(60)
    saved = post(client, f"/jobs/{job_id}/save-plan", required_approvals="1")
    name = str(saved.headers["location"]).split("?")[0].rsplit("/", 1)[1]
    shelf = app.state.plans
    shelf.write(name, reviewer.approve_plan(shelf.read(name)))
    return name


class Clock:
    """rootctl's clock for an engine (plans expire by it), moved by the test."""

    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def own_engine(
    enabled: rootctl.RootAccess, aws_env: Any, tmp_path: Path, clock: Clock
) -> Iterator[rootctl.RootAccess]:
    """The planner on the same journal, with the test's clock and two accounts at a time (so
    a cancel finds work left)."""
    with rootctl.RootAccess(
        rootctl.ConnectionOptions(endpoint_url=aws_env.endpoint_url, region="us-east-1"),
        journal=tmp_path / "journal.sqlite3",
        concurrency=2,
        now=clock,
    ) as ra:
        yield ra


def test_a_tampered_or_expired_plan_starts_nothing(
    own_engine: rootctl.RootAccess,
    reviewer_engine: rootctl.RootAccess,
    plans_dir: Path,
    sandbox: Sandbox,
    clock: Clock,
) -> None:
    app = create_app(own_engine, audit_on_start=False, plans_dir=plans_dir)
    with logged_in(app, app.state.secrets) as client:
        name = approved_plan(client, app, reviewer_engine, account=[CHECKOUT], kind="password")
        short = name.rsplit("-", 1)[1].removesuffix(".json")
        path = plans_dir / name
        original = path.read_text()
        path.write_text(original.replace('"login-profile"', '"login-profile-x"'))

        def tampered() -> None:
            refused = post(client, f"/plans/{name}/apply", confirm=short)
            assert refused.status_code == 400
            assert "does not match its sha256" in refused.text

        assert_nothing_started(app, sandbox, tampered)
        path.write_text(original)
        clock.moment += timedelta(hours=25)  # past the plan's 24 hours

        def expired() -> None:
            refused = post(client, f"/plans/{name}/apply", confirm=short)
            assert refused.status_code == 400
            assert "expired" in refused.text

        assert_nothing_started(app, sandbox, expired)


def test_cancel_mid_apply_leaves_no_intent_only_row(
    own_engine: rootctl.RootAccess,
    reviewer_engine: rootctl.RootAccess,
    plans_dir: Path,
    sandbox: Sandbox,
) -> None:
    app = create_app(own_engine, audit_on_start=False, plans_dir=plans_dir)
    members = [a.account_id for a in sandbox.accounts() if not a.is_management]
    with logged_in(app, app.state.secrets) as client:
        kinds = ["password", "access-keys", "mfa", "certificates"]
        name = approved_plan(client, app, reviewer_engine, account=members, kind=kinds)
        document = app.state.plans.read(name)
        assert len(document.plan.targets) > 4
        short = document.plan.id[:8]
        sandbox.faults.update(latency_ms=150)
        try:
            started = post(client, f"/plans/{name}/apply", confirm=short)
            assert started.status_code == 303, started.text
            job = app.state.dashboard.job(started.headers["location"].rsplit("/", 1)[1])
            assert job.wait(0, 60)  # the first account is done
            assert not job.finished
            running = client.get(started.headers["location"]).text
            assert "Running…" in running
            assert "Finished" not in running
            assert "Being applied" in client.get(f"/plans/{name}").text
            assert post(client, f"/plans/{name}/apply", confirm=short).status_code == 400
            assert post(client, f"/jobs/{job.id}/cancel").status_code == 303
            assert app.state.dashboard.jobs.wait_all(60)
        finally:
            sandbox.faults.clear()
        assert job.state.value == "cancelled"
        report = job.result
        assert report.interrupted
        assert any(a.state.value == "not-run" for a in report.accounts)
        page = client.get(f"/jobs/{job.id}").text
        assert 'plan <span class="state state-interrupted">interrupted' in page
        assert "Stopped before the end" in page
        rows = own_engine.journal_entries(JournalQuery(changes=(f"plan:{document.hash}",)))
        entries = [r for r in rows if isinstance(r, JournalEntry)]
        assert entries
        assert len(entries) == len(rows)
        assert all(r.outcome is not JournalOutcome.UNKNOWN for r in entries)  # no intent only
        untouched = {a.account.id for a in report.accounts if a.state.value == "not-run"}
        assert not {r.target for r in entries} & untouched
        use = own_engine.check_plan(document).use
        assert use is not None
        assert use.outcome == "interrupted"


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
        page.wait_for_url(re.compile(r".*/jobs/[^/]+$"))
        page.locator("#drift-report").wait_for(timeout=60_000)  # the job page, once finished
        assert page.locator("#drift-report").get_by_text("drifted").count() >= 1
        assert "succeeded" not in page.locator("#job-status").inner_text()
        page.screenshot(path=str(screenshots / "plan-applied-drift.png"), full_page=True)
        page.goto(plan_url)
        page.locator("#drift-report").wait_for()

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
