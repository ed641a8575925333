"""`rootctl ui` as a user runs it: a real process, the printed link, the refusal to listen on
a public address without being told to."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from click.testing import CliRunner

from rootctl.cli import cli


def test_a_public_address_needs_allow_remote() -> None:
    result = CliRunner().invoke(cli, ["ui", "--host", "0.0.0.0", "--sandbox"])  # noqa: S104
    assert result.exit_code == 2
    assert "not a loopback address" in result.output
    assert "--allow-remote" in result.output


def test_sandbox_cannot_be_mixed_with_a_real_endpoint() -> None:
    args = ["ui", "--sandbox", "--endpoint-url", "http://127.0.0.1:1"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2


def test_rootctl_ui_sandbox_serves_the_dashboard_offline(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    # A profile that exists nowhere: the sandbox run must not care about local AWS setup.
    env["AWS_PROFILE"] = "a-profile-of-another-machine"
    process = subprocess.Popen(
        [sys.executable, "-m", "rootctl", "ui", "--sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        link = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]{40,}", link), link
        base = link.split("/?")[0]
        assert httpx.get(base + "/api/status").status_code == 401  # no session, no entry
        with httpx.Client(follow_redirects=True) as browser:
            page = browser.get(link)
            assert page.status_code == 200
            assert str(page.url) == base + "/"
            assert "Sandbox: an emulated organization" in page.text
            assert "token=" not in page.text
            status = browser.get(base + "/api/status").json()
            assert status["caller"]["role"] == "management"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
