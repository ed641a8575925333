"""Fault test 5: the sandbox goes away in the middle of an audit. rootctl ends within its
retries and timeouts, and accounts for every account: audited, or failed with a reason. The
pytest timeout is the hang detector."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from rootctl.sandbox.server import SandboxServer
from tests.faults.conftest import Rootctl, enabled_organization, members, wait_until

pytestmark = pytest.mark.slow


@pytest.mark.timeout(180)
def test_audit_survives_the_sandbox_stopping(rootctl_for: Callable[..., Rootctl]) -> None:
    sandbox = enabled_organization(150, seed=5)
    sandbox.faults.update(latency_ms=100)  # slow enough to stop it mid-run
    server = SandboxServer("127.0.0.1", 0).start()  # its own server, stopped by the test
    rootctl = rootctl_for(sandbox, endpoint_url=server.endpoint_url)
    process = rootctl.spawn("audit", "--all", "-o", "json", "--max-attempts", "3")
    try:
        wait_until(
            lambda: len(sandbox.issued_root_sessions()) >= 20 or process.poll() is not None,
            timeout=60,
            what="the audit to be under way",
        )
    finally:
        server.stop()
    out, err = process.communicate(timeout=150)
    assert process.returncode == 1, err[-3000:]  # partial failure, not a crash
    document = json.loads(out)
    rows = {row["account_id"]: row for row in document["accounts"]}
    assert set(rows) == {a.account_id for a in sandbox.accounts()}, "an account went missing"
    states = {account_id: rows[account_id]["state"] for account_id in members(sandbox)}
    assert set(states.values()) <= {"audited", "failed"}, states
    failed = [rows[a] for a, state in states.items() if state == "failed"]
    assert failed, "the sandbox stopped before any account could fail"
    assert all(row["reason"] for row in failed)
    assert any("connect" in row["reason"].lower() for row in failed), failed[0]["reason"]
    assert document["summary"]["failed"] == len(failed)
