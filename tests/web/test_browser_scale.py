"""The dashboard on a 300-account organization in Chromium (issue 11): selection under a
filter and the typed count of what will change, a paged plan, the overview chart rolled up to
top-level OUs with drill-down, the export of the filtered tree, and nothing wider than its card
at 1280 px and 390 px in light and dark (status words WCAG AA). Screenshots in
artifacts/screenshots/scale-*.png."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from rootctl.sandbox import Sandbox
from tests.web.conftest import Live
from tests.web.test_browser import Story
from tests.web.test_browser_checks import check_layout

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox.generated(300, seed=11)


def number(text: str) -> int:
    found = re.search(r"\d+", text)
    assert found, text
    return int(found.group())


def audited_story(chromium: Any, live: Live, screenshots: Path, scheme: str) -> Story:
    live.engine.enable()
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(60_000)
    story = Story(page, live, screenshots)
    page.goto(live.login_url())
    page.get_by_role("button", name="Re-audit").click()
    story.finished_job()
    return story


def test_a_large_organization_end_to_end(chromium: Any, live: Live, screenshots: Path) -> None:
    story = audited_story(chromium, live, screenshots, "light")
    page = story.page

    # The chart: one bar per top-level OU (every account beneath it), worst first.
    story.go("/")
    table = page.locator("#posture table tbody tr")
    worst = [
        int(table.nth(i).locator("td").first.text_content() or "") for i in range(table.count())
    ]
    assert worst == sorted(worst, reverse=True)
    assert table.count() < 10  # rolled up: not one bar per OU of a 300-account organization
    check_layout(story, "scale-overview")
    page.set_viewport_size({"width": 1280, "height": 900})
    bar = page.locator("svg.chart a.bar-link").filter(has_text="›").first
    name = (bar.locator("text.chart-label").text_content() or "").rstrip(" ›")
    bar.click()
    page.wait_for_url(re.compile(r"\?ou=ou-"))
    crumbs = page.get_by_role("navigation", name="OU shown in the chart")
    assert crumbs.inner_text().replace("\n", " ").endswith(name)
    assert page.locator("svg.chart a.bar-link").count() >= 1
    story.shot("scale-overview-drilled")

    # The tree under a filter: counts at the top, OUs count their accounts with credentials.
    story.go("/organization?status=password")
    matching = number(page.locator("#tree-counts").inner_text())
    assert 50 < matching < 300
    root_badge = page.locator("li.unit summary [data-with-credentials]").first
    assert int(root_badge.get_attribute("data-with-credentials")) == matching

    # The export is the view: the same filter, the same accounts.
    exported = page.request.get(f"{live.base_url}/organization.csv?status=password").text()
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == matching
    assert all(r["password"] != "" for r in rows)
    doc = json.loads(page.request.get(f"{live.base_url}/organization.json?status=password").text())
    assert doc["schema"] == "rootctl/audit"
    assert len(doc["accounts"]) == matching
    check_layout(story, "scale-organization-filtered")
    page.set_viewport_size({"width": 1280, "height": 900})

    # "Select the N shown in Root" under a filter selects the filter's matches, counted live.
    page.locator("input[data-select-unit]").first.check()
    assert page.locator("#selected-count").inner_text() == f"{matching} accounts selected"
    page.get_by_role("button", name="Continue").click()
    story.finished_job()

    # The plan: counts and the typed confirmation first, then 50 rows a page.
    confirm = page.locator("#apply-confirm")
    assert confirm.get_attribute("data-confirm") == str(matching)  # each has a password
    counts_box = page.locator("#plan-counts").bounding_box()
    first_row = page.locator("tr[data-plan]").first.bounding_box()
    assert counts_box["y"] < confirm.bounding_box()["y"] < first_row["y"]
    assert page.locator("tr[data-plan]").count() == 50
    assert f"1–50 of {matching}" in page.locator(".pager").inner_text()
    assert not page.locator("#job-log").is_visible()  # the finished log is folded away
    check_layout(story, "scale-plan")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Next →").click()
    assert f"51–100 of {matching}" in page.locator(".pager").inner_text()
    page.get_by_label("Account name or id").fill("sandbox-auth")
    page.get_by_role("button", name="Filter").click()
    shown = page.locator("tr[data-plan]")
    assert 0 < shown.count() < 50
    assert all("sandbox-auth" in shown.nth(i).inner_text() for i in range(shown.count()))

    # Recovery where every shown account already allows it: nothing to confirm.
    story.go("/organization?status=password")
    page.get_by_label("Action").select_option("recovery")
    page.locator("input[data-select-unit]").first.check()
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_text("No account in this selection would change.").is_visible()
    assert page.locator("input[name=confirm]").count() == 0

    # Recovery where none does: the typed count is the accounts that will change.
    story.go("/organization?status=no-credentials")
    page.get_by_label("Action").select_option("recovery")
    page.locator("input[data-select-unit]").first.check()
    page.get_by_role("button", name="Continue").click()
    changing = page.locator("tr[data-change]").count()
    assert changing > 50
    assert page.locator("#rec-confirm").get_attribute("data-confirm") == str(changing)
    check_layout(story, "scale-recovery-preview")

    page.context.close()
    assert story.problems == []


def test_a_large_organization_in_dark_mode(chromium: Any, live: Live, screenshots: Path) -> None:
    story = audited_story(chromium, live, screenshots, "dark")
    page = story.page
    check_layout(story, "scale-audit-job-dark")
    for name, path in (("overview", "/"), ("organization", "/organization?status=mfa-hardware")):
        story.go(path)
        check_layout(story, f"scale-{name}-dark")
    # Hardware MFA is a second factor: amber, never the password's red.
    mfa = page.locator(".badge", has_text="MFA hardware").first
    password = page.locator(".badge", has_text="root password").first
    assert "badge-warn" in (mfa.get_attribute("class") or "")
    assert mfa.evaluate("e => getComputedStyle(e).color") != password.evaluate(
        "e => getComputedStyle(e).color"
    )
    page.context.close()
    assert story.problems == []
