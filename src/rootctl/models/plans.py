"""Change-control plans: what a plan file holds, what checking it finds, what applying it did.

A plan (:class:`ChangePlan`) names the exact items to change per account, with what makes
each item *that* item (a key id, a login profile's creation time, a policy's SHA-256), so that
apply can tell an item still as planned from one that drifted. Its content hash covers every
field; approvals and the optional KMS signature sit beside it in the file
(:class:`PlanDocument`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from rootctl.models.base import AccountReport, AccountResult
from rootctl.models.catalogue import TaskPolicy
from rootctl.models.lockouts import FixAction
from rootctl.models.organization import Account
from rootctl.models.resources import ResourceKind
from rootctl.models.results import CredentialKind


class PlanOperation(StrEnum):
    DELETE_CREDENTIALS = "delete-credentials"
    ALLOW_PASSWORD_RECOVERY = "allow-password-recovery"  # noqa: S105 - an operation name
    UNLOCK_S3 = "unlock-s3"
    UNLOCK_SQS = "unlock-sqs"
    FIX_LOCKOUTS = "fix-lockouts"  # buckets and queues: each item's kind names its session

    @property
    def task_policy(self) -> TaskPolicy:
        """The root session apply opens (fix-lockouts: the S3 one; its queue items are
        applied in SQS unlock sessions, see :func:`rootctl.core.apply.apply`)."""
        return {
            PlanOperation.DELETE_CREDENTIALS: TaskPolicy.DELETE,
            PlanOperation.ALLOW_PASSWORD_RECOVERY: TaskPolicy.CREATE_PASSWORD,
            PlanOperation.UNLOCK_S3: TaskPolicy.S3_UNLOCK,
            PlanOperation.UNLOCK_SQS: TaskPolicy.SQS_UNLOCK,
            PlanOperation.FIX_LOCKOUTS: TaskPolicy.S3_UNLOCK,
        }[self]

    @property
    def resource_kind(self) -> ResourceKind | None:
        return {
            PlanOperation.UNLOCK_S3: ResourceKind.S3_BUCKET,
            PlanOperation.UNLOCK_SQS: ResourceKind.SQS_QUEUE,
        }.get(self)

    @classmethod
    def unlock(cls, kind: ResourceKind) -> PlanOperation:
        return cls.UNLOCK_S3 if kind is ResourceKind.S3_BUCKET else cls.UNLOCK_SQS


class ItemKind(StrEnum):
    """What a planned item is. The first four are the credential kinds (deleted)."""

    PASSWORD = "password"  # noqa: S105 - a kind name, not a secret
    ACCESS_KEYS = "access-keys"
    CERTIFICATES = "certificates"
    MFA = "mfa"
    RECOVERY = "recovery"  # create the empty login profile ("allow password recovery")
    BUCKET_POLICY = "bucket-policy"  # delete it
    QUEUE_POLICY = "queue-policy"  # remove it

    @property
    def credential(self) -> CredentialKind | None:
        try:
            return CredentialKind(self.value)
        except ValueError:
            return None

    @classmethod
    def of(cls, kind: CredentialKind | ResourceKind) -> ItemKind:
        if isinstance(kind, ResourceKind):
            return cls.BUCKET_POLICY if kind is ResourceKind.S3_BUCKET else cls.QUEUE_POLICY
        return cls(kind.value)


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One item to change. ``id``: ``login-profile``, a key or certificate id, an MFA serial, a
    bucket name or a queue URL. ``created_at`` (credentials) and ``policy_sha256`` (unlocks,
    lock-out fixes) tell the planned item from a later one with the same id. Lock-out fixes
    also say what to do (``action``) and, for a correction, the document to put."""

    kind: ItemKind
    id: str
    created_at: datetime | None = None
    policy_sha256: str | None = None
    region: str | None = None
    detail: str = ""  # for people only; not compared
    action: FixAction | None = None  # fix-lockouts: put-corrected or delete
    replacement: str | None = None  # fix-lockouts, put-corrected: the corrected policy


@dataclass(frozen=True, slots=True)
class PlanTarget:
    account_id: str
    account_name: str
    items: tuple[PlanItem, ...]


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A selected account the plan does not change, and why (nothing to do, skipped …)."""

    account_id: str
    account_name: str
    state: str  # nothing-to-do | skipped | failed | not-run
    reason: str | None = None


class PlanningState(StrEnum):
    PLANNED = "planned"
    NOTHING_TO_DO = "nothing-to-do"
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_RUN = "not-run"


@dataclass(frozen=True, slots=True)
class AccountPlanning(AccountResult):
    """One account as a plan is made: its items, or why it has none."""

    State: ClassVar = PlanningState
    account: Account
    state: PlanningState
    items: tuple[PlanItem, ...] = ()
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ChangePlan:
    """What the content hash covers."""

    id: str
    operation: PlanOperation
    organization_id: str
    planner_arn: str
    created_at: datetime
    expires_at: datetime
    required_approvals: int
    targets: tuple[PlanTarget, ...]
    left_out: tuple[LeftOut, ...] = ()
    kinds: tuple[CredentialKind, ...] = ()  # delete-credentials: the kinds asked for
    region: str | None = None  # the region the plan was made in (SQS queues)
    comment: str | None = None

    @property
    def item_count(self) -> int:
        return sum(len(t.items) for t in self.targets)

    @property
    def incomplete(self) -> bool:
        """Some selected account was not looked at (the planning was interrupted)."""
        return any(o.state == PlanningState.NOT_RUN for o in self.left_out)

    @property
    def failed(self) -> tuple[LeftOut, ...]:
        return tuple(o for o in self.left_out if o.state == PlanningState.FAILED)

    def target(self, account_id: str) -> PlanTarget | None:
        return next((t for t in self.targets if t.account_id == account_id), None)


@dataclass(frozen=True, slots=True)
class Signature:
    """A KMS signature: the key that made it (ARN), the algorithm, the bytes in base64."""

    key_id: str
    algorithm: str
    value: str


@dataclass(frozen=True, slots=True)
class Approval:
    approver_arn: str
    approved_at: datetime
    plan_hash: str
    signature: Signature | None = None


@dataclass(frozen=True, slots=True)
class PlanDocument:
    """A plan file as read: the plan, the hash it declares and the hash its content has, the
    planner's signature and the approvals."""

    plan: ChangePlan
    declared_hash: str
    computed_hash: str
    signature: Signature | None = None
    approvals: tuple[Approval, ...] = ()
    # The ``plan`` object exactly as read: rewriting the file (an approval added) keeps it.
    source: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def intact(self) -> bool:
        return self.declared_hash == self.computed_hash

    @property
    def hash(self) -> str:
        return self.computed_hash


