"""Issue item 9: `rootctl sandbox serve` — foreground, loopback by default, prints what to
export, applies fault flags, answers only the hosts it serves, stops cleanly on Ctrl-C."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest

ROOTCTL = [sys.executable, "-m", "rootctl", "sandbox", "serve"]


def _start(*args: str) -> tuple[subprocess.Popen[str], list[str]]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [*ROOTCTL, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("unset "):
            break
    return process, lines


def _stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=20)
    return process.returncode, stderr


def _get(url: str) -> Any:
    with urllib.request.urlopen(url) as response:  # noqa: S310 - a loopback URL
        return json.loads(response.read())


def test_serve_generated_org_with_faults_then_ctrl_c() -> None:
    process, lines = _start(
        "--port", "0", "--accounts", "30", "--random-seed", "3", "--deny", "*:s3:*",
        "--latency-ms", "1", "--jitter-ms", "1", "--allow-host", "sandbox.internal",
        "--deny-resource", "*:sqs:*", "--propagation-delay", "7",
    )  # fmt: skip
    try:
        exports: dict[str, str] = {}
        for line in lines:
            match = re.match(r"export (\w+)=(.*)", line)
            if match:
                exports[match.group(1)] = match.group(2)
        endpoint = exports["AWS_ENDPOINT_URL"]
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", endpoint)
        assert exports["AWS_DEFAULT_REGION"] == "us-east-1"
        assert _get(endpoint + "/_sandbox/health")["accounts"] == 31
        faults = _get(endpoint + "/_sandbox/faults")
        assert faults["deny"] == [
            {"account": "*", "action": "s3:*", "task": None, "policy": "scp"},
            {"account": "*", "action": "sqs:*", "task": None, "policy": "rcp"},
        ]
        assert _get(endpoint + "/_sandbox/propagation-delay") == {"delay_seconds": 7.0}
        assert (faults["latency_ms"], faults["jitter_ms"], faults["seed"]) == (1.0, 1.0, 3)
        sts = boto3.client(
            "sts",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=exports["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=exports["AWS_SECRET_ACCESS_KEY"],
        )
        identity = sts.get_caller_identity()
        assert identity["Arn"].endswith(":user/admin")
        assert any("organization o-" in line for line in lines)
        port = int(endpoint.rsplit(":", 1)[1])
        for host, status in (("sandbox.internal", 200), ("evil.example", 403)):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/_sandbox/health", headers={"Host": host})
            assert connection.getresponse().status == status, host
            connection.close()
    finally:
        code, stderr = _stop(process)
    assert code == 0
    assert "sandbox stopped" in stderr


def test_bad_seed_file_is_reported_with_its_line(tmp_path: Path) -> None:
    seed = tmp_path / "org.yaml"
    seed.write_text('management_account:\n  id: "1"\n  name: m\n  email: m@example.com\n')
    result = subprocess.run(
        [*ROOTCTL, "--seed", str(seed), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2  # bad input, like every other command
    assert f"{seed}:2:7: management_account.id: expected a 12-digit account id" in result.stderr


def test_bad_flags() -> None:
    result = subprocess.run(
        [*ROOTCTL, "--throttle-rate", "2", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--throttle-rate" in result.stderr


@pytest.mark.slow
def test_non_loopback_bind_warns() -> None:
    process, _ = _start("--host", "0.0.0.0", "--port", "0")  # noqa: S104 - the point
    code, stderr = _stop(process)
    assert code == 0
    assert "warning: binding 0.0.0.0 exposes the sandbox" in stderr
