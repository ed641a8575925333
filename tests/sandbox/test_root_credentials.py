"""Issue item 5: the root user's credentials without UserName (spec §4)."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Callable

import pytest

from .conftest import (
    AUDIT,
    CREATE_PASSWORD,
    DELETE,
    DEV_SHARED,
    ML_EXPERIMENTS,
    NETWORKING,
    PROD_CHECKOUT,
    PROD_DATA_LAKE,
    PROD_PAYMENTS,
    SECURITY_TOOLING,
    Aws,
    error_of,
)

FLAGS = (
    "AccountPasswordPresent",
    "AccountAccessKeysPresent",
    "AccountSigningCertificatesPresent",
    "AccountMFAEnabled",
)


def _flags(iam: object) -> tuple[int, ...]:
    summary = iam.get_account_summary()["SummaryMap"]  # type: ignore[attr-defined]
    return tuple(summary[name] for name in FLAGS)


@pytest.fixture(autouse=True)
def _enabled(aws: Aws) -> None:
    aws.enable("root_credentials_management")


def test_get_user_shape(aws: Aws) -> None:
    user = aws.client("iam", aws.assume_root(PROD_PAYMENTS)).get_user()["User"]
    assert set(user) == {"UserId", "Arn", "CreateDate", "PasswordLastUsed"}
    assert user["UserId"] == PROD_PAYMENTS
    assert user["Arn"] == f"arn:aws:iam::{PROD_PAYMENTS}:root"
    assert user["CreateDate"].isoformat() == "2018-11-05T10:00:00+00:00"
    clean = aws.client("iam", aws.assume_root(SECURITY_TOOLING)).get_user()["User"]
    assert set(clean) == {"UserId", "Arn", "CreateDate"}


def test_audit_reads_every_credential(aws: Aws) -> None:
    iam = aws.client("iam", aws.assume_root(PROD_DATA_LAKE))
    assert iam.get_login_profile()["LoginProfile"] == {
        "CreateDate": iam.get_login_profile()["LoginProfile"]["CreateDate"],
        "PasswordResetRequired": False,
    }
    assert iam.list_access_keys()["AccessKeyMetadata"] == []
    devices = iam.list_mfa_devices()["MFADevices"]
    assert [d["SerialNumber"] for d in devices] == [
        f"arn:aws:iam::{PROD_DATA_LAKE}:mfa/root-account-mfa-device"
    ]
    assert "UserName" not in devices[0]
    certificates = iam.list_signing_certificates()["Certificates"]
    assert [c["Status"] for c in certificates] == ["Active"]
    assert certificates[0]["CertificateBody"].startswith("-----BEGIN CERTIFICATE-----")
    assert _flags(iam) == (1, 0, 1, 1)


def test_summary_quotas(aws: Aws) -> None:
    summary = aws.client("iam", aws.assume_root(NETWORKING)).get_account_summary()["SummaryMap"]
    assert summary["AccessKeysPerUserQuota"] == 2
    assert summary["SigningCertificatesPerUserQuota"] == 2
    assert tuple(summary[name] for name in FLAGS) == (1, 0, 1, 1)


def test_no_login_profile(aws: Aws) -> None:
    iam = aws.client("iam", aws.assume_root(SECURITY_TOOLING))
    with pytest.raises(iam.exceptions.NoSuchEntityException) as excinfo:
        iam.get_login_profile()
    assert error_of(excinfo) == (
        "NoSuchEntity",
        "Login Profile for User null cannot be found.",
        404,
    )
    assert _flags(iam) == (0, 0, 0, 0)


def test_access_key_last_used(aws: Aws) -> None:
    iam = aws.client("iam", aws.assume_root(PROD_PAYMENTS))
    key = iam.list_access_keys()["AccessKeyMetadata"][0]
    assert key["Status"] == "Active"
    assert "UserName" not in key
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert (used["ServiceName"], used["Region"]) == ("s3", "eu-west-1")
    assert "LastUsedDate" in used
    iam = aws.client("iam", aws.assume_root(PROD_CHECKOUT))
    key = iam.list_access_keys()["AccessKeyMetadata"][0]
    never = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert never == {"ServiceName": "N/A", "Region": "N/A"}


def test_two_keys_one_inactive(aws: Aws) -> None:
    iam = aws.client("iam", aws.assume_root(DEV_SHARED))
    statuses = [k["Status"] for k in iam.list_access_keys()["AccessKeyMetadata"]]
    assert statuses == ["Inactive", "Active"]


def test_allow_password_recovery(aws: Aws) -> None:
    iam = aws.client("iam", aws.assume_root(SECURITY_TOOLING, CREATE_PASSWORD))
    profile = iam.create_login_profile()["LoginProfile"]
    assert set(profile) == {"CreateDate", "PasswordResetRequired"}
    assert profile["PasswordResetRequired"] is False
    assert iam.get_login_profile()["LoginProfile"]["CreateDate"] == profile["CreateDate"]
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException) as excinfo:
        iam.create_login_profile()
    assert error_of(excinfo) == (
        "EntityAlreadyExists",
        f"Login Profile for account {SECURITY_TOOLING} already exists.",
        409,
    )
    audit = aws.client("iam", aws.assume_root(SECURITY_TOOLING, AUDIT))
    assert _flags(audit) == (1, 0, 0, 0)


def test_recovery_profile_refuses_a_password(aws: Aws) -> None:
    iam = aws.client("iam", aws.assume_root(SECURITY_TOOLING, CREATE_PASSWORD))
    with pytest.raises(iam.exceptions.ClientError) as excinfo:
        iam.create_login_profile(Password="Chosen-By-The-Admin-1")
    assert error_of(excinfo)[0] == "ValidationError"
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_login_profile()


def test_existing_recovery_only_profile(aws: Aws) -> None:
    iam = aws.client("iam", aws.assume_root(ML_EXPERIMENTS, CREATE_PASSWORD))
    assert iam.get_login_profile()["LoginProfile"]["PasswordResetRequired"] is False
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException):
        iam.create_login_profile()


@pytest.mark.parametrize("order", ["profile-first", "mfa-first"])
def test_delete_every_credential_in_any_order(aws: Aws, order: str) -> None:
    iam = aws.client("iam", aws.assume_root(NETWORKING, DELETE))
    steps: dict[str, Callable[[], object]] = {
        "profile": lambda: iam.delete_login_profile(),
        "certificates": lambda: [
            iam.delete_signing_certificate(CertificateId=c["CertificateId"])
            for c in iam.list_signing_certificates()["Certificates"]
        ],
        "mfa": lambda: [
            iam.deactivate_mfa_device(SerialNumber=d["SerialNumber"])
            for d in iam.list_mfa_devices()["MFADevices"]
        ],
    }
    sequence = ["profile", "certificates", "mfa"]
    if order == "mfa-first":
        sequence.reverse()
    for step in sequence:
        steps[step]()
    assert iam.list_mfa_devices()["MFADevices"] == []
    assert iam.list_signing_certificates()["Certificates"] == []
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_login_profile()
    audit = aws.client("iam", aws.assume_root(NETWORKING, AUDIT))
    assert _flags(audit) == (0, 0, 0, 0)
    root = aws.sandbox.root_user(NETWORKING)
    assert not root.has_credentials
    assert root.credentials_deleted


def test_delete_access_keys(aws: Aws) -> None:
    iam = aws.client("iam", aws.assume_root(DEV_SHARED, DELETE))
    for key in iam.list_access_keys()["AccessKeyMetadata"]:
        iam.delete_access_key(AccessKeyId=key["AccessKeyId"])
    assert iam.list_access_keys()["AccessKeyMetadata"] == []
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.delete_access_key(AccessKeyId="AKIAWCYYNKO6AAAAAAAA")


def test_deleting_what_is_not_there(aws: Aws) -> None:
    iam = aws.client("iam", aws.assume_root(SECURITY_TOOLING, DELETE))
    with pytest.raises(iam.exceptions.NoSuchEntityException) as excinfo:
        iam.delete_login_profile()
    assert error_of(excinfo)[1] == "Login Profile for User null cannot be found."
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.deactivate_mfa_device(SerialNumber="GAHT00000000")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.delete_signing_certificate(CertificateId="C" * 24)


def test_virtual_mfa_device_deactivated_not_deleted(aws: Aws) -> None:
    iam = aws.client("iam", aws.assume_root(PROD_PAYMENTS, DELETE))
    serial = iam.list_mfa_devices()["MFADevices"][0]["SerialNumber"]
    iam.deactivate_mfa_device(SerialNumber=serial)
    with pytest.raises(iam.exceptions.ClientError) as excinfo:
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert error_of(excinfo)[0] == "AccessDenied"  # statement 2: the mfa/ ARN is not root
    assert aws.sandbox.mfa_code(PROD_PAYMENTS, serial)  # the device object still exists


def test_root_user_own_access_key(aws: Aws) -> None:
    root = aws.sandbox.root_access_key(PROD_PAYMENTS)
    iam = aws.client("iam", root)
    keys = iam.list_access_keys()["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [root.access_key_id]
    used = iam.get_access_key_last_used(AccessKeyId=root.access_key_id)["AccessKeyLastUsed"]
    assert (used["ServiceName"], used["Region"]) == ("iam", "us-east-1")
    assert aws.client("sts", root).get_caller_identity()["Arn"] == (
        f"arn:aws:iam::{PROD_PAYMENTS}:root"
    )


def test_deleted_root_key_stops_working(aws: Aws) -> None:
    root = aws.sandbox.root_access_key(PROD_CHECKOUT)
    iam = aws.client("iam", aws.assume_root(PROD_CHECKOUT, DELETE))
    iam.delete_access_key(AccessKeyId=root.access_key_id)
    sts = aws.client("sts", root)
    with pytest.raises(sts.exceptions.ClientError) as excinfo:
        sts.get_caller_identity()
    assert error_of(excinfo)[0] == "InvalidClientTokenId"


def test_credential_report_root_row(aws: Aws) -> None:
    iam = aws.client("iam", aws.sandbox.principal_credentials(PROD_PAYMENTS))
    iam.generate_credential_report()
    content = iam.get_credential_report()["Content"]
    text = content.decode() if isinstance(content, bytes) else base64.b64decode(content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    root = rows[0]
    assert root["user"] == "<root_account>"
    assert root["arn"] == f"arn:aws:iam::{PROD_PAYMENTS}:root"
    assert (root["password_enabled"], root["mfa_active"], root["access_key_1_active"]) == (
        "true",
        "true",
        "true",
    )
    assert root["access_key_1_last_used_service"] == "s3"
    assert root["password_next_rotation"] == "not_supported"
