"""The dashboard's journal pages and API with rows nobody should have written, and with a file
that is not a rootctl journal: never a 500."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from starlette.testclient import TestClient

import rootctl
from rootctl.journal import Journal
from rootctl.models import JournalStatus
from rootctl.web import create_app
from tests.conftest import AwsEnv
from tests.core.journal_files import foreign_database, snapshot
from tests.web.conftest import logged_in

PAYMENTS = "418273645501"


def add_entries(path: Path) -> tuple[int, int, int]:
    """A skipped entry with the account's name, a failed one, and one whose date is garbage."""
    journal = Journal(path)
    ids = []
    for status in (JournalStatus.SKIPPED, JournalStatus.FAILED, JournalStatus.SUCCEEDED):
        entry = journal.begin(
            run_id="r", action="delete-virtual-mfa-device", target=PAYMENTS, task_policy=None,
            caller_arn=None, items=["arn:aws:iam::418273645501:mfa/root"],
            account_name="prod-payments",
        )  # fmt: skip
        journal.finish(entry, status, error="AccessDenied: outside the task policy")
        ids.append(entry)
    journal.close()
    db = sqlite3.connect(path)
    db.execute("UPDATE actions SET started_at = 'the day before' WHERE id = ?", (ids[2],))
    db.commit()
    db.close()
    return ids[0], ids[1], ids[2]


def test_unreadable_rows_are_listed_never_a_500(
    client: TestClient, enabled: rootctl.RootAccess
) -> None:
    skipped, failed, bad = add_entries(Path(enabled.journal.location))
    page = client.get("/journal")
    assert page.status_code == 200
    assert "unreadable" in page.text
    assert "the day before" in page.text
    assert "prod-payments" in page.text
    account = client.get(f"/accounts/{PAYMENTS}")
    assert account.status_code == 200
    assert "unreadable" in account.text
    document = client.get("/api/journal").json()
    assert document["unreadable"] == [
        {"id": bad, "problem": "started_at is not a date: 'the day before'"}
    ]
    assert {e["id"] for e in document["entries"]} >= {skipped, failed}
    detail = client.get(f"/api/accounts/{PAYMENTS}").json()
    assert {e["id"] for e in detail["journal"]} == {skipped, failed}
    assert client.get(f"/journal/{bad}").status_code == 422
    api_bad = client.get(f"/api/journal/{bad}")
    assert api_bad.status_code == 422
    assert "cannot be read" in api_bad.json()["error"]
    shown = client.get(f"/api/journal/{skipped}").json()
    assert (shown["status"], shown["account_name"]) == ("skipped", "prod-payments")


def test_the_failed_filter_shows_only_real_failures(
    client: TestClient, enabled: rootctl.RootAccess
) -> None:
    skipped, failed, _bad = add_entries(Path(enabled.journal.location))
    api = client.get("/api/journal", params={"outcome": "failed"}).json()
    assert [e["id"] for e in api["entries"]] == [failed]
    api = client.get("/api/journal", params={"outcome": "skipped"}).json()
    assert [e["id"] for e in api["entries"]] == [skipped]
    page = client.get("/journal", params={"outcome": "skipped"})
    assert page.status_code == 200
    assert "state-skipped" in page.text
    assert "state-failed" not in page.text
    assert client.get("/api/journal", params={"outcome": "sideways"}).status_code == 400


def test_a_foreign_journal_is_an_error_page_and_stays_untouched(
    aws_env: AwsEnv, tmp_path: Path
) -> None:
    path = tmp_path / "foreign.sqlite3"
    foreign_database(path)
    before = snapshot(tmp_path)
    with rootctl.RootAccess(
        rootctl.ConnectionOptions(endpoint_url=aws_env.endpoint_url, region="us-east-1"),
        journal=path,
    ) as engine:
        app = create_app(engine, audit_on_start=False)
        with logged_in(app, app.state.secrets) as client:
            page = client.get("/journal")
            assert page.status_code == 400
            assert "not a rootctl journal" in page.text
            api = client.get("/api/journal")
            assert api.status_code == 400
            assert "not a rootctl journal" in api.json()["error"]
    assert snapshot(tmp_path) == before


def test_a_long_journal_is_paged_with_its_counts_and_exported_as_filtered(
    client: TestClient, enabled: rootctl.RootAccess
) -> None:
    journal = Journal(Path(enabled.journal.location))
    for n in range(120):
        entry = journal.begin(
            run_id="r", action="delete-login-profile", target=f"{n:012d}", task_policy=None,
            caller_arn=None, items=[], account_name=f"=cmd|{n}",
        )  # fmt: skip
        journal.finish(entry, JournalStatus.FAILED if n % 4 == 0 else JournalStatus.SUCCEEDED)
    journal.close()
    first = client.get("/journal", params={"action": "delete-login-profile"}).text
    assert (
        "Entries 1–50 of <strong>120</strong> matching this filter: 30 failed, 90 succeeded"
        in first
    )
    assert first.count('<a href="/journal/') == 50
    assert 'href="/journal?action=delete-login-profile&amp;page=2" rel="next"' in first
    last = client.get("/journal", params={"action": "delete-login-profile", "page": 9}).text
    assert "Entries 101–120 of <strong>120</strong>" in last  # a page past the end: the last
    assert 'rel="next"' not in last
    exported = client.get("/journal.csv", params={"outcome": "failed"})
    assert exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.splitlines()
    assert len(lines) == 1 + 30
    assert "'=cmd|0" in exported.text  # a formula stays text
