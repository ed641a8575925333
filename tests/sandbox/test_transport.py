"""Issue 12: how requests reach the sandbox — persistent HTTP/1.1 connections, and the direct
dispatch of SDK calls (over HTTP and in-process), which must answer exactly what moto's own
way answers."""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from rootctl.sandbox import Sandbox
from rootctl.sandbox.server import SandboxServer

from .conftest import AUDIT, Aws

UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def connection(
    sandbox: Sandbox, sandbox_server: SandboxServer
) -> Iterator[http.client.HTTPConnection]:
    conn = http.client.HTTPConnection(sandbox_server.host, sandbox_server.port, timeout=10)
    yield conn
    conn.close()


def _delay(conn: http.client.HTTPConnection, **kwargs: Any) -> http.client.HTTPResponse:
    conn.request("GET", "/_sandbox/propagation-delay", **kwargs)
    response = conn.getresponse()
    assert json.loads(response.read()) == {"delay_seconds": 0.0}
    return response


def test_one_connection_serves_request_after_request(
    connection: http.client.HTTPConnection,
) -> None:
    first = _delay(connection)
    sock = connection.sock
    assert first.version == 11
    assert first.getheader("Connection") is None
    # A body the application never reads is skipped, not taken for the next request line.
    _delay(connection, body=b"x" * 200_000, headers={"Content-Type": "text/plain"})
    _delay(connection)
    assert connection.sock is sock  # never reconnected


@pytest.mark.parametrize(
    ("how", "headers"),
    [
        ("Connection: close", {"Connection": "close"}),
        ("a chunked body (no length to bound it by)", {"Transfer-Encoding": "chunked"}),
    ],
)
def test_the_server_closes_when_it_must(
    connection: http.client.HTTPConnection, how: str, headers: dict[str, str]
) -> None:
    body = b"3\r\nabc\r\n0\r\n\r\n" if "Transfer-Encoding" in headers else None
    response = _delay(connection, body=body, headers=headers)
    assert response.getheader("Connection") == "close", how
    assert connection.sock is None or connection.sock.recv(1) == b""


def test_http_1_0_and_oversized_headers(sandbox: Sandbox, sandbox_server: SandboxServer) -> None:
    def exchange(data: bytes) -> bytes:
        with socket.create_connection((sandbox_server.host, sandbox_server.port), 10) as sock:
            sock.sendall(data)
            chunks = []
            while chunk := sock.recv(65536):  # the server closes: read to the end
                chunks.append(chunk)
            return b"".join(chunks)

    host = f"Host: {sandbox_server.host}:{sandbox_server.port}\r\n".encode()
    old = exchange(b"GET /_sandbox/propagation-delay HTTP/1.0\r\n" + host + b"\r\n")
    assert old.startswith(b"HTTP/1.1 200 ")
    assert b"\r\nConnection: close\r\n" in old
    many = b"".join(f"X-H{i}: v\r\n".encode() for i in range(150))
    refused = exchange(b"GET /_sandbox/propagation-delay HTTP/1.1\r\n" + host + many + b"\r\n")
    assert refused.startswith(b"HTTP/1.1 431 ")


# --- the direct dispatch answers what moto's way answers ------------------------------------------

CALLS: list[tuple[str, Callable[[Any], Any]]] = [
    ("sts", lambda c: c.get_caller_identity()),
    # (a successful AssumeRoot's answer is new credentials every time: refused ones compare)
    ("sts", lambda c: c.assume_root(TargetPrincipal="123456789012", TaskPolicyArn={"arn": AUDIT})),
    (
        "sts",
        lambda c: c.assume_root(
            TargetPrincipal="418273645501", TaskPolicyArn={"arn": AUDIT + "Nope"}
        ),
    ),
    ("iam", lambda c: c.list_users()),
    ("iam", lambda c: c.get_user(UserName="nobody-by-that-name")),
    ("iam", lambda c: c.get_account_properties()),
    ("iam", lambda c: c.list_policies(PathPrefix="/root-task/")),
    ("organizations", lambda c: c.describe_organization()),
    ("organizations", lambda c: c.describe_account(AccountId="999999999999")),
    ("sqs", lambda c: c.list_queues()),
]


# moto's Flask app adds CORS's "Access-Control-Allow-Origin: *" to every answer; AWS's IAM,
# STS, Organizations and SQS do not send it to SDKs (no Origin), and neither does the direct way.
IGNORED = ("date", "server", "connection", "access-control-allow-origin")


def _wire(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, dict[str, str], bytes]]:
    """Status, headers and body of every call, errors included, request ids and dates masked."""
    import botocore.endpoint

    seen: list[tuple[int, dict[str, str], bytes]] = []
    original = vars(botocore.endpoint.Endpoint)["_do_get_response"]

    def record(self: Any, *args: Any) -> Any:
        result = original(self, *args)
        http_response = result[0][0] if result[0] is not None else None
        if http_response is not None:
            headers = {
                k.lower(): UUID.sub(b"<id>", v.encode()).decode()
                for k, v in http_response.headers.items()
                if k.lower() not in IGNORED
            }
            body = UUID.sub(b"<id>", http_response.content)
            seen.append((http_response.status_code, headers, body))
        return result

    with monkeypatch.context() as patch:
        patch.setattr(botocore.endpoint.Endpoint, "_do_get_response", record)
        for service, call in CALLS:
            with contextlib.suppress(ClientError):
                call(aws.client(service))
    assert len(seen) == len(CALLS)
    return seen


def test_direct_dispatch_answers_byte_for_byte_what_moto_answers(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws.enable("root_credentials_management")
    direct = _wire(aws, monkeypatch)
    if aws.mode == "http":
        from rootctl.sandbox import direct as direct_module

        monkeypatch.setattr(direct_module.DirectDispatch, "handler_for", lambda *_: None)
    else:
        from moto.core.botocore_stubber import BotocoreStubber

        patched = vars(BotocoreStubber)["process_request"]
        monkeypatch.setattr(BotocoreStubber, "process_request", patched.__wrapped__)
    assert _wire(aws, monkeypatch) == direct


def test_in_process_sdk_calls_skip_moto_url_matching(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    import moto.backend_index

    with sandbox.in_process():
        monkeypatch.setattr(moto.backend_index, "backend_url_patterns", [])
        assert boto3.client("iam").list_users()["Users"]
        assert boto3.client("sts").get_caller_identity()["Account"] == "123456789012"
        with pytest.raises(Exception, match=r"Not yet implemented|404"):
            boto3.client("s3").list_buckets()  # S3 takes moto's way: nothing matches now


def test_the_served_models_are_parsed_before_the_first_request() -> None:
    """moto caches a parsed service model but does not make concurrent first requests wait for
    one parse: 32 workers' first S3 calls parsed S3's model 32 times. The app parses them all
    before it serves."""
    from moto.core.utils import get_service_model

    from rootctl.sandbox.gate import SANDBOXED_SERVICES
    from rootctl.sandbox.server import SandboxApp

    get_service_model.cache_clear()
    SandboxApp()
    assert get_service_model.cache_info().currsize == len(SANDBOXED_SERVICES)
