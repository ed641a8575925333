"""The dashboard in a real browser (Debian's Chromium via Playwright) on the real server and
the sandbox: the story a person would follow, with a screenshot of each page in
artifacts/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from rootctl.models import ResourceKind
from tests.web.conftest import Live, wait_for_result

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAYMENTS = "418273645501"
LOCKED_BUCKET = "prod-payments-receipts"

S3_BUCKET = ResourceKind.S3_BUCKET


class Story:
    """A page plus the checks every step shares: no CSP violation, no other origin."""

    def __init__(self, page: Any, live: Live, screenshots: Path) -> None:
        self.page = page
        self.live = live
        self.screenshots = screenshots
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("request", self._request)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text}")

    def _request(self, request: Any) -> None:
        url: str = request.url
        if not url.startswith((self.live.base_url, "data:")):
            self.problems.append(f"request to another origin: {url}")

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.screenshots / f"{name}.png"), full_page=True)

    def finished_job(self) -> None:
        """On a job page: wait until the live stream reloaded it with the result."""
        wait_for_result(self.page)

    def go(self, path: str) -> None:
        self.page.goto(self.live.base_url + path)


def nav(page: Any, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def test_the_whole_story_in_a_browser(chromium: Any, live: Live, screenshots: Path) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    story = Story(page, live, screenshots)

    # The printed link logs in once and leaves a clean URL behind.
    page.goto(live.login_url())
    assert "token" not in page.url
    assert page.url.rstrip("/") == live.base_url
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert page.get_by_role("heading", name=re.compile("disabled")).is_visible()
    story.shot("01-overview-disabled")

    # Enable, as in the console: both capabilities pre-selected.
    assert page.get_by_label(re.compile("Root credentials management")).is_checked()
    page.get_by_role("button", name="Enable").click()
    page.get_by_text("Enable: done").wait_for()
    page.get_by_role("link", name="Auditing…").click()
    story.finished_job()
    story.go("/")
    assert page.locator("svg.chart rect.seg-bad").count() > 0
    story.shot("02-overview")

    # The tree: badges, filter, then the account.
    nav(page, "Organization")
    row = page.locator(f"li[data-account='{PAYMENTS}']")
    assert "root password" in row.inner_text()
    assert "MFA virtual" in row.inner_text()
    story.shot("03-organization")
    page.get_by_label("Name, id or e-mail").fill("payments")
    page.get_by_label("Status").select_option("with-credentials")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("li.account").count() == 1
    story.shot("04-organization-filtered")
    row.get_by_role("link", name="prod-payments").click()
    assert page.get_by_role("heading", name=re.compile("prod-payments")).is_visible()
    story.shot("05-account")

    # Delete its root credentials: plan, typed confirmation, live progress, result.
    page.get_by_role("button", name="Preview deletion").click()
    story.finished_job()
    page.get_by_text("What will be removed").wait_for()
    story.shot("06-deletion-plan")
    confirm = page.get_by_label(re.compile("To confirm, type the account id"))
    button = page.get_by_role("button", name="Delete root credentials")
    assert button.is_disabled()
    confirm.fill("418273645502")
    assert button.is_disabled()
    confirm.fill(PAYMENTS)
    button.click()
    story.finished_job()
    assert "deleted" in page.locator(f"tr[data-result='{PAYMENTS}']").inner_text()
    story.shot("07-deletion-result")
    page.get_by_role("link", name="prod-payments").first.click()
    assert page.locator(".badges").first.inner_text().strip() == "no root credentials"
    root = live.sandbox.root_user(PAYMENTS)
    assert not root.login_profile
    assert not root.access_keys

    # Allow password recovery (typed account id again).
    page.locator("#rec-confirm").fill(PAYMENTS)
    page.get_by_role("button", name="Allow password recovery").click()
    story.finished_job()
    assert "allowed" in page.locator(f"tr[data-result='{PAYMENTS}']").inner_text()
    page.get_by_role("link", name="prod-payments").first.click()
    assert "recovery allowed" in page.locator(".badges").first.inner_text()
    assert live.sandbox.root_user(PAYMENTS).login_profile
    story.shot("08-account-recovery-allowed")

    # Unlock the bucket: list, show the policy, delete it after the backup.
    page.get_by_role("link", name="Browse S3 buckets").click()
    story.shot("09-buckets")
    page.get_by_role("link", name=f"Show policy / unlock {LOCKED_BUCKET}").click()
    assert '"Deny"' in page.locator("pre.policy").inner_text()
    story.shot("10-bucket-policy")
    page.locator("#unlock-confirm").fill(PAYMENTS)
    page.get_by_role("button", name="Delete this bucket policy").click()
    page.get_by_text(f"Policy of bucket {LOCKED_BUCKET} removed").wait_for()
    assert live.engine.policy(PAYMENTS, S3_BUCKET, LOCKED_BUCKET).policy is None

    # A bulk action on a whole OU, followed live to its per-account results.
    nav(page, "Organization")
    page.get_by_label("Select everything in Sandbox (recursive)").check()
    page.get_by_role("button", name="Continue").click()
    story.finished_job()
    plan_rows = page.locator("tbody tr")
    assert plan_rows.count() >= 3
    confirm = page.get_by_label(re.compile("To confirm, type the number of accounts"))
    expected = confirm.get_attribute("data-confirm")
    assert expected is not None
    assert expected.isdigit()
    story.shot("11-bulk-plan")
    confirm.fill(expected)
    page.get_by_role("button", name="Delete root credentials").click()
    story.finished_job()
    results = page.locator("tr[data-result]")
    states = [row.locator("td").nth(1).locator(".state").inner_text() for row in results.all()]
    assert states.count("deleted") == int(expected)
    assert set(states) <= {"deleted", "nothing-to-delete", "skipped"}
    story.shot("12-bulk-result")

    # The journal, with the saved bucket policy.
    nav(page, "Journal")
    page.get_by_label("Action").select_option("delete-bucket-policy")
    page.get_by_role("button", name="Filter").click()
    story.shot("13-journal")
    page.get_by_role("link", name="view policy").first.click()
    assert LOCKED_BUCKET in page.get_by_role("heading", level=2).inner_text()
    story.shot("14-journal-entry")
    story.go("/jobs")
    story.shot("15-jobs")

    context.close()
    assert story.problems == []
