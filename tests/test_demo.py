"""`rootctl demo`: the story runs end to end, pauses with --step, serves with --serve, and fails
loudly when AWS (the sandbox) answers differently from what the story expects.

The full runs are subprocesses — ``rootctl demo`` exactly as a user runs it, with moto's global
state of its own — and the user's own AWS setting and journal are poisoned to prove the demo
never touches them.
"""

from __future__ import annotations

import io
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TextIO, cast

import boto3
import pytest

from rootctl.cli import cli
from rootctl.demo import run
from rootctl.demo.cast import locks_everyone_out
from rootctl.demo.narrator import Narrator
from rootctl.demo.shell import export_lines
from rootctl.sandbox import Sandbox, SignInResult
from rootctl.sandbox.clientenv import patched_environment

DEMO = [sys.executable, "-m", "rootctl", "demo"]
TIMEOUT = 120

# Each step's observable outcome, in the order the story must show them.
OUTCOMES = (
    "Root access management is disabled",
    "CIS AWS Foundations v7.0 2.1.1 (centralized root access) fails",
    "$ rootctl enable --delegate 210987654321",
    "IAM delegated administrator: security-tooling (210987654321)",
    "$ rootctl scp audit",
    "blocks all 5 task sessions — by aws-guardrails-disallow-root [p-ctroot01]",
    "4 accounts: every root task blocked by aws-guardrails-disallow-root — backup-vault, "
    "log-archive, security-audit, security-tooling.",
    "$ rootctl scp guardrail --fix-existing --yes",
    "done update aws-guardrails-disallow-root (p-ctroot01)",
    "4 accounts guarded: the root tasks pass, the long-term root user is still refused.",
    "$ rootctl audit --all --output tree",
    "11 have root credentials",
    "AWS answered: signed in.",
    "$ rootctl delete-credentials --account 418273645501 --yes",
    "AWS now reports no password, no access key, no signing certificate, no MFA.",
    "AWS refused the sign-in: no password",
    "AWS refused the reset: password recovery is not enabled",
    "$ rootctl allow-password-recovery --account 418273645501 --yes",
    "AWS accepted: a password reset link was sent to the root user's e-mail address — "
    "payments-prod@example.com",
    "bucket prod-payments-receipts: no policy any more",
    "queue orders-events: no policy any more",
    "delete-bucket-policy (policy saved)",
    "$ rootctl journal show",
    '"Sid": "DenyEveryone"',
    "hold the old policies",
    "$ rootctl delete-credentials --ou ou-",
    "All 10 accounts in Workloads: no root credentials.",
    "IAM.4 · IAM root user access key should not exist",
    "14 accounts: no root credentials: the Config rule reports NOT_APPLICABLE",
    "IAM.6 · Hardware MFA should be enabled for the root user",
    "14 accounts: no root password (login profile), which Security Hub documents as PASSED",
    "IAM.9 · MFA should be enabled for the root user",
    "14 accounts: no root credentials, which Security Hub documents as PASSED",
    "CIS 2.1.1 · Ensure centralized root access in AWS Organizations",
    "All 10 Workloads accounts pass every root control",
    "rootctl ui --sandbox",
    "Demo complete: 11 steps",
)


@pytest.fixture
def user_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose AWS profile and rootctl journal must not be used by the demo."""
    env = dict(os.environ)
    env.update(
        {
            "AWS_PROFILE": "a-profile-that-does-not-exist",
            "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9",  # would break STS if it leaked in
            "ROOTCTL_JOURNAL": str(tmp_path / "users-own-journal.sqlite3"),
            "HOME": str(tmp_path),
            "COLUMNS": "100",
        }
    )
    return env


def assert_in_order(text: str, expected: tuple[str, ...]) -> None:
    """Each outcome appears, in this order; line wrapping does not matter."""
    text = " ".join(text.split())
    position = 0
    for outcome in expected:
        found = text.find(outcome, position)
        assert found >= 0, f"missing (or out of order) after offset {position}: {outcome!r}"
        position = found + len(outcome)


@pytest.mark.slow
def test_the_whole_story_runs_and_shows_each_outcome(user_env: dict[str, str], tmp_path: Path):
    done = subprocess.run(
        DEMO, env=user_env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert_in_order(done.stdout, OUTCOMES)
    assert "\x1b[" not in done.stdout, "colour codes on a pipe"
    assert not (tmp_path / "users-own-journal.sqlite3").exists()
    assert not re.search(r"[ \t]+$", _narration(done.stdout), re.M), "trailing blanks in prose"


def _narration(stdout: str) -> str:
    """The demo's own lines (the commands' tables are the CLI's business)."""
    marks = ("  ✔", "  ✘", "  →", "    ✔", "    ✘", "    ○")
    return "\n".join(line for line in stdout.splitlines() if line.startswith(marks))


