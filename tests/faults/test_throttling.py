"""Fault test 1: with 20% throttling and 5% 5xx on the wire, an audit of 300 accounts gives
every account's true state or names it `failed` with a reason — never a wrong answer, never a
missing account."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.faults.conftest import (
    Rootctl,
    credentials_of,
    enabled_organization,
    members,
    reported_credentials,
)

pytestmark = pytest.mark.slow
# The sandbox throttles a fixed share of calls at random, whatever their rate: adaptive mode's
# client-side limiter can learn nothing from that and only slows the run (a 300-account audit:
# 180 s adaptive, 30 s standard). These tests are about the answers, so they name standard
# mode the way a user would (AWS_RETRY_MODE); tests/core/test_retry_mode.py covers the choice.
STANDARD_RETRIES = {"AWS_RETRY_MODE": "standard"}
PER_ACCOUNT_CALLS = [
    "sts:AssumeRoot",
    "iam:GetLoginProfile",
    "iam:ListAccessKeys",
    "iam:GetAccessKeyLastUsed",
    "iam:ListMFADevices",
    "iam:ListSigningCertificates",
]


def check_report(rootctl: Rootctl, document: dict[str, Any]) -> dict[str, int]:
    sandbox = rootctl.sandbox
    rows = document["accounts"]
    ids = [row["account_id"] for row in rows]
    assert len(ids) == len(set(ids)), "an account is reported twice"
    assert set(ids) == {a.account_id for a in sandbox.accounts()}, "an account is missing"
    by_id = {row["account_id"]: row for row in rows}
    for account_id in members(sandbox):
        row = by_id[account_id]
        if row["state"] == "failed":
            assert row["reason"], f"{account_id} failed without a reason"
            continue
        assert row["state"] == "audited", row
        truth = credentials_of(sandbox, account_id)
        assert reported_credentials(row) == truth, f"wrong answer for {account_id}"
        assert row["has_root_credentials"] == any(truth.values())
    states = [row["state"] for row in rows]
    return {state: states.count(state) for state in set(states)}


def test_every_account_true_or_failed_under_faults(
    rootctl_for: Callable[..., Rootctl],
) -> None:
    sandbox = enabled_organization(300, seed=6)
    sandbox.faults.update(throttle_rate=0.2, error_rate=0.05, seed=6)
    rootctl = rootctl_for(sandbox)
    rootctl.env.update(STANDARD_RETRIES)
    result = rootctl.run("audit", "--all", "-o", "json", "--concurrency", "32")
    assert result.returncode == 1, result.stderr  # findings (and perhaps failures)
    counts = check_report(rootctl, json.loads(result.stdout))
    assert counts.get("audited", 0) >= 0.95 * len(members(sandbox))  # retries did their job


def test_exhausted_retries_name_the_account_failed(rootctl_for: Callable[..., Rootctl]) -> None:
    """Two attempts per call: some accounts run out of retries, and say so."""
    sandbox = enabled_organization(300, seed=7)
    sandbox.faults.update(throttle_rate=0.2, error_rate=0.05, match=PER_ACCOUNT_CALLS, seed=7)
    rootctl = rootctl_for(sandbox)
    rootctl.env.update(STANDARD_RETRIES)
    document = rootctl.json("audit", "--all", "--concurrency", "32", "--max-attempts", "2")
    counts = check_report(rootctl, document)
    assert counts.get("failed", 0) > 0, counts  # the faults really bit …
    assert counts.get("audited", 0) > 0, counts  # … and did not stop the rest
    reasons = {row["reason"] for row in document["accounts"] if row["state"] == "failed"}
    assert all(any(word in r for word in ("Throttling", "InternalFailure", "ServiceFailure"))
               for r in reasons), reasons  # fmt: skip
