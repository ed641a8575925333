"""The judging of one account, without AWS: exceptions (valid, expired), new accounts, recovery
windows, auto-apply, and the enforcement plan made of exactly the violations."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from rootctl.core.check import evaluate, scope_targets
from rootctl.core.desired_state import parse
from rootctl.core.enforce import enforcement_plan
from rootctl.models import (
    AccessKey,
    AccountAudit,
    AuditReport,
    AuditState,
    CheckState,
    LoginProfile,
    MfaDevice,
    PlanState,
    RootCredentials,
    RuleName,
)
from tests.core.factories import organization

NOW = datetime(2027, 1, 15, 12, tzinfo=UTC)
ORG = organization()
API, WEB, DEV = (
    a for a in ORG.accounts if a.id in ("222222222222", "333333333333", "444444444444")
)
FULL = RootCredentials(
    LoginProfile(NOW - timedelta(days=90)),
    (AccessKey("AKIAEXAMPLE0000001", "Active", None),),
    (MfaDevice("arn:aws:iam::222222222222:mfa/root", None),),
)
PASSWORD = RootCredentials(LoginProfile(NOW - timedelta(hours=1)))


def audit(*rows: tuple[object, RootCredentials | None]) -> AuditReport:
    return AuditReport(
        ORG.id,
        tuple(
            AccountAudit(account, AuditState.AUDITED, creds)  # type: ignore[arg-type]
            for account, creds in rows
        ),
    )


def test_valid_exception_excepts_its_kinds_and_nothing_else() -> None:
    state = parse(
        "version: 1\nexceptions:\n  - {account: '222222222222', allow: [password, mfa],"
        " owner: alice@example.com, reason: legacy, expires: 2027-01-31}\n"
    )
    report = evaluate(state, audit((API, FULL), (WEB, None)), NOW)
    row = report.accounts[0]
    assert row.state is CheckState.VIOLATION
    (violation,) = row.violations
    assert violation.rule is RuleName.ROOT_CREDENTIALS
    assert [i.id for i in violation.items] == ["AKIAEXAMPLE0000001"]
    assert row.allowed == ("password", "mfa")
    only_allowed = replace(FULL, access_keys=())
    assert evaluate(state, audit((API, only_allowed)), NOW).accounts[0].state is CheckState.EXCEPTED
    assert evaluate(state, audit((API, only_allowed)), NOW).compliant


def test_expired_exception_is_a_violation_of_exceptions() -> None:
    state = parse(
        "version: 1\nexceptions:\n  - {account: '222222222222', allow: [mfa], owner: bob,"
        " reason: r, ticket: SEC-1, expires: 2027-01-14}\n"
    )
    report = evaluate(state, audit((API, replace(FULL, login_profile=None, access_keys=()))), NOW)
    (violation,) = report.violations
    assert violation.rule is RuleName.EXCEPTIONS
    assert "expired 2027-01-15 00:00 UTC" in violation.message
    assert violation.place is not None
    assert violation.place.line == 3
    assert not report.compliant
    # Nothing left that the expired exception allowed: compliant, and a note to tidy the file.
    clean = evaluate(state, audit((API, RootCredentials(None))), NOW)
    assert clean.compliant
    assert "expired" in clean.notes[0]


def test_new_accounts_clean_after_and_auto_apply() -> None:
    state = parse(
        "version: 1\nrules:\n  new_accounts: clean-after 24h\nenforce:\n  auto_apply:\n"
        "    - {rule: new_accounts, kinds: [password]}\n"
    )
    joined = NOW - timedelta(hours=2)
    young = replace(API, joined_at=joined)
    old_new = replace(WEB, joined_at=NOW - timedelta(days=2))
    report = evaluate(state, audit((young, PASSWORD), (old_new, FULL), (DEV, PASSWORD)), NOW)
    pending, late, old = report.accounts
    assert pending.state is CheckState.PENDING
    assert pending.due_at == joined + timedelta(hours=24)
    assert {(v.rule, v.auto_apply) for v in late.violations} == {
        (RuleName.NEW_ACCOUNTS, True),
        (RuleName.NEW_ACCOUNTS, False),
    }
    assert [v.rule for v in old.violations] == [RuleName.ROOT_CREDENTIALS]  # joined long ago
    plan = enforcement_plan(report)
    assert [p.state for p in plan.accounts] == [
        PlanState.NOTHING_TO_DELETE,
        PlanState.TO_DELETE,
        PlanState.TO_DELETE,
    ]
    assert len(plan.accounts[1].items) == 3  # exactly the violations: all three credentials
    auto = enforcement_plan(report, auto_only=True)
    assert [[i.kind.value for i in p.items] for p in auto.accounts] == [[], ["password"], []]
    people = enforcement_plan(report, person_only=True)  # what a change plan holds
    for whole, one, other in zip(plan.accounts, auto.accounts, people.accounts, strict=True):
        assert sorted(i.id for i in whole.items) == sorted(i.id for i in one.items + other.items)
    assert [i.kind.value for i in people.accounts[1].items] == ["access-keys", "mfa"]


def test_table_names_rule_and_finding_inertly() -> None:
    from rich.console import Console

    from rootctl.render.registry import render

    state = parse(
        "version: 1\nexceptions:\n  - {account: '222222222222', allow: [mfa], owner: \"\\e[31mx\","
        " reason: r, expires: 2027-01-14}\n"
    )
    hostile = replace(API, name="[bold]evil\u202e")
    report = evaluate(state, audit((hostile, FULL), (DEV, RootCredentials(None))), NOW)
    console = Console(width=100, record=True, file=None, markup=False)
    console.print(render(report, "table"))
    text = console.export_text()
    assert "[bold]evil\\u202e" in text  # literal, bidi override made visible
    assert "\x1b" not in text
    assert "exceptions" in text
    assert "root_credentials" in text
    assert "2 violation(s)" in text


def test_recovery_window() -> None:
    state = parse("version: 1\nrules:\n  recovery_window_max: 4h\n")
    opened = {API.id: NOW - timedelta(hours=1), WEB.id: NOW - timedelta(hours=5)}
    report = evaluate(state, audit((API, PASSWORD), (WEB, PASSWORD), (DEV, PASSWORD)), NOW, opened)
    open_, overdue, never = report.accounts
    assert open_.state is CheckState.EXCEPTED
    assert [v.rule for v in overdue.violations] == [RuleName.RECOVERY_WINDOW_MAX]
    assert not overdue.violations[0].auto_apply
    assert [v.rule for v in never.violations] == [RuleName.ROOT_CREDENTIALS]


def test_scope_exclude_and_notes() -> None:
    state = parse(
        "version: 1\nscope: {ous: [ou-ab12-prod0001], accounts: ['999999999999']}\n"
        "exclude: ['333333333333']\nexceptions:\n  - {account: '444444444444', allow: [mfa],"
        " owner: a, reason: b, expires: 2027-01-31}\n"
    )
    targets, notes = scope_targets(state, ORG)
    assert [a.id for a in targets.selected] == ["222222222222"]
    assert any(s.account.id == "333333333333" for s in targets.skipped)
    assert any("999999999999" in n for n in notes)
    assert any("444444444444 is for an account out of scope" in n for n in notes)


def test_alert_text_is_inert_in_chat() -> None:
    from rootctl.core.notify import violations_alert

    hostile = replace(API, name="<!channel> <https://evil.example|bank>\u202e")
    report = evaluate(parse("version: 1\n"), audit((hostile, PASSWORD)), NOW)
    alert = violations_alert("rootctl.yaml", report.violations)
    assert "<!channel>" not in alert.text
    assert "&lt;!channel&gt; &lt;https://evil.example|bank&gt;\\u202e" in alert.text
    assert alert.details["violations"][0]["account_name"] == hostile.name  # JSON: exact


def test_scope_tags_all_must_match_on_the_account_or_an_ou_above() -> None:
    tags = {"ou-ab12-prod0001": {"env": "prod"}, "222222222222": {"team": "api"}}
    tags |= {"444444444444": {"team": "api"}, "333333333333": {"team": "web"}}
    state = parse("version: 1\nscope: {tags: {team: api, env: prod}}\n")
    targets, notes = scope_targets(state, ORG, tags)
    assert [a.id for a in targets.selected] == ["222222222222"]  # dev has team: api, not env
    assert notes == ()
    both = parse("version: 1\nscope: {accounts: ['444444444444'], tags: {env: prod}}\n")
    targets, _ = scope_targets(both, ORG, tags)  # the web account inherits env: prod
    chosen = sorted(a.id for a in targets.selected)
    assert chosen == ["222222222222", "333333333333", "444444444444"]
    none = parse("version: 1\nscope: {tags: {env: staging}}\n")
    targets, notes = scope_targets(none, ORG, tags)
    assert targets.selected == ()
    assert notes == (
        f"scope names the tags env=staging, which no account of organization {ORG.id} carries "
        "(on itself or an OU above it)",
    )
