"""`rootctl activity` (issue 18): the root sessions CloudTrail saw, tied to rootctl's journal —
with what each did when an event data store holds the member accounts' events — one opened
outside rootctl flagged, a first caller/account pair found, and what it cannot see said."""

from __future__ import annotations

import boto3

from tests.cli.conftest import CHECKOUT, MANAGEMENT, PAYMENTS, Cli

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
    assert {(f["kind"], f["session_key_id"]) for f in document["findings"]} == {
        ("outside-rootctl", theirs),
        ("new-caller-account", ours.access_key_id),  # admin's first AssumeRoot into PAYMENTS
    }
    assert not any("--trail-lake" in b for b in document["blind_spots"])
    for session in sandbox.issued_root_sessions():  # never a secret in any output
        assert session.session_token not in str(document)

    # without an event data store: the sessions, no actions, and it says what it cannot see
    plain = enabled.json("activity", "--since", "1h", exit_code=1)
    assert [s["session_key_id"] for s in plain["sessions"]] == [ours.access_key_id, theirs]
    assert {s["actions"] is None for s in plain["sessions"]} == {True}
    assert any("--trail-lake" in b for b in plain["blind_spots"])

    # targets narrow it; the table shows the outsider plainly at 80 columns
    assert enabled.json("activity", "--account", CHECKOUT, exit_code=0)["sessions"] == []
    table = enabled("activity", "--trail-lake", eds, env={"COLUMNS": "80"})
    assert table.exit_code == 1
    assert "NOT rootctl" in table.stdout
    assert "finding: root session " + theirs in table.stdout.replace("\n", " ")
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
