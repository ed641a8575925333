"""A task's preflight check (ListOrganizationsFeatures) is read alongside the organization,
not after it: one call, in its own thread, and still a check."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

import rootctl
from rootctl.aws import iam_features
from rootctl.core import context
from tests.conftest import AwsEnv, engine_on


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The threads that read the organization's features, in order."""
    threads: list[str] = []
    original = iam_features.enabled_features

    def counting(aws: Any) -> frozenset[rootctl.Capability]:
        threads.append(threading.current_thread().name)
        return original(aws)

    monkeypatch.setattr(iam_features, "enabled_features", counting)
    return threads


def engine(aws_env: AwsEnv, tmp_path: Path) -> rootctl.RootAccess:
    return engine_on(aws_env, tmp_path, concurrency=4)


@pytest.fixture
def enabled(aws_env: AwsEnv, tmp_path: Path) -> None:
    with engine(aws_env, tmp_path) as ra:
        ra.enable()


@pytest.mark.usefixtures("enabled")
def test_the_audit_uses_the_features_read_with_the_organization(
    aws_env: AwsEnv, tmp_path: Path, reads: list[str]
) -> None:
    with engine(aws_env, tmp_path) as ra:
        targets = ra.select_targets(rootctl.TargetSelector(all=True))
        report = ra.audit(targets, record=False)  # the history's status reads them again
    assert not report.failed
    assert reads == ["rootctl-features"]


@pytest.mark.usefixtures("enabled")
def test_a_stale_read_ahead_is_read_again(
    aws_env: AwsEnv, tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(context, "FEATURES_AHEAD_SECONDS", -1.0)
    with engine(aws_env, tmp_path) as ra:
        targets = ra.select_targets(rootctl.TargetSelector(all=True))
        ra.audit(targets, record=False)
    assert reads == ["rootctl-features", "MainThread"]


@pytest.mark.usefixtures("enabled")
def test_a_read_ahead_serves_one_check_only(
    aws_env: AwsEnv, tmp_path: Path, reads: list[str]
) -> None:
    with engine(aws_env, tmp_path) as ra:
        targets = ra.select_targets(rootctl.TargetSelector(all=True))
        ra.audit(targets, record=False)
        ra.audit(targets, record=False)
    assert reads == ["rootctl-features", "MainThread"]


def test_a_disabled_capability_read_ahead_still_stops_the_run(
    aws_env: AwsEnv, tmp_path: Path, reads: list[str]
) -> None:
    with engine(aws_env, tmp_path) as ra:
        ra.enable([rootctl.Capability.ROOT_SESSIONS])  # the audit needs the other one
    with engine(aws_env, tmp_path) as ra:
        targets = ra.select_targets(rootctl.TargetSelector(all=True))
        with pytest.raises(rootctl.CapabilityDisabled):
            ra.audit(targets, record=False)
    assert reads[-1] == "rootctl-features"
