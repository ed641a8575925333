"""The member account's root user, read and changed inside an AssumeRoot session.

Every IAM call omits ``UserName``: in a root session IAM then acts on the root user (spec §4).
Responses become typed records here, so nothing above this layer sees a response shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from rootctl.aws.errors import request_id_of, translated
from rootctl.errors import NotFound
from rootctl.models import AccessKey, LoginProfile, MfaDevice, SigningCertificate

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient


def login_profile(iam: IAMClient) -> LoginProfile | None:
    """The root login profile, or None when there is none (``NoSuchEntity``)."""
    try:
        with translated("GetLoginProfile"):
            raw = iam.get_login_profile()["LoginProfile"]
    except NotFound as exc:
        if exc.code == "NoSuchEntity":
            return None
        raise
    return LoginProfile(_date(raw.get("CreateDate")))


def password_last_used(iam: IAMClient) -> datetime | None:
    """When the root password last signed in (GetUser's ``PasswordLastUsed``; None: never
    since IAM tracks it, or no password at all)."""
    with translated("GetUser"):
        user = iam.get_user().get("User", {})
    return _date(user.get("PasswordLastUsed"))


def listed_access_keys(iam: IAMClient) -> list[dict[str, Any]]:
    """The keys as ListAccessKeys answers (each becomes an :func:`access_key`)."""
    with translated("ListAccessKeys"):
        return [dict(raw) for raw in iam.list_access_keys()["AccessKeyMetadata"]]


def access_key(iam: IAMClient, raw: dict[str, Any], with_last_used: bool) -> AccessKey:
    key_id = str(raw["AccessKeyId"])
    used: dict[str, Any] = {}
    if with_last_used:
        with translated(f"GetAccessKeyLastUsed({key_id})"):
            used = dict(
                iam.get_access_key_last_used(AccessKeyId=key_id).get("AccessKeyLastUsed", {})
            )
    return AccessKey(
        id=key_id,
        status=str(raw.get("Status", "")),
        created=_date(raw.get("CreateDate")),
        last_used=_date(used.get("LastUsedDate")),
        # IAM says "N/A" for a key never used; say nothing instead.
        last_used_service=_known(used.get("ServiceName")),
        last_used_region=_known(used.get("Region")),
    )


def mfa_devices(iam: IAMClient) -> tuple[MfaDevice, ...]:
    with translated("ListMFADevices"):
        listed = iam.list_mfa_devices()["MFADevices"]
    return tuple(MfaDevice(d["SerialNumber"], _date(d.get("EnableDate"))) for d in listed)


def signing_certificates(iam: IAMClient) -> tuple[SigningCertificate, ...]:
    with translated("ListSigningCertificates"):
        listed = iam.list_signing_certificates()["Certificates"]
    return tuple(
        SigningCertificate(c["CertificateId"], str(c.get("Status", "")), _date(c.get("UploadDate")))
        for c in listed
    )


def delete_login_profile(iam: IAMClient) -> str | None:
    with translated("DeleteLoginProfile"):
        return request_id_of(iam.delete_login_profile())


def delete_access_key(iam: IAMClient, key_id: str) -> str | None:
    with translated(f"DeleteAccessKey({key_id})"):
        return request_id_of(iam.delete_access_key(AccessKeyId=key_id))


def delete_signing_certificate(iam: IAMClient, cert_id: str) -> str | None:
    with translated(f"DeleteSigningCertificate({cert_id})"):
        return request_id_of(iam.delete_signing_certificate(CertificateId=cert_id))


def deactivate_mfa_device(iam: IAMClient, serial: str) -> str | None:
    with translated(f"DeactivateMFADevice({serial})"):
        return request_id_of(iam.deactivate_mfa_device(SerialNumber=serial))


def delete_virtual_mfa_device(iam: IAMClient, serial: str) -> str | None:
    with translated(f"DeleteVirtualMFADevice({serial})"):
        return request_id_of(iam.delete_virtual_mfa_device(SerialNumber=serial))


def create_login_profile(iam: IAMClient) -> str | None:
    """'Allow password recovery': an empty login profile, no password (root sessions only)."""
    with translated("CreateLoginProfile"):
        return request_id_of(iam.create_login_profile())


def _date(value: object) -> datetime | None:
    return value if isinstance(value, datetime) else None


def _known(value: object) -> str | None:
    return None if value in (None, "N/A") else str(value)
