"""`rootctl exec` and `rootctl credential-process` (issue 18): a task session for any tool —
the command calls the sandbox as the member's root; the secret reaches the command's
environment and nowhere else; sessions never outlive 900 s (refused, or renewed with
--renew); the AWS CLI consumes credential-process through a profile."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from rootctl.sandbox import Sandbox
from rootctl.sandbox.server import SandboxServer
from tests.faults.conftest import ROOTCTL, client_env

PAYMENTS = "418273645501"
MANAGEMENT = "123456789012"
SUSPENDED = "630495867704"
AWS_CLI = str(Path(sys.executable).with_name("aws"))

CALLER = textwrap.dedent(
    """
    import json, sys, time, boto3
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    pause = float(sys.argv[2]) if len(sys.argv) > 2 else 0
    for n in range(calls):
        if n:
            time.sleep(pause)
        who = boto3.client("sts").get_caller_identity()["Arn"]
        keys = boto3.client("iam").list_access_keys()["AccessKeyMetadata"]
        print(json.dumps({"arn": who, "keys": len(keys)}), flush=True)
    """
)


@pytest.fixture
def enabled(sandbox: Sandbox) -> Sandbox:
    with sandbox.in_process(env=True):
        import boto3

        boto3.client("organizations", region_name="us-east-1").enable_aws_service_access(
            ServicePrincipal="iam.amazonaws.com"
        )
        iam = boto3.client("iam", region_name="us-east-1")
        iam.enable_organizations_root_credentials_management()
        iam.enable_organizations_root_sessions()
    return sandbox


@pytest.fixture
def run(enabled: Sandbox, sandbox_server: SandboxServer, tmp_path: Path) -> Any:
    home = tmp_path / "home"
    home.mkdir()
    env = client_env(enabled, sandbox_server.endpoint_url, home)

    def rootctl(
        *args: str, extra: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*ROOTCTL, *args],
            env={**env, **(extra or {})},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=home,
        )

    rootctl.env = env  # type: ignore[attr-defined]
    rootctl.home = home  # type: ignore[attr-defined]
    return rootctl


def _journal(home: Path) -> list[dict[str, Any]]:
    db = sqlite3.connect(home / "journal.sqlite3")
    db.row_factory = sqlite3.Row
    return [dict(r) for r in db.execute("SELECT * FROM actions ORDER BY id")]


def test_exec_runs_a_command_as_the_member_s_root(run: Any, enabled: Sandbox) -> None:
    done = run(
        "exec", PAYMENTS, "--task", "audit", "--reason", "INC-42 check keys", "--duration", "5m",
        "--", sys.executable, "-c", CALLER,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer == {"arn": f"arn:aws:iam::{PAYMENTS}:root", "keys": 1}
    (session,) = enabled.issued_root_sessions(PAYMENTS)
    assert session.task_policy == "IAMAuditRootUserCredentials"
    assert session.duration_seconds == 300
    (entry,) = _journal(run.home)
    assert entry["action"] == "exec"
    assert entry["target"] == PAYMENTS
    assert entry["reason"] == "INC-42 check keys"
    assert entry["session_key_id"] == session.access_key_id
    assert entry["status"] == "succeeded"
    assert entry["caller_arn"] == f"arn:aws:iam::{MANAGEMENT}:user/admin"
    assert json.loads(entry["items"])[0].startswith(sys.executable)
    assert entry["finished_at"] >= entry["started_at"]
    # CloudTrail in the member account ties the calls to the session rootctl journaled
    member = [
        e["eventName"]
        for e in enabled.cloudtrail_events(PAYMENTS)
        if e["userIdentity"].get("accessKeyId") == session.access_key_id
    ]
    assert member == ["GetCallerIdentity", "ListAccessKeys"]


def test_exec_keeps_the_secret_in_the_command_s_environment(run: Any, enabled: Sandbox) -> None:
    config = run.home / "aws-config"
    admin = enabled.admin_credentials()
    config.write_text(
        "[profile caller]\n"
        f"aws_access_key_id = {admin.access_key_id}\n"
        f"aws_secret_access_key = {admin.secret_access_key}\n"
    )
    printer = (
        "import os, sys; [print(f'{k}={v}') for k, v in sorted(os.environ.items()) "
        "if k.startswith('AWS_')]; sys.exit(7)"
    )
    done = run(
        "exec", PAYMENTS, "--task", "audit", "--debug", "--",
        sys.executable, "-c", printer, "--password", "hunter2", "TOKEN=abc",
        extra={"AWS_CONFIG_FILE": str(config), "AWS_PROFILE": "caller",
               "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""},
    )  # fmt: skip
    assert done.returncode == 7, done.stderr  # the command's exit code
    (session,) = enabled.issued_root_sessions(PAYMENTS)
    child = dict(line.split("=", 1) for line in done.stdout.splitlines())
    assert child["AWS_SESSION_TOKEN"] == session.session_token  # the command has it …
    assert child["AWS_SECRET_ACCESS_KEY"] == session.secret_access_key
    assert child["AWS_REGION"] == "us-east-1"
    assert "AWS_PROFILE" not in child
    # … and nothing rootctl wrote does: its stderr (with debug logs), its journal
    assert "botocore" in done.stderr  # debug logging really ran
    for secret in (session.session_token, session.secret_access_key):
        assert secret not in done.stderr
        for path in run.home.rglob("journal.sqlite3*"):
            assert secret.encode() not in path.read_bytes()
    (entry,) = _journal(run.home)
    assert "hunter2" not in entry["items"]
    assert "abc" not in entry["items"]
    assert (entry["status"], entry["error"]) == ("failed", "exit code 7")


def test_a_session_that_ends_before_the_command(run: Any, enabled: Sandbox) -> None:
    done = run(
        "exec", PAYMENTS, "--task", "audit", "--duration", "1s",
        "--", sys.executable, "-c", CALLER, "2", "2.5",
    )  # fmt: skip
    assert done.returncode != 0
    assert "expired" in done.stderr
    assert len(enabled.issued_root_sessions(PAYMENTS)) == 1


def test_renew_gives_the_command_a_fresh_session(run: Any, enabled: Sandbox) -> None:
    # 62 s sessions are renewed when less than 60 s is left: the second call, 3 s after the
    # first, gets a new session from rootctl's local credentials endpoint (the first call may
    # too, on a loaded machine where the child starts more than 2 s after the first session).
    done = run(
        "exec", PAYMENTS, "--task", "audit", "--duration", "62s", "--renew",
        "--", sys.executable, "-c", CALLER, "2", "3",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["arn"] for line in done.stdout.splitlines()] == [
        f"arn:aws:iam::{PAYMENTS}:root"
    ] * 2
    sessions = enabled.issued_root_sessions(PAYMENTS)
    assert len(sessions) in (2, 3)
    entries = _journal(run.home)
    assert [e["action"] for e in entries] == ["exec"] + ["exec-renew"] * (len(sessions) - 1)
    assert [e["session_key_id"] for e in entries] == [s.access_key_id for s in sessions]
    assert {e["status"] for e in entries} == {"succeeded"}
    for session in sessions:
        for secret in (session.session_token, session.secret_access_key):
            assert secret not in done.stdout + done.stderr


def test_credential_process_through_an_aws_cli_profile(run: Any, enabled: Sandbox) -> None:
    printed = run("exec", PAYMENTS, "--task", "s3-unlock", "--duration", "10m", "--print",
                  "profile")  # fmt: skip
    assert printed.returncode == 0, printed.stderr
    assert f"[profile root-{PAYMENTS}-s3-unlock]" in printed.stdout
    config = run.home / "aws-config"
    config.write_text(printed.stdout)
    env = {**run.env, "AWS_CONFIG_FILE": str(config)}
    listed = subprocess.run(
        [AWS_CLI, "--profile", f"root-{PAYMENTS}-s3-unlock", "s3api", "list-buckets",
         "--output", "json"],
        env=env, capture_output=True, text=True, timeout=120, check=False, cwd=run.home,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert "prod-payments-receipts" in {b["Name"] for b in json.loads(listed.stdout)["Buckets"]}
    # botocore refreshes credentials that expire within 15 minutes before using them, so the
    # AWS CLI may run credential-process more than once: each run is one journaled session.
    sessions = enabled.issued_root_sessions(PAYMENTS)
    assert sessions
    assert {(s.task_policy, s.duration_seconds) for s in sessions} == {
        ("S3UnlockBucketPolicy", 600)
    }
    entries = _journal(run.home)
    assert [(e["action"], e["session_key_id"]) for e in entries] == [
        ("credential-process", s.access_key_id) for s in sessions
    ]

    document = json.loads(run("credential-process", PAYMENTS, "--task", "audit").stdout)
    assert document["Version"] == 1
    assert set(document) == {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken",
                             "Expiration"}  # fmt: skip
    assert document["Expiration"].endswith("Z")
