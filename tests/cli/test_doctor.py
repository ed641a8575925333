"""`rootctl doctor` end to end against the sandbox over HTTP: exact findings and exit codes for
an organization where everything is fine, trusted access off, a caller missing sts:AssumeRoot
for the delete task (simulated and probed), SCP/RCP-like denials in some accounts, and the
callers and configurations that cannot work at all."""

from __future__ import annotations

import json
from typing import Any

import boto3

from tests.cli.conftest import (
    CHECKOUT,
    DELEGATE,
    MANAGEMENT,
    ORDERS,
    PAYMENTS,
    Cli,
)
from tests.cli.principals import new_user

MEMBERS = 19  # the example organization's ACTIVE member accounts
TASKS = [
    "IAMAuditRootUserCredentials",
    "IAMDeleteRootUserCredentials",
    "IAMCreateRootUserPassword",
    "S3UnlockBucketPolicy",
    "SQSUnlockQueuePolicy",
]


def shape(document: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(f["check"], f["status"], f["account_id"]) for f in document["findings"]]


def finding(document: dict[str, Any], check: str, account: str | None = None) -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        f for f in document["findings"] if f["check"] == check and f["account_id"] == account
    ]
    assert len(found) == 1, found
    return found[0]


SETUP_OK = [
    ("sts-endpoint", "ok", None),
    ("caller-identity", "ok", None),
    ("caller-account", "ok", None),
    ("organization", "ok", None),
    ("trusted-access", "ok", None),
]


def test_everything_fine_exits_0_and_changes_nothing(enabled: Cli) -> None:
    before, journaled = enabled.sandbox.snapshot(), enabled.journal_entries()
    document = enabled.json("doctor", exit_code=0)
    assert document["ok"] is True
    assert document["operations"] == ["audit", "delete", "recovery", "unlock"]
    assert shape(document) == [
        *SETUP_OK,
        ("capabilities", "ok", None),
        ("capabilities", "ok", None),
        ("delegate", "ok", None),
        ("caller-permissions", "ok", None),
        *[("assume-root", "ok", None)] * 5,
        ("member-accounts", "ok", None),
        ("scps", "warn", None),  # no SCPs in the example organization: no guardrail possible
    ]
    assert document["counts"] == {"ok": 15, "warn": 1, "fail": 0}
    assert [f["task"] for f in document["findings"] if f["check"] == "assume-root"] == TASKS
    assert finding(document, "member-accounts")["message"].startswith(
        f"{MEMBERS} member account(s) opened a root session and read with "
    )
    permissions = finding(document, "caller-permissions")["message"]
    assert "IAM's policy simulator, for arn:aws:iam::123456789012:user/admin" in permissions
    assert finding(document, "scps")["fix_advice"] == {"code": "stage-guardrail", "params": {}}
    assert all(f["fix"] is None for f in document["findings"] if f["status"] == "ok")
    assert document["blocked"] == []
    rows = document["accounts"]
    assert sum(r["state"] == "ready" for r in rows) == MEMBERS
    assert {r["state"] for r in rows} == {"ready", "skipped"}
    ready = next(r for r in rows if r["state"] == "ready")
    assert [(t["task"], t["outcome"], t["step"]) for t in ready["tasks"]] == [
        ("IAMAuditRootUserCredentials", "ready", "iam:ListAccessKeys"),
        ("IAMDeleteRootUserCredentials", "ready", "iam:ListAccessKeys"),
        ("IAMCreateRootUserPassword", "ready", "iam:GetLoginProfile"),
        ("S3UnlockBucketPolicy", "ready", "s3:ListAllMyBuckets"),
        ("SQSUnlockQueuePolicy", "ready", "sqs:ListQueues"),
    ]
    assert enabled.sandbox.snapshot() == before  # it changes nothing
    assert enabled.journal_entries() == journaled  # and journals nothing
    sessions = enabled.sandbox.issued_root_sessions()
    assert len(sessions) == MEMBERS * 5
    assert {s.duration_seconds for s in sessions} == {60}
    table = enabled("doctor", "--for", "audit", "--account", PAYMENTS)
    assert table.exit_code == 0, table.output
    assert "Nothing blocks audit." in table.stdout