def _read_until(proc: subprocess.Popen[bytes], marker: bytes, seen: bytearray) -> None:
    assert proc.stdout is not None
    deadline = time.monotonic() + TIMEOUT
    while marker not in seen:
        assert time.monotonic() < deadline, f"no {marker!r} in {bytes(seen[-2000:])!r}"
        ready, _, _ = select.select([proc.stdout], [], [], 1.0)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 65536)
            assert chunk, f"output ended before {marker!r}: {bytes(seen[-3000:])!r}"
            seen.extend(chunk)


@pytest.mark.slow
def test_step_waits_for_enter_between_steps(user_env: dict[str, str]):
    proc = subprocess.Popen(
        [*DEMO, "--step"],
        env=user_env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        seen = bytearray()
        _read_until(proc, b"Press Enter for step 2 of 11", seen)
        time.sleep(0.5)
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 0)
        if ready:
            seen.extend(os.read(proc.stdout.fileno(), 65536))
        assert b"Step 2 of 11" not in seen, "it went on without waiting"
        rest, _ = proc.communicate(input=b"\n" * 10, timeout=TIMEOUT)
    finally:
        proc.kill()
    output = (bytes(seen) + rest).decode()
    assert proc.returncode == 0, output[-3000:]
    assert output.count("Press Enter for step") == 10
    assert_in_order(output, OUTCOMES)


