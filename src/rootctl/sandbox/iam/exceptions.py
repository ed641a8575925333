"""IAM's errors (Query protocol), with the messages AWS was seen to answer (spec §1.2, §4).

The five feature operations' codes carry the ``Exception`` suffix: the botocore model gives
their shapes no ``error.code`` override, so that is what boto3 matches its classes against.
"""

from __future__ import annotations

from ..exceptions import SandboxError


class IamError(SandboxError):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(status, code, message, service="iam", dialect="query")


class InvalidInput(IamError):
    def __init__(self, message: str) -> None:
        super().__init__(400, "InvalidInput", message)


class NoSuchEntity(IamError):
    def __init__(self, message: str) -> None:
        super().__init__(404, "NoSuchEntity", message)


class NoRootLoginProfile(NoSuchEntity):
    def __init__(self) -> None:
        super().__init__("Login Profile for User null cannot be found.")


class NoSuchCertificate(NoSuchEntity):
    def __init__(self, certificate_id: str) -> None:
        super().__init__(f"The Certificate with id {certificate_id} cannot be found.")


class NoSuchMfaDevice(NoSuchEntity):
    def __init__(self, serial: str) -> None:
        super().__init__(f"MFA Device with serial number {serial} does not exist.")


class RootLoginProfileExists(IamError):
    def __init__(self, account_id: str) -> None:
        super().__init__(
            409, "EntityAlreadyExists", f"Login Profile for account {account_id} already exists."
        )


class RootPasswordGiven(IamError):
    """AWS requires omitting both for the root user; the exact error is unconfirmed."""

    def __init__(self) -> None:
        super().__init__(
            400,
            "ValidationError",
            "Password and PasswordResetRequired must be omitted when creating the root user's "
            "login profile.",
        )


class IamAccessDenied(IamError):
    def __init__(self, message: str) -> None:
        super().__init__(403, "AccessDenied", message)


class OrganizationNotFound(IamError):
    def __init__(self, account_id: str) -> None:
        super().__init__(
            400,
            "OrganizationNotFoundException",
            f"Organization not found for input account {account_id}.",
        )


class OrganizationNotInAllFeaturesMode(IamError):
    def __init__(self, organization_id: str, account_id: str) -> None:
        super().__init__(
            400,
            "OrganizationNotInAllFeaturesModeException",
            f"Organization {organization_id} of input account {account_id} is not in all "
            "features mode.",
        )


class ServiceAccessNotEnabled(IamError):
    def __init__(self, account_id: str) -> None:
        super().__init__(
            400,
            "ServiceAccessNotEnabledException",
            f"Trusted Access for IAM not enabled by organization of input account {account_id}.",
        )


class AccountNotManagementOrDelegatedAdministrator(IamError):
    def __init__(self, account_id: str) -> None:
        super().__init__(
            400,
            "AccountNotManagementOrDelegatedAdministratorException",
            f"Input account {account_id} is neither management account nor delegated admin.",
        )


class CallerIsNotManagementAccount(IamError):
    def __init__(self, account_id: str) -> None:
        super().__init__(
            400,
            "CallerIsNotManagementAccountException",
            f"Caller account {account_id} is not management account of the organization and "
            "cannot enable IAM features.",
        )
