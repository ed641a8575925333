"""The root user's credentials, read and removed inside an AssumeRoot session.

Every call omits ``UserName``: in a root session IAM then acts on the member account's root.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rootctl.aws.errors import request_id_of, translated
from rootctl.errors import NotFound

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient


def login_profile(iam: IAMClient) -> dict[str, Any] | None:
    """The root login profile, or None when there is none (``NoSuchEntity``)."""
    try:
        with translated("GetLoginProfile"):
            return dict(iam.get_login_profile()["LoginProfile"])
    except NotFound as exc:
        if exc.code == "NoSuchEntity":
            return None
        raise


def access_keys(iam: IAMClient, *, with_last_used: bool = True) -> list[dict[str, Any]]:
    with translated("ListAccessKeys"):
        keys = [dict(k) for k in iam.list_access_keys()["AccessKeyMetadata"]]
    if with_last_used:
        for key in keys:
            key_id = str(key["AccessKeyId"])
            with translated(f"GetAccessKeyLastUsed({key_id})"):
                used = iam.get_access_key_last_used(AccessKeyId=key_id)
            key["LastUsed"] = dict(used.get("AccessKeyLastUsed", {}))
    return keys


def mfa_devices(iam: IAMClient) -> list[dict[str, Any]]:
    with translated("ListMFADevices"):
        return [dict(d) for d in iam.list_mfa_devices()["MFADevices"]]


def signing_certificates(iam: IAMClient) -> list[dict[str, Any]]:
    with translated("ListSigningCertificates"):
        return [dict(c) for c in iam.list_signing_certificates()["Certificates"]]


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
