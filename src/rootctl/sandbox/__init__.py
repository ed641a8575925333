"""rootctl.sandbox — an offline emulator of AWS centralized root access management
(Organizations, IAM, STS, S3, SQS) on moto. Imports nothing from the rest of rootctl.

The public contract is docs/sandbox.md.
"""

from .faults import DenyRule, Faults, FaultSettings
from .sandbox import (
    AccountInfo,
    Credentials,
    IssuedRootSession,
    PasswordResetResult,
    RootUserSnapshot,
    Sandbox,
    SignInResult,
    current,
)
from .seed import SeedError
from .signin import Email, Reason

__all__ = [
    "AccountInfo",
    "Credentials",
    "DenyRule",
    "Email",
    "FaultSettings",
    "Faults",
    "IssuedRootSession",
    "PasswordResetResult",
    "Reason",
    "RootUserSnapshot",
    "Sandbox",
    "SeedError",
    "SignInResult",
    "current",
]
