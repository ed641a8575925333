"""Errors that rootctl raises: each carries a message and a sentence of advice.

They live outside the layers because every layer raises them: the aws layer translates AWS
errors into them, core raises input errors, and faces map them to exit codes.
"""

from __future__ import annotations


class RootctlError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with when this stops a run."""

    exit_code = 3

    def __init__(self, message: str, advice: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.advice = advice

    def __str__(self) -> str:
        return f"{self.message} {self.advice}" if self.advice else self.message


class InputError(RootctlError):
    """Bad input (malformed id, unknown OU, account outside the organization, bad file …).

    Raised before anything is done or journaled.
    """

    exit_code = 2


class AwsError(RootctlError):
    """An AWS error, translated. ``code`` is the AWS error code, when there is one."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        advice: str | None = None,
        *,
        code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, advice)
        self.code = code
        self.request_id = request_id


class TrustedAccessDisabled(AwsError):
    """IAM trusted access (iam.amazonaws.com) is off for the organization."""


class NotManagementOrDelegate(AwsError):
    """The caller's account is neither the management account nor the IAM delegated admin."""


class CallerNotManagement(AwsError):
    """The operation is reserved to the management account."""


class CapabilityDisabled(AwsError):
    """The organization capability that gates this task is off."""


class AccessDenied(AwsError):
    """IAM, an SCP or a task policy denied the call."""


class Throttled(AwsError):
    """AWS kept throttling after all retries."""


class NotFound(AwsError):
    """The named resource (bucket, queue, delegate …) does not exist: the input was wrong."""

    exit_code = 2


class OrganizationUnavailable(AwsError):
    """No organization, or not in all-features mode."""


class JournalUnavailable(InputError):
    """The journal cannot be used: unwritable, not a file, damaged, newer, or not rootctl's.

    Raised before any AWS call of an operation that would write to it.
    """
