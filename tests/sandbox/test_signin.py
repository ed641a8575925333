"""Issue item 7: root sign-in and password-reset simulation."""

from __future__ import annotations

import base64

import pytest

from rootctl.sandbox import Reason, Sandbox
from rootctl.sandbox.signin import totp

from .conftest import (
    CLOSED_POC,
    CREATE_PASSWORD,
    DELETE,
    ML_EXPERIMENTS,
    PROD_CHECKOUT,
    PROD_PAYMENTS,
    SECURITY_TOOLING,
    Aws,
)

PAYMENTS_PASSWORD = "Payments-Prod-Root!"


def test_rfc6238_vector() -> None:
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, 59, digits=8) == "94287082"
    assert totp(secret, 1111111109, digits=8) == "07081804"
    assert totp(secret, 59) == "287082"


def test_sign_in_with_password_and_mfa(sandbox: Sandbox) -> None:
    assert sandbox.sign_in(PROD_PAYMENTS, PAYMENTS_PASSWORD) == (
        sandbox.sign_in(PROD_PAYMENTS, PAYMENTS_PASSWORD)
    )
    result = sandbox.sign_in(PROD_PAYMENTS, PAYMENTS_PASSWORD)
    assert (result.ok, result.reason) == (False, Reason.MFA_REQUIRED)
    assert result.reason == "MFA code required"
    wrong_code = f"{(int(sandbox.mfa_code(PROD_PAYMENTS)) + 1) % 10**6:06d}"
    assert sandbox.sign_in(PROD_PAYMENTS, PAYMENTS_PASSWORD, wrong_code).reason == "wrong MFA code"
    assert sandbox.sign_in(PROD_PAYMENTS, "guess", sandbox.mfa_code(PROD_PAYMENTS)).reason == (
        "wrong password"
    )
    ok = sandbox.sign_in(PROD_PAYMENTS, PAYMENTS_PASSWORD, sandbox.mfa_code(PROD_PAYMENTS))
    assert (ok.ok, ok.reason) == (True, "signed in")


def test_mfa_codes_follow_the_clock(sandbox: Sandbox) -> None:
    code = sandbox.mfa_code(PROD_PAYMENTS)
    sandbox.advance_clock(120)
    assert sandbox.sign_in(PROD_PAYMENTS, PAYMENTS_PASSWORD, code).reason == "wrong MFA code"


def test_password_only_and_credential_less_accounts(sandbox: Sandbox) -> None:
    assert sandbox.sign_in(PROD_CHECKOUT, "Checkout-Prod-Root-19").ok
    assert sandbox.sign_in(SECURITY_TOOLING, "anything").reason == "no password set"
    assert sandbox.sign_in(ML_EXPERIMENTS, "anything").reason == Reason.RECOVERY_ONLY
    assert sandbox.sign_in(CLOSED_POC, "anything").reason == "account is suspended"
    assert sandbox.sign_in("999999999999", "anything").reason == "unknown account"


def test_login_fails_after_deletion_and_recovery_works_after_it_is_allowed(aws: Aws) -> None:
    sb = aws.sandbox
    aws.enable("root_credentials_management")
    # Before: the owner of the root e-mail could reset the password.
    assert sb.request_password_reset(PROD_CHECKOUT).ok
    iam = aws.client("iam", aws.assume_root(PROD_CHECKOUT, DELETE))
    iam.delete_login_profile()
    for key in iam.list_access_keys()["AccessKeyMetadata"]:
        iam.delete_access_key(AccessKeyId=key["AccessKeyId"])
    failed = sb.sign_in(PROD_CHECKOUT, "Checkout-Prod-Root-19")
    assert (failed.ok, failed.reason) == (False, "no password (root credentials deleted)")
    refused = sb.request_password_reset(PROD_CHECKOUT)
    assert (refused.ok, refused.reason) == (
        False,
        "password recovery is not enabled for this account; ask your organization's administrator",
    )
    aws.client("iam", aws.assume_root(PROD_CHECKOUT, CREATE_PASSWORD)).create_login_profile()
    sent = sb.request_password_reset(PROD_CHECKOUT)
    assert sent.ok
    assert sent.email == "checkout-prod@example.com"
    mail = sb.mailbox("checkout-prod@example.com")[-1]
    assert mail.reset_token == sent.token
    assert sent.token is not None
    assert sent.token in mail.body
    assert not sb.complete_password_reset(PROD_CHECKOUT, "wrong-token", "New-Root-Pass-1").ok
    assert sb.complete_password_reset(PROD_CHECKOUT, sent.token, "New-Root-Pass-1").ok
    assert sb.sign_in(PROD_CHECKOUT, "New-Root-Pass-1").ok
    assert not sb.complete_password_reset(PROD_CHECKOUT, sent.token, "Again-Root-Pass-2").ok


def test_new_accounts_lose_recovery_when_the_feature_is_on(aws: Aws) -> None:
    assert aws.sandbox.request_password_reset(SECURITY_TOOLING).ok  # classic: no feature yet
    aws.enable("root_credentials_management")
    assert not aws.sandbox.request_password_reset(SECURITY_TOOLING).ok


def test_reset_links_expire(sandbox: Sandbox) -> None:
    sent = sandbox.request_password_reset(PROD_CHECKOUT)
    assert sent.token is not None
    sandbox.advance_clock(3601)
    result = sandbox.complete_password_reset(PROD_CHECKOUT, sent.token, "New-Root-Pass-1")
    assert (result.ok, result.reason) == (False, Reason.BAD_TOKEN)


def test_weak_password_refused(sandbox: Sandbox) -> None:
    sent = sandbox.request_password_reset(PROD_CHECKOUT)
    assert sent.token is not None
    assert not sandbox.complete_password_reset(PROD_CHECKOUT, sent.token, "short").ok


def test_mfa_code_of_unknown_device(sandbox: Sandbox) -> None:
    with pytest.raises(KeyError):
        sandbox.mfa_code(PROD_PAYMENTS, "GAHT00000000")
