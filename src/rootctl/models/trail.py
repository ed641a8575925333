"""CloudTrail events as rootctl reads them (``rootctl.aws.cloudtrail``): typed, secrets dropped.

A :class:`TrailEvent` keeps what evidence needs — who (identity type, ARN, access key id,
source identity), what (source, name, parameters), where (account, Region), when, and how it
ended (error code) — and never a session token or secret: the reader removes them before a
record is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ASSUME_ROOT = "AssumeRoot"
CONSOLE_LOGIN = "ConsoleLogin"
PASSWORD_RECOVERY_REQUESTED = "PasswordRecoveryRequested"  # noqa: S105 - an event name
PASSWORD_RECOVERY_COMPLETED = "PasswordRecoveryCompleted"  # noqa: S105 - an event name


@dataclass(frozen=True, slots=True)
class TrailEvent:
    event_id: str
    time: datetime
    name: str
    source: str  # eventSource, e.g. iam.amazonaws.com
    region: str
    account_id: str  # recipientAccountId: whose event it is
    read_only: bool | None = None
    identity_type: str | None = None  # IAMUser, AssumedRole, Root …
    principal_arn: str | None = None
    access_key_id: str | None = None
    username: str | None = None
    assumed_root: bool = False  # userIdentity.sessionContext.assumedRoot == "true"
    source_identity: str | None = None  # the caller's session's source identity
    source_ip: str | None = None
    user_agent: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    request: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)
    response: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)
    additional: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def succeeded(self) -> bool:
        if self.error_code:
            return False
        outcome = self.response.get(self.name) if self.response else None
        return outcome != "Failure"

    @property
    def root_session(self) -> bool:
        """Made in an AssumeRoot session (as the member account's root)."""
        return self.identity_type == "Root" and self.assumed_root


@dataclass(frozen=True, slots=True)
class AssumeRootCall:
    """An ``AssumeRoot`` event, read: who opened which root session on which account."""

    event: TrailEvent
    target_account: str | None
    task_policy_arn: str | None
    session_key_id: str | None  # responseElements.credentials.accessKeyId (None if refused)
    expiration: str | None = None

    @property
    def caller_arn(self) -> str | None:
        return self.event.principal_arn

    @property
    def task(self) -> str | None:
        return self.task_policy_arn.rsplit("/", 1)[-1] if self.task_policy_arn else None

    @classmethod
    def of(cls, event: TrailEvent) -> AssumeRootCall:
        request, response = event.request, event.response
        target = request.get("targetPrincipal")
        target_text = str(target) if target else None
        if target_text and target_text.startswith("arn:"):
            target_text = target_text.split(":")[4] or None
        policy = request.get("taskPolicyArn")
        policy_arn = policy.get("arn") if isinstance(policy, Mapping) else policy
        credentials = response.get("credentials") if response else None
        key = credentials.get("accessKeyId") if isinstance(credentials, Mapping) else None
        expires = credentials.get("expiration") if isinstance(credentials, Mapping) else None
        return cls(
            event,
            target_text,
            str(policy_arn) if policy_arn else None,
            str(key) if key else None,
            str(expires) if expires else None,
        )


@dataclass(frozen=True, slots=True)
class EventQuery:
    """Which events to read. Empty tuples mean "any"; ``start``/``end`` are inclusive."""

    names: tuple[str, ...] = ()
    access_key_ids: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    identity_types: tuple[str, ...] = ()  # userIdentity.type: Root, IAMUser, AssumedRole …
    start: datetime | None = None
    end: datetime | None = None

    def matches(self, event: TrailEvent) -> bool:
        return (
            (not self.names or event.name in self.names)
            and (not self.access_key_ids or event.access_key_id in self.access_key_ids)
            and (not self.accounts or event.account_id in self.accounts)
            and (not self.sources or event.source in self.sources)
            and (not self.identity_types or event.identity_type in self.identity_types)
            and (self.start is None or event.time >= self.start)
            and (self.end is None or event.time <= self.end)
        )
