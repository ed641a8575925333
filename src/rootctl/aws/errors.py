"""Translate botocore errors into rootctl errors, with advice as data (:mod:`rootctl.errors`).

Every AWS error code rootctl can meet maps, through the tables below, to an error class and
an advice code; the faces word the advice. Messages keep AWS's own text (it names the denied
action, the policy type …), which faces print inertly: it is outside data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ProfileNotFound,
    ReadTimeoutError,
)

from rootctl.errors import (
    AccessDenied,
    Advice,
    AdviceCode,
    AlreadyExists,
    AwsError,
    CallerNotManagement,
    CapabilityDisabled,
    Conflict,
    InputError,
    InvalidRequest,
    NotFound,
    NotManagementOrDelegate,
    OrganizationUnavailable,
    RootctlError,
    Throttled,
    TrustedAccessDisabled,
)
from rootctl.models import Denial


@dataclass(frozen=True, slots=True)
class _Rule:
    error: type[AwsError]
    advice: AdviceCode | None = None
    # A sentence that replaces AWS's message (for codes whose message says nothing more);
    # ``{code}`` stands for the AWS error code.
    message: str | None = None


_THROTTLED = _Rule(
    Throttled, AdviceCode.RETRY_LATER, "AWS kept throttling ({code}) after all retries"
)
_NOT_FOUND = _Rule(NotFound)
_CONFLICT = _Rule(Conflict)
_INVALID = _Rule(InvalidRequest)
_NO_ORG = _Rule(OrganizationUnavailable, AdviceCode.NEED_ALL_FEATURES)

RULES: Mapping[str, _Rule] = {
    # Organizations and the IAM organization features (spec §1)
    "ServiceAccessNotEnabledException": _Rule(
        TrustedAccessDisabled,
        AdviceCode.ENABLE_TRUSTED_ACCESS,
        "IAM trusted access is not enabled for the organization",
    ),
    "AccountNotManagementOrDelegatedAdministratorException": _Rule(
        NotManagementOrDelegate,
        AdviceCode.USE_ADMIN_ACCOUNT,
        "the caller's account is neither the management account nor the IAM delegated "
        "administrator",
    ),
    "CallerIsNotManagementAccountException": _Rule(
        CallerNotManagement,
        AdviceCode.USE_MANAGEMENT_ACCOUNT,
        "only the management account can do this",
    ),
    "OrganizationNotFoundException": _NO_ORG,
    "AWSOrganizationsNotInUseException": _NO_ORG,
    "OrganizationNotInAllFeaturesModeException": _NO_ORG,
    "AccessDeniedForDependencyException": _Rule(AccessDenied, AdviceCode.CHECK_PERMISSIONS),
    # throttling, in each service's dialect
    "Throttling": _THROTTLED,
    "ThrottlingException": _THROTTLED,
    "TooManyRequestsException": _THROTTLED,
    "RequestLimitExceeded": _THROTTLED,
    "SlowDown": _THROTTLED,
    "RequestThrottled": _THROTTLED,
    "RequestThrottledException": _THROTTLED,
    "AWS.SimpleQueueService.RequestThrottled": _THROTTLED,
    "LimitExceededException": _THROTTLED,  # Security Hub's throttling (HTTP 429)
    # missing things
    "NoSuchEntity": _NOT_FOUND,
    "NoSuchBucket": _NOT_FOUND,
    "NoSuchBucketPolicy": _NOT_FOUND,
    "AWS.SimpleQueueService.NonExistentQueue": _NOT_FOUND,
    "QueueDoesNotExist": _NOT_FOUND,
    "AccountNotFoundException": _NOT_FOUND,
    "AccountNotRegisteredException": _NOT_FOUND,
    "ParentNotFoundException": _NOT_FOUND,
    "OrganizationalUnitNotFoundException": _NOT_FOUND,
    "TargetNotFoundException": _NOT_FOUND,
    "NotFoundException": _NOT_FOUND,  # KMS: no such key or alias
    # things already there, or a state that refuses the change
    "EntityAlreadyExists": _Rule(AlreadyExists),
    "AccountAlreadyRegisteredException": _Rule(AlreadyExists),
    "ConstraintViolationException": _CONFLICT,
    "ConcurrentModificationException": _CONFLICT,
    "PolicyTypeNotEnabledException": _CONFLICT,
    "DuplicatePolicyAttachmentException": _Rule(AlreadyExists),
    "DuplicatePolicyException": _Rule(AlreadyExists),
    "PolicyNotAttachedException": _NOT_FOUND,
    "PolicyNotFoundException": _NOT_FOUND,
    "MalformedPolicyDocumentException": _INVALID,
    # DynamoDB (the journal table): a conditional write lost; the table does not exist
    "ConditionalCheckFailedException": _CONFLICT,
    "ResourceNotFoundException": _NOT_FOUND,
    "ConcurrentModification": _CONFLICT,
    "EntityTemporarilyUnmodifiable": _CONFLICT,
    "LimitExceeded": _CONFLICT,
    "DeleteConflict": _CONFLICT,
    "OperationAborted": _CONFLICT,
    "DisabledException": _CONFLICT,  # KMS: the key is disabled
    "KMSInvalidStateException": _CONFLICT,  # KMS: pending deletion, pending import …
    # the request itself
    "ValidationError": _INVALID,
    "ValidationException": _INVALID,
    "InvalidInput": _INVALID,
    "InvalidInputException": _INVALID,
    "InvalidParameterValue": _INVALID,
    "InvalidParameterCombination": _INVALID,
    "MalformedPolicyDocument": _INVALID,
    "MalformedPolicy": _INVALID,
    "InvalidBucketName": _INVALID,
    "InvalidAttributeValue": _INVALID,
    "InvalidKeyUsageException": _INVALID,  # KMS: the key is not for signing
    "KMSInvalidSignatureException": _INVALID,
    "InvalidAction": _Rule(InvalidRequest, AdviceCode.USE_REGIONAL_STS),
    "UnsupportedAPIEndpointException": _Rule(InvalidRequest, AdviceCode.USE_REGIONAL_STS),
    # credentials
    "ExpiredToken": _Rule(AwsError, AdviceCode.REFRESH_CREDENTIALS),
    "ExpiredTokenException": _Rule(AwsError, AdviceCode.REFRESH_CREDENTIALS),
    "InvalidClientTokenId": _Rule(AwsError, AdviceCode.CHECK_CREDENTIALS),
    "UnrecognizedClientException": _Rule(AwsError, AdviceCode.CHECK_CREDENTIALS),
    "SignatureDoesNotMatch": _Rule(AwsError, AdviceCode.CHECK_CREDENTIALS),
    "InvalidAccessKeyId": _Rule(AwsError, AdviceCode.CHECK_CREDENTIALS),
    "RegionDisabledException": _Rule(AwsError, AdviceCode.CHECK_CONNECTION),
    # Security Hub not enabled in the caller's account and region
    "InvalidAccessException": _Rule(AccessDenied, AdviceCode.ENABLE_SECURITY_HUB),
    # CloudTrail (LookupEvents, CloudTrail Lake)
    "InvalidLookupAttributesException": _INVALID,
    "InvalidTimeRangeException": _INVALID,
    "InvalidMaxResultsException": _INVALID,
    "InvalidNextTokenException": _INVALID,
    "InvalidEventCategoryException": _INVALID,
    "InvalidQueryStatementException": _INVALID,
    "InvalidParameterException": _INVALID,
    "EventDataStoreARNInvalidException": _INVALID,
    "EventDataStoreNotFoundException": _NOT_FOUND,
    "QueryIdNotFoundException": _NOT_FOUND,
    "InactiveEventDataStoreException": _CONFLICT,
    "MaxConcurrentQueriesException": _THROTTLED,
}

_ACCESS_DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException"})

# Access denied: AWS's message says who denied it. The first of these phrases found in the
# message decides the error class and the advice (with its parameters).
_DENIED_BECAUSE: tuple[tuple[str, type[AwsError], AdviceCode, Mapping[str, str]], ...] = (
    ("service not enabled for aws organizations", TrustedAccessDisabled,
     AdviceCode.ENABLE_TRUSTED_ACCESS, {}),
    ("root credentials management feature is not enabled", CapabilityDisabled,
     AdviceCode.ENABLE_CAPABILITY, {"capability": "RootCredentialsManagement"}),
    ("root sessions feature is not enabled", CapabilityDisabled,
     AdviceCode.ENABLE_CAPABILITY, {"capability": "RootSessions"}),
    ("service control policy", AccessDenied,
     AdviceCode.EXEMPT_ASSUMED_ROOT, {"policy_type": "service control policy"}),
    ("resource control policy", AccessDenied,
     AdviceCode.EXEMPT_ASSUMED_ROOT, {"policy_type": "resource control policy"}),
    ("session policy", AccessDenied, AdviceCode.TASK_POLICY_DENIES, {}),
)  # fmt: skip
# Reading the organization is refused to anyone but the management account and a delegate.
_ORG_READS = ("ListRoots", "ListOrganizationalUnits", "ListAccounts", "DescribeOrganization")


def _denial(message: str, action: str) -> tuple[type[AwsError], Advice]:
    lowered = message.lower()
    for phrase, error, advice, params in _DENIED_BECAUSE:
        if phrase in lowered:
            return error, Advice(advice, params)
    if action.startswith(_ORG_READS):
        return AccessDenied, Advice(AdviceCode.ORG_READ_NEEDS_ADMIN)
    return AccessDenied, Advice(AdviceCode.CHECK_PERMISSIONS)


THROTTLING_CODES = frozenset(code for code, rule in RULES.items() if rule is _THROTTLED)


def error_code(exc: BaseException) -> str | None:
    return exc.response.get("Error", {}).get("Code") if isinstance(exc, ClientError) else None


def translate(exc: BaseException, action: str) -> RootctlError:
    """Turn a botocore exception raised by ``action`` into a rootctl error with advice."""
    if isinstance(exc, ClientError):
        return _translate_client_error(exc, action)
    if isinstance(exc, NoCredentialsError):
        return AwsError(
            f"{action}: no AWS credentials found.", Advice(AdviceCode.PROVIDE_CREDENTIALS)
        )
    if isinstance(exc, ProfileNotFound):
        return InputError(f"{exc}.", Advice(AdviceCode.CHECK_PROFILE))
    if isinstance(exc, ParamValidationError):
        return InputError(f"{action}: {exc}")
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError):
        return AwsError(f"{action}: {exc}.", Advice(AdviceCode.CHECK_CONNECTION))
    if isinstance(exc, BotoCoreError):
        return AwsError(f"{action}: {exc}")
    return AwsError(f"{action}: {type(exc).__name__}: {exc}")


def _translate_client_error(exc: ClientError, action: str) -> RootctlError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", "Unknown"))
    message = str(error.get("Message", "")).strip()
    rid = exc.response.get("ResponseMetadata", {}).get("RequestId")
    text = f"{action} failed: {code}" + (f": {message}" if message else "")

    def make(cls: type[AwsError], advice: Advice | None, msg: str = text) -> AwsError:
        return cls(msg, advice, code=code, request_id=rid, operation=action.split("(")[0])

    if code in _ACCESS_DENIED_CODES or "service not enabled for aws organizations" in (
        message.lower()
    ):
        return make(*_denial(message, action))
    if code == "ConstraintViolationException" and _delegate_exists(exc, message):
        return make(Conflict, Advice(AdviceCode.DEREGISTER_DELEGATE_FIRST))
    rule = RULES.get(code)
    if rule is None:
        return make(AwsError, None)
    if rule.message is not None:
        text = f"{action} failed: {rule.message.format(code=code)}."
    return make(rule.error, Advice(rule.advice) if rule.advice else None, text)


def _delegate_exists(exc: ClientError, message: str) -> bool:
    reason = str(exc.response.get("Reason", ""))
    return "DELEGATED_ADMINISTRATOR" in reason or "delegated admin" in message.lower()


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


# "User: <arn> is not authorized to perform: <action> on resource: <arn> with an explicit deny
# in a service control policy[: <policy arn>]" / "… because no identity-based policy allows the
# <action> action" (AWS's access-denied messages since 2021, with the policy ARN since 2025).
_DENIED_ACTION = re.compile(r"not authorized to perform:? ([\w-]+:[\w*-]+)")
_POLICY_TYPE = re.compile(
    r"(explicit deny in an?|because no) (service control policy|resource control policy|"
    r"identity-based policy|session policy|permissions boundary|resource-based policy|"
    r"VPC endpoint policy)(?::? (arn:[^\s,;]+))?",
    re.IGNORECASE,
)


def denial_in(message: str) -> Denial | None:
    """What an AccessDenied message names (action, policy type, policy ARN), or None when it
    is not a policy denial (trusted access or a capability off, another error)."""
    action = _DENIED_ACTION.search(message)
    policy = _POLICY_TYPE.search(message)
    if action is None and policy is None:
        return None
    return Denial(
        action=action.group(1) if action else None,
        policy_type=policy.group(2).lower().replace("vpc", "VPC") if policy else None,
        explicit=bool(policy and policy.group(1).lower().startswith("explicit")),
        policy_arn=policy.group(3) if policy else None,
    )
