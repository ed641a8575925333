"""Conformance-suite helpers: every ``aws`` test runs twice, over HTTP and in-process."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config

from rootctl.sandbox import Credentials, Sandbox
from rootctl.sandbox.clientenv import client_environment, patched_environment
from rootctl.sandbox.server import SandboxServer

AUDIT = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
DELETE = "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"
CREATE_PASSWORD = "arn:aws:iam::aws:policy/root-task/IAMCreateRootUserPassword"
S3_UNLOCK = "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"
SQS_UNLOCK = "arn:aws:iam::aws:policy/root-task/SQSUnlockQueuePolicy"

MANAGEMENT = "123456789012"
SECURITY_TOOLING = "210987654321"  # no root credentials; the natural IAM delegate
PROD_PAYMENTS = "418273645501"  # password + virtual MFA + a used access key + locked bucket
PROD_CHECKOUT = "418273645502"  # password + never-used access key
PROD_DATA_LAKE = "418273645504"  # password + virtual MFA + signing certificate
PROD_ORDERS = "418273645505"  # password + virtual MFA + locked queue
DEV_SHARED = "529384756604"  # password + two access keys (one inactive)
ML_EXPERIMENTS = "630495867703"  # recovery-only login profile
CLOSED_POC = "630495867704"  # suspended
NETWORKING = "741506978801"  # password + hardware MFA + two certificates

NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})
AWS_CLI = str(Path(sys.executable).with_name("aws"))


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        assert self.code == 0, self.stderr
        return json.loads(self.stdout) if self.stdout.strip() else None


# One session for every client: building clients from it is cheap (the models load once).
_SESSION: Any = boto3.Session(botocore_session=botocore.session.get_session())


@dataclass
class Aws:
    """Clients for one transport (``http`` or ``inproc``) against the current sandbox."""

    mode: str
    sandbox: Sandbox
    endpoint_url: str | None

    def client(
        self,
        service: str,
        creds: Credentials | Mapping[str, str] | None = None,
        *,
        region: str = "us-east-1",
        config: Config | None = NO_RETRIES,
    ) -> Any:
        creds = creds or self.sandbox.admin_credentials()
        if isinstance(creds, Credentials):
            keys = {
                "aws_access_key_id": creds.access_key_id,
                "aws_secret_access_key": creds.secret_access_key,
            }
        else:
            keys = {
                "aws_access_key_id": creds["AccessKeyId"],
                "aws_secret_access_key": creds["SecretAccessKey"],
                "aws_session_token": creds["SessionToken"],
            }
        return _SESSION.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint_url,
            config=config,
            **keys,
        )

    def cli(
        self, *args: str, creds: Credentials | Mapping[str, str] | None = None, **env: str
    ) -> CliResult:
        """The real AWS CLI (awscli): a process with ``--endpoint-url`` over HTTP; in-process,
        its driver inside this process, answered by the in-process sandbox."""
        creds = creds or self.sandbox.admin_credentials()
        keys: dict[str, str | None] = {}
        if isinstance(creds, Credentials):
            environment = client_environment(creds)
        else:
            environment = client_environment()
            keys = {
                "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
                "AWS_SESSION_TOKEN": creds["SessionToken"],
            }
        environment = {**environment, **keys, **env}
        argv = [*args, "--output", "json"]
        if self.mode == "http":
            assert self.endpoint_url is not None
            full = dict(os.environ)
            for name, value in environment.items():
                if value is None:
                    full.pop(name, None)
                else:
                    full[name] = value
            done = subprocess.run(
                [AWS_CLI, "--endpoint-url", self.endpoint_url, *argv],
                env=full,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            return CliResult(done.returncode, done.stdout, done.stderr)
        from awscli.clidriver import create_clidriver  # type: ignore[import-untyped]

        out, err = io.StringIO(), io.StringIO()
        with (
            patched_environment(environment),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            code = create_clidriver().main(argv)
        return CliResult(code, out.getvalue(), err.getvalue())

    def assume_root(
        self, target: str, task: str = AUDIT, creds: Credentials | None = None, **extra: Any
    ) -> dict[str, Any]:
        sts = self.client("sts", creds)
        response = sts.assume_root(TargetPrincipal=target, TaskPolicyArn={"arn": task}, **extra)
        credentials: dict[str, Any] = response["Credentials"]
        return credentials

    def enable(self, *features: str, delegate: str | None = None) -> None:
        """Trusted access for IAM, optionally a delegate, then the given features."""
        self.client("organizations").enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
        if delegate:
            self.client("organizations").register_delegated_administrator(
                AccountId=delegate, ServicePrincipal="iam.amazonaws.com"
            )
        iam = self.client("iam")
        for feature in features:
            getattr(iam, f"enable_organizations_{feature}")()


@pytest.fixture(params=["http", "inproc"])
def aws(
    request: pytest.FixtureRequest,
    sandbox: Sandbox,
    sandbox_server: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Aws]:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    if request.param == "http":
        yield Aws("http", sandbox, sandbox_server.endpoint_url)
    else:
        with sandbox.in_process(env=False):
            yield Aws("inproc", sandbox, None)


def error_of(excinfo: pytest.ExceptionInfo[Any]) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a botocore ClientError."""
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"].get("Message", ""),
        response["ResponseMetadata"]["HTTPStatusCode"],
    )
