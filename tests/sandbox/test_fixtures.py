"""The shared fixtures of tests/conftest.py do what they promise."""

from __future__ import annotations

import os
import time
from pathlib import Path

import boto3

from rootctl.sandbox import Sandbox
from tests.conftest import AwsEnv


def test_sandbox_is_fresh_and_fast(sandbox: Sandbox) -> None:
    sandbox.faults.update(latency_ms=5)
    started = time.perf_counter()
    fresh = Sandbox.example(scps=False)
    assert time.perf_counter() - started < 0.1
    assert fresh.faults.settings.latency_ms == 0


def test_aws_env_talks_to_the_server_as_the_admin(aws_env: AwsEnv) -> None:
    identity = boto3.client("sts").get_caller_identity()
    assert identity["Arn"] == "arn:aws:iam::123456789012:user/admin"
    assert os.environ["AWS_ENDPOINT_URL"] == aws_env.endpoint_url
    assert "AWS_PROFILE" not in os.environ
    assert Path(os.environ["AWS_CONFIG_FILE"]).read_text() == ""
    assert aws_env.env["AWS_ACCESS_KEY_ID"] == aws_env.access_key_id


def test_in_process_sandbox_answers_amazonaws_urls(in_process_sandbox: Sandbox) -> None:
    organizations = boto3.client("organizations", region_name="us-east-1")
    assert organizations.meta.endpoint_url == "https://organizations.us-east-1.amazonaws.com"
    assert organizations.describe_organization()["Organization"]["Id"] == "o-k3v9w2q7zt"
    identity = boto3.client("sts").get_caller_identity()
    assert identity["Arn"] == "arn:aws:iam::123456789012:user/admin"
