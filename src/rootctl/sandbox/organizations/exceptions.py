"""Organizations' errors (JSON 1.1): every one is HTTP 400, some with a ``Reason``."""

from __future__ import annotations

from ..exceptions import SandboxError


class OrganizationsError(SandboxError):
    def __init__(self, code: str, message: str, reason: str | None = None) -> None:
        super().__init__(
            400,
            code,
            message,
            service="organizations",
            dialect="json",
            extra={"Reason": reason} if reason else None,
        )


class AccessDeniedException(OrganizationsError):
    def __init__(self) -> None:
        super().__init__(
            "AccessDeniedException", "You don't have permissions to access this resource."
        )


class NotInUse(OrganizationsError):
    def __init__(self) -> None:
        super().__init__(
            "AWSOrganizationsNotInUseException", "Your account is not a member of an organization."
        )


class AccountNotFound(OrganizationsError):
    def __init__(self) -> None:
        super().__init__("AccountNotFoundException", "You specified an account that doesn't exist.")


class OrganizationalUnitNotFound(OrganizationsError):
    def __init__(self) -> None:
        super().__init__(
            "OrganizationalUnitNotFoundException",
            "You specified an organizational unit that doesn't exist.",
        )


class ParentNotFound(OrganizationsError):
    def __init__(self) -> None:
        super().__init__("ParentNotFoundException", "You specified parent that doesn't exist.")


class ChildNotFound(OrganizationsError):
    def __init__(self) -> None:
        super().__init__(
            "ChildNotFoundException",
            "We can't find an organizational unit (OU) or AWS account with the ChildId that you "
            "specified.",
        )


class InvalidInput(OrganizationsError):
    def __init__(
        self, message: str = "You specified an invalid value.", reason: str | None = None
    ) -> None:
        super().__init__("InvalidInputException", message, reason)


class AccountAlreadyRegistered(OrganizationsError):
    def __init__(self) -> None:
        super().__init__(
            "AccountAlreadyRegisteredException",
            "The provided account is already a delegated administrator for your organization.",
        )


_CONSTRAINT_MESSAGES = {
    "DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE": "You have delegated administrator/s "
    "for this service. De-register them in order to disable service access.",
    "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR": "You cannot register master "
    "account/yourself as delegated administrator for your organization.",
    "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR": "You cannot register a "
    "suspended account as delegated administrator.",
    "SERVICE_ACCESS_NOT_ENABLED": "You must enable trusted access for this service before "
    "you can register a delegated administrator.",
    "MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED": "You have exceeded the "
    "maximum number of delegated administrators for this service.",
}


class ConstraintViolation(OrganizationsError):
    def __init__(self, reason: str) -> None:
        super().__init__("ConstraintViolationException", _CONSTRAINT_MESSAGES[reason], reason)
