"""`rootctl scp audit` and `rootctl scp guardrail` end to end on the SCP seed (Control Tower's
"deny root", an LZA-style NotAction, an allow list, AWS's guardrail, a fixed Control Tower SCP,
nothing, a Region lock): for every (account, task) pair the audit's verdict is what the sandbox
does when the task runs; the guardrail applied, detached and existing SCPs fixed, journaled and
idempotent; the refusals come before any change."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.cli.conftest import Cli
from tests.cli.seeded import client, use_seed

CT, LZA, ALLOW, GUARDED, FIXED, OPEN, REGION = (f"22220000000{n}" for n in range(1, 8))
TASKS = (
    "IAMAuditRootUserCredentials",
    "IAMDeleteRootUserCredentials",
    "IAMCreateRootUserPassword",
    "S3UnlockBucketPolicy",
    "SQSUnlockQueuePolicy",
)


@pytest.fixture
def scps(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return use_seed(cli, monkeypatch, "scp-org.yaml")


def _ou(cli: Cli, name: str) -> str:
    orgs = client(cli, "organizations", cli.sandbox.admin_credentials())
    root = orgs.list_roots()["Roots"][0]["Id"]
    units = orgs.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]
    return str(next(u["Id"] for u in units if u["Name"] == name))


def _task_runs(cli: Cli, account: str, task: str) -> bool:
    """Open the task session and make one of its calls: does the sandbox let it through?"""
    sts = client(cli, "sts", cli.sandbox.admin_credentials())
    found = sts.assume_root(
        TargetPrincipal=account, TaskPolicyArn={"arn": f"arn:aws:iam::aws:policy/root-task/{task}"}
    )["Credentials"]
    keys = {
        "aws_access_key_id": found["AccessKeyId"],
        "aws_secret_access_key": found["SecretAccessKey"],
        "aws_session_token": found["SessionToken"],
    }
    calls = {
        "S3UnlockBucketPolicy": lambda: client(cli, "s3", keys).list_buckets(),
        "SQSUnlockQueuePolicy": lambda: client(cli, "sqs", keys).list_queues(),
        "IAMCreateRootUserPassword": lambda: client(cli, "iam", keys).get_login_profile(),
    }
    try:
        calls.get(task, lambda: client(cli, "iam", keys).list_access_keys())()
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("AccessDenied", "AccessDeniedException"):
            return False
        raise
    return True


def _root_user_refused(cli: Cli, account: str) -> bool:
    iam = client(cli, "iam", cli.sandbox.root_access_key(account))
    try:
        iam.create_user(UserName="probe")
    except ClientError as exc:
        return bool(exc.response["Error"]["Code"] == "AccessDenied")
    return False


def test_the_audit_says_what_the_sandbox_does(scps: Cli) -> None:
    # An allow list: FullAWSAccess taken off the OU, only EC2 and S3 allowed there.
    orgs = client(scps, "organizations", scps.sandbox.admin_credentials())
    orgs.detach_policy(PolicyId="p-FullAWSAccess", TargetId=_ou(scps, "AllowList"))
    document = scps.json("scp", "audit", exit_code=1)
    rows = {a["account_id"]: a for a in document["accounts"]}
    assert {a: rows[a]["verdict"] for a in (CT, LZA, ALLOW, GUARDED, FIXED, OPEN, REGION)} == {
        CT: "tasks-blocked",
        LZA: "tasks-blocked",
        ALLOW: "tasks-blocked",
        GUARDED: "guarded",
        FIXED: "guarded",
        OPEN: "unguarded",
        REGION: "undecidable",
    }
    assert rows[CT]["policies"][0]["sid"] == "GRRESTRICTROOTUSER"
    assert rows[CT]["policies"][0]["statement"]["Condition"]["StringLike"]
    assert "S3UnlockBucketPolicy" not in rows[ALLOW]["blocked_tasks"]  # S3 is allowed there
    assert len(rows[ALLOW]["blocked_tasks"]) == 4
    implicit = rows[ALLOW]["tasks"][0]["blocking"][0]
    assert (implicit["decision"], implicit["level"]) == (
        "implicitly-denied",
        _ou(scps, "AllowList"),
    )
    assert rows[REGION]["policies"][0]["depends_on"] == ["StringNotEquals aws:RequestedRegion"]
    assert document["summary"]["tasks_blocked"] == 3
    # Every (account, task) pair: blocked in the audit ⇔ refused by the sandbox.
    for account in (CT, LZA, ALLOW, GUARDED, FIXED, OPEN):
        blocked = set(rows[account]["blocked_tasks"])
        for task in TASKS:
            assert _task_runs(scps, account, task) is (task not in blocked), (account, task)
    # The long-term root user: refused exactly where the audit says guarded.
    for account in (CT, LZA, GUARDED, FIXED, OPEN):
        assert _root_user_refused(scps, account) is (rows[account]["root_user"] == "denied")
    csv = scps("scp", "audit", "--account", CT, "-o", "csv").stdout.splitlines()
    assert csv[0].startswith("account_id,account_name,ou_path,verdict,blocked_tasks")
    table = scps("scp", "audit", "--account", CT, env={"COLUMNS": "80"}).stdout
    assert "GRRESTRICTROOTUSER" in table
    assert max(len(line) for line in table.splitlines()) <= 80


def test_guardrail_apply_and_detach_are_journaled_and_idempotent(scps: Cli) -> None:
    printed = json.loads(scps("scp", "guardrail", "--print").stdout)
    assert printed["Statement"][0]["Condition"]["Null"] == {"aws:AssumedRoot": "true"}
    open_ou = _ou(scps, "Open")
    dry = scps.json("scp", "guardrail", "--apply", "--ou", open_ou, "--dry-run", exit_code=0)
    assert [s["state"] for s in dry["steps"]] == ["planned", "planned"]
    orgs = client(scps, "organizations", scps.sandbox.admin_credentials())
    listed = orgs.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]
    assert "rootctl-deny-root-unless-assumeroot" not in {p["Name"] for p in listed}
    applied = scps.json("scp", "guardrail", "--apply", "--ou", open_ou, "--yes", exit_code=0)
    assert [s["state"] for s in applied["steps"]] == ["done", "done"]
    again = scps.json("scp", "guardrail", "--apply", "--ou", open_ou, "--yes", exit_code=0)
    assert [s["state"] for s in again["steps"]] == ["already", "already"]
    tags = orgs.list_tags_for_resource(ResourceId=applied["policy_id"])["Tags"]
    assert {"Key": "managed-by", "Value": "rootctl"} in tags
    assert (
        scps.json("scp", "audit", "--account", OPEN, exit_code=0)["accounts"][0]["verdict"]
        == "guarded"
    )
    assert _root_user_refused(scps, OPEN)
    assert _task_runs(scps, OPEN, TASKS[0])
    stage = scps.json("scp", "guardrail", "--stage", exit_code=1)
    units = {u["target_id"]: u for u in stage["units"]}
    assert (units[open_ou]["guardrail"], units[open_ou]["verdicts"]["guarded"]) == ("attached", 1)
    assert "--fix-existing" in units[_ou(scps, "ControlTower")]["next_step"]
    detached = scps.json("scp", "guardrail", "--detach", "--ou", open_ou, "--yes", exit_code=0)
    assert [s["state"] for s in detached["steps"]] == ["done"]
    assert (
        scps.json("scp", "guardrail", "--detach", "--ou", open_ou, "--yes", exit_code=0)["steps"][
            0
        ]["state"]
        == "already"
    )
    assert not _root_user_refused(scps, OPEN)
    journal = [(e["action"], e["target"], e["outcome"]) for e in scps.journal_entries()]
    assert journal == [
        ("detach-scp", open_ou, "succeeded"),
        ("attach-scp", open_ou, "succeeded"),
        ("create-scp", "rootctl-deny-root-unless-assumeroot", "succeeded"),
    ]


def test_refusals_come_before_any_change(scps: Cli) -> None:
    orgs = client(scps, "organizations", scps.sandbox.admin_credentials())
    open_ou = _ou(scps, "Open")
    allow = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    for n in range(4):  # FullAWSAccess and 4 more: the most a target takes
        made = orgs.create_policy(
            Name=f"filler-{n}", Description="", Type="SERVICE_CONTROL_POLICY",
            Content=json.dumps(allow),
        )["Policy"]["PolicySummary"]["Id"]  # fmt: skip
        orgs.attach_policy(PolicyId=made, TargetId=open_ou)
    full = scps("scp", "guardrail", "--apply", "--ou", open_ou, "--ou", _ou(scps, "Fixed"), "--yes")
    assert full.exit_code == 3, full.stderr
    assert "5 SCPs attached" in full.stderr
    assert "nothing was changed" in full.stderr
    orgs.disable_policy_type(
        RootId=orgs.list_roots()["Roots"][0]["Id"], PolicyType="SERVICE_CONTROL_POLICY"
    )
    off = scps("scp", "guardrail", "--apply", "--ou", "root", "--yes")
    assert off.exit_code == 3
    assert "not enabled" in off.stderr
    names = {p["Name"] for p in orgs.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]}
    assert "rootctl-deny-root-unless-assumeroot" not in names
    assert scps.journal_entries() == []


def test_fix_existing_exempts_root_sessions_and_keeps_the_rest(scps: Cli) -> None:
    orgs = client(scps, "organizations", scps.sandbox.admin_credentials())
    orgs.detach_policy(PolicyId="p-FullAWSAccess", TargetId=_ou(scps, "AllowList"))
    dry = scps.json("scp", "guardrail", "--fix-existing", "--dry-run", exit_code=0)
    fixes = {f["policy_id"]: f for f in dry["fixes"]}
    assert set(fixes) == {"p-ctroot01", "p-lzaroot1", "p-allowls1"}
    added = json.loads(fixes["p-allowls1"]["after"])["Statement"][-1]
    assert (added["Effect"], added["Condition"]) == ("Allow", {"Bool": {"aws:AssumedRoot": "true"}})
    assert "sqs:SetQueueAttributes" in added["Action"]
    after = json.loads(fixes["p-ctroot01"]["after"])["Statement"][0]["Condition"]
    assert after == {
        "StringLike": {"aws:PrincipalArn": ["arn:*:iam::*:root"]},
        "Null": {"aws:AssumedRoot": "true"},
    }
    assert not _task_runs(scps, CT, TASKS[0])  # the dry run changed nothing
    result = scps("scp", "guardrail", "--fix-existing", "--yes", "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert '+        "Null": {' in result.stderr  # the diff was shown before
    steps = json.loads(result.stdout)["steps"]
    assert {s["state"] for s in steps} == {"done"}
    entries = {e["id"]: e for e in scps.journal_entries()}
    saved = entries[steps[0]["journal_id"]]
    assert saved["saved_policy"]["kind"] == "service-control-policy"
    assert "AssumedRoot" not in saved["saved_policy"]["policy"]
    assert "AssumedRoot" in saved["replacement_policy"]
    verdicts = {a["account_id"]: a["verdict"] for a in scps.json("scp", "audit")["accounts"]}
    assert (verdicts[CT], verdicts[LZA], verdicts[ALLOW]) == ("guarded", "guarded", "unguarded")
    for account in (CT, LZA, ALLOW):
        assert all(_task_runs(scps, account, task) for task in TASKS), account
    assert _root_user_refused(scps, CT)
    assert _root_user_refused(scps, LZA)
    nothing = scps("scp", "guardrail", "--fix-existing", "--yes")
    assert nothing.exit_code == 0
    assert "No SCP to fix." in nothing.stderr


def test_the_delegates_own_scps_are_checked(scps: Cli) -> None:
    orgs = client(scps, "organizations", scps.sandbox.admin_credentials())
    orgs.register_delegated_administrator(AccountId=REGION, ServicePrincipal="iam.amazonaws.com")
    deny = {"Version": "2012-10-17", "Statement": [{"Sid": "NoAssumeRoot", "Effect": "Deny",
            "Action": "sts:AssumeRoot", "Resource": "*",
            "Condition": {"StringEquals": {"sts:TaskPolicyArn":
                "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"}}}]}  # fmt: skip
    made = orgs.create_policy(
        Name="no-deletes-from-here", Description="", Type="SERVICE_CONTROL_POLICY",
        Content=json.dumps(deny),
    )["Policy"]["PolicySummary"]["Id"]  # fmt: skip
    orgs.attach_policy(PolicyId=made, TargetId=REGION)
    delegate = scps.json("scp", "audit", "--account", GUARDED, exit_code=1)["delegate"]
    assert (delegate["account_id"], delegate["decision"]) == (REGION, "denied")
    refused = [t["task"] for t in delegate["tasks"] if t["decision"] != "allowed"]
    assert refused == ["IAMDeleteRootUserCredentials"]
    assert delegate["policies"][0]["sid"] == "NoAssumeRoot"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--apply",), "--apply needs --ou"),
        (("--apply", "--detach", "--ou", "root"), "choose one of"),
        (("--apply", "--ou", "ou-nope-12345678"), "is not an OU"),
        (("--print", "--yes"), "--dry-run and --yes go with"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(scps: Cli, args: tuple[str, ...], message: str) -> None:
    result = scps("scp", "guardrail", *args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert message in result.stderr
