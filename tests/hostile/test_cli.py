"""Every command, in every output format, on the hostile organization: no traceback, the same
exit codes as on the example organization, no control byte from outside data anywhere in
stdout or stderr, and the names legible (their visible form is asserted).

The scenario plays once per organization on one sandbox state each (reads first, then the
changes, then the journal), so the whole matrix costs one run of each command per organization.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from rootctl.cli import common
from rootctl.render.text import csv_cell
from rootctl.sandbox import Sandbox
from rootctl.sandbox.server import SandboxServer
from tests.hostile import org
from tests.hostile.conftest import Runner, pointed_at
from tests.hostile.org import (
    BLINK,
    CMD,
    CRLF,
    HYPERLINK,
    LINK,
    LOG,
    MANAGEMENT,
    MINUS,
    PAYMENTS,
    SUM,
    TAB_FIRST,
    VISIBLE,
    VISIBLE_RENAMED_OU,
    assert_inert_bytes,
)

Results = dict[str, Result]
Args = tuple[str, ...] | Callable[[Results], tuple[str, ...]]


def _journal_id(results: Results, match: Callable[[dict[str, Any]], bool]) -> str:
    entries = json.loads(results["journal-json"].stdout)["entries"]
    return str(next(e["id"] for e in entries if match(e)))


def _saved_bucket_policy(results: Results) -> tuple[str, ...]:
    def saved_bucket_policy(e: dict[str, Any]) -> bool:
        return bool(e["saved_policy"] and e["saved_policy"]["kind"] == "s3-bucket")

    return ("journal", "show", _journal_id(results, saved_bucket_policy))


def _login_profile_deletion(results: Results) -> tuple[str, ...]:
    def deleted_in_payments(e: dict[str, Any]) -> bool:
        return bool(e["action"] == "delete-login-profile" and e["target"] == PAYMENTS)

    return ("journal", "show", _journal_id(results, deleted_in_payments))


@dataclass(frozen=True)
class Step:
    label: str
    args: Args
    input: str | None = None
    terminal: bool = False  # a person at a terminal (the confirmation prompt is asked)


# The other formats of a command that already ran on every account: a few accounts suffice.
FEW = ("--account", PAYMENTS, "--account", HYPERLINK, "--account", CRLF, "--account", TAB_FIRST)

STEPS = (
    Step("status", ("status",)),
    Step("status-json", ("status", "-o", "json")),
    Step("enable-dry-run", ("enable", "--dry-run")),
    Step("enable", ("enable",)),
    Step("enable-json", ("enable", "-o", "json")),
    Step("delegate-register", ("delegate", "--register", LINK)),
    Step("delegate", ("delegate",)),
    Step("delegate-json", ("delegate", "-o", "json")),
    Step("status-with-delegate", ("status",)),
    Step("doctor", ("doctor", "--for", "audit", *FEW)),
    Step("doctor-json", ("doctor", "--for", "recovery", *FEW, "-o", "json")),
    Step("audit-table", ("audit",)),
    Step("audit-tree", ("audit", "-o", "tree")),
    Step("audit-json", ("audit", "-o", "json")),
    Step("audit-csv", ("audit", "-o", "csv")),
    Step("compliance", ("compliance",)),
    Step("compliance-json", ("compliance", *FEW, "-o", "json")),
    Step("plan", ("delete-credentials", "--all", "--dry-run")),
    Step("plan-json", ("delete-credentials", *FEW, "--dry-run", "-o", "json")),
    Step("plan-csv", ("delete-credentials", *FEW, "--dry-run", "-o", "csv")),
    Step("delete-refused", ("delete-credentials", "--all"), input="n\n", terminal=True),
    Step("buckets", ("unlock-s3", PAYMENTS)),
    Step("buckets-json", ("unlock-s3", PAYMENTS, "-o", "json")),
    Step("bucket-policy", ("unlock-s3", PAYMENTS, "prod-payments-receipts", "--show")),
    Step(
        "bucket-policy-json",
        ("unlock-s3", PAYMENTS, "prod-payments-receipts", "--show", "-o", "json"),
    ),
    Step("bucket-without-policy", ("unlock-s3", PAYMENTS, "prod-payments-exports")),
    Step("queues", ("unlock-sqs", MINUS)),
    Step("queue-policy", ("unlock-sqs", MINUS, "orders-events", "--show")),
    Step("find-lockouts", ("find-lockouts", "--account", PAYMENTS, "--account", MINUS)),
    Step("scp-audit", ("scp", "audit", *FEW)),
    Step("unlock-s3", ("unlock-s3", PAYMENTS, "prod-payments-receipts", "--yes")),
    Step("unlock-sqs-json", ("unlock-sqs", MINUS, "orders-events", "--yes", "-o", "json")),
    # The crash: the first login profile was created, then no report at all.
    Step(
        "recovery",
        (
            "allow-password-recovery",
            "--account",
            CMD,
            "--account",
            LOG,
            "--account",
            PAYMENTS,
            "--yes",
        ),
    ),
    Step("recovery-json", ("allow-password-recovery", "--account", BLINK, "--yes", "-o", "json")),
    Step("recovery-csv", ("allow-password-recovery", "--account", TAB_FIRST, "--yes", "-o", "csv")),
    Step("delete-json", ("delete-credentials", "--account", HYPERLINK, "--yes", "-o", "json")),
    Step("delete-csv", ("delete-credentials", "--account", SUM, "--yes", "-o", "csv")),
    Step("delete-all", ("delete-credentials", "--all", "--yes")),
    Step("journal", ("journal",)),
    Step("journal-json", ("journal", "-o", "json")),
    Step("journal-csv", ("journal", "-o", "csv")),
    Step("journal-account", ("journal", "--account", PAYMENTS)),
    Step("journal-show-policy", _saved_bucket_policy),
    Step("journal-show-entry", _login_profile_deletion),
    Step("unknown-account", ("delete-credentials", "--account", "999999999999", "--yes")),
    Step("bad-accounts-file", ("audit", "--accounts-file", "hostile-ids.txt")),
    Step("deregister", ("delegate", "--deregister", "--yes")),
    Step("disable-dry-run", ("disable", "--trusted-access", "--dry-run")),
    Step("disable", ("disable", "--trusted-access", "--yes")),
)

HOSTILE_IDS = f"{PAYMENTS}\n\x1b]0;pwned\x07[/]\u202e{CMD}\n"


def play(sb: Sandbox, server: SandboxServer, workdir: Path, *, hostile: bool) -> Results:
    workdir.mkdir()
    (workdir / "hostile-ids.txt").write_text(HOSTILE_IDS)
    run = Runner(workdir / "journal.sqlite3")
    results: Results = {}
    with pointed_at(sb, server), pytest.MonkeyPatch.context() as patch:
        patch.chdir(workdir)
        if hostile:
            org.rename_security_ou()
        for step in STEPS:
            args = step.args(results) if callable(step.args) else step.args
            patch.setattr(common, "is_interactive", lambda step=step: step.terminal)
            results[step.label] = run(*args, input=step.input)
    return results


@pytest.fixture(scope="module", params=["example", "hostile"])
def played(
    request: pytest.FixtureRequest,
    sandbox_server: SandboxServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[bool, Results]:
    """One organization's run (two test items, so the two runs go to two workers)."""
    hostile = request.param == "hostile"
    workdir = tmp_path_factory.mktemp(f"{request.param}-cli")
    sb = org.build() if hostile else Sandbox.example(scps=False)
    return hostile, play(sb, sandbox_server, workdir / "run", hostile=hostile)


