"""Translate botocore errors into rootctl errors that say what to do next."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)

from rootctl.errors import (
    AccessDenied,
    AwsError,
    CallerNotManagement,
    CapabilityDisabled,
    InputError,
    NotFound,
    NotManagementOrDelegate,
    OrganizationUnavailable,
    RootctlError,
    Throttled,
    TrustedAccessDisabled,
)

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
        "RequestThrottled",
        "RequestThrottledException",
    }
)
NOT_FOUND_CODES = frozenset(
    {
        "NoSuchEntity",
        "NoSuchBucket",
        "NoSuchBucketPolicy",
        "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDoesNotExist",
        "AccountNotFoundException",
        "AccountNotRegisteredException",
        "ParentNotFoundException",
    }
)
_ENABLE = "Run `rootctl enable` from the management account."
_WHO = (
    "Run rootctl with credentials of the organization's management account or of the IAM "
    "delegated administrator (see `rootctl status`)."
)


def error_code(exc: BaseException) -> str | None:
    return exc.response.get("Error", {}).get("Code") if isinstance(exc, ClientError) else None


def translate(exc: BaseException, action: str) -> RootctlError:
    """Turn a botocore exception raised by ``action`` into a rootctl error with advice."""
    if isinstance(exc, ClientError):
        return _translate_client_error(exc, action)
    if isinstance(exc, NoCredentialsError):
        return AwsError(
            f"{action}: no AWS credentials found.",
            "Use --profile, AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.",
        )
    if isinstance(exc, ProfileNotFound):
        return InputError(f"{exc}.", "Check --profile / AWS_PROFILE.")
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError):
        return AwsError(f"{action}: {exc}.", "Check the network, --region and --endpoint-url.")
    if isinstance(exc, BotoCoreError):
        return AwsError(f"{action}: {exc}")
    return AwsError(f"{action}: {type(exc).__name__}: {exc}")


def _translate_client_error(exc: ClientError, action: str) -> RootctlError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", "Unknown"))
    message = str(error.get("Message", "")).strip()
    rid = exc.response.get("ResponseMetadata", {}).get("RequestId")
    text = f"{action} failed: {code}" + (f": {message}" if message else "")

    def make(cls: type[AwsError], msg: str, advice: str | None = None) -> AwsError:
        return cls(msg, advice, code=code, request_id=rid)

    trust_off = "Service not enabled for AWS Organizations" in message
    if code == "ServiceAccessNotEnabledException" or trust_off:
        return make(
            TrustedAccessDisabled,
            f"{action} failed: IAM trusted access is not enabled for the organization.",
            _ENABLE,
        )
    if code == "AccountNotManagementOrDelegatedAdministratorException":
        return make(
            NotManagementOrDelegate,
            f"{action} failed: the caller's account is neither the management account nor "
            "the IAM delegated administrator.",
            _WHO,
        )
    if code == "CallerIsNotManagementAccountException":
        return make(
            CallerNotManagement,
            f"{action} failed: only the management account can do this.",
            "Run it with credentials of the management account.",
        )
    if code in _NO_ORGANIZATION:
        return make(
            OrganizationUnavailable,
            text,
            "Root access management needs an organization with all features enabled.",
        )
    if code in ("AccessDenied", "AccessDeniedException"):
        return make(*_access_denied(text, message, action))
    if code in THROTTLING_CODES:
        return make(
            Throttled,
            f"{action} failed: AWS kept throttling ({code}) after all retries.",
            "Retry later or lower --concurrency.",
        )
    if code in NOT_FOUND_CODES:
        return make(NotFound, text)
    if code in ("ExpiredToken", "ExpiredTokenException"):
        return make(AwsError, text, "Refresh your AWS credentials and run again.")
    if code in ("InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch"):
        return make(AwsError, text, "Check the credentials of --profile / the environment.")
    reason = str(exc.response.get("Reason", ""))
    delegate_exists = "DELEGATED_ADMINISTRATOR" in reason or "delegated admin" in message.lower()
    if code == "ConstraintViolationException" and delegate_exists:
        return make(
            AwsError,
            text,
            "Deregister the IAM delegated administrator first (`rootctl delegate --deregister`).",
        )
    return make(AwsError, text)


_NO_ORGANIZATION = (
    "OrganizationNotFoundException",
    "AWSOrganizationsNotInUseException",
    "OrganizationNotInAllFeaturesModeException",
)


_ORG_READS = ("ListRoots", "ListOrganizationalUnits", "ListAccounts", "DescribeOrganization")


def _access_denied(text: str, message: str, action: str) -> tuple[type[AwsError], str, str]:
    if "Root credentials management feature is not enabled" in message:
        return (
            CapabilityDisabled,
            text,
            "Turn on root credentials management: `rootctl enable --credentials-management`.",
        )
    if "Root sessions feature is not enabled" in message:
        return (
            CapabilityDisabled,
            text,
            "Turn on privileged root actions: `rootctl enable --root-sessions`.",
        )
    if "service control policy" in message.lower():
        return (
            AccessDenied,
            text,
            "A service control policy denies it; allow root sessions in that SCP "
            "(e.g. exempt requests where aws:AssumedRoot is true).",
        )
    if "session policy" in message.lower():
        return (
            AccessDenied,
            text,
            "The AssumeRoot task policy of this session does not allow that action.",
        )
    if action.startswith(_ORG_READS):
        return (
            AccessDenied,
            text,
            "The organization's structure can be read only from the management account or a "
            "delegated administrator (see `rootctl status`), with organizations:List*/Describe* "
            "allowed.",
        )
    return (
        AccessDenied,
        text,
        "Check the caller's IAM permissions (sts:AssumeRoot for this task policy, and the "
        "action itself) and that it runs in the management or delegated-admin account.",
    )


@contextmanager
def translated(action: str) -> Iterator[None]:
    """Re-raise botocore errors inside the block as rootctl errors (without the chain)."""
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise translate(exc, action) from None


def request_id_of(response: object) -> str | None:
    if isinstance(response, dict):
        meta = response.get("ResponseMetadata")
        if isinstance(meta, dict):
            rid = meta.get("RequestId")
            return str(rid) if rid else None
    return None
