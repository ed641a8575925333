"""The JSON API on the sandbox: each flow the pages offer, checked against the sandbox's own
view of the accounts (not just against what the API says about itself)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

import rootctl
from rootctl.sandbox import Sandbox
from rootctl.web import create_app
from tests.web.conftest import logged_in

PAYMENTS = "418273645501"  # password, virtual MFA, an access key; a locked bucket
ORDERS = "418273645505"  # a locked queue
LOG_ARCHIVE = "210987654322"  # created through Organizations: no root credentials
MANAGEMENT = "123456789012"


def wait_job(client: TestClient, job_id: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] != "running":
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def post(client: TestClient, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json=body, headers={"X-CSRF-Token": client.csrf})


def test_audit_fills_the_cache(client: TestClient) -> None:
    assert client.get("/api/audit").json()["full_audit_at"] is None
    started = post(client, "/api/audit", {"all": True})
    assert started.status_code == 202
    job = wait_job(client, started.json()["id"])
    assert job["state"] == "succeeded"
    assert job["result"]["schema"] == "rootctl/audit"
    cached = client.get("/api/audit").json()
    assert cached["full_audit_at"] is not None
    rows = {row["account_id"]: row for row in cached["accounts"]}
    assert rows[PAYMENTS]["has_root_credentials"] is True
    assert rows[PAYMENTS]["mfa_devices"][0]["type"] == "virtual"
    assert rows[LOG_ARCHIVE]["has_root_credentials"] is False
    assert rows[MANAGEMENT]["state"] == "skipped"


def test_deletion_goes_through_a_plan_and_the_typed_account_id(
    client: TestClient, sandbox: Sandbox
) -> None:
    planned = post(client, "/api/plans", {"accounts": [PAYMENTS]})
    plan = wait_job(client, planned.json()["id"])
    assert plan["result"]["schema"] == "rootctl/deletion-plan"
    assert plan["confirmation"] == PAYMENTS
    kinds = {item["kind"] for item in plan["result"]["accounts"][0]["items"]}
    assert kinds == {"password", "access-keys", "mfa"}

    before = sandbox.snapshot()
    wrong = post(client, f"/api/jobs/{plan['id']}/apply", {"confirm": "418273645502"})
    assert wrong.status_code == 400
    assert "nothing was done" in wrong.json()["error"]
    assert sandbox.snapshot() == before

    applied = post(client, f"/api/jobs/{plan['id']}/apply", {"confirm": PAYMENTS})
    assert applied.status_code == 202
    done = wait_job(client, applied.json()["id"])
    assert done["result"]["accounts"][0]["state"] == "deleted"
    root = sandbox.root_user(PAYMENTS)
    assert not root.login_profile
    assert not root.access_keys
    assert not root.mfa_devices
    # The cache was refreshed by the job, so every page shows the new truth.
    detail = client.get(f"/api/accounts/{PAYMENTS}").json()
    assert detail["audit"]["has_root_credentials"] is False
    assert {e["action"] for e in detail["journal"]} >= {"delete-login-profile"}
    # A plan is applied once.
    again = post(client, f"/api/jobs/{plan['id']}/apply", {"confirm": PAYMENTS})
    assert again.status_code == 400


def test_bulk_plan_on_an_ou_is_confirmed_by_the_number_of_accounts(
    client: TestClient, sandbox: Sandbox
) -> None:
    org = client.get("/api/organization").json()
    sandbox_ou = next(u["id"] for u in org["units"] if u["name"] == "Sandbox")
    plan = wait_job(client, post(client, "/api/plans", {"ous": [sandbox_ou]}).json()["id"])
    to_delete = [a for a in plan["result"]["accounts"] if a["state"] == "to-delete"]
    assert len(to_delete) >= 2
    assert plan["confirmation"] == str(len(to_delete))
    applied = post(client, f"/api/jobs/{plan['id']}/apply", {"confirm": plan["confirmation"]})
    done = wait_job(client, applied.json()["id"])
    states = {a["account_id"]: a["state"] for a in done["result"]["accounts"]}
    assert all(states[a["account_id"]] == "deleted" for a in to_delete)
    for account in to_delete:
        assert not sandbox.root_user(account["account_id"]).login_profile


def test_recovery_needs_the_typed_account_id(client: TestClient, sandbox: Sandbox) -> None:
    before = sandbox.snapshot()
    wrong = post(client, "/api/recovery", {"accounts": [LOG_ARCHIVE], "confirm": "yes"})
    assert wrong.status_code == 400
    assert sandbox.snapshot() == before
    started = post(client, "/api/recovery", {"accounts": [LOG_ARCHIVE], "confirm": LOG_ARCHIVE})
    job = wait_job(client, started.json()["id"])
    assert job["result"]["accounts"][0]["state"] == "allowed"
    assert sandbox.root_user(LOG_ARCHIVE).login_profile
    assert client.get(f"/api/accounts/{LOG_ARCHIVE}").json()["audit"]["recovery_allowed"]


def test_unlocking_a_bucket_saves_its_policy_first(client: TestClient, sandbox: Sandbox) -> None:
    listed = client.get(f"/api/accounts/{PAYMENTS}/buckets").json()["resources"]
    locked = next(r for r in listed if r["resource"] == "prod-payments-receipts")
    assert locked["policy"]
    shown = client.get(f"/api/accounts/{PAYMENTS}/buckets/prod-payments-receipts").json()
    assert shown["policy"] == locked["policy"]

    before = sandbox.snapshot()
    url = f"/api/accounts/{PAYMENTS}/buckets/prod-payments-receipts/unlock"
    assert post(client, url, {"confirm": ""}).status_code == 400
    assert sandbox.snapshot() == before

    result = post(client, url, {"confirm": PAYMENTS}).json()
    assert result["state"] == "removed"
    saved = client.get(f"/api/journal/{result['journal_id']}").json()["saved_policy"]
    assert json.loads(saved["policy"]) == json.loads(locked["policy"])
    after = client.get(f"/api/accounts/{PAYMENTS}/buckets/prod-payments-receipts").json()
    assert after["policy"] is None


def test_unlocking_a_queue(client: TestClient) -> None:
    queues = client.get(f"/api/accounts/{ORDERS}/queues").json()["resources"]
    locked = next(q for q in queues if q["resource"].endswith("/orders-events"))
    assert locked["policy"]
    by_name = client.get(f"/api/accounts/{ORDERS}/queue", params={"name": "orders-events"})
    assert by_name.json()["resource"] == locked["resource"]
    body = {"queue": locked["resource"], "confirm": ORDERS}
    result = post(client, f"/api/accounts/{ORDERS}/queues/unlock", body).json()
    assert result["state"] == "removed"
    entries = client.get("/api/journal", params={"account": ORDERS}).json()["entries"]
    assert entries[0]["saved_policy"]["resource"] == locked["resource"]


def test_job_progress_streams_as_server_sent_events(client: TestClient) -> None:
    job = post(client, "/api/audit", {"ous": [], "accounts": [PAYMENTS, LOG_ARCHIVE]}).json()
    with client.stream("GET", f"/api/jobs/{job['id']}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        text = "".join(stream.iter_text())
    events = [block for block in text.split("\n\n") if block.startswith("id:")]
    assert len(events) == 2
    assert "event: progress" in events[0]
    assert text.rstrip().split("\n\n")[-1].startswith("event: end")
    # Reconnecting with Last-Event-ID resumes after what was seen.
    with client.stream(
        "GET", f"/api/jobs/{job['id']}/events", headers={"Last-Event-ID": "1"}
    ) as stream:
        resumed = "".join(stream.iter_text())
    assert resumed.count("event: progress") == 1


def test_errors_are_4xx_with_a_reason(client: TestClient) -> None:
    assert client.get("/api/accounts/000000000000").status_code == 404
    assert client.get("/api/jobs/nope").status_code == 404
    assert client.get("/api/journal/99999").status_code == 404
    management = client.get(f"/api/accounts/{MANAGEMENT}/buckets")
    assert management.status_code == 400
    assert "management account" in management.json()["error"]
    missing = post(client, "/api/plans", {"accounts": [], "ous": []})
    assert missing.status_code == 400
    assert "at least one" in missing.json()["error"]


def test_enable_from_disabled_and_disable_needs_the_organization_id(
    engine: rootctl.RootAccess, sandbox: Sandbox
) -> None:
    app: FastAPI = create_app(engine, audit_on_start=False)
    with logged_in(app, app.state.secrets) as client:
        assert client.get("/api/status").json()["trusted_access"] is False
        change = post(client, "/api/enable", {})
        assert change.status_code == 200, change.text
        after = change.json()["after"]
        assert after["capabilities"] == {"RootCredentialsManagement": True, "RootSessions": True}
        # Enabling starts a fresh audit on its own.
        assert any(j["kind"] == "audit" for j in client.get("/api/jobs").json())

        before = sandbox.snapshot()
        body = {"capabilities": ["RootSessions"], "confirm": "o-wrong"}
        assert post(client, "/api/disable", body).status_code == 400
        assert sandbox.snapshot() == before
        body["confirm"] = sandbox.organization_id
        off = post(client, "/api/disable", body).json()
        assert off["after"]["capabilities"]["RootSessions"] is False
        app.state.dashboard.jobs.wait_all()


@pytest.mark.parametrize("path", ["/", "/organization", "/jobs", "/journal"])
def test_pages_never_render_secrets(client: TestClient, path: str, aws_env: Any) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert aws_env.secret_access_key not in page.text
    assert client.app.state.secrets.token not in page.text  # type: ignore[attr-defined]
