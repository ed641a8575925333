"""Evidence in Chromium: the HTML report opened from a file (no request leaves the page, its
own script runs under its CSP, the posture chart renders, the account filter works, it prints
to PDF), and the dashboard's History page at desktop and phone width."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import rootctl
from rootctl.render.registry import render
from tests.cli.conftest import SHARED_DEV
from tests.web.conftest import Live

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _two_audits(engine: rootctl.RootAccess) -> None:
    engine.enable()
    everything = engine.select_targets(rootctl.TargetSelector(all=True))
    engine.audit(everything)
    one = engine.select_targets(rootctl.TargetSelector(accounts=(SHARED_DEV,)))
    engine.delete_credentials(engine.plan_deletion(one))
    engine.audit(everything)


def test_report_and_history_page_in_a_browser(
    chromium: Any, live: Live, screenshots: Path, tmp_path: Path
) -> None:
    _two_audits(live.engine)
    report = tmp_path / "report.html"
    html = render(live.engine.history.report(), "html")
    assert isinstance(html, str)
    report.write_text(html, encoding="utf-8")

    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(report.as_uri())
    assert page.get_attribute("html", "data-script") == "ready"  # the script its CSP allows
    assert requests == [report.as_uri()]  # nothing else fetched: no font, image, script
    assert errors == []  # no CSP violation either
    chart = page.locator("svg.chart").first
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] > 300
    assert box["height"] > 100
    assert page.locator("svg.chart polyline").count() >= 2  # all accounts + a top-level OU
    rows = page.locator("#accounts tbody tr")
    total = rows.count()
    page.fill("#filter", SHARED_DEV)
    assert page.locator("#accounts tbody tr:not([hidden])").count() == 1 < total
    page.fill("#filter", "")
    page.screenshot(path=str(screenshots / "evidence-report.png"), full_page=True)
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 20_000
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(screenshots / "evidence-report-phone.png"), full_page=True)
    context.close()

    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live.login_url())
    page.goto(live.base_url + "/history")
    assert page.locator("svg.chart polyline").count() >= 2
    assert page.locator("#drift tbody tr").count() == 1  # SHARED_DEV's deleted credentials
    assert SHARED_DEV in page.locator("#drift").inner_text()
    assert page.locator("#audits tbody tr").count() == 2
    page.screenshot(path=str(screenshots / "history.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(screenshots / "history-phone.png"), full_page=True)
    with page.expect_download() as download:
        page.locator("#audits a", has_text="sarif").first.click()
    assert download.value.suggested_filename.endswith("-audit-2.sarif")
    context.close()
