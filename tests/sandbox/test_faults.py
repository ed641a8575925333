"""Issue item 8: latency, throttling and 5xx at a rate, SCP-like denials — at start and at
run time, reproducible with a seed."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import pytest
from botocore.config import Config

from rootctl.sandbox import Sandbox
from rootctl.sandbox.server import SandboxServer

from .conftest import AUDIT, DELETE, NETWORKING, PROD_ORDERS, PROD_PAYMENTS, Aws, error_of

RETRYING = Config(retries={"total_max_attempts": 3, "mode": "standard"})
LEGACY = Config(retries={"total_max_attempts": 3, "mode": "legacy"})


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore sleeps between retries; these tests only count them."""
    monkeypatch.setattr(time, "sleep", lambda _seconds: None)


def _call(aws: Aws, service: str, config: Config) -> Any:
    client = aws.client(service, config=config)
    calls = {
        "iam": lambda: client.list_users(),
        "sts": lambda: client.get_caller_identity(),
        "organizations": lambda: client.describe_organization(),
        "s3": lambda: client.list_buckets(),
        "sqs": lambda: client.list_queues(),
    }
    return client, calls[service]


@pytest.mark.parametrize(
    ("service", "code", "status"),
    [
        ("iam", "Throttling", 400),
        ("sts", "Throttling", 400),
        ("organizations", "TooManyRequestsException", 400),
        ("s3", "SlowDown", 503),
        ("sqs", "ThrottlingException", 400),
    ],
)
@pytest.mark.parametrize("config", [RETRYING, LEGACY], ids=["standard", "legacy"])
def test_throttling_in_each_dialect_is_retried_by_botocore(
    aws: Aws, service: str, code: str, status: int, config: Config, no_backoff: None
) -> None:
    aws.sandbox.faults.update(throttle_rate=1.0)
    client, call = _call(aws, service, config)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        call()
    assert error_of(excinfo)[0::2] == (code, status)
    # botocore recognised it as throttling (or transient) and retried it, twice.
    assert excinfo.value.response["ResponseMetadata"]["RetryAttempts"] == 2
    if service == "organizations":
        assert isinstance(excinfo.value, client.exceptions.TooManyRequestsException)


@pytest.mark.parametrize(
    ("service", "code"),
    [
        ("iam", "ServiceFailure"),
        ("sts", "InternalFailure"),
        ("organizations", "ServiceException"),
        ("s3", "InternalError"),
        ("sqs", "InternalFailure"),
    ],
)
def test_server_errors_in_each_dialect(aws: Aws, service: str, code: str, no_backoff: None) -> None:
    aws.sandbox.faults.update(error_rate=1.0)
    client, call = _call(aws, service, RETRYING)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        call()
    assert error_of(excinfo)[0::2] == (code, 500)
    assert excinfo.value.response["ResponseMetadata"]["RetryAttempts"] == 2


def test_latency_with_jitter(aws: Aws) -> None:
    sts = aws.client("sts")
    sts.get_caller_identity()
    aws.sandbox.faults.update(latency_ms=80, jitter_ms=20, seed=1)
    started = time.perf_counter()
    for _ in range(3):
        sts.get_caller_identity()
    elapsed = (time.perf_counter() - started) / 3
    assert 0.06 <= elapsed < 0.5
    aws.sandbox.faults.clear()
    started = time.perf_counter()
    sts.get_caller_identity()
    assert time.perf_counter() - started < 0.06


def test_match_limits_faults_to_some_calls(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    aws.sandbox.faults.update(throttle_rate=1.0, match=["sts:AssumeRoot"])
    aws.client("iam").list_organizations_features()
    with pytest.raises(aws.client("sts").exceptions.ClientError) as excinfo:
        aws.assume_root(PROD_PAYMENTS)
    assert error_of(excinfo)[0] == "Throttling"


def test_same_seed_same_faults(sandbox: Sandbox) -> None:
    def run() -> list[bool]:
        sandbox.faults.update(throttle_rate=0.5, seed=42)
        return [sandbox.faults.decide("iam:ListUsers").throttle for _ in range(40)]

    first = run()
    assert run() == first
    assert 5 < sum(first) < 35


def test_rates_are_validated(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="throttle_rate"):
        sandbox.faults.update(throttle_rate=1.5)
    with pytest.raises(ValueError, match="neither an IAM action"):
        sandbox.faults.deny(PROD_PAYMENTS, "DeleteEverything")


def test_deny_an_action_like_an_scp(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    aws.sandbox.faults.deny(NETWORKING, "iam:DeleteLoginProfile")
    iam = aws.client("iam", aws.assume_root(NETWORKING, DELETE))
    iam.deactivate_mfa_device(SerialNumber=iam.list_mfa_devices()["MFADevices"][0]["SerialNumber"])
    with pytest.raises(iam.exceptions.ClientError) as excinfo:
        iam.delete_login_profile()
    assert error_of(excinfo) == (
        "AccessDenied",
        f"User: arn:aws:iam::{NETWORKING}:root is not authorized to perform: "
        f"iam:DeleteLoginProfile on resource: arn:aws:iam::{NETWORKING}:root with an explicit "
        "deny in a service control policy",
        403,
    )
    # Other accounts are not affected.
    aws.client("iam", aws.assume_root(PROD_PAYMENTS, DELETE)).delete_login_profile()


def test_deny_a_whole_task(aws: Aws) -> None:
    aws.enable("root_credentials_management", "root_sessions")
    aws.sandbox.faults.deny(PROD_ORDERS, "IAMAuditRootUserCredentials")
    iam = aws.client("iam", aws.assume_root(PROD_ORDERS, AUDIT))
    for call in (iam.get_user, iam.list_access_keys, iam.get_account_summary):
        with pytest.raises(iam.exceptions.ClientError) as excinfo:
            call()
        assert error_of(excinfo)[0] == "AccessDenied"
        assert error_of(excinfo)[1].endswith("with an explicit deny in a service control policy")
    aws.client("iam", aws.assume_root(PROD_PAYMENTS, AUDIT)).get_user()
    aws.sandbox.faults.allow(PROD_ORDERS, AUDIT)
    assert iam.get_user()


def test_faults_over_the_sandbox_api(sandbox: Sandbox, sandbox_server: SandboxServer) -> None:
    def call(method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - a loopback URL
            sandbox_server.endpoint_url + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request) as response:  # noqa: S310
            result: dict[str, Any] = json.loads(response.read())
            return result

    result = call("PUT", "/_sandbox/faults", {"latency_ms": 5, "throttle_rate": 0.25, "seed": 3})
    assert (result["latency_ms"], result["throttle_rate"], result["seed"]) == (5.0, 0.25, 3)
    result = call("POST", "/_sandbox/faults/deny", {"account": PROD_ORDERS, "action": "s3:*"})
    assert result["deny"] == [
        {"account": PROD_ORDERS, "action": "s3:*", "task": None, "policy": "scp"}
    ]
    assert sandbox.faults.denied(PROD_ORDERS, "s3:GetObject", None)
    result = call("DELETE", "/_sandbox/faults")
    assert (result["throttle_rate"], result["deny"]) == (0.0, [])
