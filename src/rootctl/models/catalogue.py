"""The fixed vocabulary of AWS centralized root access: capabilities and task policies."""

from __future__ import annotations

from enum import StrEnum


class Capability(StrEnum):
    """The two organization-level switches owned by IAM."""

    ROOT_CREDENTIALS_MANAGEMENT = "RootCredentialsManagement"
    ROOT_SESSIONS = "RootSessions"

    @property
    def label(self) -> str:
        return _CAPABILITY_LABELS[self]


_CAPABILITY_LABELS = {
    Capability.ROOT_CREDENTIALS_MANAGEMENT: "Root credentials management",
    Capability.ROOT_SESSIONS: "Privileged root actions in member accounts",
}


class TaskPolicy(StrEnum):
    """The five AWS managed task policies that scope an AssumeRoot session."""

    AUDIT = "IAMAuditRootUserCredentials"
    DELETE = "IAMDeleteRootUserCredentials"
    CREATE_PASSWORD = "IAMCreateRootUserPassword"  # noqa: S105 - a policy name, not a secret
    S3_UNLOCK = "S3UnlockBucketPolicy"
    SQS_UNLOCK = "SQSUnlockQueuePolicy"

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::aws:policy/root-task/{self.value}"

    @property
    def capability(self) -> Capability:
        """The capability that must be on for AWS to issue a session with this policy."""
        return _TASK_CAPABILITY[self]


# Which capability gates which task (spec §2.4), kept as data.
_TASK_CAPABILITY = {
    TaskPolicy.AUDIT: Capability.ROOT_CREDENTIALS_MANAGEMENT,
    TaskPolicy.DELETE: Capability.ROOT_CREDENTIALS_MANAGEMENT,
    TaskPolicy.CREATE_PASSWORD: Capability.ROOT_CREDENTIALS_MANAGEMENT,
    TaskPolicy.S3_UNLOCK: Capability.ROOT_SESSIONS,
    TaskPolicy.SQS_UNLOCK: Capability.ROOT_SESSIONS,
}
