"""The Compliance and Doctor pages (and their exports and API documents) without a browser, on
the example organization, the hostile one and a generated 300-account one."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from markupsafe import escape
from starlette.testclient import TestClient

import rootctl
from rootctl.models import ControlStatus
from rootctl.render.controls import NOT_EVALUATED_MEANS
from rootctl.sandbox import Sandbox
from rootctl.web.compliance_page import SHOWN
from rootctl.web.security import CONTENT_SECURITY_POLICY
from tests.hostile import org
from tests.hostile.org import SCRIPT, VISIBLE, unsafe_characters
from tests.web.conftest import logged_in
from tests.web.test_api import MANAGEMENT, PAYMENTS, wait_job

SCHEMA = json.loads((Path(__file__).parents[2] / "docs/json-schema/v1.json").read_text())


def validate(document: dict[str, Any]) -> dict[str, Any]:
    jsonschema.validate(document, SCHEMA, format_checker=jsonschema.FormatChecker())
    return document


def audited(client: TestClient) -> None:
    """The Re-audit form, then its job to the end: the dashboard's cached audit."""
    started = client.post("/audit", data={"csrf_token": client.csrf, "scope": "all"})
    assert started.status_code == 303
    assert wait_job(client, started.headers["location"].rsplit("/", 1)[1], 120)["state"] == (
        "succeeded"
    )


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_compliance_before_any_audit_offers_the_audit(client: TestClient) -> None:
    page = client.get("/compliance")
    assert page.status_code == 200
    assert "No audit yet" in page.text
    assert 'action="/audit"' in page.text
    assert client.get("/api/compliance").status_code == 404
    assert client.get("/compliance.csv").status_code == 404


def test_compliance_page_on_the_cached_audit(client: TestClient) -> None:
    audited(client)
    page = client.get("/compliance")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "IAM.4 · IAM root user access key should not exist" in shown
    assert "Not evaluated: acme-management ( 123456789012 ), the management account" in shown
    assert NOT_EVALUATED_MEANS in shown
    assert f'/accounts/{PAYMENTS}"' in page.text  # prod-payments has a root access key
    assert "Delete the root access keys of the 5 failing account(s)" in shown
    # The fix: a deletion plan (a preview) of exactly the failing accounts and kinds.
    plan = re.search(r'<form method="post" action="/bulk".*?</form>', page.text, re.S)
    assert plan is not None
    assert f'name="account" value="{PAYMENTS}"' in plan.group(0)
    assert 'name="kind" value="access-keys"' in plan.group(0)
    assert f'value="{MANAGEMENT}"' not in plan.group(0)

    document = validate(client.get("/api/compliance").json())
    iam4 = next(c for c in document["controls"] if c["id"] == "IAM.4")
    assert iam4["status"] == ControlStatus.FAILED.value
    assert iam4["counts"]["FAILED"] == 5
    exported = client.get("/compliance.json")
    assert exported.headers["content-disposition"].startswith("attachment")
    assert {k: v for k, v in json.loads(exported.text).items() if k != "generated_at"} == {
        k: v for k, v in document.items() if k != "generated_at"
    }
    rows = list(csv.DictReader(io.StringIO(client.get("/compliance.csv").text)))
    assert sum(r["control_id"] == "IAM.4" and r["status"] == "FAILED" for r in rows) == 5
    failed_only = client.get("/compliance.csv?status=failed").text
    assert "NOT_EVALUATED" not in failed_only


def test_a_control_page_filters_and_refuses_bad_input(client: TestClient) -> None:
    audited(client)
    failing = client.get("/compliance", params={"control": "IAM.4"})
    assert failing.status_code == 200
    assert "Findings 1–5 of <strong>5</strong> that are <strong>failed</strong>" in failing.text
    every = client.get("/compliance", params={"control": "CIS 2.4", "status": "all"})
    assert "management account: AssumeRoot cannot reach its root user" in every.text
    assert client.get("/compliance", params={"control": "IAM.99"}).status_code == 404
    assert client.get("/compliance", params={"control": "IAM.4", "status": "x"}).status_code == 400
    assert client.get("/api/compliance", params={"status": "x"}).status_code == 400


def test_plan_the_fix_is_a_preview(client: TestClient, sandbox: Sandbox) -> None:
    audited(client)
    page = client.get("/compliance")
    plan = re.search(r'<form method="post" action="/bulk".*?</form>', page.text, re.S)
    assert plan is not None
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', plan.group(0)):
        fields.setdefault(name, []).append(value)
    before = sandbox.snapshot()
    started = client.post("/bulk", data=fields)
    assert started.status_code == 303
    job = wait_job(client, started.headers["location"].rsplit("/", 1)[1])
    assert job["kind"] == "plan"
    assert job["state"] == "succeeded"
    assert sandbox.snapshot() == before


