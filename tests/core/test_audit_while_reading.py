"""An audit of every account starts on each OU's accounts while the rest of the organization
is read (issue 10), and is still the audit it was: the same rows in the same order, the
capability checked before the first AssumeRoot, the management account never a target, and a
read that fails part-way an error, not a partial report."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import rootctl
from rootctl.aws import organizations as orgs_api
from rootctl.aws.session import AwsSession
from rootctl.core import audit as audit_mod
from rootctl.core.fanout import Run
from rootctl.core.organization import read_organization
from rootctl.core.targets import eligible
from rootctl.errors import AwsError, CapabilityDisabled, InputError
from rootctl.models import Account, Organization
from tests.conftest import AwsEnv, engine_on

EVERY = rootctl.TargetSelector(all=True)


def engine(aws_env: AwsEnv, tmp_path: Path) -> rootctl.RootAccess:
    return engine_on(aws_env, tmp_path, concurrency=3)


@pytest.fixture
def reference(aws_env: AwsEnv, tmp_path: Path) -> Iterator[rootctl.RootAccess]:
    """An engine that enabled root access management and has read the organization."""
    with engine(aws_env, tmp_path) as ra:
        ra.enable()
        yield ra


@pytest.fixture
def fresh(aws_env: AwsEnv, tmp_path: Path, reference: rootctl.RootAccess) -> Iterator[Any]:
    """An engine that has not read the organization yet (what a CLI run starts with)."""
    with engine(aws_env, tmp_path) as ra:
        yield ra


class Assumed(list[str]):
    """The accounts AssumeRoot was called for, in order; ``first`` is set at the first."""

    def __init__(self) -> None:
        super().__init__()
        self.first = threading.Event()


@pytest.fixture
def assumed(monkeypatch: pytest.MonkeyPatch) -> Assumed:
    calls = Assumed()
    original = AwsSession.assume_root

    @contextmanager
    def spying(self: AwsSession, account_id: str, *args: Any, **kwargs: Any) -> Iterator[Any]:
        calls.append(account_id)
        calls.first.set()
        with original(self, account_id, *args, **kwargs) as session:
            yield session

    monkeypatch.setattr(AwsSession, "assume_root", spying)
    return calls


Reader = Callable[[Callable[[Sequence[Account]], None]], Organization]


def halting(org: Organization, then: Callable[[], None]) -> Reader:
    """A reader that tells of the first three accounts, waits for the audit to start on them,
    then calls ``then`` (which may raise) and tells of the rest."""

    def read(found: Callable[[Sequence[Account]], None]) -> Organization:
        found(org.accounts[:3])
        then()
        found(org.accounts[3:])
        return org

    return read


def test_the_same_report_as_selecting_then_auditing(
    reference: rootctl.RootAccess, fresh: rootctl.RootAccess, assumed: Assumed
) -> None:
    ordinary = reference.audit(reference.select_targets(EVERY), record=False)
    del assumed[:]
    streamed = fresh.audit_selection(EVERY, record=False)
    assert streamed.accounts == ordinary.accounts  # every row, in the same order
    assert fresh.organization() == reference.organization()
    management = reference.organization().management_account_id
    assert management not in assumed
    assert sorted(assumed) == sorted(a.account.id for a in ordinary.worked_on)
    row = streamed.management_row
    assert row is not None
    assert row.is_("skipped")
    assert row.account.id == management


def test_accounts_are_audited_before_the_organization_read_ends(
    reference: rootctl.RootAccess, fresh: rootctl.RootAccess, assumed: Assumed
) -> None:
    org = reference.organization()

    def wait_for_the_first() -> None:
        assert assumed.first.wait(20), "no account was started while the tree was being read"

    targets, report = audit_mod.audit_while_reading(
        fresh._ctx, EVERY, halting(org, wait_for_the_first), Run(3)
    )
    assert assumed[0] in {a.id for a in org.accounts[:3]}
    assert [row.account for row in report.accounts[: len(targets.selected)]] == list(
        targets.selected
    )
    assert not report.failed
    assert not report.interrupted


def test_a_read_that_fails_part_way_is_an_error_and_stops_the_audit(
    reference: rootctl.RootAccess, fresh: rootctl.RootAccess, assumed: Assumed
) -> None:
    org = reference.organization()

    def fail() -> None:
        assumed.first.wait(20)
        raise AwsError("ListAccountsForParent: throttled for good", code="TooManyRequests")

    with pytest.raises(AwsError, match="throttled for good"):
        audit_mod.audit_while_reading(fresh._ctx, EVERY, halting(org, fail), Run(3))
    assert set(assumed) <= {a.id for a in org.accounts[:3]}


def test_a_disabled_capability_stops_it_before_any_assume_root(
    reference: rootctl.RootAccess, fresh: rootctl.RootAccess, assumed: Assumed
) -> None:
    reference.disable([rootctl.Capability.ROOT_CREDENTIALS_MANAGEMENT])
    with pytest.raises(CapabilityDisabled):
        fresh.audit_selection(EVERY, record=False)
    assert assumed == []


def test_a_cancelled_audit_names_every_account(fresh: rootctl.RootAccess, assumed: Assumed) -> None:
    cancel = threading.Event()
    cancel.set()
    report = fresh.audit_selection(EVERY, cancel=cancel, record=False)
    assert report.interrupted
    members = [a for a in fresh.organization().accounts if eligible(a)]
    not_run = [r.account.id for r in report.accounts if r.is_("not-run")]
    assert sorted(not_run) == sorted(a.id for a in members)
    assert assumed == []


def test_a_selection_that_can_fail_late_is_resolved_first(
    fresh: rootctl.RootAccess, assumed: Assumed
) -> None:
    unknown = rootctl.TargetSelector(all=True, exclude=("999999999999",))
    with pytest.raises(InputError, match="999999999999"):
        fresh.audit_selection(unknown, record=False)
    assert assumed == []
    with pytest.raises(ValueError, match="every account"):
        audit_mod.audit_while_reading(
            fresh._ctx, unknown, lambda found: fresh.organization(), Run(3)
        )


def test_the_audit_is_recorded_in_the_history(fresh: rootctl.RootAccess) -> None:
    report = fresh.audit_selection(EVERY)
    assert report.audit_id is not None
    stored = fresh.history.audit(report.audit_id)
    assert [r.account.id for r in stored.accounts] == [r.account.id for r in report.accounts]
    assert stored.summary.complete  # it covered the whole organization


def test_the_organizations_error_comes_before_the_capabilitys(
    reference: rootctl.RootAccess, fresh: rootctl.RootAccess, assumed: Assumed
) -> None:
    reference.disable([rootctl.Capability.ROOT_CREDENTIALS_MANAGEMENT])

    def unreadable(found: Callable[[Sequence[Account]], None]) -> Organization:
        raise AwsError("DescribeOrganization: access denied", code="AccessDeniedException")

    with pytest.raises(AwsError, match="access denied"):
        audit_mod.audit_while_reading(fresh._ctx, EVERY, unreadable, Run(3))
    assert assumed == []


@pytest.mark.parametrize("describe_late", [False, True])
def test_the_read_tells_of_every_account_once_the_management_one_marked(
    fresh: rootctl.RootAccess, monkeypatch: pytest.MonkeyPatch, describe_late: bool
) -> None:
    if describe_late:  # the listings come back first: they wait for the management account
        original = orgs_api.describe_organization

        def late(aws: Any) -> Any:
            time.sleep(0.5)
            return original(aws)

        monkeypatch.setattr(orgs_api, "describe_organization", late)
    told: list[Account] = []
    org = read_organization(fresh._ctx, told.extend)
    assert sorted(told, key=lambda a: a.id) == sorted(org.accounts, key=lambda a: a.id)
    assert [a.id for a in told if a.is_management] == [org.management_account_id]