def test_trusted_access_off(enabled: Cli) -> None:
    assert enabled("disable", "--trusted-access", "--yes").exit_code == 0
    document = enabled.json("doctor", "--for", "audit", exit_code=1)
    assert document["ok"] is False
    assert shape(document) == [
        *SETUP_OK[:4],
        ("trusted-access", "fail", None),
        ("capabilities", "warn", None),
        ("delegate", "ok", None),
        ("caller-permissions", "ok", None),
        ("assume-root", "ok", None),
        ("member-accounts", "warn", None),
        ("scps", "ok", None),  # SCPs off: none blocks a root session
    ]
    trusted = finding(document, "trusted-access")
    assert trusted["message"] == "IAM trusted access (iam.amazonaws.com) is off"
    assert trusted["fix"] == "Run `rootctl enable` from the management account."
    assert trusted["fix_advice"] == {"code": "enable-trusted-access", "params": {}}
    assert "Service not enabled for AWS Organizations" in trusted["why"]
    assert "unknown while IAM trusted access is off" in finding(document, "capabilities")["message"]
    assert finding(document, "assume-root")["message"] == (
        "sts:AssumeRoot with IAMAuditRootUserCredentials: allowed (simulated)"
    )
    assert finding(document, "member-accounts")["message"] == (
        "member accounts not checked: IAM trusted access is off"
    )
    assert enabled.sandbox.issued_root_sessions() == []
    assert document["accounts"] == []


def test_caller_without_assume_root_for_delete_simulated(enabled: Cli) -> None:
    delete_t = TASKS[1]
    # A person's policy for audit only (it may use the simulator): doctor --for delete.
    keys = _user_with_policy(enabled, "alice", "--for", "audit")
    document = enabled.json("doctor", "--for", "delete", exit_code=1, env=keys)
    assert shape(document) == [
        *SETUP_OK,
        ("capabilities", "ok", None),
        ("delegate", "ok", None),
        ("caller-permissions", "ok", None),
        ("assume-root", "ok", None),
        ("assume-root", "fail", None),
        ("member-accounts", "ok", None),
        ("scps", "warn", None),
    ]
    assert (
        "IAM's policy simulator, for arn:aws:iam::123456789012:user/alice"
        in (finding(document, "caller-permissions")["message"])
    )
    audit, delete = [f for f in document["findings"] if f["check"] == "assume-root"]
    assert audit["message"] == (
        f"sts:AssumeRoot with IAMAuditRootUserCredentials: opened in {MEMBERS} account(s)"
    )
    assert delete["task"] == "IAMDeleteRootUserCredentials"
    assert delete["message"] == (
        "sts:AssumeRoot with IAMDeleteRootUserCredentials: not allowed in any of the "
        f"{MEMBERS} account(s) (sts:AssumeRoot not allowed by any identity-based policy) "
        "(simulated)"
    )
    # The simulator refused it: doctor did not try (no AccessDenied for CloudTrail).
    delete_probes = [t for r in document["accounts"] for t in r["tasks"] if t["task"] == delete_t]
    assert len(delete_probes) == MEMBERS
    assert {(t["outcome"], t["tried"], t["step"]) for t in delete_probes} == {
        ("denied", False, "sts:AssumeRoot")
    }
    issued = {s.task_policy_arn for s in enabled.sandbox.issued_root_sessions()}
    assert issued == {f"arn:aws:iam::aws:policy/root-task/{TASKS[0]}"}
    assert delete["denial"]["policy_type"] == "identity-based policy"
    assert delete["fix_advice"]["code"] == "grant-actions"
    assert delete["fix_advice"]["params"]["operations"] == "delete"
    statement = json.loads(delete["fix_advice"]["params"]["statement"])
    delete_task = "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"
    assert statement == {
        "Effect": "Allow",
        "Action": "sts:AssumeRoot",
        "Resource": "arn:aws:iam::*:root",
        "Condition": {"StringEquals": {"sts:TaskPolicyArn": delete_task}},
    }
    assert "`rootctl policy --for delete`" in delete["fix"]
    assert document["blocked"] == []  # the caller's own problem: no account is to blame


