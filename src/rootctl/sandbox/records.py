"""The public records the ``Sandbox`` hands out: credentials, accounts, root-user snapshots and
issued root sessions (docs/sandbox.md is their contract)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .models import RootSession, RootUser

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Credentials:
    """Long-term keys of an IAM user in the sandbox."""

    access_key_id: str
    secret_access_key: str
    account_id: str
    user_name: str  # "root" for the root user's own keys
    region: str = DEFAULT_REGION

    @property
    def arn(self) -> str:
        if self.user_name == "root":
            return f"arn:aws:iam::{self.account_id}:root"
        return f"arn:aws:iam::{self.account_id}:user/{self.user_name}"

    def to_dict(self) -> dict[str, str]:
        return {
            "access_key_id": self.access_key_id,
            "secret_access_key": self.secret_access_key,
            "account_id": self.account_id,
            "user_name": self.user_name,
            "arn": self.arn,
            "region": self.region,
        }

    def boto3_kwargs(self) -> dict[str, Any]:
        """``boto3.client("iam", **creds.boto3_kwargs())``."""
        return {
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
            "region_name": self.region,
        }


@dataclass(frozen=True)
class AccountInfo:
    account_id: str
    name: str
    email: str
    ou_path: str  # "" for the organization root, else like "Workloads/Prod"
    status: str
    joined_method: str
    is_management: bool

    @property
    def id(self) -> str:
        """Alias of ``account_id``."""
        return self.account_id

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.account_id,
            "name": self.name,
            "email": self.email,
            "ou": self.ou_path,
            "status": self.status,
            "joined_method": self.joined_method,
            "management": self.is_management,
        }


@dataclass(frozen=True)
class RootUserSnapshot:
    """The root user's credentials at one moment, for assertions."""

    account_id: str
    email: str
    login_profile: bool  # AccountPasswordPresent: a profile exists (maybe recovery-only)
    password_set: bool  # a usable password exists (sign-in possible)
    access_keys: tuple[dict[str, Any], ...]
    mfa_devices: tuple[dict[str, Any], ...]
    signing_certificates: tuple[dict[str, Any], ...]
    credentials_deleted: bool

    @classmethod
    def of(cls, root: RootUser) -> RootUserSnapshot:
        data = root.snapshot()
        profile = root.login_profile
        return cls(
            account_id=root.account_id,
            email=root.email,
            login_profile=profile is not None,
            password_set=profile is not None and profile.password_hash is not None,
            access_keys=tuple(data["AccessKeys"]),
            mfa_devices=tuple(data["MFADevices"]),
            signing_certificates=tuple(data["SigningCertificates"]),
            credentials_deleted=root.credentials_deleted,
        )

    @property
    def has_credentials(self) -> bool:
        return bool(
            self.login_profile or self.access_keys or self.mfa_devices or self.signing_certificates
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "email": self.email,
            "login_profile": self.login_profile,
            "password_set": self.password_set,
            "access_keys": list(self.access_keys),
            "mfa_devices": list(self.mfa_devices),
            "signing_certificates": list(self.signing_certificates),
            "credentials_deleted": self.credentials_deleted,
            "has_credentials": self.has_credentials,
        }


@dataclass(frozen=True)
class IssuedRootSession:
    """Credentials AssumeRoot handed out (tests use it to look for leaked secrets)."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    account_id: str  # the target member account
    task_policy: str  # e.g. "IAMAuditRootUserCredentials"
    caller_arn: str
    caller_account: str
    issued_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, session: RootSession) -> IssuedRootSession:
        return cls(
            session.access_key_id,
            session.secret_access_key,
            session.session_token,
            session.account_id,
            session.task_policy,
            session.caller_arn,
            session.caller_account,
            session.issued_at,
            session.expires_at,
        )

    @property
    def task_policy_arn(self) -> str:
        return f"arn:aws:iam::aws:policy/root-task/{self.task_policy}"

    @property
    def duration_seconds(self) -> int:
        return int((self.expires_at - self.issued_at).total_seconds())

    def to_dict(self) -> dict[str, Any]:
        return {
            "access_key_id": self.access_key_id,
            "secret_access_key": self.secret_access_key,
            "session_token": self.session_token,
            "account_id": self.account_id,
            "task_policy": self.task_policy,
            "task_policy_arn": self.task_policy_arn,
            "caller_arn": self.caller_arn,
            "caller_account": self.caller_account,
            "issued_at": self.issued_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "duration_seconds": self.duration_seconds,
        }
