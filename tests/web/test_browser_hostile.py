"""The dashboard in Chromium on the hostile organization (tests/hostile): nothing a name holds
runs (no dialog, no script, no link), bidi controls show as escapes in what a person sees, and
the live progress script makes text inert exactly as the server does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rootctl.render.text import inert
from rootctl.sandbox import Sandbox
from tests.hostile import org
from tests.hostile.org import IMG, LINK, PAYMENTS, RLO, SCRIPT, VISIBLE
from tests.web.conftest import Live, wait_for_result

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def sandbox() -> Sandbox:
    return org.build()


def test_hostile_names_stay_text_in_a_browser(chromium: Any, live: Live, screenshots: Path) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    dialogs: list[str] = []
    errors: list[str] = []

    def dialog(opened: Any) -> None:  # an alert() from a name would land here
        dialogs.append(opened.message)
        opened.dismiss()

    def console(message: Any) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("dialog", dialog)
    page.on("console", console)

    page.goto(live.login_url())
    page.get_by_role("button", name="Enable").click()
    page.get_by_role("link", name="Auditing…").click()
    wait_for_result(page)

    page.goto(live.base_url + "/organization")
    tree = page.locator("ul.tree-root").inner_text()
    for account_id, name in VISIBLE.items():
        assert name in tree, account_id
    links = page.locator("a[href^='http']")
    assert links.count() == 0  # "[link=…]" and OSC 8 names are text, not links
    assert page.locator("img").count() == 0
    screenshots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshots / "hostile-organization.png"), full_page=True)

    for account_id in (RLO, SCRIPT, IMG, LINK):
        page.goto(f"{live.base_url}/accounts/{account_id}")
        assert page.locator("h1").inner_text().startswith(VISIBLE[account_id])
        assert page.title().startswith(VISIBLE[account_id])
    page.screenshot(path=str(screenshots / "hostile-account.png"), full_page=True)

    # On a phone, a 50-character name without a break does not push the page sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    for path in (f"/accounts/{LINK}", f"/accounts/{org.FIFTY}", "/organization"):
        page.goto(live.base_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
    page.screenshot(path=str(screenshots / "hostile-account-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # A live job: the plan for prod[/]payments, followed over the event stream.
    page.goto(f"{live.base_url}/accounts/{PAYMENTS}")
    page.get_by_role("button", name="Preview deletion").click()
    wait_for_result(page)
    assert f"{VISIBLE[PAYMENTS]} {PAYMENTS}" in page.locator("main").inner_text()

    # The script's visible() is the server's inert(), character for character.
    names = [*org.names().values(), "tag \U000e0041", "\u2028\u2029\x85\u200b\u00ad"]
    shown = page.evaluate("(names) => names.map(visible)", names)
    assert shown == [inert(name) for name in names]

    context.close()
    assert dialogs == []
    assert errors == []
