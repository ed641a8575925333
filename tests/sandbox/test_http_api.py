"""Issue item 7/9: the sandbox-only API under /_sandbox/ on the HTTP server."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from rootctl.sandbox import Sandbox
from rootctl.sandbox.server import SandboxServer

from .conftest import PROD_CHECKOUT, PROD_PAYMENTS


class Api:
    def __init__(self, server: SandboxServer) -> None:
        self.base = server.endpoint_url

    def raw(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        request = urllib.request.Request(  # noqa: S310 - a loopback URL
            self.base + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def __call__(self, method: str, path: str, body: Any = None) -> Any:
        status, data = self.raw(method, path, body)
        assert status == 200, data
        return json.loads(data)


@pytest.fixture
def api(sandbox: Sandbox, sandbox_server: SandboxServer) -> Api:
    return Api(sandbox_server)


def test_health_organization_accounts(api: Api) -> None:
    assert api("GET", "/_sandbox/health")["accounts"] == 21
    organization = api("GET", "/_sandbox/organization")
    assert organization == {
        "organization_id": "o-k3v9w2q7zt",
        "root_id": "r-k3v9",
        "management_account_id": "123456789012",
        "delegated_administrator_id": None,
        "features": [],
    }
    accounts = api("GET", "/_sandbox/accounts")["accounts"]
    assert accounts[0]["management"] is True
    assert {a["name"] for a in accounts} >= {"prod-payments", "security-tooling"}


def test_credentials(api: Api, sandbox: Sandbox) -> None:
    admin = api("GET", "/_sandbox/credentials/admin")
    assert admin["access_key_id"] == sandbox.admin_credentials().access_key_id
    assert admin["arn"] == "arn:aws:iam::123456789012:user/admin"
    created = api("POST", f"/_sandbox/credentials/{PROD_PAYMENTS}/reader", {"policy": "none"})
    assert created["user_name"] == "reader"
    assert api("GET", f"/_sandbox/credentials/{PROD_PAYMENTS}/reader") == created


def test_sign_in_and_reset_over_http(api: Api, sandbox: Sandbox) -> None:
    code = api("GET", f"/_sandbox/accounts/{PROD_PAYMENTS}/mfa-code")["code"]
    assert code == sandbox.mfa_code(PROD_PAYMENTS)
    result = api(
        "POST",
        f"/_sandbox/accounts/{PROD_PAYMENTS}/sign-in",
        {"password": "Payments-Prod-Root!", "mfa_code": code},
    )
    assert result == {"ok": True, "reason": "signed in"}
    sent = api("POST", f"/_sandbox/accounts/{PROD_CHECKOUT}/password-reset")
    assert (sent["ok"], sent["email"]) == (True, "checkout-prod@example.com")
    mail = api("GET", "/_sandbox/mailbox?to=checkout-prod@example.com")["messages"]
    assert mail[-1]["reset_token"] == sent["token"]
    done = api(
        "POST",
        f"/_sandbox/accounts/{PROD_CHECKOUT}/password-reset/complete",
        {"token": sent["token"], "new_password": "Brand-New-Pass-9"},
    )
    assert done["ok"] is True
    root = api("GET", f"/_sandbox/accounts/{PROD_CHECKOUT}/root-user")
    assert root["password_set"] is True


def test_root_sessions_over_http(api: Api, sandbox: Sandbox) -> None:
    assert api("GET", "/_sandbox/root-sessions") == {"sessions": []}


def test_clock_snapshot_and_reset(api: Api, sandbox: Sandbox) -> None:
    assert api("POST", "/_sandbox/clock", {"advance": 30})["offset_seconds"] == 30.0
    status, snapshot = api.raw("GET", "/_sandbox/snapshot")
    assert status == 200
    assert snapshot == sandbox.snapshot()
    generated = api("POST", "/_sandbox/reset", {"accounts": 12, "random_seed": 5})
    assert generated["organization_id"] == Sandbox.generated(12, seed=5).organization_id
    assert api("GET", "/_sandbox/health")["accounts"] == 13
    assert api("POST", "/_sandbox/reset", {"example": True})["organization_id"] == "o-k3v9w2q7zt"


def test_errors_are_json(api: Api) -> None:
    status, body = api.raw("GET", "/_sandbox/nothing-here")
    assert (status, json.loads(body)["error"]) == (404, "no sandbox API at /_sandbox/nothing-here")
    status, body = api.raw("GET", "/_sandbox/accounts/999999999999/root-user")
    assert status == 404
    status, body = api.raw("POST", "/_sandbox/reset", {"seed": "organization: [\n"})
    assert status == 400
    assert "not valid YAML" in json.loads(body)["error"]
    status, body = api.raw("PUT", "/_sandbox/faults", {"throttle_rate": 2})
    assert status == 400
    status, _ = api.raw("DELETE", "/_sandbox/health")
    assert status == 405
