"""S3 buckets and SQS queues whose resource policy may lock everyone out."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rootctl.models.catalogue import TaskPolicy


class ResourceKind(StrEnum):
    S3_BUCKET = "s3-bucket"
    SQS_QUEUE = "sqs-queue"

    @property
    def task_policy(self) -> TaskPolicy:
        return TaskPolicy.S3_UNLOCK if self is ResourceKind.S3_BUCKET else TaskPolicy.SQS_UNLOCK


class OrgPolicyKind(StrEnum):
    """Organization policies whose documents rootctl changes (and saves in the journal first)."""

    SERVICE_CONTROL_POLICY = "service-control-policy"


@dataclass(frozen=True, slots=True)
class ResourcePolicy:
    """A bucket or queue and its resource policy (``None`` when it has none) — or an
    organization policy and its document (``account_id``: the management account;
    ``resource``: the policy id)."""

    account_id: str
    kind: ResourceKind | OrgPolicyKind
    resource: str  # bucket name, queue URL, or policy id
    region: str | None
    policy: str | None


@dataclass(frozen=True, slots=True)
class PolicyListing:
    """The buckets (or queues) of one account, each with its policy."""

    account_id: str
    kind: ResourceKind
    resources: tuple[ResourcePolicy, ...]


class UnlockState(StrEnum):
    REMOVED = "removed"
    NO_POLICY = "no-policy"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class UnlockResult:
    before: ResourcePolicy
    state: UnlockState
    journal_id: int | None = None  # the journal row that holds the backed-up policy
    reason: str | None = None
    request_id: str | None = None