def test_doctor_runs_only_when_asked(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("doctor ran on a page load")

    monkeypatch.setattr(client.app.state.dashboard.engine, "doctor", refuse)  # type: ignore[attr-defined]
    for path in ("/", "/organization", "/compliance", "/doctor", "/journal"):
        assert client.get(path).status_code == 200, path
    form = client.get("/doctor").text
    assert 'method="get" action="/doctor"' in form
    assert form.count('name="for"') == 4


def test_doctor_page_and_document(client: TestClient, sandbox: Sandbox) -> None:
    before = sandbox.snapshot()
    page = client.get("/doctor", params={"for": ["audit", "delete"]})
    assert page.status_code == 200
    shown = text_of(page.text)
    # the example org has SCPs off: only the guardrail advice for delete (a warning)
    assert "Nothing blocks audit, delete (1 warning(s))." in shown
    assert "OK — " in shown
    assert 'href="/api/doctor?for=audit&amp;for=delete"' in page.text
    document = validate(client.get("/api/doctor", params={"for": "audit"}).json())
    assert document["operations"] == ["audit"]
    assert document["ok"] is True
    assert client.get("/doctor", params={"for": "enable"}).status_code == 422
    assert client.get("/api/doctor", params={"for": "enable"}).status_code == 422
    assert sandbox.snapshot() == before


def test_doctor_shows_what_blocks_with_where_why_and_fix(engine: rootctl.RootAccess) -> None:
    # Root access management off (the example organization starts so): audit is blocked.
    from rootctl.web import create_app

    app = create_app(engine, audit_on_start=False)
    with logged_in(app, app.state.secrets) as client:
        page = client.get("/doctor", params={"for": "audit"})
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "FAIL — " in shown
    assert shown.index("FAIL — ") < shown.index("OK — ")
    assert "Where" in shown
    assert "Why" in shown
    assert "Use Enable on the Overview page" in shown  # the dashboard's words for the fix


@pytest.mark.parametrize("path", ["/compliance", "/doctor", "/compliance.csv"])
def test_the_new_pages_carry_the_security_headers(client: TestClient, path: str) -> None:
    if path.endswith(".csv"):
        audited(client)
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "<script>" not in response.text
    assert " style=" not in response.text


class TestHostile:
    @pytest.fixture
    def sandbox(self) -> Sandbox:
        return org.build()

    def test_names_are_shown_escaped(self, client: TestClient) -> None:
        audited(client)
        pages = {
            "/compliance": client.get("/compliance"),
            "control": client.get("/compliance", params={"control": "IAM.6", "status": "all"}),
            "/doctor": client.get("/doctor", params={"for": ["audit", "recovery"]}),
        }
        for path, page in pages.items():
            assert page.status_code == 200, path
            assert unsafe_characters(page.text, allow="\n") == [], path
            assert "<script>alert" not in page.text, path
            assert "<img src=x" not in page.text, path
        assert str(escape(VISIBLE[SCRIPT])) in pages["control"].text
        assert str(escape(VISIBLE[MANAGEMENT])) in pages["/compliance"].text
        assert client.get("/compliance.csv").status_code == 200
        validate(client.get("/api/compliance").json())


class TestLargeOrganization:
    @pytest.fixture
    def sandbox(self) -> Sandbox:
        return Sandbox.generated(300, seed=11)

    def test_failing_accounts_are_paged(self, client: TestClient) -> None:
        audited(client)
        page = client.get("/compliance")
        assert page.status_code == 200
        more = re.findall(
            r"And (\d+) more: <a href=\"/compliance\?control=([^&\"]+)&amp;status=failed\"",
            page.text,
        )
        assert more, "a 300-account organization fails some control in more than 10 accounts"
        # The summary lists at most SHOWN accounts per control.
        for table in re.findall(r'<table class="findings cards">.*?</table>', page.text, re.S):
            assert table.count("<tr>") <= SHOWN + 1
        count, control = int(more[0][0]), more[0][1].replace("+", " ")
        failing = count + SHOWN
        first = client.get("/compliance", params={"control": control})
        assert f"of <strong>{failing}</strong> that are <strong>failed</strong>" in first.text
        assert first.text.count("/accounts/") <= 50 + 10  # one page of 50 (and the nav)
        last = -(-failing // 50)
        if last > 1:
            assert 'rel="next"' in first.text
            end = client.get("/compliance", params={"control": control, "page": last})
            assert f"{(last - 1) * 50 + 1}–{failing} of" in end.text
            assert 'rel="prev"' in end.text
            assert 'rel="next"' not in end.text
