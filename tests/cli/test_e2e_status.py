"""status / enable / disable / delegate, end to end against the sandbox over HTTP."""

from __future__ import annotations

from tests.cli.conftest import DELEGATE, MANAGEMENT, PAYMENTS, Cli


def test_status_before_enable(cli: Cli) -> None:
    document = cli.json("status", exit_code=0)
    assert document["organization_id"] == cli.sandbox.organization_id
    assert document["management_account_id"] == MANAGEMENT
    assert document["caller"]["role"] == "management"
    assert document["trusted_access"] is False
    assert document["capabilities"] is None  # hidden by AWS while trusted access is off
    assert document["delegated_admins"] == []
    assert "IAM trusted access is off." in document["notes"]
    assert [a["code"] for a in document["advice"]] == ["enable-trusted-access"]
    table = cli("status")
    assert "next: Run `rootctl enable` from the management account." in table.stdout


def test_enable_is_idempotent_and_journaled(cli: Cli) -> None:
    first = cli.json("enable", "--delegate", DELEGATE, exit_code=0)
    assert [s["state"] for s in first["steps"]] == ["done"] * 4
    assert first["before"]["trusted_access"] is False
    assert first["after"]["trusted_access"] is True
    assert first["after"]["capabilities"] == {
        "RootCredentialsManagement": True,
        "RootSessions": True,
    }
    assert first["after"]["delegated_admins"][0]["account_id"] == DELEGATE
    assert cli.sandbox.features() == ["RootSessions", "RootCredentialsManagement"]
    again = cli.json("enable", "--delegate", DELEGATE, exit_code=0)
    assert [s["state"] for s in again["steps"]] == ["already"] * 4
    actions = [e["action"] for e in cli.journal_entries()]
    assert sorted(actions) == sorted(
        ["enable-trusted-access", "enable-capability", "enable-capability", "register-delegate"]
    )
    assert all(e["outcome"] == "succeeded" and e["request_id"] for e in cli.journal_entries())


def test_enable_one_capability_and_dry_run(cli: Cli) -> None:
    planned = cli.json("enable", "--root-sessions", "--dry-run", exit_code=0)
    assert [s["state"] for s in planned["steps"]] == ["planned", "planned"]
    assert cli.sandbox.features() == []
    assert not cli.journal.exists()
    cli.json("enable", "--root-sessions", exit_code=0)
    assert cli.sandbox.features() == ["RootSessions"]


def test_delegate_sees_status_but_cannot_enable(cli: Cli) -> None:
    cli.json("enable", "--delegate", DELEGATE, exit_code=0)
    as_delegate = cli.as_principal(cli.sandbox.principal_credentials(DELEGATE))
    document = cli.json("status", exit_code=0, env=as_delegate)
    assert document["caller"]["role"] == "delegated-admin"
    assert document["caller"]["account_id"] == DELEGATE
    assert document["capabilities"] == {"RootCredentialsManagement": True, "RootSessions": True}
    refused = cli("enable", env=as_delegate)
    assert refused.exit_code == 3
    assert "management account" in refused.stderr


def test_plain_member_is_told_who_may_do_this(cli: Cli) -> None:
    cli.json("enable", exit_code=0)
    member = cli.as_principal(cli.sandbox.principal_credentials(PAYMENTS))
    document = cli.json("status", exit_code=0, env=member)
    assert document["caller"]["role"] == "member"
    audit = cli("audit", env=member)
    assert audit.exit_code == 3
    assert "delegated administrator" in audit.stderr
    assert "rootctl status" in audit.stderr


def test_disable_asks_refuses_without_tty_and_works_with_yes(cli: Cli) -> None:
    cli.json("enable", exit_code=0)
    refused = cli("disable")
    assert refused.exit_code == 2
    assert "--yes" in refused.stderr
    assert cli.sandbox.features() == ["RootSessions", "RootCredentialsManagement"]
    document = cli.json("disable", "--root-sessions", "--yes", exit_code=0)
    assert document["after"]["capabilities"]["RootSessions"] is False
    assert cli.sandbox.features() == ["RootCredentialsManagement"]


def test_trusted_access_needs_the_delegate_gone_first(cli: Cli) -> None:
    cli.json("enable", "--delegate", DELEGATE, exit_code=0)
    blocked = cli("disable", "--trusted-access", "--yes")
    assert blocked.exit_code == 3
    assert "delegate --deregister" in blocked.stderr
    assert cli.sandbox.features() == ["RootSessions", "RootCredentialsManagement"]  # untouched
    gone = cli.json("delegate", "--deregister", "--yes", exit_code=0)
    assert gone["after"]["delegated_admins"] == []
    cleared = cli.json("disable", "--trusted-access", "--yes", exit_code=0)
    assert cleared["after"]["trusted_access"] is False