def test_a_policy_for_some_accounts_is_simulated_per_account(enabled: Cli) -> None:
    # AssumeRoot for delete on PAYMENTS only: the other targets are refused, and not tried.
    keys = _user_with_policy(enabled, "bob", "--for", "delete", "--account", PAYMENTS)
    ou = _prod_ou(enabled)
    document = enabled.json("doctor", "--for", "delete", "--ou", ou, exit_code=1, env=keys)
    blocked = {f["account_id"] for f in document["findings"] if f["status"] == "fail"} - {None}
    prod = {r["account_id"] for r in document["accounts"] if r["state"] != "skipped"}
    assert PAYMENTS in prod
    assert blocked == prod - {PAYMENTS}
    rows = {r["account_id"]: r for r in document["accounts"]}
    assert rows[PAYMENTS]["state"] == "ready"
    assert {t["tried"] for a in blocked for t in rows[a]["tasks"]} == {False}
    assert {s.account_id for s in enabled.sandbox.issued_root_sessions()} == {PAYMENTS}


def test_caller_without_assume_root_for_delete_probed(enabled: Cli) -> None:
    # The seed's auditor may AssumeRoot only with the audit task and may not simulate.
    auditor = enabled.as_principal(enabled.sandbox.principal_credentials(MANAGEMENT, "auditor"))
    document = enabled.json("doctor", "--for", "delete", "--ou", _prod_ou(enabled), env=auditor)
    assert document["ok"] is False
    permissions = finding(document, "caller-permissions")["message"]
    assert permissions.endswith("(probed: the caller may not use IAM's policy simulator)")
    audit, delete = [f for f in document["findings"] if f["check"] == "assume-root"]
    assert audit["status"] == "ok"
    assert delete["status"] == "fail"
    assert delete["message"].startswith(
        "sts:AssumeRoot with IAMDeleteRootUserCredentials: not allowed in any of the "
    )
    assert [f for f in document["findings"] if f["account_id"]] == []
    table = enabled("doctor", "--for", "delete", "--ou", _prod_ou(enabled), env=auditor)
    assert table.exit_code == 1
    assert "fix: Add to the caller's IAM policy: " in " ".join(table.stdout.split())


def test_scp_and_rcp_denials_in_some_accounts(enabled: Cli) -> None:
    faults = enabled.sandbox.faults
    faults.deny(PAYMENTS, "IAMDeleteRootUserCredentials")  # an SCP on the delete task
    faults.deny(CHECKOUT, "iam:ListAccessKeys")  # an SCP on the root user's reads
    faults.deny(ORDERS, "s3:*", policy="rcp")  # an RCP on the account's buckets
    prod = ("--ou", _prod_ou(enabled))  # six accounts: PAYMENTS, CHECKOUT, ORDERS and three more
    document = enabled.json("doctor", "--for", "audit,delete,unlock", *prod, exit_code=1)
    failed = [(f["account_id"], f["task"]) for f in document["findings"] if f["status"] == "fail"]
    assert sorted(failed) == [
        (PAYMENTS, "IAMDeleteRootUserCredentials"),
        (CHECKOUT, "IAMAuditRootUserCredentials"),
        (ORDERS, "S3UnlockBucketPolicy"),
    ]
    assert finding(document, "member-accounts", CHECKOUT)["message"] == (
        "IAMAuditRootUserCredentials: iam:ListAccessKeys denied by a service control policy "
        "(inside the root session); IAMDeleteRootUserCredentials: iam:ListAccessKeys denied by "
        "a service control policy (inside the root session)"
    )
    orders = finding(document, "member-accounts", ORDERS)
    assert orders["denial"]["policy_type"] == "resource control policy"
    assert orders["fix_advice"] == {
        "code": "exempt-assumed-root",
        "params": {"policy_type": "resource control policy"},
    }
    assert '"Null": {"aws:AssumedRoot": "true"}' in orders["fix"]
    groups = [
        (g["denial"]["label"], g["tasks"], sorted(g["account_ids"])) for g in document["blocked"]
    ]
    assert groups == [
        (
            "iam:ListAccessKeys denied by a service control policy",
            ["IAMAuditRootUserCredentials", "IAMDeleteRootUserCredentials"],
            sorted([PAYMENTS, CHECKOUT]),
        ),
        (
            "s3:ListAllMyBuckets denied by a resource control policy",
            ["S3UnlockBucketPolicy"],
            [ORDERS],
        ),
    ]
    ok = finding(document, "member-accounts")
    probed = [r for r in document["accounts"] if r["state"] != "skipped"]
    assert len(probed) == 6
    assert ok["message"].startswith("3 member account(s) opened a root session")
    assert all(
        f["status"] == "ok"
        for f in document["findings"]
        if f["account_id"] is None and f["check"] != "scps"  # scps: no SCPs, nothing guards
    )
    table = enabled("doctor", "--for", "audit,delete,unlock", *prod)
    assert table.exit_code == 1
    assert "Blocked member accounts, by denial" in table.stdout
    assert "3 problem(s) block audit, delete, unlock, 3 member account(s) blocked (1 warning" in (
        table.stdout
    )


