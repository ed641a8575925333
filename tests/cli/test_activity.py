"""`rootctl activity` (issue 18): the root sessions CloudTrail saw, tied to rootctl's journal —
with what each did when an event data store holds the member accounts' events — one opened
outside rootctl flagged, a first caller/account pair found, and what it cannot see said."""

from __future__ import annotations

import boto3

from tests.cli.conftest import CHECKOUT, MANAGEMENT, ORDERS, PAYMENTS, Cli, by_id

ADMIN = f"arn:aws:iam::{MANAGEMENT}:user/admin"
AUDIT_POLICY = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"


def _outside_session(cli: Cli) -> str:
    """A root session opened with the AWS SDK directly (not rootctl), which reads and changes
    something in the member account; returns its access key id."""
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=cli.aws.endpoint_url)
    answer = sts.assume_root(TargetPrincipal=PAYMENTS, TaskPolicyArn={"arn": AUDIT_POLICY})
    creds = answer["Credentials"]
    iam = boto3.client(
        "iam",
        region_name="us-east-1",
        endpoint_url=cli.aws.endpoint_url,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    iam.list_access_keys()
    iam.list_mfa_devices()
    return str(creds["AccessKeyId"])


def test_activity_ties_sessions_to_the_journal_and_flags_the_outsider(enabled: Cli) -> None:
    sandbox = enabled.sandbox
    eds = sandbox.create_event_data_store().rsplit("/", 1)[-1]
    sandbox.advance_clock(1)  # the store holds events from its creation on
    assert enabled("audit", "--account", PAYMENTS).exit_code == 1  # PAYMENTS has credentials
    (ours,) = sandbox.issued_root_sessions(PAYMENTS)
    theirs = _outside_session(enabled)
    assert sandbox.sign_in(CHECKOUT, "Checkout-Prod-Root-19").ok  # the long-term root user

    document = enabled.json("activity", "--trail-lake", eds, exit_code=1)
    sessions = {s["session_key_id"]: s for s in document["sessions"]}
    assert list(sessions) == [ours.access_key_id, theirs]
    mine, outsider = sessions[ours.access_key_id], sessions[theirs]
    assert (mine["opened_by_rootctl"], mine["purpose"]) == (True, "audit")
    assert (mine["account_id"], mine["caller_arn"]) == (PAYMENTS, ADMIN)
    assert mine["task_policy"] == "IAMAuditRootUserCredentials"
    assert "ListAccessKeys" in [a["event_name"] for a in mine["actions"]]
    assert outsider["opened_by_rootctl"] is False
    assert [a["event_name"] for a in outsider["actions"]] == ["ListAccessKeys", "ListMFADevices"]
    assert {(f["kind"], f["account_id"], f["session_key_id"]) for f in document["findings"]} == {
        ("outside-rootctl", PAYMENTS, theirs),
        ("new-caller-account", PAYMENTS, ours.access_key_id),  # admin's first AssumeRoot there
        ("root-user-use", CHECKOUT, None),
    }
    (sign_in,) = document["root_user_use"]
    assert (sign_in["event_name"], sign_in["account_id"]) == ("ConsoleLogin", CHECKOUT)
    assert (sign_in["succeeded"], sign_in["access_key_id"]) == (True, None)
    assert not any("--trail-lake" in b for b in document["blind_spots"])
    for session in sandbox.issued_root_sessions():  # never a secret in any output
        assert session.session_token not in str(document)

    # without an event data store: the sessions, no actions, and it says what it cannot see
    plain = enabled.json("activity", "--since", "1h", exit_code=1)
    assert [s["session_key_id"] for s in plain["sessions"]] == [ours.access_key_id, theirs]
    assert {s["actions"] is None for s in plain["sessions"]} == {True}
    assert plain["root_user_use"] is None
    assert any("--trail-lake" in b for b in plain["blind_spots"])

    # targets narrow it; the table shows the outsider plainly at 80 columns
    assert enabled.json("activity", "--account", ORDERS, exit_code=0)["sessions"] == []
    table = enabled("activity", "--trail-lake", eds, env={"COLUMNS": "80"})
    assert table.exit_code == 1
    assert "NOT rootctl" in table.stdout
    assert "finding: root session " + theirs in table.stdout.replace("\n", " ")
    assert "The long-term root users' own use" in table.stdout
    # a journal that cannot be read: said, and no session is called "not rootctl"
    not_a_journal = enabled.journal.with_name("notes.txt")
    not_a_journal.write_text("not a journal\n")
    unreadable = enabled.json(
        "activity", "--since", "1h", env={"ROOTCTL_JOURNAL": str(not_a_journal)}
    )
    assert "outside-rootctl" not in {f["kind"] for f in unreadable["findings"]}
    assert any("journal" in b for b in unreadable["blind_spots"])
    csv_lines = enabled("activity", "-o", "csv").stdout.splitlines()
    assert csv_lines[0].startswith("opened_at,account_id,")
    assert len(csv_lines) == 3


def test_activity_refuses_bad_input_before_any_call(enabled: Cli) -> None:
    for args, expected in [
        (("--trail-lake", "x' OR 1=1"), "--trail-lake"),
        (("--since", "yesterday-ish"), "--since"),
        (("--since", "1h", "--until", "2h"), "before"),
    ]:
        result = enabled("activity", *args)
        assert result.exit_code == 2, (args, result.output)
        assert expected in result.stderr


def test_password_last_used_shows_a_simulated_sign_in(enabled: Cli) -> None:
    before = by_id(enabled.json("audit", "--account", CHECKOUT, exit_code=1))[CHECKOUT]
    assert before["password"]["last_used"] is None  # the seed never signed in
    assert enabled.sandbox.sign_in(CHECKOUT, "Checkout-Prod-Root-19").ok
    after = by_id(enabled.json("audit", "--account", CHECKOUT, exit_code=1))[CHECKOUT]
    assert after["password"]["last_used"] is not None
