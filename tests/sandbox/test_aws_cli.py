"""Issue item 9: the real AWS CLI (awscli from PyPI) works against the server unmodified."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import boto3

from tests.conftest import AwsEnv

from .conftest import PROD_PAYMENTS

AWS = str(Path(sys.executable).with_name("aws"))
AUDIT = "arn=arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"


def _aws(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [AWS, *args, "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_assume_root_then_list_access_keys(aws_env: AwsEnv) -> None:
    organizations = boto3.client("organizations")  # via AWS_ENDPOINT_URL from aws_env
    organizations.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    boto3.client("iam").enable_organizations_root_credentials_management()

    env = dict(aws_env.env)
    env.pop("AWS_ENDPOINT_URL")  # the documented way: --endpoint-url on the command line
    assumed = _aws(
        env,
        "--endpoint-url",
        aws_env.endpoint_url,
        "sts",
        "assume-root",
        "--target-principal",
        PROD_PAYMENTS,
        "--task-policy-arn",
        AUDIT,
    )
    assert assumed.returncode == 0, assumed.stderr
    credentials = json.loads(assumed.stdout)["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")

    env.update(
        AWS_ACCESS_KEY_ID=credentials["AccessKeyId"],
        AWS_SECRET_ACCESS_KEY=credentials["SecretAccessKey"],
        AWS_SESSION_TOKEN=credentials["SessionToken"],
    )
    listed = _aws(env, "--endpoint-url", aws_env.endpoint_url, "iam", "list-access-keys")
    assert listed.returncode == 0, listed.stderr
    keys = json.loads(listed.stdout)["AccessKeyMetadata"]
    assert [k["Status"] for k in keys] == ["Active"]

    denied = _aws(env, "--endpoint-url", aws_env.endpoint_url, "iam", "delete-login-profile")
    assert denied.returncode == 255  # awscli v1: a service error
    assert "(AccessDenied)" in denied.stderr
    assert "with an explicit deny in a session policy" in denied.stderr