def test_a_member_account_caller_is_told_to_use_an_admin_account(enabled: Cli) -> None:
    member = enabled.as_principal(enabled.sandbox.principal_credentials(PAYMENTS))
    document = enabled.json("doctor", "--for", "audit", exit_code=1, env=member)
    assert ("caller-account", "fail", None) in shape(document)
    assert finding(document, "caller-account")["fix_advice"]["code"] == "use-admin-account"
    assert finding(document, "member-accounts")["message"] == (
        "member accounts not checked: the caller's account may not open root sessions"
    )
    assert enabled.sandbox.issued_root_sessions() == []


def test_root_user_credentials_are_refused(enabled: Cli) -> None:
    root = enabled.sandbox.root_access_key(CHECKOUT)  # an active root access key
    document = enabled.json("doctor", "--for", "audit", exit_code=1, env=enabled.as_principal(root))
    identity = finding(document, "caller-identity")
    assert identity["status"] == "fail"
    assert identity["fix_advice"]["code"] == "use-iam-principal"
    assert enabled.sandbox.issued_root_sessions() == []


def test_legacy_sts_setting_warns_and_a_global_endpoint_fails(enabled: Cli) -> None:
    legacy = enabled.json(
        "doctor", "--for", "audit", "--account", DELEGATE,
        exit_code=0, env={"AWS_STS_REGIONAL_ENDPOINTS": "legacy"},
    )  # fmt: skip
    endpoint = finding(legacy, "sts-endpoint")
    assert endpoint["status"] == "warn"
    assert "sts_regional_endpoints=legacy" in endpoint["message"]
    assert legacy["ok"] is True  # a warning does not block
    global_sts = enabled.json(
        "doctor", "--for", "audit",
        exit_code=1, env={"AWS_ENDPOINT_URL_STS": "https://sts.amazonaws.com"},
    )  # fmt: skip
    assert shape(global_sts) == [("sts-endpoint", "fail", None)]
    assert finding(global_sts, "sts-endpoint")["fix_advice"]["code"] == "use-regional-sts"
    assert global_sts["caller_arn"] is None


def test_exit_3_when_aws_prevents_the_check(enabled: Cli) -> None:
    enabled.sandbox.faults.update(error_rate=1.0, match=["sts:AssumeRoot"])
    document = enabled.json(
        "doctor", "--for", "audit", "--ou", _prod_ou(enabled), "--max-attempts", "1", exit_code=3
    )
    assert document["prevented"] is True
    assert {f["status"] for f in document["findings"] if f["account_id"]} == {"warn"}
    enabled.sandbox.faults.clear()
    bad_keys = {"AWS_ACCESS_KEY_ID": "AKIAXXXXXXXXXXXXXXXX", "AWS_SECRET_ACCESS_KEY": "x" * 40}
    refused = enabled("doctor", "--for", "audit", env=bad_keys)
    assert refused.exit_code == 3
    assert refused.stderr.startswith("Error: GetCallerIdentity failed")


def test_bad_input_exits_2_before_any_aws_call(enabled: Cli) -> None:
    enabled.sandbox.faults.update(error_rate=1.0)  # any AWS call would fail with exit 3
    for args in (
        ["--account", "12"],
        ["--for", "enable"],
        ["--for", "audit,nope"],
        ["--for", ""],
        ["--for", "audit,"],
        ["--all", "--ou", "ou-ab12-cdefgh34"],
    ):
        result = enabled("doctor", *args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith("Error: "), args
    enabled.sandbox.faults.clear()


def _prod_ou(cli: Cli) -> str:
    organizations = boto3.client(
        "organizations",
        endpoint_url=cli.aws.endpoint_url,
        **cli.sandbox.admin_credentials().boto3_kwargs(),
    )
    parents = organizations.list_parents(ChildId=PAYMENTS)["Parents"]
    return str(parents[0]["Id"])


def _user_with_policy(cli: Cli, name: str, *policy_args: str) -> dict[str, str]:
    """A new IAM user holding `rootctl policy …`, as the environment of a CLI run."""
    document = cli("policy", *policy_args)
    assert document.exit_code == 0, document.output
    return new_user(cli, name, document.stdout)[1]
