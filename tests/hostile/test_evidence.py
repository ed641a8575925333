"""Memory and evidence on the hostile organization: every report format and the dashboard's
History page show outside text inertly. The HTML report escapes markup, shows control and bidi
characters as visible escapes, carries no script but its own (allowed by hash in its CSP) and
no event handler; CSV cells cannot start a formula; the prose of SARIF, ASFF and OCSF (what code
scanning and Security Hub show a person) is inert while the exact values stay in the data."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from markupsafe import escape

import rootctl
from rootctl.models import EvidenceReport
from rootctl.render.registry import render
from rootctl.sandbox.server import SandboxServer
from rootctl.web import create_app
from tests.evidence_formats import check_asff, check_ocsf, check_sarif
from tests.hostile import org
from tests.hostile.conftest import pointed_at
from tests.hostile.org import CRLF, IMG, MANAGEMENT, RLO, SCRIPT, VISIBLE, unsafe_characters
from tests.web.conftest import logged_in

FORMULA = re.compile(r"^[=+\-@\t\r]")


@dataclass
class Evidence:
    report: EvidenceReport
    out: dict[str, str] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def evidence(sandbox_server: SandboxServer, tmp_path_factory: pytest.TempPathFactory) -> Evidence:
    """Two audits of the hostile organization with a deletion (journaled) in between; every
    report format of the second; the History page and its API."""
    sb = org.build()
    journal = tmp_path_factory.mktemp("evidence") / "journal.sqlite3"
    with pointed_at(sb, sandbox_server), rootctl.RootAccess(journal=journal) as engine:
        org.rename_security_ou()
        engine.enable()
        everything = engine.select_targets(rootctl.TargetSelector(all=True))
        engine.audit(everything)
        crlf = engine.select_targets(rootctl.TargetSelector(accounts=(CRLF,)))
        engine.delete_credentials(engine.plan_deletion(crlf))
        engine.audit(everything)
        report = engine.history.report()
        seen = Evidence(report)
        for fmt in ("html", "csv", "sarif", "asff", "ocsf", "json"):
            rendered = render(report, fmt)
            seen.out[fmt] = rendered if isinstance(rendered, str) else json.dumps(rendered)
        app = create_app(engine, audit_on_start=False)
        with logged_in(app, app.state.secrets) as client:
            for path in ("/history", "/history?from=1&to=2", "/api/history", "/api/drift",
                         "/history/2/report.html"):  # fmt: skip
                response = client.get(path)
                assert response.status_code == 200, (path, response.text[:2000])
                seen.pages[path] = response.text
    return seen


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.handlers: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "script":
            self.scripts.append(dict(attrs))
        if tag == "a":
            self.links += [v or "" for k, v in attrs if k == "href"]
        self.handlers += [f"<{tag} {name}>" for name, _ in attrs if name.startswith("on")]


def test_the_html_report_is_inert_and_self_contained(evidence: Evidence) -> None:
    page = evidence.out["html"]
    assert evidence.pages["/history/2/report.html"] == page  # the dashboard serves the same
    assert not unsafe_characters(page, allow="\n")
    tags = Tags()
    tags.feed(page)
    assert tags.scripts == [{}]  # one inline script, its own
    assert not tags.handlers
    assert "img" not in tags.tags
    assert all(link.startswith(("#", "https://docs.aws.amazon.com/")) for link in tags.links)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert r"invoice\u202efdp.exe" in page  # bidi shown, not applied
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None
    assert "default-src 'none'" in csp.group(1)
    assert "'unsafe-inline'" not in csp.group(1)
    # The one script is the one its hash allows (any byte changed by a name would break it).
    script = re.search(r"<script>(.*?)</script>", page, re.DOTALL)
    assert script is not None
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp.group(1)
    for account_id in (CRLF, RLO, SCRIPT, IMG):
        assert account_id in page
    # The deletion in between is in the journal section, with the hostile name inert.
    assert "Privileged actions in the period" in page
    assert "delete-login-profile" in page


def test_csv_cells_cannot_start_a_formula(evidence: Evidence) -> None:
    rows = list(csv.reader(io.StringIO(evidence.out["csv"])))
    assert len(rows) > 20
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if FORMULA.match(c) and not re.fullmatch(r"-?\d+(\.\d+)?", c)]
    assert not unsafe_characters(evidence.out["csv"], allow="\n\r")


def test_machine_formats_keep_values_and_show_prose_inertly(evidence: Evidence) -> None:
    sarif = json.loads(evidence.out["sarif"])
    check_sarif(sarif)
    asff = json.loads(evidence.out["asff"])["Findings"]
    check_asff(asff, account_id=MANAGEMENT, region="us-east-1")
    ocsf = json.loads(evidence.out["ocsf"])
    check_ocsf(ocsf)
    results = sarif["runs"][0]["results"]
    for result in results:
        assert not unsafe_characters(result["message"]["text"], allow="")
    assert any(r"invoice\u202efdp.exe (" in r["message"]["text"] for r in results)
    for finding in asff:
        assert not unsafe_characters(finding["Description"] + finding["Title"], allow="")
    for event in ocsf:
        assert not unsafe_characters(event["message"], allow="")
    # The exact name stays in the data: a SIEM can match the account by it.
    names = {r["properties"]["accountName"] for r in results}
    assert org.names()[RLO] in names
    assert org.names()[SCRIPT] in names


def test_history_page_and_api_show_names_inertly(evidence: Evidence) -> None:
    for path in ("/history", "/history?from=1&to=2"):
        page = evidence.pages[path]
        assert not unsafe_characters(page, allow="\n"), path
        tags = Tags()
        tags.feed(page)
        assert tags.scripts == [{"src": "/static/app.js", "defer": None}], path
        assert not tags.handlers, path
        assert "<script>alert" not in page
    drift = evidence.pages["/history?from=1&to=2"]
    assert re.search(rf'href="/accounts/{CRLF}"', drift)  # the account whose root was cleaned
    assert "removed" in drift
    assert json.loads(evidence.pages["/api/drift"])["to"]["id"] == 2
    assert [a["id"] for a in json.loads(evidence.pages["/api/history"])["audits"]] == [2, 1]
    assert str(escape(VISIBLE[CRLF])) in drift  # its name, control characters as escapes
