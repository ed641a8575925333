"""Issue 9 (web and sandbox servers): the HTTP server answers only requests addressed to it
(DNS rebinding) and keeps browser pages of other origins out of /_sandbox/; boto3, the AWS CLI
and S3 path- and virtual-host-style addressing keep working."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from rootctl.sandbox import Sandbox
from rootctl.sandbox.httpguard import HostPolicy, cross_origin, host_name
from rootctl.sandbox.server import SandboxServer
from tests.conftest import AwsEnv

AWS = str(Path(sys.executable).with_name("aws"))


def _request(
    server: SandboxServer, method: str, path: str, headers: dict[str, str], body: str = ""
) -> tuple[int, bytes]:
    """A raw request to the server's socket, with exactly the headers given (Host included)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        data = body.encode()
        connection.putheader("Content-Length", str(len(data)))
        connection.endheaders(data)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- DNS rebinding: the Host header must name the server ------------------------------------


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "localhost.evil.example"])
def test_foreign_host_gets_no_credentials(
    sandbox: Sandbox, sandbox_server: SandboxServer, host: str
) -> None:
    admin = sandbox.admin_credentials()
    status, body = _request(
        sandbox_server,
        "GET",
        "/_sandbox/credentials/admin",
        {"Host": host.format(port=sandbox_server.port)},
    )
    assert status == 403
    assert admin.secret_access_key.encode() not in body
    assert "does not answer for host" in json.loads(body)["error"]


def test_foreign_host_reaches_no_aws_endpoint(
    sandbox: Sandbox, sandbox_server: SandboxServer
) -> None:
    status, body = _request(
        sandbox_server,
        "POST",
        "/",
        {"Host": "evil.example", "Content-Type": "application/x-www-form-urlencoded"},
        "Action=ListUsers&Version=2010-05-08",
    )
    assert status == 403
    assert b"ListUsersResponse" not in body


def test_request_without_host_is_refused(sandbox: Sandbox, sandbox_server: SandboxServer) -> None:
    status, _ = _request(sandbox_server, "GET", "/_sandbox/health", {})
    assert status == 403


@pytest.mark.parametrize(
    "host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST", "[::1]:{port}", "127.0.0.2"]
)
def test_loopback_names_are_answered(
    sandbox: Sandbox, sandbox_server: SandboxServer, host: str
) -> None:
    status, body = _request(
        sandbox_server, "GET", "/_sandbox/health", {"Host": host.format(port=sandbox_server.port)}
    )
    assert status == 200, body
    assert json.loads(body)["ok"] is True


def test_allowed_hosts_are_answered_with_their_subdomains(sandbox: Sandbox) -> None:
    with sandbox.serve(allowed_hosts=["sandbox.internal"]) as server:
        for host in ("sandbox.internal:4566", "bucket.sandbox.internal", "localhost"):
            status, _ = _request(server, "GET", "/_sandbox/health", {"Host": host})
            assert status == 200, host
        status, _ = _request(server, "GET", "/_sandbox/health", {"Host": "sandbox.internal.evil"})
        assert status == 403


@pytest.mark.parametrize(
    ("address", "names", "allowed", "refused"),
    [
        (
            "127.0.0.1",
            [],
            ["127.0.0.1", "127.9.9.9:80", "[::1]:1", "localhost", "b.localhost:9", "LocalHost."],
            ["evil.example", "10.0.0.1", "localhost.evil", "", "example.com:4566"],
        ),
        (
            "0.0.0.0",  # noqa: S104 - a bind address under test
            [],
            ["10.1.2.3:4566", "[fe80::1]", "localhost", socket.gethostname()],
            ["evil.example"],
        ),
        ("10.1.2.3", ["sandbox"], ["10.1.2.3:4566", "sandbox", "b.sandbox"], ["10.1.2.4", "lo"]),
        ("10.1.2.3", ["10.9.9.9"], ["10.9.9.9:1"], ["localhost", "127.0.0.1"]),
    ],
)
def test_host_policy(
    address: str, names: list[str], allowed: list[str], refused: list[str]
) -> None:
    policy = HostPolicy(address, names)
    assert [h for h in allowed if not policy.allows(h)] == []
    assert [h for h in refused if policy.allows(h)] == []


