"""Fault test 2: a bulk delete across 200 accounts, SIGKILLed at three points and rerun. In
the end every targeted credential is gone, nothing outside the targets changed, nothing is
reported deleted that is not, and the journal holds each action's intent and outcome (the
interrupted ones as "unknown")."""

from __future__ import annotations

import functools
import json
import signal
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rootctl.sandbox import Sandbox
from tests.faults.conftest import (
    Rootctl,
    credentials_of,
    enabled_organization,
    members,
    wait_until,
)

pytestmark = pytest.mark.slow
DELETE_CALLS = ["iam:Delete*", "iam:DeactivateMFADevice"]
# journal action -> the part of credentials_of() that its item leaves
GONE_FROM = {
    "delete-login-profile": "password",
    "delete-access-key": "access_keys",
    "delete-signing-certificate": "signing_certificates",
    "deactivate-mfa-device": "mfa_devices",
}


def delete_rows(journal: Path) -> int:
    if not journal.exists():
        return 0
    with sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=5) as db:
        try:
            return int(db.execute("SELECT count(*) FROM actions").fetchone()[0])
        except sqlite3.OperationalError:  # the schema is not there yet
            return 0


def reached(journal: Path, threshold: int, process: subprocess.Popen[str]) -> bool:
    return delete_rows(journal) >= threshold or process.poll() is not None


def still_present(sandbox: Sandbox, action: str, account_id: str, item: str) -> bool:
    part = credentials_of(sandbox, account_id)[GONE_FROM[action]]
    if action == "delete-login-profile":
        return bool(part)
    return any(item == (entry[0] if isinstance(entry, tuple) else entry) for entry in part)


def check_no_false_success(rootctl: Rootctl, entries: list[dict[str, Any]]) -> None:
    """A journal row that says an item was removed must be true in the sandbox right now."""
    for entry in entries:
        if entry["action"] in GONE_FROM and entry["status"] == "succeeded":
            (item,) = entry["items"]
            assert not still_present(rootctl.sandbox, entry["action"], entry["target"], item), entry


def items_of(credentials: dict[str, Any]) -> set[tuple[str, str]]:
    items = {("delete-login-profile", "login-profile")} if credentials["password"] else set()
    items |= {("delete-access-key", key) for key, _ in credentials["access_keys"]}
    items |= {("delete-signing-certificate", c) for c, _ in credentials["signing_certificates"]}
    items |= {("deactivate-mfa-device", serial) for serial in credentials["mfa_devices"]}
    return items


def test_killed_three_times_then_finished(
    rootctl_for: Callable[..., Rootctl], tmp_path: Path
) -> None:
    sandbox = enabled_organization(200, seed=11)
    everyone = members(sandbox)
    targets = everyone[::2]
    others = [a.account_id for a in sandbox.accounts() if a.account_id not in targets]
    before = {a: credentials_of(sandbox, a) for a in everyone}
    others_before = {a: sandbox.root_user(a).to_dict() for a in others}
    planned = {(a, *item) for a in targets for item in items_of(before[a])}
    assert len(planned) > 60  # enough work for three kills to land in

    accounts_file = tmp_path / "targets.txt"
    accounts_file.write_text("\n".join(targets) + "\n")
    rootctl = rootctl_for(sandbox)
    delete = ("delete-credentials", "--accounts-file", str(accounts_file), "--yes")
    sandbox.faults.update(latency_ms=120, match=DELETE_CALLS)  # a kill lands mid-call

    for threshold in (1, len(planned) // 3, 2 * len(planned) // 3):
        process = rootctl.spawn(*delete, "--concurrency", "8")
        try:
            wait_until(
                functools.partial(reached, rootctl.journal, threshold, process),
                timeout=120,
                what=f"{threshold} journal rows",
            )
        finally:
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=30)
        assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed"
        check_no_false_success(rootctl, rootctl.journal_entries())

    sandbox.faults.clear()
    final = rootctl.json(*delete)
    assert {row["state"] for row in final["accounts"]} <= {
        "deleted",
        "nothing-to-delete",
        "skipped",
    }, final["summary"]
    for row in final["accounts"]:  # nothing reported removed that is still there
        for item in row.get("items", []):
            if item["outcome"] in ("deleted", "deactivated", "already-gone"):
                action = {
                    "password": "delete-login-profile",
                    "access-keys": "delete-access-key",
                    "certificates": "delete-signing-certificate",
                    "mfa": "deactivate-mfa-device",
                }[item["kind"]]
                assert not still_present(sandbox, action, row["account_id"], item["id"]), item

    for account_id in targets:
        assert not sandbox.root_user(account_id).has_credentials, account_id
    for account_id in others:
        assert sandbox.root_user(account_id).to_dict() == others_before[account_id], account_id

    entries = rootctl.journal_entries()
    check_no_false_success(rootctl, entries)
    assert {e["target"] for e in entries} <= set(targets), "acted outside the targets"
    for entry in entries:
        assert entry["started_at"], entry  # the intent, always …
        assert entry["items"], entry
        if entry["status"] == "intent":  # … killed between the call and its outcome
            assert entry["outcome"] == "unknown", entry
            assert entry["finished_at"] is None, entry
        else:
            assert entry["finished_at"], entry
            assert entry["outcome"] == entry["status"], entry
    assert any(e["outcome"] == "unknown" for e in entries), "no kill landed mid-call"
    journaled = {(e["target"], e["action"], e["items"][0]) for e in entries}
    assert planned <= journaled, planned - journaled  # every removal has its intent
    unknown_rows = sum(e["outcome"] == "unknown" for e in entries)
    assert unknown_rows <= 3 * 8  # at most one in-flight item per worker per kill
    json.dumps(entries)  # the journal stays readable after three kills
