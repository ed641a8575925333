"""Every dashboard page on the hostile organization: no unescaped markup, no control or bidi
character in the HTML (they show as visible escapes), the names legible; the job progress
stream and the script that renders it do the same."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from markupsafe import escape
from starlette.testclient import TestClient

import rootctl
from rootctl.sandbox import Sandbox
from rootctl.sandbox.policyeval import Evaluation
from rootctl.sandbox.server import SandboxServer
from rootctl.web import create_app
from tests.hostile import org
from tests.hostile.conftest import pointed_at
from tests.hostile.org import (
    CMD,
    CRLF,
    IMG,
    LINK,
    MANAGEMENT,
    MINUS,
    PAYMENTS,
    RLO,
    SCRIPT,
    TAB_FIRST,
    VISIBLE,
    VISIBLE_RENAMED_OU,
    unsafe_characters,
)
from tests.web.conftest import logged_in
from tests.web.test_api import wait_job

HOSTILE_MESSAGE = " \x1b[2J\nfake line\x1b]0;pwned\x07[/]\u202e<script>alert(2)</script>"


@dataclass
class Pages:
    """Every page fetched, by path (the order they were visited in)."""

    responses: dict[str, httpx.Response] = field(default_factory=dict)
    events: str = ""

    def get(self, client: TestClient, path: str, key: str = "") -> httpx.Response:
        response: httpx.Response = client.get(path)
        self.responses[key or path] = response
        return response


def form(client: TestClient, path: str, **fields: Any) -> httpx.Response:
    response: httpx.Response = client.post(path, data={"csrf_token": client.csrf, **fields})
    assert response.status_code == 303, (path, response.status_code, response.text[:2000])
    return response


def job_of(response: httpx.Response) -> str:
    return response.headers["location"].rsplit("/", 1)[1]


@pytest.fixture(scope="module")
def pages(sandbox_server: SandboxServer, tmp_path_factory: pytest.TempPathFactory) -> Pages:
    sb = org.build()
    seen = Pages()
    journal = tmp_path_factory.mktemp("web") / "journal.sqlite3"
    with (
        pointed_at(sb, sandbox_server),
        rootctl.RootAccess(journal=journal, concurrency=8) as engine,
        pytest.MonkeyPatch.context() as patch,
    ):
        org.rename_security_ou()
        engine.enable(delegate=PAYMENTS)
        app = create_app(engine, audit_on_start=False, sandbox_note="Sandbox: hostile (tests)")
        with logged_in(app, app.state.secrets) as client:
            visit(client, sb, seen, patch)
        app.state.dashboard.jobs.wait_all(10)
    return seen


def visit(client: TestClient, sb: Sandbox, seen: Pages, patch: pytest.MonkeyPatch) -> None:
    seen.get(client, "/")
    audit = job_of(form(client, "/audit", scope="all"))
    wait_job(client, audit)
    seen.events = client.get(f"/api/jobs/{audit}/events").text
    for path in ("/", "/organization", "/organization?status=with-credentials",
                 "/organization?q=%5B%2F%5D", f"/jobs/{audit}"):  # fmt: skip
        seen.get(client, path)
    for account_id in VISIBLE:
        seen.get(client, f"/accounts/{account_id}")
    seen.get(client, f"/accounts/{PAYMENTS}/s3-bucket")
    seen.get(client, f"/accounts/{MINUS}/sqs-queue")
    seen.get(client, f"/accounts/{PAYMENTS}/s3-bucket/policy?name=prod-payments-receipts")
    seen.get(client, f"/accounts/{TAB_FIRST}/s3-bucket/policy?name=marketing-website-assets")
    queue = re.search(
        r"name=([^\"&]*orders-events)", seen.responses[f"/accounts/{MINUS}/sqs-queue"].text
    )
    assert queue is not None
    seen.get(client, f"/accounts/{MINUS}/sqs-queue/policy?name={queue.group(1)}")

    done = form(client, f"/accounts/{PAYMENTS}/s3-bucket/unlock",
                name="prod-payments-receipts", confirm=PAYMENTS)  # fmt: skip
    seen.get(client, done.headers["location"])  # the notice names the bucket

    # An AWS refusal whose message carries hostile text, shown in a notice.
    original = Evaluation.message
    patch.setattr(Evaluation, "message", lambda *a, **k: original(*a, **k) + HOSTILE_MESSAGE)
    sb.faults.deny(MINUS, "sqs:SetQueueAttributes")
    sb.faults.deny(MINUS, "sqs:RemovePermission")
    refused = form(client, f"/accounts/{MINUS}/sqs-queue/unlock", name="orders-events",
                   confirm=MINUS)  # fmt: skip
    seen.get(client, refused.headers["location"])

    plan = job_of(form(client, "/bulk", action="delete", account=[PAYMENTS, CRLF, LINK],
                       kind=["password", "access-keys", "mfa", "certificates"]))  # fmt: skip
    wait_job(client, plan)
    page = seen.get(client, f"/jobs/{plan}")
    expected = re.search(r'data-confirm="([^"]+)"', page.text)
    assert expected is not None, page.text[:3000]
    deletion = job_of(form(client, f"/jobs/{plan}/apply", confirm=expected.group(1)))
    wait_job(client, deletion)
    seen.get(client, f"/jobs/{deletion}")

    preview = client.post("/bulk", data={"csrf_token": client.csrf, "action": "recovery",
                                         "account": [CMD, SCRIPT, IMG]})  # fmt: skip
    seen.responses["/bulk (recovery preview)"] = preview
    count = re.search(r'data-confirm="(\d+)"', preview.text)
    assert count is not None, preview.text[:3000]
    recovery = job_of(form(client, "/recovery", account=[CMD, SCRIPT, IMG],
                           confirm=count.group(1)))  # fmt: skip
    wait_job(client, recovery)
    seen.get(client, f"/jobs/{recovery}")

    seen.get(client, "/jobs")
    seen.get(client, "/journal")
    for entry in client.get("/api/journal").json()["entries"]:
        seen.get(client, f"/journal/{entry['id']}")
    seen.get(client, f"/journal?account={PAYMENTS}")
    seen.get(client, "/accounts/000000000000")  # a 404 page

    # The organization cannot be read any more: the error page quotes AWS.
    sb.faults.deny(MANAGEMENT, "organizations:*")
    broken = client.post("/enable", data={"csrf_token": client.csrf, "capability": "RootSessions"})
    seen.responses["/enable (organization unreadable)"] = broken


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(dict(attrs))
        self.handlers += [f"<{tag} {name}>" for name, _ in attrs if name.startswith("on")]


def test_every_page_escapes_markup_and_shows_bidi_and_controls(pages: Pages) -> None:
    problems = []
    for path, response in pages.responses.items():
        page = response.text
        expected = {"/accounts/000000000000": 404, "/enable (organization unreadable)": 403}
        if response.status_code != expected.get(path, 200):
            problems.append(f"{path}: HTTP {response.status_code}")
        if found := unsafe_characters(page, allow="\n"):
            problems.append(f"{path}: raw {sorted(set(found))}")
        tags = Tags()
        tags.feed(page)
        if tags.scripts != [{"src": "/static/app.js", "defer": None}]:
            problems.append(f"{path}: scripts {tags.scripts}")
        if tags.handlers:
            problems.append(f"{path}: event handlers {tags.handlers}")
        if "<script>alert" in page or "<img src=x" in page:
            problems.append(f"{path}: unescaped markup from a name")
    assert not problems, "\n".join(problems)


def test_names_are_legible_on_their_pages(pages: Pages) -> None:
    organization = pages.responses["/organization"].text
    for account_id, name in VISIBLE.items():
        shown = str(escape(name))
        assert shown in organization, (account_id, shown)
        assert shown in pages.responses[f"/accounts/{account_id}"].text, account_id
    assert str(escape(VISIBLE_RENAMED_OU)) in organization
    assert r"invoice\u202efdp.exe" in organization  # bidi shown, not applied
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in organization
    account = pages.responses[f"/accounts/{RLO}"].text
    assert r"<h1>invoice\u202efdp.exe <code" in account
    assert r"<dd>\u202emoc.live@example.com</dd>" in account
    overview = pages.responses["/"].text
    assert f"{escape(VISIBLE[PAYMENTS])} ({PAYMENTS})" in overview  # the delegate


def test_policies_keep_their_lines_and_show_their_controls(pages: Pages) -> None:
    page = pages.responses[f"/accounts/{PAYMENTS}/s3-bucket/policy?name=prod-payments-receipts"]
    policy = re.search(r'<pre class="policy"[^>]*>(.*?)</pre>', page.text, re.S)
    assert policy is not None
    assert json.loads(html.unescape(policy.group(1))) == org.seeded_policy(
        PAYMENTS, "prod-payments-receipts"
    )
    assert r"\u001b[2J\u001b]0;pwned\u0007&lt;script&gt;" in policy.group(1)
    assert "aws:PrincipalTag/本番" in policy.group(1)
    marketing = pages.responses[
        f"/accounts/{TAB_FIRST}/s3-bucket/policy?name=marketing-website-assets"
    ]
    assert r"PublicRead\u202e\u2066" in marketing.text


def test_aws_messages_and_notices_are_inert(pages: Pages) -> None:
    refused = next(r for p, r in pages.responses.items() if "notice=" in p and MINUS in p)
    assert r"\x1b[2J\nfake line\x1b]0;pwned\x07[/]\u202e&lt;script&gt;alert(2)" in refused.text
    broken = pages.responses["/enable (organization unreadable)"]
    assert broken.status_code == 403, broken.text  # AccessDenied, on the error page
    assert r"\x1b[2J\nfake line\x1b]0;pwned\x07[/]\u202e&lt;script&gt;alert(2)" in broken.text


def test_the_progress_stream_is_inert(pages: Pages) -> None:
    assert pages.events.count("event: progress") == len(VISIBLE) - 2  # skipped: no event
    assert not unsafe_characters(pages.events, allow="\n")
    for line in pages.events.splitlines():
        if line.startswith("data: {") and "account_id" in line:
            payload = json.loads(line[6:])
            assert re.fullmatch(r"\d{12}", payload["account_id"])
