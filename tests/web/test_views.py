"""Presentation and plumbing that need no AWS: badges, filters, the tree, the chart, typed
confirmations and the job registry."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from rootctl.errors import InputError
from rootctl.models import (
    AccessKey,
    Account,
    AccountAudit,
    AuditState,
    LoginProfile,
    MfaDevice,
    ProgressCallback,
    ProgressEvent,
    RootCredentials,
)
from rootctl.web import views
from rootctl.web.dashboard import ConfirmationError, Selection, check_confirmation
from rootctl.web.jobs import JobKind, JobRegistry, JobState
from tests.core.factories import organization

ORG = organization()


def account(account_id: str) -> Account:
    found = ORG.account(account_id)
    assert found is not None
    return found


PROD_API, PROD_WEB, DEV = account("222222222222"), account("333333333333"), account("444444444444")
WHEN = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


def audited(target: Account, credentials: RootCredentials) -> AccountAudit:
    return AccountAudit(target, AuditState.AUDITED, credentials)


LOADED = RootCredentials(
    LoginProfile(WHEN),
    access_keys=(AccessKey("AKIA1", "Active", WHEN, last_used=WHEN),),
    mfa_devices=(
        MfaDevice("arn:aws:iam::222222222222:mfa/root", WHEN),
        MfaDevice("GAHT0001", WHEN),
    ),
)
CLEAN = RootCredentials(None)
AUDITS = {PROD_API.id: audited(PROD_API, LOADED), DEV.id: audited(DEV, CLEAN)}


def labels(badges: list[views.Badge]) -> list[str]:
    return [b.label for b in badges]


def test_badges_say_what_is_there_in_words() -> None:
    assert labels(views.badges(PROD_API, AUDITS[PROD_API.id])) == [
        "root password",
        "MFA virtual",
        "MFA hardware",
        "1 access key · last used 2026-01-02",
        "recovery allowed",
    ]
    assert labels(views.badges(DEV, AUDITS[DEV.id])) == ["no root credentials"]
    colours = {b.label: b.tone for b in views.badges(PROD_API, AUDITS[PROD_API.id])}
    assert colours["root password"] == "bad"
    assert colours["MFA hardware"] == "warn"  # a second factor, not the password's red
    recovery_only = RootCredentials(LoginProfile(WHEN, recovery_allowed_at=WHEN))
    assert labels(views.badges(DEV, audited(DEV, recovery_only))) == ["recovery allowed"]
    assert labels(views.badges(PROD_WEB, None)) == ["not audited yet"]
    failed = AccountAudit(PROD_WEB, AuditState.FAILED, reason="AccessDenied by an SCP")
    assert views.badges(PROD_WEB, failed)[0].title == "AccessDenied by an SCP"
    management = account(ORG.management_account_id)
    assert labels(views.badges(management, None)) == ["management account"]


@pytest.mark.parametrize(
    ("query", "status", "expected"),
    [
        ("", "", {"222222222222", "333333333333", "444444444444", "555555555555", "111111111111"}),
        ("prod", "", {"222222222222", "333333333333"}),
        ("4444", "", {"444444444444"}),
        ("dev@EXAMPLE", "", {"444444444444"}),
        ("", "with-credentials", {"222222222222"}),
        ("", "no-credentials", {"444444444444"}),
        ("", "mfa-hardware", {"222222222222"}),
        ("", "not-audited", {"333333333333", "555555555555"}),
        ("dev", "with-credentials", set()),
    ],
)
def test_the_tree_keeps_only_matching_branches(query: str, status: str, expected: set[str]) -> None:
    root = views.tree(ORG, AUDITS, query, status)

    def ids(node: views.UnitNode) -> set[str]:
        found = {a.account.id for a in node.accounts}
        for child in node.units:
            found |= ids(child)
        return found

    assert ids(root) == expected
    assert root.account_count == len(expected)


def test_the_posture_chart_rolls_up_to_top_level_ous_worst_first() -> None:
    chart = views.posture_chart(ORG, AUDITS, width=500)
    # Prod counts Prod/Web too; the root only holds the management account (left out).
    assert [r.label for r in chart.rows] == ["Prod", "Dev"]  # 1 with credentials, then 0
    prod, dev = chart.rows
    assert (prod.with_credentials, prod.without, prod.unknown) == (1, 0, 1)
    assert (dev.without, dev.unknown) == (1, 1)
    assert (prod.drill, dev.drill) == ("ou-ab12-prod0001", None)  # Dev has no sub-OUs
    assert chart.totals == (1, 1, 2)
    assert [u.name for u in chart.trail] == ["Root"]
    widest = max(sum(s.width for s in r.segments) for r in chart.rows)
    assert widest == pytest.approx(chart.bar_width, abs=0.5)
    assert all(s.x >= chart.bar_x for r in chart.rows for s in r.segments)


def test_the_posture_chart_drills_down_into_an_ou() -> None:
    chart = views.posture_chart(ORG, AUDITS, under="ou-ab12-prod0001")
    assert [u.name for u in chart.trail] == ["Root", "Prod"]
    rows = {r.label: r for r in chart.rows}
    assert set(rows) == {"Web", "(directly in Prod)"}
    assert rows["(directly in Prod)"].with_credentials == 1
    assert rows["Web"].unknown == 1
    # An unknown OU id shows the root, never an error.
    assert views.posture_chart(ORG, AUDITS, under="ou-nope").unit == ORG.unit(ORG.root_id)


def test_typed_confirmation_is_the_account_id_or_the_count() -> None:
    check_confirmation(" 222222222222 ", ["222222222222"])
    check_confirmation("2", ["222222222222", "333333333333"])
    with pytest.raises(ConfirmationError, match="the account id"):
        check_confirmation("yes", ["222222222222"])
    with pytest.raises(ConfirmationError, match="number of accounts"):
        check_confirmation("222222222222", ["222222222222", "333333333333"])
    with pytest.raises(InputError, match="Nothing to act on"):
        check_confirmation("0", [])
    with pytest.raises(InputError, match="at least one"):
        Selection().selector()


def test_jobs_record_progress_and_end_even_when_the_work_blows_up() -> None:
    registry = JobRegistry()

    def work(progress: ProgressCallback, cancel: threading.Event) -> str:
        progress(ProgressEvent(2, 1, "222222222222", "audited", "audit"))
        progress(ProgressEvent(2, 2, "333333333333", "failed", "audit"))
        return "report"

    def explode(progress: ProgressCallback, cancel: threading.Event) -> None:
        raise ValueError("boom")

    ok = registry.start(JobKind.AUDIT, "ok", ("a", "b"), work, writes=False)
    bad = registry.start(JobKind.DELETE, "bad", ("a",), explode, writes=True)
    assert registry.wait_all(5)
    assert (ok.state, ok.result, len(ok.events)) == (JobState.SUCCEEDED, "report", 2)
    assert bad.state is JobState.FAILED
    assert "boom" in (bad.error or "")
    assert registry.all()[0] is bad  # newest first


def test_writing_jobs_run_one_at_a_time() -> None:
    registry = JobRegistry()
    inside = threading.Semaphore(0)
    overlap: list[int] = []
    active = 0
    lock = threading.Lock()

    def work(progress: ProgressCallback, cancel: threading.Event) -> None:
        nonlocal active
        with lock:
            active += 1
            overlap.append(active)
        inside.acquire(timeout=0.05)
        with lock:
            active -= 1

    for _ in range(3):
        registry.start(JobKind.DELETE, "w", (), work, writes=True)
    assert registry.wait_all(5)
    assert max(overlap) == 1
