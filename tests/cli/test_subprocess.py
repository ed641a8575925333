"""Real ``rootctl`` processes: a plain run, SIGKILL mid-delete, and Ctrl-C mid-delete."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rootctl.journal import Journal
from rootctl.models import JournalEntry
from tests.cli.conftest import Cli, validate

ROOTCTL = [sys.executable, "-m", "rootctl"]
SLOW_CALLS = ["iam:Delete*", "iam:DeactivateMFADevice"]


def spawn(cli: Cli, *args: str) -> subprocess.Popen[str]:
    env = {**cli.aws.env, "ROOTCTL_JOURNAL": str(cli.journal)}
    return subprocess.Popen(
        [*ROOTCTL, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def wait_for(journal: Path, ready: str, timeout: float = 30.0) -> None:
    """Until the journal has a row of status ``ready`` for a delete action."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if journal.exists():
            entries = [e for e in Journal(journal).entries() if isinstance(e, JournalEntry)]
            if any(e.status.value == ready and e.action.startswith("delete") for e in entries):
                return
        time.sleep(0.05)
    pytest.fail(f"no {ready} delete row in the journal after {timeout}s")


def test_plain_subprocess_audit(enabled: Cli) -> None:
    process = spawn(enabled, "audit", "-o", "json")
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1, err
    assert validate(json.loads(out))["summary"]["with_root_credentials"] > 0


def test_killed_run_leaves_honest_journal_rows(enabled: Cli) -> None:
    enabled.sandbox.faults.update(latency_ms=500, match=SLOW_CALLS)
    process = spawn(enabled, "delete-credentials", "--all", "--yes", "--concurrency", "2")
    try:
        wait_for(enabled.journal, "succeeded")
        wait_for(enabled.journal, "intent")
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL

    entries = [e for e in enabled.journal_entries() if e["action"].startswith(("delete", "deact"))]
    assert entries
    for entry in entries:  # every row, finished or not, says who did what to which item
        assert entry["started_at"]
        assert entry["target"]
        assert entry["items"]
        assert entry["caller_arn"] == "arn:aws:iam::123456789012:user/admin"
        assert entry["task_policy"].endswith("/IAMDeleteRootUserCredentials")
    done = [e for e in entries if e["status"] != "intent"]
    unknown = [e for e in entries if e["status"] == "intent"]
    assert done
    assert unknown
    assert all(e["finished_at"] and e["request_id"] for e in done if e["outcome"] == "succeeded")
    assert all(e["outcome"] == "unknown" and e["finished_at"] is None for e in unknown)
    table = enabled("journal")
    assert "unknown" in table.stdout

    # A new run re-audits and finishes the job.
    enabled.sandbox.faults.update(latency_ms=0)
    finished = enabled.json("delete-credentials", "--all", "--yes", exit_code=0)
    assert {r["state"] for r in finished["accounts"]} <= {"deleted", "nothing-to-delete", "skipped"}


@pytest.mark.skipif(os.name != "posix", reason="signals")
def test_ctrl_c_stops_cleanly(enabled: Cli) -> None:
    enabled.sandbox.faults.update(latency_ms=500, match=SLOW_CALLS)
    process = spawn(
        enabled, "delete-credentials", "--all", "--yes", "--concurrency", "2", "-o", "json"
    )
    try:
        wait_for(enabled.journal, "intent")
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    document = validate(json.loads(out))
    assert document["interrupted"] is True
    states = [r["state"] for r in document["accounts"]]
    assert "not-run" in states  # pending accounts are named, not dropped
    assert len(states) == len(enabled.sandbox.accounts())
    # In-flight items finished and were journaled: nothing is left "unknown".
    assert all(e["outcome"] != "unknown" for e in enabled.journal_entries())
