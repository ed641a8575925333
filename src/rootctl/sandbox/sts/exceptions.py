"""STS's errors for ``AssumeRoot`` (Query protocol), with the observed messages (spec §2.5)."""

from __future__ import annotations

from ..exceptions import SandboxError


class StsError(SandboxError):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(status, code, message, service="sts", dialect="query")


class UnknownOperation(StsError):
    """What the global endpoint answers for AssumeRoot."""

    def __init__(self) -> None:
        super().__init__(400, "InvalidAction", "Unknown Operation")


class ValidationError(StsError):
    def __init__(self, message: str) -> None:
        super().__init__(400, "ValidationError", message)


class ModelValidationError(ValidationError):
    """Every model constraint a request breaks, in one "N validation errors detected" line."""

    def __init__(self, problems: list[str]) -> None:
        noun = "error" if len(problems) == 1 else "errors"
        super().__init__(f"{len(problems)} validation {noun} detected: " + "; ".join(problems))


class InvalidTargetPrincipal(ValidationError):
    def __init__(self) -> None:
        super().__init__("Request must contain a valid target principal")


class InvalidTaskPolicy(ValidationError):
    def __init__(self) -> None:
        super().__init__("Request must contain valid AWS managed task policy ARN")


class StsAccessDenied(StsError):
    def __init__(self, message: str) -> None:
        super().__init__(403, "AccessDenied", message)


class AssumeRootDenied(StsAccessDenied):
    """The one message for a caller without permission, a caller account that is neither the
    management account nor the IAM delegate, and a target that is no eligible member."""

    def __init__(self, caller_arn: str, target_account: str) -> None:
        super().__init__(
            f"User: {caller_arn} is not authorized to perform: sts:AssumeRoot on resource: "
            f"arn:aws:iam::{target_account}:root"
        )


class TrustedAccessNotEnabled(StsAccessDenied):
    def __init__(self) -> None:
        super().__init__("Service not enabled for AWS Organizations.")


_FEATURE_MESSAGES = {
    "RootCredentialsManagement": "Root credentials management feature is not enabled for your "
    "AWS Organization.",
    "RootSessions": "Root sessions feature is not enabled for your AWS Organization.",
}


class FeatureNotEnabled(StsAccessDenied):
    def __init__(self, feature: str) -> None:
        super().__init__(_FEATURE_MESSAGES[feature])


class InvalidSourceIdentity(ValidationError):
    def __init__(self) -> None:
        super().__init__(
            "1 validation error detected: Value at 'sourceIdentity' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
        )