class SignatureState(StrEnum):
    UNSIGNED = "unsigned"
    VALID = "valid"
    INVALID = "invalid"
    UNVERIFIED = "unverified"  # KMS could not be asked (no permission, no key …)


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    state: SignatureState
    key_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ApprovalCheck:
    """Whether an approval counts: ``proof`` is ``journal`` (the journal recorded it) or
    ``kms`` (its signature verifies); ``reason`` says why one does not count."""

    approval: Approval
    counted: bool
    proof: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class PlanUse:
    """The journal's record that a plan was applied (single use)."""

    plan_hash: str
    plan_id: str
    run_id: str
    applied_by: str
    started_at: datetime
    finished_at: datetime | None = None
    outcome: str | None = None  # applied | drifted | failed | interrupted; None while running


class PlanStatus(StrEnum):
    TAMPERED = "tampered"
    BAD_SIGNATURE = "bad-signature"
    APPLIED = "applied"
    EXPIRED = "expired"
    OTHER_ORGANIZATION = "other-organization"
    AWAITING_APPROVAL = "awaiting-approval"
    APPROVED = "approved"  # ready to apply


@dataclass(frozen=True, slots=True)
class PlanCheck:
    """A plan file judged now: integrity, signature, approvals, expiry, organization, use.
    ``problems`` are why apply would refuse it (none: it can be applied)."""

    document: PlanDocument
    checked_at: datetime
    status: PlanStatus
    signature: SignatureCheck
    approvals: tuple[ApprovalCheck, ...]
    use: PlanUse | None = None
    caller_organization_id: str | None = None  # None when it was not checked
    problems: tuple[str, ...] = ()

    @property
    def counted(self) -> int:
        return sum(1 for a in self.approvals if a.counted)

    @property
    def ready(self) -> bool:
        return not self.problems


class ApplyOutcome(StrEnum):
    APPLIED = "applied"
    DRIFTED = "drifted"  # changed since the plan, or not in it: left alone
    ALREADY_GONE = "already-gone"
    FAILED = "failed"
    NOT_RUN = "not-run"


@dataclass(frozen=True, slots=True)
class AppliedItem:
    """What happened to one item. ``planned`` is False for an item found at apply time that
    the plan did not name (reported as drifted, never touched)."""

    item: PlanItem
    outcome: ApplyOutcome
    reason: str | None = None
    planned: bool = True
    request_id: str | None = None
    note: str | None = None


class ApplyState(StrEnum):
    APPLIED = "applied"  # every planned item applied (or already gone), nothing drifted
    DRIFTED = "drifted"  # something drifted and was left alone; the rest applied
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_RUN = "not-run"


@dataclass(frozen=True, slots=True)
class AccountApply(AccountResult):
    State: ClassVar = ApplyState
    account: Account
    state: ApplyState
    items: tuple[AppliedItem, ...] = ()
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ApplyReport(AccountReport[AccountApply]):
    plan_hash: str = field(default="", kw_only=True)
    plan_id: str = field(default="", kw_only=True)
    operation: PlanOperation = field(default=PlanOperation.DELETE_CREDENTIALS, kw_only=True)
    run_id: str = field(default="", kw_only=True)
    applied_by: str = field(default="", kw_only=True)

    def items(self, outcome: ApplyOutcome) -> tuple[AppliedItem, ...]:
        return tuple(i for a in self.accounts for i in a.items if i.outcome is outcome)

    @property
    def outcome(self) -> str:
        """What the journal records for the plan's use."""
        if self.interrupted:
            return "interrupted"
        if self.all_failed:
            return "failed"
        if any(a.state is ApplyState.FAILED for a in self.accounts):
            return "partial"
        if self.items(ApplyOutcome.DRIFTED):
            return "drifted"
        return "applied"

    @property
    def all_failed(self) -> bool:
        worked_on = self.worked_on
        return bool(worked_on) and all(
            a.is_("failed")
            and not any(i.outcome in (ApplyOutcome.APPLIED, ApplyOutcome.DRIFTED) for i in a.items)
            for a in worked_on
        )

    @property
    def clean(self) -> bool:
        return all(a.state in (ApplyState.APPLIED, ApplyState.SKIPPED) for a in self.accounts)