# -- what each hostile output must show ----------------------------------------------------------


def lines_with(output: str, *parts: str) -> list[str]:
    return [line for line in output.splitlines() if all(part in line for part in parts)]


def each_account_on_its_line(result: Result) -> None:
    for account_id, name in VISIBLE.items():
        assert lines_with(result.stdout, account_id, name), f"{account_id} {name!r} not on a line"


def audit_table(result: Result) -> None:
    each_account_on_its_line(result)
    assert r"log\x1b]0;title\x07@example.com" in result.stdout  # e-mails too
    assert "Root/" + VISIBLE_RENAMED_OU in result.stdout
    assert r"(s3[/][link=https://evil.example]x[/link], eu-west-1\u202e)" in result.stdout
    assert r"certificate CERT[/]\x9b2J\x7f<script>alert(1)</script>&amp; Active" in result.stdout
    assert r"hardware MFA GAHT\x9b2J\x85\t<b>, enabled" in result.stdout


def audit_tree(result: Result) -> None:
    for account_id, name in VISIBLE.items():
        if account_id != MANAGEMENT:  # a line under the counts, not a node
            assert f"{name}  {account_id}" in result.stdout
    assert f"Not a target: {VISIBLE[MANAGEMENT]} ({MANAGEMENT})" in result.stdout
    assert f"{VISIBLE_RENAMED_OU}  ou-" in result.stdout
    assert "21 accounts: 11 with root credentials, 8 clean, 0 failed, 2 skipped" in result.stdout


