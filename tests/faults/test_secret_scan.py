"""Fault test 4: every command, run with --debug, leaves none of the AssumeRoot secrets the
sandbox issued (secret keys, session tokens) in its output, its logs, the journal or any file
it wrote (HOME, TMPDIR and the journal all point into one directory, which is scanned)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

import pytest

from rootctl.sandbox import Sandbox
from tests.faults.conftest import ROOTCTL, Rootctl

pytestmark = pytest.mark.slow
PAYMENTS = "418273645501"  # password, virtual MFA, used root key, locked bucket
CHECKOUT = "418273645502"  # password, root key
ORDERS = "418273645505"  # locked queue
DEV_PAYMENTS = "529384756601"  # no root credentials
DELEGATE = "210987654321"
COMMANDS: list[tuple[str, ...]] = [
    ("status",),
    ("enable",),
    ("delegate", "--register", DELEGATE),
    ("delegate",),
    ("audit",),
    ("audit", "-o", "json"),
    ("audit", "-o", "tree"),
    ("audit", "-o", "csv"),
    ("compliance",),
    ("delete-credentials", "--all", "--dry-run"),
    ("delete-credentials", "--account", PAYMENTS, "--yes", "-o", "json"),
    ("delete-credentials", "--account", CHECKOUT, "--only", "access-keys", "--yes"),
    ("allow-password-recovery", "--account", DEV_PAYMENTS, "--yes"),
    ("unlock-s3", PAYMENTS),
    ("unlock-s3", PAYMENTS, "prod-payments-receipts", "--show"),
    ("unlock-s3", PAYMENTS, "prod-payments-receipts", "--yes"),
    ("unlock-sqs", ORDERS),
    ("unlock-sqs", ORDERS, "orders-events", "--yes", "-o", "json"),
    ("delegate", "--deregister", "--yes"),
    ("disable", "--yes"),
]
NO_DEBUG = [("journal",), ("journal", "-o", "json"), ("journal", "show", "1")]


def run(rootctl: Rootctl, args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    result = rootctl.run(*args, timeout=120)
    assert result.returncode in (0, 1), (args, result.stderr[-3000:])
    return result


def test_no_assume_root_secret_anywhere(
    rootctl_for: Callable[..., Rootctl], sandbox: Sandbox
) -> None:
    rootctl = rootctl_for(sandbox)
    texts: list[str] = []
    for args in COMMANDS:
        if args[:2] == ("delegate", "--deregister"):  # first, the delegate's own audit
            delegate = sandbox.principal_credentials(DELEGATE)
            as_delegate = rootctl.env | {
                "AWS_ACCESS_KEY_ID": delegate.access_key_id,
                "AWS_SECRET_ACCESS_KEY": delegate.secret_access_key,
            }
            result = subprocess.run(
                [*ROOTCTL, "audit", "--debug"],
                env=as_delegate,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
                cwd=rootctl.home,
            )
            assert result.returncode == 1, result.stderr[-3000:]
            texts += [result.stdout, result.stderr]
        result = run(rootctl, (*args, "--debug"))
        texts += [result.stdout, result.stderr]
    for args in NO_DEBUG:  # the journal makes no AWS call and has no --debug
        result = run(rootctl, args)
        texts += [result.stdout, result.stderr]

    sessions = sandbox.issued_root_sessions()
    assert len(sessions) > 20  # the commands really opened root sessions …
    secrets = {s.secret_access_key for s in sessions} | {s.session_token for s in sessions}
    assert {s.task_policy for s in sessions} >= {
        "IAMAuditRootUserCredentials",
        "IAMDeleteRootUserCredentials",
        "IAMCreateRootUserPassword",
        "S3UnlockBucketPolicy",
        "SQSUnlockQueuePolicy",
    }
    logs = "\n".join(texts)
    assert "DEBUG" in logs or "botocore" in logs  # … debug logging really ran …
    assert "AssumeRoot" in logs  # … around the calls that carry the secrets …
    assert "<redacted>" in logs  # … and without the scrubbing they would be in the logs

    files = [p for p in rootctl.home.rglob("*") if p.is_file()]
    assert any(p.name.startswith("journal.sqlite3") for p in files)
    blobs = {str(p): p.read_bytes() for p in files}
    for secret in secrets:
        assert secret not in logs, "a secret in the output or logs"
        for name, blob in blobs.items():
            assert secret.encode() not in blob, f"a secret in {name}"
