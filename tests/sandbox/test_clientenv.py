"""The environment of a client of the sandbox keeps the developer's own AWS setup out."""

from __future__ import annotations

import os

import boto3
import pytest

from rootctl.sandbox import Sandbox
from rootctl.sandbox.clientenv import (
    USER_SETTINGS,
    client_environment,
    patched_environment,
    shell_exports,
)
from rootctl.sandbox.server import SandboxServer


def test_user_settings_are_unset_and_keys_set(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "prod-admin")
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "https://sts.example.com")
    admin = sandbox.admin_credentials()
    env = client_environment(admin, "http://127.0.0.1:4566", region="eu-west-1")
    assert all(env[name] is None for name in USER_SETTINGS)
    assert env["AWS_ENDPOINT_URL_STS"] is None  # a per-service endpoint would bypass it
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"
    assert (env["AWS_REGION"], env["AWS_DEFAULT_REGION"]) == ("eu-west-1", "eu-west-1")
    assert env["AWS_ACCESS_KEY_ID"] == admin.access_key_id
    assert env["AWS_CONFIG_FILE"] == env["AWS_SHARED_CREDENTIALS_FILE"] == os.devnull


def test_a_foreign_profile_cannot_reach_past_the_server(
    sandbox: Sandbox, sandbox_server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")  # boto3 would raise ProfileNotFound
    env = client_environment(sandbox.admin_credentials(), sandbox_server.endpoint_url)
    with patched_environment(env):
        arn = boto3.Session().client("sts").get_caller_identity()["Arn"]
    assert arn == "arn:aws:iam::123456789012:user/admin"
    assert os.environ["AWS_PROFILE"] == "no-such-profile"  # restored afterwards


def test_shell_exports_quote_values_and_unset_what_would_win(sandbox: Sandbox) -> None:
    env = client_environment(sandbox.admin_credentials(), "http://127.0.0.1:4566")
    env["ROOTCTL_JOURNAL"] = "/tmp/a dir/journal.sqlite3"
    lines = shell_exports(env, "ROOTCTL_JOURNAL", unset=["AWS_ROLE_ARN"])
    assert lines[0] == "export AWS_ENDPOINT_URL=http://127.0.0.1:4566"
    assert "export ROOTCTL_JOURNAL='/tmp/a dir/journal.sqlite3'" in lines
    assert lines[-1] == "unset AWS_PROFILE AWS_ROLE_ARN AWS_SESSION_TOKEN"
    assert not any("AWS_CONFIG_FILE" in line for line in lines)  # not a person's business