def audit_json(result: Result) -> None:
    document = json.loads(result.stdout)
    names = org.names()
    rows = {row["account_id"]: row for row in document["accounts"]}
    assert {k: row["name"] for k, row in rows.items()} == names  # exact, not escaped
    assert rows[LOG]["email"] == "log\x1b]0;title\x07@example.com"
    assert rows[LINK]["ou_path"] == ["Root", org.RENAMED_SECURITY_OU]
    assert rows[BLINK]["mfa_devices"][0]["serial"] == "\u202eGAHT71220455"


def audit_csv(result: Result) -> None:
    rows = {row["account_id"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    assert len(rows) == len(VISIBLE)
    assert rows[HYPERLINK]["name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[CMD]["name"] == "'+cmd|' /C calc'!A0"
    assert rows[SUM]["name"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert rows[MINUS]["name"] == "'-2+3"
    assert rows[MINUS]["email"] == "'-2+3@example.com"
    assert rows[TAB_FIRST]["name"] == "'\\tTAB-first"
    assert rows[CRLF]["name"] == "'\\rcr\\nlf\\ttab\\x07bell\\x08bs"
    assert rows[LINK]["ou_path"] == "Root/" + VISIBLE_RENAMED_OU
    for account_id, name in org.names().items():
        assert rows[account_id]["name"] == csv_cell(name)


def status_with_delegate(result: Result) -> None:
    assert f"{LINK} ({VISIBLE[LINK]})" in result.stdout


def doctor(result: Result) -> None:
    assert f"{LINK} ({VISIBLE[LINK]}) is the IAM delegated administrator" in result.stdout
    assert "Nothing blocks audit." in result.stdout


def doctor_json(result: Result) -> None:
    document = json.loads(result.stdout)
    names = {row["account_id"]: row["name"] for row in document["accounts"]}
    assert names[HYPERLINK] == org.names()[HYPERLINK]  # exact in JSON
    assert document["ok"] is True


def delegate_json(result: Result) -> None:
    delegates = json.loads(result.stdout)["delegated_admins"]
    assert delegates[0]["name"] == org.names()[LINK]


def names_of_accounts_with_credentials(result: Result) -> None:
    for account_id in (PAYMENTS, BLINK, CRLF, TAB_FIRST, org.ALT_SCREEN, org.BIDI):
        assert lines_with(result.stdout, account_id, VISIBLE[account_id]), account_id


def bucket_policy(result: Result) -> None:
    assert json.loads(result.stdout) == org.seeded_policy(PAYMENTS, "prod-payments-receipts")
    assert r'"Sid": "[/]\u001b[2J\u001b]0;pwned\u0007<script>' in result.stdout
    assert '"aws:PrincipalTag/本番"' in result.stdout  # Japanese stays readable


def unlock_s3(result: Result) -> None:
    assert "s3-bucket prod-payments-receipts in 418273645501: removed" in result.stdout
    assert r"\u202eDenyAll" in result.stderr  # the policy shown before the question


def recovery(result: Result) -> None:
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[1:] if line.strip()}
    assert VISIBLE[CMD] in rows[CMD]
    assert "allowed" in rows[CMD]
    assert VISIBLE[LOG] in rows[LOG]
    assert " allowed" in rows[LOG]
    assert VISIBLE[PAYMENTS] in rows[PAYMENTS]
    assert "already-allowed" in rows[PAYMENTS]
    assert f"Not a target: {VISIBLE[MANAGEMENT]} ({MANAGEMENT})" in result.stdout


def delete_all(result: Result) -> None:
    names_of_accounts_with_credentials(result)
    assert lines_with(result.stdout, "accounts:", "deleted")


def journal_show_policy(result: Result) -> None:
    assert json.loads(result.stdout) == org.seeded_policy(PAYMENTS, "prod-payments-receipts")


def journal_csv(result: Result) -> None:
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert any(r["action"] == "delete-bucket-policy" for r in rows)


def bad_accounts_file(result: Result) -> None:
    assert result.stderr.startswith("Error: ")
    assert len(result.stderr.splitlines()) == 1


CHECKS: dict[str, Callable[[Result], None]] = {
    "status-with-delegate": status_with_delegate,
    "delegate-json": delegate_json,
    "doctor": doctor,
    "doctor-json": doctor_json,
    "audit-table": audit_table,
    "audit-tree": audit_tree,
    "audit-json": audit_json,
    "audit-csv": audit_csv,
    "plan": names_of_accounts_with_credentials,
    "bucket-policy": bucket_policy,
    "unlock-s3": unlock_s3,
    "recovery": recovery,
    "delete-all": delete_all,
    "journal-show-policy": journal_show_policy,
    "journal-csv": journal_csv,
    "bad-accounts-file": bad_accounts_file,
}


# Every step's exit code on the clean organization, as the other end-to-end tests expect it;
# the hostile run must give the same (a crash on both would otherwise compare equal).
EXIT_CODES = {"status": 0, "status-json": 0, "enable-dry-run": 0, "enable": 0, "enable-json": 0,
              "delegate-register": 0, "delegate": 0, "delegate-json": 0,
              "status-with-delegate": 0, "doctor": 0, "doctor-json": 0, "audit-table": 1,
              "audit-tree": 1, "audit-json": 1, "audit-csv": 1, "compliance": 1,
              "compliance-json": 1, "plan": 0, "plan-json": 0, "plan-csv": 0,
              "delete-refused": 0, "buckets": 0, "buckets-json": 0, "bucket-policy": 0,
              "bucket-policy-json": 0, "bucket-without-policy": 0, "queues": 0,
              "queue-policy": 0, "find-lockouts": 1, "scp-audit": 1, "unlock-s3": 0,
              "unlock-sqs-json": 0, "recovery": 0, "recovery-json": 0, "recovery-csv": 0,
              "delete-json": 0, "delete-csv": 0, "delete-all": 0, "journal": 0,
              "journal-json": 0, "journal-csv": 0, "journal-account": 0,
              "journal-show-policy": 0, "journal-show-entry": 0, "unknown-account": 2,
              "bad-accounts-file": 2, "deregister": 0, "disable-dry-run": 0,
              "disable": 0}  # fmt: skip


def test_every_command_on_both_organizations(played: tuple[bool, Results]) -> None:
    hostile, results = played
    problems: list[str] = []
    for step in STEPS:
        result, where = results[step.label], step.label
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            problems.append(f"{where}: {type(result.exception).__name__}: {result.exception}")
            continue
        if "Traceback" in result.stdout + result.stderr:
            problems.append(f"{where}: a traceback in {result.output[-1000:]!r}")
        if result.exit_code != EXIT_CODES[where]:
            problems.append(
                f"{where}: exit {result.exit_code}, {EXIT_CODES[where]} expected "
                f"(stderr {result.stderr[-500:]!r})"
            )
        if not hostile:
            continue
        for name, data in (("stdout", result.stdout_bytes), ("stderr", result.stderr_bytes)):
            try:
                assert_inert_bytes(data, f"{where} {name}")
            except AssertionError as error:
                problems.append(str(error))
        if step.label in CHECKS:
            try:
                CHECKS[step.label](result)
            except AssertionError as error:
                problems.append(f"{where}: {error or 'a check failed'}\n{result.stdout[:3000]}")
    assert not problems, "\n\n".join(problems)
