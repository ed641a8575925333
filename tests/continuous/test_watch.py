"""`rootctl watch` as a real process on the sandbox (--interval 1s): a password that comes back
is found and removed (auto_apply), journaled; alerts reach a webhook; metrics are scraped; a
second watch on the journal refuses; a stale lease is taken over; SIGTERM mid-enforcement
leaves every journaled action complete."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest

from rootctl.journal import Journal
from rootctl.models import JournalEntry, JournalStatus
from tests.cli.conftest import CHECKOUT, MANAGEMENT, NETWORKING, ORDERS, PAYMENTS, SHARED_DEV, Cli

ROOTCTL = [sys.executable, "-m", "rootctl"]
ADMIN = f"arn:aws:iam::{MANAGEMENT}:user/admin"
AUDIT_POLICY = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
WATCHED = (CHECKOUT, SHARED_DEV, NETWORKING, ORDERS)  # each has a root password
CONFIG = f"""\
version: 1
scope: {{accounts: {json.dumps(list(WATCHED))}}}
enforce:
  auto_apply:
    - {{rule: root_credentials, kinds: [password]}}
"""


class Events:
    """The watch's JSON lines, read from its stderr as they come."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        assert process.stderr is not None
        stream = process.stderr
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: Any) -> None:
        for line in stream:
            self.lines.put(json.loads(line))

    def wait(self, event: str, timeout: float = 60.0, **match: Any) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                found = self.lines.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(found)
            if found["event"] == event and all(found.get(k) == v for k, v in match.items()):
                return found
        pytest.fail(f"no {event} {match} event in {timeout}s; saw {self.seen}")


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()
    server.server_close()


def restore_password(cli: Cli, account_id: str) -> None:
    """Someone with the root user's own access key gives it a login profile again (AWS lets
    root create only an empty one: "Forgot password" then sets a password; audit sees it)."""
    key = cli.sandbox.root_access_key(account_id)
    iam = boto3.client(
        "iam",
        endpoint_url=cli.aws.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=key.access_key_id,
        aws_secret_access_key=key.secret_access_key,
    )
    iam.create_login_profile()


def test_watch_finds_returning_password_enforces_and_stops_cleanly(
    enabled: Cli, tmp_path: Path, webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    config = tmp_path / "rootctl.yaml"
    config.write_text(CONFIG)
    hook_url, received = webhook
    process = subprocess.Popen(
        [
            *ROOTCTL,
            "watch",
            "--config",
            str(config),
            "--interval",
            "1s",
            "--enforce",
            "--metrics-port",
            "0",
            "--notify",
            f"webhook:{hook_url}",
            "--concurrency",
            "1",
        ],
        env={**enabled.aws.env, "ROOTCTL_JOURNAL": str(enabled.journal)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    events = Events(process)
    try:
        metrics_url = events.wait("metrics")["url"]
        events.wait("lease-acquired")
        first = events.wait("checked")
        assert first["new_violations"] >= len(WATCHED)  # passwords (auto) and the rest
        for account in WATCHED:
            events.wait("enforced", account_id=account, state="deleted")
        assert enabled.sandbox.root_user(CHECKOUT).login_profile is False

        # The password comes back: found in the next round, removed, journaled.
        restore_password(enabled, CHECKOUT)
        back = events.wait("violation", account_id=CHECKOUT)
        assert back["kinds"] == ["password"]
        events.wait("enforced", account_id=CHECKOUT, state="deleted")
        assert enabled.sandbox.root_user(CHECKOUT).login_profile is False
        removals = [
            e
            for e in Journal(enabled.journal).entries()
            if isinstance(e, JournalEntry)
            and e.target == CHECKOUT
            and e.action == "delete-login-profile"
        ]
        assert [e.status for e in removals] == [JournalStatus.SUCCEEDED] * 2

        # One watch per journal.
        second = enabled("watch", "--config", str(config), "--once")
        assert second.exit_code == 2
        assert "another rootctl watch" in second.stderr

        with urllib.request.urlopen(metrics_url, timeout=10) as response:  # noqa: S310
            assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
            metrics = response.read().decode()
        assert 'rootctl_accounts{state="violation"} ' in metrics
        assert 'rootctl_accounts_with_credentials{kind="access-keys"} 2' in metrics
        assert "rootctl_removed_total 5" in metrics
        assert "rootctl_last_audit_age_seconds " in metrics
        assert "rootctl_new_root_callers_total 0" in metrics  # the first round only learns

        kinds = [body["event"] for body in received]
        assert kinds.count("new-violations") == 2
        assert "enforced" in kinds
        assert "new violation" in received[0]["text"]

        # SIGTERM while removing: the item in hand finishes, nothing is left half-journaled.
        enabled.sandbox.faults.update(latency_ms=300, match=["iam:DeleteLoginProfile"])
        restore_password(enabled, CHECKOUT)
        events.wait("enforce-start")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        events.wait("stopped")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    entries = [e for e in Journal(enabled.journal).entries() if isinstance(e, JournalEntry)]
    assert entries
    assert all(e.status is not JournalStatus.INTENT for e in entries)
    # The lease was released: the next watch starts without a takeover.
    again = enabled("watch", "--config", str(config), "--once")
    assert "lease-taken-over" not in again.stderr
    assert again.exit_code == 1, again.stderr  # access keys: a person's decision


def test_stale_lease_is_taken_over_and_sns_alerts(enabled: Cli, tmp_path: Path) -> None:
    config = tmp_path / "rootctl.yaml"
    config.write_text(f"version: 1\nscope: {{accounts: ['{CHECKOUT}']}}\n")
    journal = Journal(enabled.journal)
    journal.prepare_for_writing()
    assert journal.acquire_lease("watch", "crashed:1:x", timedelta(seconds=-1)).held
    journal.close()
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic = sns.create_topic(Name="rootctl-alerts")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="alerts")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn["Attributes"]["QueueArn"],
        Attributes={"RawMessageDelivery": "true"},
    )
    result = enabled(
        "watch",
        "--config",
        str(config),
        "--once",
        "--notify",
        f"sns:{topic}",
        "--notify",
        "webhook:http://127.0.0.1:9/secret-token-path",
    )
    assert result.exit_code == 1  # CHECKOUT has root credentials
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    taken = next(line for line in lines if line["event"] == "lease-taken-over")
    assert taken["from"] == "crashed:1:x"
    assert lines[-1]["event"] == "stopped"
    failed = next(line for line in lines if line["event"] == "alert-failed")
    assert failed["target"] == "webhook:http://127.0.0.1:9/…"  # the path may be a secret
    assert "secret-token-path" not in result.stderr
    (message,) = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)["Messages"]
    alert = json.loads(message["Body"])
    assert alert["event"] == "new-violations"
    assert {v["account_id"] for v in alert["rootctl"]["violations"]} == {CHECKOUT}


