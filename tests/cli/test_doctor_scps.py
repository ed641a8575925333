"""`rootctl doctor`'s static SCP check (``scps``) end to end against the sandbox: a Control
Tower-style "deny root" SCP on the Prod OU fails exactly that OU's accounts, in one finding
that names the policy, its statement and every account; `scp guardrail --fix-existing` mends
it and doctor passes; a caller that may not read SCPs gets a warning, never a crash."""

from __future__ import annotations

import json
from typing import Any

from tests.cli.conftest import MANAGEMENT, Cli
from tests.cli.seeded import client
from tests.cli.test_doctor import _prod_ou, finding

SCP_TYPE = "SERVICE_CONTROL_POLICY"
DENY_ROOT = {  # Control Tower's "Disallow actions as a root user", as deployed
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "GRRESTRICTROOTUSER",
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringLike": {"aws:PrincipalArn": ["arn:*:iam::*:root"]}},
        }
    ],
}


def _orgs(cli: Cli) -> Any:
    return client(cli, "organizations", cli.sandbox.admin_credentials())


def _enable_scps(cli: Cli) -> Any:
    orgs = _orgs(cli)
    root = orgs.list_roots()["Roots"][0]["Id"]
    orgs.enable_policy_type(RootId=root, PolicyType=SCP_TYPE)
    return orgs


def _deny_root_on(cli: Cli, target: str) -> str:
    orgs = _enable_scps(cli)
    made = orgs.create_policy(
        Name="aws-guardrails-disallow-root", Description="", Type=SCP_TYPE,
        Content=json.dumps(DENY_ROOT),
    )["Policy"]["PolicySummary"]["Id"]  # fmt: skip
    orgs.attach_policy(PolicyId=made, TargetId=target)
    return str(made)


def _accounts_under(cli: Cli, ou: str) -> set[str]:
    listed = _orgs(cli).list_accounts_for_parent(ParentId=ou)["Accounts"]
    return {str(a["Id"]) for a in listed if a["Status"] == "ACTIVE"}


def _scps(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in document["findings"] if f["check"] == "scps"]


def test_a_blocking_scp_fails_its_ous_accounts_until_fixed(enabled: Cli) -> None:
    prod = _prod_ou(enabled)
    policy = _deny_root_on(enabled, prod)
    document = enabled.json("doctor", "--for", "delete", exit_code=1)
    failures = [f for f in _scps(document) if f["status"] == "fail"]
    assert len(failures) == 1  # one finding for the statement, not one per account
    (blocked,) = failures
    assert set(blocked["account_ids"]) == _accounts_under(enabled, prod)
    assert len(blocked["account_ids"]) == 6
    assert blocked["message"].startswith(
        f"SCP {policy} (aws-guardrails-disallow-root), statement 1 (GRRESTRICTROOTUSER), "
        f"attached to {prod}: denies iam:GetUser, iam:GetLoginProfile, iam:ListAccessKeys and 9 "
        "more action(s), refusing the root sessions of "
    )
    assert (
        "IAMAuditRootUserCredentials, IAMDeleteRootUserCredentials in 6 account(s)"
        in (blocked["message"])
    )
    assert blocked["scp_statement"] == {
        "policy_id": policy,
        "policy_name": "aws-guardrails-disallow-root",
        "target_id": prod,
        "index": 0,
        "sid": "GRRESTRICTROOTUSER",
        "depends_on": [],
    }
    assert blocked["denial"]["policy_type"] == "service control policy"
    assert blocked["denial"]["policy_arn"].endswith(f"/service_control_policy/{policy}")
    assert blocked["fix_advice"] == {
        "code": "fix-blocking-scp",
        "params": {"policy": f"SCP {policy}"},
    }
    assert "`rootctl scp guardrail --fix-existing`" in blocked["fix"]
    # The other accounts pass, and nothing refuses their long-term root user: a warning.
    unguarded = next(f for f in _scps(document) if f["status"] == "warn")
    assert unguarded["fix_advice"]["code"] == "stage-guardrail"
    assert len(unguarded["account_ids"]) == 19 - 6
    assert not set(unguarded["account_ids"]) & set(blocked["account_ids"])
    assert unguarded["message"].startswith("13 account(s): no SCP refuses the long-term root")
    table = enabled("doctor", "--for", "delete", "--ou", prod)
    assert table.exit_code == 1
    flat = " ".join(table.stdout.split())
    assert f"SCP {policy} (aws-guardrails-disallow-root)" in flat
    assert "6 account(s): 418273645502 prod-checkout" in flat
    assert "6 member account(s) blocked" in flat
    # Mend it, then doctor passes for that OU.
    fixed = enabled("scp", "guardrail", "--fix-existing", "--yes")
    assert fixed.exit_code == 0, fixed.stderr
    after = enabled.json("doctor", "--for", "delete", "--ou", prod, exit_code=0)
    assert after["ok"] is True
    assert [(f["status"], f["message"]) for f in _scps(after)] == [
        (
            "ok",
            "in 6 member account(s) the SCPs let the root sessions through: "
            "IAMAuditRootUserCredentials, IAMDeleteRootUserCredentials",
        )
    ]


def test_a_caller_that_may_not_read_scps_gets_a_warning(enabled: Cli) -> None:
    _enable_scps(enabled)  # FullAWSAccess everywhere: one document to describe
    # The sandbox does not hold organizations reads to IAM policies: deny it as an SCP would.
    enabled.sandbox.faults.deny(MANAGEMENT, "organizations:DescribePolicy")
    document = enabled.json("doctor", "--for", "audit", exit_code=0)
    assert document["ok"] is True  # a warning: doctor goes on, the other checks pass
    (warning,) = _scps(document)
    assert warning["status"] == "warn"
    assert warning["message"] == (
        "SCPs could not be read: organizations:DescribePolicy denied by a service control "
        "policy; 19 account(s) not evaluated"
    )
    assert warning["fix_advice"] == {
        "code": "lift-caller-deny",
        "params": {
            "policy_type": "service control policy",
            "action": "organizations:DescribePolicy",
        },
    }
    assert finding(document, "member-accounts")["status"] == "ok"
    table = enabled("doctor", "--for", "audit")
    assert table.exit_code == 0
    assert "SCPs could not be read" in table.stdout


def test_the_catalogue_lists_the_scp_check(cli: Cli) -> None:
    listing = cli.json("doctor", "--list-checks", exit_code=0)
    scps = [c for c in listing["checks"] if c["id"] == "scps"]
    assert [(c["stage"], c["operations"]) for c in scps] == [("more", [])]
    assert listing["checks"][-1]["id"] == "scps"
    table = cli("doctor", "--list-checks")
    assert "scps" in table.stdout
    assert "SCPs" in cli("doctor", "--help").stdout
