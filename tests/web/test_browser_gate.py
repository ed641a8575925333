"""The browser tests may skip on a developer's machine without Chromium, never in CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BROWSER_TESTS = Path(__file__).with_name("test_browser.py")


def run_browser_tests(ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["ROOTCTL_CHROMIUM"] = "/nonexistent/chromium"
    env.pop("CI", None)
    if ci is not None:
        env["CI"] = ci
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    return subprocess.run(
        [*command, str(BROWSER_TESTS)], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.slow
def test_a_missing_browser_fails_in_ci_and_skips_locally() -> None:
    in_ci = run_browser_tests("true")
    assert in_ci.returncode != 0, in_ci.stdout
    assert "browser tests must run in CI" in in_ci.stdout
    local = run_browser_tests(None)
    assert local.returncode == 0, local.stdout
    assert "skipped" in local.stdout
