"""The HTML forms without a browser: each POST redirects (so a reload never repeats it), a
wrong typed confirmation renders an error page and changes nothing."""

from __future__ import annotations

import re

import httpx
from starlette.testclient import TestClient

from rootctl.sandbox import Sandbox
from rootctl.web.jobs import JobKind
from tests.web.test_api import LOG_ARCHIVE, MANAGEMENT, PAYMENTS, wait_job


def form(client: TestClient, path: str, **fields: str) -> httpx.Response:
    response: httpx.Response = client.post(path, data={"csrf_token": client.csrf, **fields})
    return response


def test_bulk_recovery_previews_then_needs_the_count(client: TestClient, sandbox: Sandbox) -> None:
    org = client.get("/api/organization").json()
    security = next(u["id"] for u in org["units"] if u["name"] == "Security")
    preview = form(client, "/bulk", action="recovery", ou=security)
    assert preview.status_code == 200
    expected = re.search(r'data-confirm="(\d+)"', preview.text)
    assert expected is not None
    assert "log-archive" in preview.text

    before = sandbox.snapshot()
    wrong = form(client, "/recovery", ou=security, confirm="99")
    assert wrong.status_code == 400
    assert "number of accounts" in wrong.text
    assert sandbox.snapshot() == before

    started = form(client, "/recovery", ou=security, confirm=expected.group(1))
    assert started.status_code == 303
    job_id = started.headers["location"].rsplit("/", 1)[1]
    wait_job(client, job_id)
    page = client.get(f"/jobs/{job_id}")
    assert "Per-account result" in page.text
    assert sandbox.root_user(LOG_ARCHIVE).login_profile


def test_account_page_and_unlock_form(client: TestClient, sandbox: Sandbox) -> None:
    page = client.get(f"/accounts/{PAYMENTS}")
    assert page.status_code == 200
    assert "Take privileged action" in page.text
    listing = client.get(f"/accounts/{PAYMENTS}/s3-bucket")
    assert "prod-payments-receipts" in listing.text
    before = sandbox.snapshot()
    url = f"/accounts/{PAYMENTS}/s3-bucket/unlock"
    wrong = form(client, url, name="prod-payments-receipts", confirm="210987654322")
    assert wrong.status_code == 400
    assert sandbox.snapshot() == before
    done = form(client, url, name="prod-payments-receipts", confirm=PAYMENTS)
    assert done.status_code == 303
    shown = client.get(done.headers["location"])
    assert "Policy of bucket prod-payments-receipts removed" in shown.text


def test_disable_form_needs_the_organization_id(client: TestClient, sandbox: Sandbox) -> None:
    before = sandbox.snapshot()
    wrong = form(client, "/disable", capability="RootSessions", confirm="o-nope")
    assert wrong.status_code == 400
    assert sandbox.snapshot() == before
    done = form(client, "/disable", capability="RootSessions", confirm=sandbox.organization_id)
    assert done.status_code == 303
    overview = client.get(done.headers["location"])
    assert "Turn off: done" in overview.text
    assert "partly disabled" in overview.text  # the Enable form is back


def test_unknown_pages_and_accounts_are_404_pages(client: TestClient) -> None:
    assert client.get("/accounts/000000000000").status_code == 404
    assert client.get("/jobs/nope").status_code == 404
    assert client.get("/journal/12345").status_code == 404


SECURITY_AUDIT = "304958671234"


def test_selecting_an_ou_under_a_filter_selects_only_what_the_filter_shows(
    client: TestClient,
) -> None:
    org = client.get("/api/organization").json()
    security = next(u["id"] for u in org["units"] if u["name"] == "Security")
    page = client.get("/organization", params={"q": "security-audit"})
    assert 'name="shown_in"' in page.text
    assert "Select the 1 shown in Security" in page.text
    assert "Select everything in Security" not in page.text
    fields = {"action": "delete", "shown_in": security, "q": "security-audit", "kind": "password"}
    started = form(client, "/bulk", **fields)
    assert started.status_code == 303
    job_id = started.headers["location"].rsplit("/", 1)[1]
    assert wait_job(client, job_id)["account_ids"] == [SECURITY_AUDIT]  # not the whole OU
    plan = client.get(f"/jobs/{job_id}").text
    assert "Finished: plan ready" in plan  # nothing was applied: never "Finished: succeeded"
    assert "Nothing has been changed yet." in plan
    assert 'data-confirm="304958671234"' in plan  # one account: type its id
    assert plan.index("apply-confirm") < plan.index("<table")  # with the counts, above the rows


def test_the_management_account_page_claims_no_audit_time(client: TestClient) -> None:
    page = client.get(f"/accounts/{MANAGEMENT}").text
    assert "Never: no root session can reach the management account" in page
    assert "Re-audit this account" not in page


def test_recovery_confirms_only_the_accounts_that_will_change(
    client: TestClient, sandbox: Sandbox
) -> None:
    org = client.get("/api/organization").json()
    security = next(u["id"] for u in org["units"] if u["name"] == "Security")
    first = form(client, "/recovery", ou=security, confirm=str(_preview_count(client, security)))
    wait_job(client, first.headers["location"].rsplit("/", 1)[1])
    # Now every account there allows it: nothing left to confirm, and the server agrees.
    again = form(client, "/bulk", action="recovery", ou=security)
    assert "No account in this selection would change." in again.text
    assert 'data-confirm="' not in again.text
    assert form(client, "/recovery", ou=security, confirm="0").status_code == 400


def _preview_count(client: TestClient, unit: str) -> str:
    preview = form(client, "/bulk", action="recovery", ou=unit)
    expected = re.search(r'data-confirm="(\w+)"', preview.text)
    assert expected is not None
    return expected.group(1)


def test_the_tree_export_is_the_filtered_view(client: TestClient) -> None:
    page = client.get("/organization", params={"q": "log"})
    shown = set(re.findall(r'data-account="(\d{12})"', page.text))
    assert shown
    assert 'href="/organization.csv?q=log"' in page.text
    exported = client.get("/organization.json", params={"q": "log"}).json()
    assert {a["account_id"] for a in exported["accounts"]} == shown
    listed = client.get("/organization.csv", params={"q": "log"}).text.splitlines()
    assert len(listed) == len(shown) + 1
    assert client.get("/organization.xml").status_code in (404, 422)


def test_the_jobs_list_is_paged(client: TestClient) -> None:
    jobs = client.app.state.dashboard.jobs  # type: ignore[attr-defined]
    for n in range(53):
        jobs.start(JobKind.AUDIT, f"job number {n}", (), lambda *_: None, writes=False)
    assert jobs.wait_all(30)
    first = client.get("/jobs").text
    assert "Jobs 1–50 of <strong>53</strong>" in first
    assert "job number 52" in first  # newest first
    assert "job number 2<" not in first
    second = client.get("/jobs", params={"page": 2}).text
    assert "Jobs 51–53 of <strong>53</strong>" in second
    assert "job number 0<" in second
    assert client.get("/jobs", params={"page": 0}).status_code == 422