def test_host_name_strips_port_and_brackets() -> None:
    assert host_name("[::1]:4566") == "::1"
    assert host_name("LocalHost:80") == "localhost"
    assert host_name("::1") == "::1"


# --- cross-origin browser requests to /_sandbox/ ----------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://localhost:3000"},  # another port of this machine: another origin
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_cross_origin_requests_to_the_sandbox_api_are_refused(
    sandbox: Sandbox, sandbox_server: SandboxServer, headers: dict[str, str]
) -> None:
    own = f"127.0.0.1:{sandbox_server.port}"
    for method, path in (("GET", "/_sandbox/credentials/admin"), ("POST", "/_sandbox/reset")):
        status, body = _request(sandbox_server, method, path, {"Host": own, **headers})
        assert status == 403, (method, path)
        assert b"cross-origin" in body
    assert sandbox.faults.settings.latency_ms == 0


@pytest.mark.parametrize(
    "headers", [{"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}, {}]
)
def test_same_origin_and_non_browser_requests_pass(
    sandbox: Sandbox, sandbox_server: SandboxServer, headers: dict[str, str]
) -> None:
    own = f"127.0.0.1:{sandbox_server.port}"
    extra = {"Origin": f"http://{own}"} if headers.get("Sec-Fetch-Site") == "same-origin" else {}
    status, body = _request(
        sandbox_server, "GET", "/_sandbox/health", {"Host": own, **headers, **extra}
    )
    assert status == 200, body


def test_cross_origin_rule() -> None:
    own = {"HTTP_HOST": "127.0.0.1:4566"}
    assert not cross_origin(own)
    assert not cross_origin({**own, "HTTP_ORIGIN": "http://127.0.0.1:4566"})
    assert cross_origin({**own, "HTTP_ORIGIN": "http://127.0.0.1:4567"})
    assert cross_origin({**own, "HTTP_SEC_FETCH_SITE": "cross-site"})


# --- SDKs and the AWS CLI keep working ----------------------------------------------------------


@pytest.fixture
def loopback_subdomains(monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolve ``*.localhost`` to 127.0.0.1, as browsers and systemd-resolved do (RFC 6761),
    so that S3 virtual-host-style requests reach the server from this process."""
    original = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".localhost"):
            host = "127.0.0.1"
        return original(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


@pytest.mark.usefixtures("loopback_subdomains")
@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
@pytest.mark.parametrize("style", ["path", "virtual"])
def test_boto3_and_s3_addressing_styles(
    sandbox: Sandbox, sandbox_server: SandboxServer, name: str, style: str
) -> None:
    endpoint = f"http://{name}:{sandbox_server.port}"
    kwargs: dict[str, Any] = sandbox.admin_credentials().boto3_kwargs()
    sts: Any = boto3.client("sts", endpoint_url=endpoint, **kwargs)
    assert sts.get_caller_identity()["Arn"].endswith(":user/admin")
    config = Config(s3={"addressing_style": "virtual" if style == "virtual" else "path"})
    s3: Any = boto3.client("s3", endpoint_url=endpoint, config=config, **kwargs)
    sent: list[str] = []
    s3.meta.events.register("before-send.s3", lambda request, **_: sent.append(request.url))
    bucket = f"guard-{style}-{name.replace('.', '-')}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"kept")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"kept"
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    virtual_host = style == "virtual" and name == "localhost"  # botocore never does it for IPs
    assert sent[0].startswith(f"http://{bucket}.localhost:" if virtual_host else endpoint)


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
def test_aws_cli_still_works(aws_env: AwsEnv, name: str) -> None:
    endpoint = aws_env.endpoint_url.replace("127.0.0.1", name)
    env = dict(aws_env.env)
    env.pop("AWS_ENDPOINT_URL")

    def aws(*args: str) -> Any:
        result = subprocess.run(
            [AWS, "--endpoint-url", endpoint, *args, "--output", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout) if result.stdout.strip() else None

    assert aws("sts", "get-caller-identity")["Arn"].endswith(":user/admin")
    bucket = f"cli-{name.replace('.', '-')}"
    aws("s3api", "create-bucket", "--bucket", bucket)
    assert bucket in [b["Name"] for b in aws("s3api", "list-buckets")["Buckets"]]
