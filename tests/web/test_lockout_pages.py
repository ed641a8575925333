"""The Lock-outs page on the lock-out seed: the scan as a job, the findings with filters, the
diff original → corrected, and the fix behind a typed confirmation (a wrong one changes
nothing)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.exceptions import ClientError
from fastapi import FastAPI
from starlette.testclient import TestClient

from rootctl.sandbox import Sandbox
from tests.web.conftest import Live

LOCKOUTS_SEED = Path(__file__).parents[2] / "src/rootctl/sandbox/seeds/lockouts-org.yaml"
VAULT = "111100000001"


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox.from_seed(LOCKOUTS_SEED)


def form(client: TestClient, path: str, **fields: Any) -> httpx.Response:
    response: httpx.Response = client.post(path, data={"csrf_token": client.csrf, **fields})
    return response


def test_scan_filter_view_and_fix(client: TestClient, app: FastAPI, sandbox: Sandbox) -> None:
    assert "No scan yet" in client.get("/lockouts").text
    started = form(client, "/lockouts/scan")
    assert started.status_code == 303
    assert started.headers["location"].startswith("/jobs/")
    assert app.state.dashboard.jobs.wait_all(60)
    assert "See the findings" in client.get(started.headers["location"]).text
    page = client.get("/lockouts").text
    for name in ("vault-plain-deny", "vault-mixed", "network-vpce-only", "legacy-garbled"):
        assert name in page
    assert "vault-tls-only" not in page  # healthy: counted, not listed
    only = client.get("/lockouts", params={"class": "unparseable"}).text
    assert "legacy-garbled" in only
    assert "vault-mixed" not in only
    assert "network-vpce-only" in client.get("/lockouts", params={"q": "111100000002"}).text
    view = client.get(
        "/lockouts/finding", params={"account": VAULT, "kind": "s3", "name": "vault-mixed"}
    ).text
    assert '<span class="del">-      &#34;Sid&#34;: &#34;LockItDown&#34;,</span>' in view
    assert 'data-confirm="111100000001"' in view
    fields = {"account": VAULT, "kind": "s3", "name": "vault-mixed", "mode": "correct"}
    wrong = form(client, "/lockouts/fix", confirm="111100000002", **fields)
    assert wrong.status_code == 400
    assert "nothing was done" in wrong.text
    with pytest.raises(ClientError, match="AccessDenied"):  # still locked: nothing was done
        _policy(sandbox, "vault-mixed")
    done = form(client, "/lockouts/fix", confirm=VAULT, **fields)
    assert done.status_code == 303
    assert "corrected" in client.get(done.headers["location"]).text
    after = json.loads(_policy(sandbox, "vault-mixed"))
    assert [s["Sid"] for s in after["Statement"]] == ["PublicRead", "NoDeletes"]
    listed = client.get("/lockouts").text
    assert re.search(r'state-succeeded">fixed</span>', listed)
    missing = client.get("/lockouts/finding", params={"account": VAULT, "kind": "s3", "name": "x"})
    assert missing.status_code == 404


def test_the_jobs_api_lists_a_finished_lockout_scan(client: TestClient, app: FastAPI) -> None:
    form(client, "/lockouts/scan")
    assert app.state.dashboard.jobs.wait_all(60)
    jobs = client.get("/api/jobs")
    assert jobs.status_code == 200, jobs.text
    assert any(job["kind"] == "lockouts" for job in jobs.json()), jobs.json()


def test_a_previewed_fix_saved_as_a_plan(client: TestClient, app: FastAPI) -> None:
    fields = {"account": VAULT, "kind": "s3", "name": "vault-mixed", "mode": "correct"}
    assert form(client, "/lockouts/save-plan", **fields).status_code == 404  # no scan yet
    form(client, "/lockouts/scan")
    assert app.state.dashboard.jobs.wait_all(60)
    view = client.get("/lockouts/finding", params=fields).text
    assert 'action="/lockouts/save-plan"' in view
    saved = form(client, "/lockouts/save-plan", **fields, required_approvals="1")
    assert saved.status_code == 303, saved.text
    name = saved.headers["location"].split("?")[0].rsplit("/", 1)[1]
    assert "fix-lockouts" in client.get(saved.headers["location"]).text
    plan = json.loads((app.state.plans.directory / name).read_text())["plan"]
    assert plan["operation"] == "fix-lockouts"
    assert [t["account_id"] for t in plan["targets"]] == [VAULT]
    [item] = plan["targets"][0]["items"]
    assert (item["id"], item["action"]) == ("vault-mixed", "put-corrected")
    assert "LockItDown" not in item["replacement_policy"]
    assert plan["left_out"] == []  # only the account of the finding
    page = client.get(saved.headers["location"]).text  # the plan page: action and document
    assert '<li data-fix="put-corrected"><strong>put-corrected</strong>: bucket-policy' in page
    corrected = page.split('aria-label="Corrected policy of vault-mixed">')[1].split("</pre>")[0]
    assert "&#34;Sid&#34;: &#34;PublicRead&#34;" in corrected  # escaped, pretty-printed
    assert "LockItDown" not in corrected
    deleting = form(client, "/lockouts/save-plan", **{**fields, "mode": "delete"})
    page = client.get(deleting.headers["location"]).text
    assert '<li data-fix="delete"><strong>delete</strong>: bucket-policy' in page
    assert "Corrected policy of" not in page


def _policy(sandbox: Sandbox, bucket: str) -> str:
    """The bucket's policy as the account's admin reads it (GetBucketPolicy over HTTP)."""
    admin = sandbox.principal_credentials(VAULT, "admin")
    s3: Any = boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id=admin.access_key_id,
        aws_secret_access_key=admin.secret_access_key,
        endpoint_url=os.environ["AWS_ENDPOINT_URL"],
    )
    return str(s3.get_bucket_policy(Bucket=bucket)["Policy"])


def test_the_page_in_a_browser_at_phone_width(chromium: Any, live: Live, screenshots: Path) -> None:
    """Scan by the button, then the findings and a finding's diff fit 390 px (no sideways
    scrolling of the page; the policy blocks scroll on their own)."""
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(live.login_url())
        page.goto(f"{live.base_url}/lockouts")
        page.click("text=Scan the organization")
        page.wait_for_selector("text=See the findings", timeout=60_000)
        page.click("text=See the findings")
        page.wait_for_selector("text=vault-mixed")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(screenshots / "lockouts-390.png"), full_page=True)
        page.click("a:has-text('View and fix') >> nth=-1")
        page.wait_for_selector("text=The corrected policy")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(screenshots / "lockout-finding-390.png"), full_page=True)
    finally:
        context.close()
