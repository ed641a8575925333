"""The SCP audit reads each target's attachments and each policy's document once per run, however
many accounts share them (in-process sandbox: every Organizations call counted)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import pytest

import rootctl
from rootctl.models import ScpVerdict, TargetSelector
from rootctl.sandbox import Sandbox

SEED = Path(__file__).parents[2] / "src/rootctl/sandbox/seeds/scp-org.yaml"


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox.from_seed(SEED)


def test_each_target_and_policy_is_read_once(in_process_sandbox: Sandbox, tmp_path: Path) -> None:
    session = boto3.Session(region_name="us-east-1")
    calls: Counter[str] = Counter()

    def count(model: Any, **_kwargs: Any) -> None:
        calls[model.name] += 1

    session.events.register("before-call.organizations", count)
    with rootctl.RootAccess(session=session, journal=tmp_path / "j.sqlite3", concurrency=8) as ra:
        org = ra.organization()
        report = ra.scp_audit(ra.select_targets(TargetSelector(all=True)))
    verdicts = {a.account.name: a.state for a in report.accounts}
    assert verdicts["ct-blocked"] is ScpVerdict.TASKS_BLOCKED
    assert verdicts["guarded"] is ScpVerdict.GUARDED
    members = len(org.accounts) - 1
    units = len([u for u in org.units if u.id != org.root_id])
    assert calls["ListPoliciesForTarget"] == 1 + units + members
    assert calls["DescribePolicy"] == 7  # FullAWSAccess and the seed's six SCPs
