"""KMS Sign/Verify for change-control plans and approvals, with the caller's credentials.

The message signed is short text naming what is vouched for (a plan's SHA-256 …), so it is
signed as RAW bytes (well under KMS's 4,096-byte limit). The algorithm is the key's first
ECDSA, then RSASSA-PSS, then PKCS#1 algorithm over SHA-256, as DescribeKey lists them.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from rootctl.aws.errors import error_code, translated
from rootctl.errors import Advice, AdviceCode, InputError, InvalidRequest
from rootctl.models import Signature

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient

    from rootctl.aws.session import AwsSession

PREFERRED = ("ECDSA_SHA_256", "RSASSA_PSS_SHA_256", "RSASSA_PKCS1_V1_5_SHA_256")
INVALID_SIGNATURE = "KMSInvalidSignatureException"


def _kms(aws: AwsSession) -> KMSClient:
    return aws.client("kms")  # type: ignore[no-any-return]


def sign(aws: AwsSession, key_id: str, message: str) -> Signature:
    """Sign ``message`` with the asymmetric SIGN_VERIFY key ``key_id`` (id, ARN or alias)."""
    kms = _kms(aws)
    with translated(f"DescribeKey({key_id})"):
        metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    offered = list(metadata.get("SigningAlgorithms") or [])
    if metadata.get("KeyUsage") != "SIGN_VERIFY" or not offered:
        raise InputError(
            f"KMS key {key_id} cannot sign: its usage is {metadata.get('KeyUsage')}; "
            "use an asymmetric key made for SIGN_VERIFY.",
            Advice(AdviceCode.USE_SIGNING_KEY),
        )
    algorithm = next((a for a in PREFERRED if a in offered), offered[0])
    with translated(f"Sign({key_id})"):
        signed = kms.sign(
            KeyId=key_id, Message=message.encode(), MessageType="RAW", SigningAlgorithm=algorithm
        )
    return Signature(
        key_id=str(signed.get("KeyId") or metadata["Arn"]),
        algorithm=str(signed["SigningAlgorithm"]),
        value=base64.b64encode(signed["Signature"]).decode("ascii"),
    )


def verify(aws: AwsSession, signature: Signature, message: str) -> bool:
    """Whether ``signature`` is KMS's signature of ``message`` by its key. KMS errors other
    than "invalid signature" (no permission, no such key …) are raised, translated."""
    try:
        blob = base64.b64decode(signature.value, validate=True)
    except ValueError:
        return False
    try:
        with translated(f"Verify({signature.key_id})"):
            try:
                answer = _kms(aws).verify(
                    KeyId=signature.key_id,
                    Message=message.encode(),
                    MessageType="RAW",
                    Signature=blob,
                    SigningAlgorithm=signature.algorithm,  # type: ignore[arg-type]
                )
            except ClientError as exc:
                if error_code(exc) == INVALID_SIGNATURE:
                    return False
                raise
    except (InputError, InvalidRequest):  # a malformed algorithm or key id: it does not verify
        return False
    return bool(answer.get("SignatureValid"))
