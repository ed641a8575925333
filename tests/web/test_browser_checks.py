"""The Compliance and Doctor pages in Chromium at 1280 px and 390 px, light and dark: nothing
is wider than its card (wide tables scroll inside it), the status words keep WCAG AA
contrast, no CSP violation; screenshots in artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import Live
from tests.web.test_browser import Story, nav

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Every element of a card ends inside it, except inside a scrolling table wrapper (which
# itself must fit); the page never scrolls sideways.
OVERFLOWS = """() => {
  const out = [];
  for (const card of document.querySelectorAll('main .panel, main > form, main > h1, main > p')) {
    const box = card.getBoundingClientRect();
    for (const el of card.querySelectorAll('*')) {
      if (el.closest('.table-wrap') && !el.classList.contains('table-wrap')) continue;
      const r = el.getBoundingClientRect();
      if (r.width && (r.right > box.right + 1 || r.left < box.left - 1))
        out.push(`${el.tagName}.${el.className} ${Math.round(r.width)}px`);
    }
  }
  const sideways = document.documentElement.scrollWidth - window.innerWidth;
  if (sideways > 0) out.push(`page scrolls sideways by ${sideways}px`);
  return out;
}"""

# The contrast of every status word on the background behind it (WCAG 2: 4.5 for text).
CONTRAST = """() => {
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const behind = (el) => { for (; el; el = el.parentElement) {
    const c = rgb(getComputedStyle(el).backgroundColor);
    if (c.length < 4 || c[3] > 0) return c.slice(0, 3); } return [255, 255, 255]; };
  return [...document.querySelectorAll('main .state')].map((el) => {
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(behind(el))];
    return [el.textContent.trim(), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  });
}"""


def check_layout(story: Story, name: str) -> None:
    page = story.page
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)
        assert page.evaluate(OVERFLOWS) == [], (name, width)
        low = [(word, round(ratio, 2)) for word, ratio in page.evaluate(CONTRAST) if ratio < 4.5]
        assert low == [], (name, width)
        story.shot(f"{name}-{width}")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_compliance_and_doctor_pages(
    chromium: Any, live: Live, screenshots: Path, scheme: str
) -> None:
    live.engine.enable()
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(30_000)
    story = Story(page, live, screenshots)
    suffix = "" if scheme == "light" else "-dark"

    page.goto(live.login_url())
    page.get_by_role("button", name="Re-audit").click()
    story.finished_job()

    nav(page, "Compliance")
    assert page.get_by_role("heading", name="IAM.4 · IAM root user access key should not exist")
    assert "the management account" in page.locator("main").inner_text()
    check_layout(story, f"compliance{suffix}")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Every finding of IAM.6").click()
    page.get_by_label("Findings that are").select_option("all")
    page.get_by_role("button", name="Filter").click()
    assert "that are all" in page.locator(".pager").inner_text()
    check_layout(story, f"compliance-control{suffix}")

    nav(page, "Doctor")
    assert page.locator(".doctor-findings").count() == 0  # nothing ran on load
    page.get_by_label("unlock").uncheck()
    page.get_by_role("button", name="Check").click()
    page.get_by_text("Nothing blocks audit, delete, recovery (1 warning(s)).").wait_for()
    check_layout(story, f"doctor{suffix}")

    context.close()
    assert story.problems == []


def test_doctor_page_with_failures(chromium: Any, live: Live, screenshots: Path) -> None:
    # Root access management still off: doctor says what blocks, where, why and the fix.
    context = chromium.new_context(viewport={"width": 390, "height": 900}, color_scheme="dark")
    page = context.new_page()
    story = Story(page, live, screenshots)
    page.goto(live.login_url())
    story.go("/doctor?for=audit&for=delete")
    assert page.locator("section.doctor-fail").count() == 1
    assert "Fix" in page.locator("section.doctor-fail").inner_text()
    check_layout(story, "doctor-fail-dark")
    context.close()
    assert story.problems == []
