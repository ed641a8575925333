"""Security Hub's errors (REST-JSON): what AWS answers when the hub is not enabled, or the
input is not valid."""

from __future__ import annotations

from ..exceptions import SandboxError


def not_subscribed(account_id: str) -> SandboxError:
    return SandboxError(
        401,
        "InvalidAccessException",
        f"Account {account_id} is not subscribed to AWS Security Hub",
        service="securityhub",
        dialect="rest-json",
    )


def invalid_input(message: str) -> SandboxError:
    return SandboxError(
        400, "InvalidInputException", message, service="securityhub", dialect="rest-json"
    )