@pytest.fixture
def served(user_env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    proc = subprocess.Popen(
        [*DEMO, "--serve"], env=user_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        seen = bytearray()
        _read_until(proc, b"press Ctrl-C to stop.", seen)
        yield proc, seen.decode()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_serve_keeps_the_sandbox_up_for_the_printed_exports_then_stops_on_ctrl_c(
    served: tuple[subprocess.Popen[bytes], str], tmp_path: Path
):
    proc, output = served
    exports = dict(re.findall(r"^  export (AWS_\w+|ROOTCTL_JOURNAL)=(\S+)$", output, re.M))
    assert set(exports) >= {"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    assert f"Serving on {exports['AWS_ENDPOINT_URL']}" in output

    organizations = boto3.client(
        "organizations",
        endpoint_url=exports["AWS_ENDPOINT_URL"],
        aws_access_key_id=exports["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=exports["AWS_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    assert organizations.describe_organization()["Organization"]["Id"] == "o-k3v9w2q7zt"

    # The printed lines are enough for rootctl itself, with nothing else from the demo.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROOTCTL_"))}
    env.update(exports, AWS_CONFIG_FILE=str(tmp_path / "none"), HOME=str(tmp_path))
    status = subprocess.run(
        [sys.executable, "-m", "rootctl", "status", "-o", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["trusted_access"] is True
    journal = subprocess.run(
        [sys.executable, "-m", "rootctl", "journal", "-o", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert journal.returncode == 0, journal.stderr
    assert "delete-bucket-policy" in journal.stdout

    aws = subprocess.run(
        [sys.executable, "-m", "awscli", "organizations", "list-accounts", "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert aws.returncode == 0, aws.stderr
    assert len(json.loads(aws.stdout)["Accounts"]) == 21

    proc.send_signal(signal.SIGINT)
    rest, errors = proc.communicate(timeout=30)
    assert proc.returncode == 0, errors.decode()[-3000:]
    assert b"Stopped the sandbox." in rest
    assert b"Traceback" not in errors


# -- the demo as a smoke test: a different answer from AWS must stop it -------------------------


@pytest.mark.slow
def test_a_sign_in_that_should_fail_but_succeeds_stops_the_demo(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    def always_in(self: Sandbox, *_args: object, **_kwargs: object) -> SignInResult:
        return SignInResult(True, "signed in")

    monkeypatch.setattr(Sandbox, "sign_in", always_in)
    assert run(cli=cli) == 1
    out, err = capsys.readouterr()
    assert "AWS answered: signed in." in out
    assert "rootctl demo failed at step 7 (Sign-in fails; password reset refused)" in err
    assert "root sign-in to 418273645501 should fail; AWS answered: signed in." in err
    assert "Demo complete" not in out


@pytest.mark.slow
def test_an_organization_already_enabled_stops_the_demo_at_step_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    seed = Sandbox.example().seed
    enabled = replace(
        seed,
        trusted_access=("iam.amazonaws.com",),
        features=("RootCredentialsManagement", "RootSessions"),
    )
    monkeypatch.setattr(Sandbox, "example", classmethod(lambda cls: cls.from_seed(enabled)))
    assert run(cli=cli) == 1
    err = capsys.readouterr().err
    assert "failed at step 1 (The organization, before)" in err
    assert "should start with root access management disabled" in err


def test_ctrl_c_at_a_step_prompt_stops_the_demo_cleanly(capsys: pytest.CaptureFixture[str]):
    class Interrupting:  # Ctrl-C while waiting for Enter
        def readline(self) -> str:
            raise KeyboardInterrupt

    assert run(cli=cli, step=True, stdin=cast(TextIO, Interrupting())) == 130
    out, err = capsys.readouterr()
    assert "Step 1 of 11" in out
    assert "Step 2 of 11" not in out
    assert "Demo stopped." in err


def test_an_organization_without_a_locked_queue_cannot_start_the_story(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    seed = Sandbox.example().seed
    unlocked = replace(seed, accounts=tuple(replace(a, queues=()) for a in seed.accounts))
    monkeypatch.setattr(Sandbox, "example", classmethod(lambda cls: cls.from_seed(unlocked)))
    assert run(cli=cli) == 1
    assert "cannot start: the sandbox's organization has no queue whose policy denies everyone" in (
        capsys.readouterr().err
    )


# -- pieces ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "locked"),
    [
        ({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*"}]}, True),
        ({"Statement": {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": ["*"]}}, True),
        ({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject"}]}, False),
        ({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*"}]}, False),
        (None, False),
    ],
)
def test_a_locked_out_resource_is_one_whose_policy_denies_everyone_everything(
    policy: dict[str, object] | None, locked: bool
):
    assert locks_everyone_out(policy) is locked


def test_the_environment_is_restored_and_exports_quote_values(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_PROFILE", "mine")
    monkeypatch.delenv("ROOTCTL_JOURNAL", raising=False)
    values: dict[str, str | None] = {
        "AWS_PROFILE": None,
        "AWS_ENDPOINT_URL": "http://127.0.0.1:1234",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "se/cr+et",
        "ROOTCTL_JOURNAL": "/tmp/a dir/journal.sqlite3",
    }
    with patched_environment(values):
        assert "AWS_PROFILE" not in os.environ
        assert os.environ["ROOTCTL_JOURNAL"] == "/tmp/a dir/journal.sqlite3"
        lines = export_lines(values, unset=["AWS_PROFILE"])
    assert os.environ["AWS_PROFILE"] == "mine"
    assert "ROOTCTL_JOURNAL" not in os.environ
    assert "export ROOTCTL_JOURNAL='/tmp/a dir/journal.sqlite3'" in lines
    assert lines[-1] == "unset AWS_PROFILE AWS_SESSION_TOKEN"


def test_narration_wraps_with_hanging_indents_and_no_colour_on_a_pipe(
    capsys: pytest.CaptureFixture[str],
):
    narrator = Narrator()
    narrator.answer("word " * 40 + "arn:aws:iam::123456789012:mfa/root-account-mfa-device")
    narrator.answer("refused", ok=False)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("  ✔ word")
    assert all(line.startswith("    ") for line in lines[1:-1])
    assert "arn:aws:iam::123456789012:mfa/root-account-mfa-device" in out  # never split
    assert lines[-1] == "  ✘ refused"
    assert all(len(line) <= 80 for line in lines if "arn:" not in line)
    assert "\x1b[" not in out


def test_step_mode_stops_pausing_when_input_ends(capsys: pytest.CaptureFixture[str]):
    narrator = Narrator(pause=True, stdin=io.StringIO("\n"))
    for number in (1, 2, 3, 4):
        narrator.step(number, 4, f"title {number}")
    err = capsys.readouterr().err
    assert err.count("Press Enter") == 2  # one answered, one met end of input, then none