def test_each_round_reads_the_organization_again(enabled: Cli, tmp_path: Path) -> None:
    """An account that joins while watch runs is checked in the next round."""
    config = tmp_path / "rootctl.yaml"
    config.write_text("version: 1\nscope: {all: true}\n")
    process = subprocess.Popen(
        [*ROOTCTL, "watch", "--config", str(config), "--interval", "1s"],
        env={**enabled.aws.env, "ROOTCTL_JOURNAL": str(enabled.journal)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    events = Events(process)
    try:
        before = events.wait("checked")["accounts"]
        orgs = boto3.client(
            "organizations",
            endpoint_url=enabled.aws.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id=enabled.aws.access_key_id,
            aws_secret_access_key=enabled.aws.secret_access_key,
        )
        orgs.create_account(AccountName="from-the-factory", Email="factory@example.com")
        events.wait("checked", accounts=before + 1)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_watch_alerts_once_on_a_first_assume_root_pair(
    enabled: Cli, tmp_path: Path, webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    """Issue 18: someone assumes root into an account for the first time, outside rootctl,
    between two rounds: the next round alerts once, naming the pair; the one after is quiet.
    The pairs known persist in the journal between runs (each run here is a new process's
    worth of state: ``--once``)."""
    config = tmp_path / "rootctl.yaml"
    config.write_text(f"version: 1\nscope: {{accounts: ['{CHECKOUT}']}}\n")
    hook_url, received = webhook

    def round_() -> list[dict[str, Any]]:
        result = enabled(
            "watch", "--config", str(config), "--once", "--notify", f"webhook:{hook_url}"
        )
        assert result.exit_code == 1, result.stderr  # CHECKOUT keeps its root credentials
        return [json.loads(line) for line in result.stderr.splitlines()]

    def caller_alerts() -> list[dict[str, Any]]:
        return [body for body in received if body["event"] == "new-root-callers"]

    first = round_()  # learns the pairs (its own audit's among them): nothing to alert on
    assert "root-callers-learned" in [line["event"] for line in first]
    assert caller_alerts() == []

    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=enabled.aws.endpoint_url)
    outside = sts.assume_root(TargetPrincipal=PAYMENTS, TaskPolicyArn={"arn": AUDIT_POLICY})
    key = outside["Credentials"]["AccessKeyId"]

    second = round_()
    (alert,) = caller_alerts()
    (pair,) = alert["rootctl"]["pairs"]
    assert (pair["caller_arn"], pair["account_id"]) == (ADMIN, PAYMENTS)
    assert pair["account_name"] == "prod-payments"
    assert pair["task_policy"] == "IAMAuditRootUserCredentials"
    assert (pair["session_key_id"], pair["opened_by_rootctl"]) == (key, False)
    assert pair["time"]
    assert f"{ADMIN} assumed root into {PAYMENTS} (prod-payments)" in alert["text"]
    assert "IAMAuditRootUserCredentials" in alert["text"]
    for secret in (
        outside["Credentials"]["SecretAccessKey"],
        outside["Credentials"]["SessionToken"],
    ):
        assert secret not in json.dumps(received)
    logged = [line for line in second if line["event"] == "new-root-caller"]
    assert [(line["caller_arn"], line["account_id"]) for line in logged] == [(ADMIN, PAYMENTS)]

    third = round_()  # the watch's own audit again, the outsider's pair now known: quiet
    assert len(caller_alerts()) == 1
    assert "new-root-caller" not in [line["event"] for line in third]

    # CloudTrail that cannot be read: one warning line a round, and the round goes on.
    enabled.sandbox.faults.update(error_rate=1.0, match=["cloudtrail:LookupEvents"])
    unreadable = round_()
    warnings = [line for line in unreadable if line["event"] == "root-activity-unreadable"]
    assert len(warnings) == 1
    assert warnings[0]["level"] == "warning"
    assert unreadable[-1]["event"] == "stopped"
    assert len(caller_alerts()) == 1
