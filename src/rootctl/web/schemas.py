"""Pydantic models of the JSON API: they describe (and validate) the same documents that
``rootctl … -o json`` prints (``rootctl.render.serialize``, schema v1), so a script can switch
between the CLI and the API without relearning field names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rootctl.models import (
    ApplyOutcome,
    ApplyState,
    AuditState,
    CallerRole,
    Capability,
    CredentialKind,
    DeleteState,
    ItemOutcome,
    JournalStatus,
    OrgPolicyKind,
    PlanState,
    RecoveryState,
    ResourceKind,
    UnlockState,
)
from rootctl.web.jobs import JobKind, JobState

AccountId = Annotated[str, Field(pattern=r"^\d{12}$", examples=["111122223333"])]
UnitId = Annotated[
    str, Field(pattern=r"^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$", max_length=80)
]
Confirm = Annotated[str, Field(max_length=200, description="The typed confirmation.")]


class Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class Envelope(Out):
    schema_name: str = Field(alias="schema")
    schema_version: int
    generated_at: datetime


# -- organization ------------------------------------------------------------------------------


class AccountOut(Out):
    account_id: str
    name: str
    email: str
    ou_path: list[str]
    account_state: str
    is_management: bool


class TreeAccountOut(AccountOut):
    parent_id: str


class UnitOut(Out):
    id: str
    name: str
    parent_id: str | None
    path: list[str]


class OrganizationOut(Out):
    id: str
    feature_set: str
    management_account_id: str
    root_id: str
    units: list[UnitOut]
    accounts: list[TreeAccountOut]


class CallerOut(Out):
    arn: str
    account_id: str
    role: CallerRole


class DelegatedAdminOut(Out):
    account_id: str
    name: str
    email: str


class StatusOut(Out):
    organization_id: str
    feature_set: str
    management_account_id: str
    caller: CallerOut
    trusted_access: bool | None
    capabilities: dict[Capability, bool] | None
    delegated_admins: list[DelegatedAdminOut] | None
    notes: list[str]


class StepOut(Out):
    description: str
    state: str
    reason: str | None


class FeatureChangeOut(Envelope):
    dry_run: bool
    steps: list[StepOut]
    before: StatusOut
    after: StatusOut


# -- audit -------------------------------------------------------------------------------------


class PasswordOut(Out):
    present: bool
    created: datetime | None


class AccessKeyOut(Out):
    id: str
    status: str
    created: datetime | None
    last_used: datetime | None
    last_used_service: str | None
    last_used_region: str | None


class MfaOut(Out):
    serial: str
    type: Literal["virtual", "hardware"]
    enabled: bool
    enabled_at: datetime | None


class CertificateOut(Out):
    id: str
    status: str
    uploaded: datetime | None


class AccountAuditOut(AccountOut):
    state: AuditState
    reason: str | None
    has_root_credentials: bool | None
    recovery_allowed: bool | None
    password: PasswordOut | None
    access_keys: list[AccessKeyOut]
    mfa_devices: list[MfaOut]
    signing_certificates: list[CertificateOut]


class CachedAuditRowOut(AccountAuditOut):
    audited_at: datetime | None


class AuditSummaryOut(Out):
    accounts: int
    audited: int
    with_root_credentials: int
    failed: int
    skipped: int
    not_run: int


class AuditDocument(Envelope):
    schema_name: Literal["rootctl/audit"] = Field(alias="schema")
    organization_id: str
    interrupted: bool
    summary: AuditSummaryOut
    accounts: list[AccountAuditOut]


class CachedAuditOut(Out):
    """The dashboard's cache: the last audit result of each account, with its time."""

    full_audit_at: datetime | None
    running_job: str | None
    last_error: str | None
    accounts: list[CachedAuditRowOut]


class AccountDetailOut(Out):
    account: AccountOut
    audit: CachedAuditRowOut | None
    journal: list[JournalEntryOut]


# -- deletion ----------------------------------------------------------------------------------


class PlannedItemOut(Out):
    kind: CredentialKind
    id: str
    detail: str


class AccountPlanOut(AccountOut):
    state: PlanState
    reason: str | None
    items: list[PlannedItemOut]


class PlanSummaryOut(Out):
    accounts: int
    to_delete: int
    nothing_to_delete: int
    skipped: int
    failed: int
    not_run: int
    items: dict[CredentialKind, int]


class DeletionPlanDocument(Envelope):
    schema_name: Literal["rootctl/deletion-plan"] = Field(alias="schema")
    organization_id: str
    kinds: list[CredentialKind]
    interrupted: bool
    summary: PlanSummaryOut
    accounts: list[AccountPlanOut]


class ItemResultOut(PlannedItemOut):
    outcome: ItemOutcome
    reason: str | None
    note: str | None
    request_id: str | None


class AccountDeletionOut(AccountOut):
    state: DeleteState
    reason: str | None
    items: list[ItemResultOut]


class DeletionDocument(Envelope):
    schema_name: Literal["rootctl/deletion"] = Field(alias="schema")
    organization_id: str
    kinds: list[CredentialKind]
    interrupted: bool
    summary: dict[str, int]
    accounts: list[AccountDeletionOut]


class AccountRecoveryOut(AccountOut):
    state: RecoveryState
    reason: str | None
    request_id: str | None


class RecoveryDocument(Envelope):
    schema_name: Literal["rootctl/recovery"] = Field(alias="schema")
    organization_id: str
    interrupted: bool
    summary: dict[str, int]
    accounts: list[AccountRecoveryOut]


class AppliedItemOut(Out):
    kind: str
    id: str
    planned: bool
    outcome: ApplyOutcome
    reason: str | None
    request_id: str | None
    note: str | None


class AccountApplyOut(AccountOut):
    state: ApplyState
    reason: str | None
    items: list[AppliedItemOut]


class PlanApplyDocument(Envelope):
    """A plan file applied (``rootctl apply -o json``): the result of an ``apply`` job."""

    schema_name: Literal["rootctl/plan-apply"] = Field(alias="schema")
    organization_id: str
    plan_sha256: str
    plan_id: str
    operation: str
    run_id: str
    applied_by: str
    outcome: str
    interrupted: bool
    summary: dict[str, int]
    accounts: list[AccountApplyOut]


class LockoutsDocument(Envelope):
    """A lock-out scan (``rootctl find-lockouts -o json``): the result of a ``lockouts`` job.
    Its findings quote policy documents, whose shape is the policy's own: described in
    docs/json-schema/v1.json (``rootctl/lockouts``), passed through here as they are."""

    schema_name: Literal["rootctl/lockouts"] = Field(alias="schema")
    organization_id: str
    interrupted: bool
    kinds: list[str]
    regions: list[str]
    summary: dict[str, int]
    findings: list[dict[str, Any]]
    healthy: list[dict[str, Any]]
    accounts: list[dict[str, Any]]


JobResult = Annotated[
    AuditDocument
    | DeletionPlanDocument
    | DeletionDocument
    | RecoveryDocument
    | PlanApplyDocument
    | LockoutsDocument,
    Field(discriminator="schema_name"),
]


class JobOut(Out):
    id: str
    kind: JobKind
    title: str
    state: JobState
    started_at: datetime
    finished_at: datetime | None
    account_ids: list[str]
    parent_id: str | None
    done: int
    total: int
    phase: str
    error: str | None
    confirmation: str | None = Field(
        description="For a finished plan: what to type to apply it (account id or count)."
    )
    result: JobResult | None


# -- resource policies and journal ---------------------------------------------------------------


class ResourcePolicyOut(Out):
    account_id: str
    kind: ResourceKind | OrgPolicyKind
    resource: str
    region: str | None
    policy: str | None


class ResourcePoliciesDocument(Envelope):
    resources: list[ResourcePolicyOut]


class UnlockDocument(Envelope):
    account_id: str
    kind: ResourceKind
    resource: str
    region: str | None
    policy: str | None
    state: UnlockState
    reason: str | None
    journal_id: int | None
    request_id: str | None


class JournalEntryOut(Out):
    id: int
    run_id: str
    started_at: datetime
    finished_at: datetime | None
    action: str
    target: str | None
    task_policy: str | None
    caller_arn: str | None
    items: list[str]
    status: JournalStatus
    outcome: str
    request_id: str | None
    error: str | None
    saved_policy: ResourcePolicyOut | None
    account_name: str | None
    replacement_policy: str | None = Field(
        description="The document put in place of the saved policy (null: it was removed)."
    )


class UnreadableEntryOut(Out):
    id: int
    problem: str = Field(description="Why the stored row could not be read.")


class JournalDocument(Envelope):
    entries: list[JournalEntryOut]
    unreadable: list[UnreadableEntryOut]


class SessionOut(Out):
    csrf_token: str = Field(description="Send it as X-CSRF-Token on every POST.")


class ErrorOut(Out):
    error: str
    advice: str | None = None
    status: int


# -- requests ----------------------------------------------------------------------------------


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SelectionIn(In):
    accounts: list[AccountId] = Field(default_factory=list, max_length=10_000)
    ous: list[UnitId] = Field(default_factory=list, max_length=1_000)
    all: bool = False
    exclude: list[AccountId] = Field(default_factory=list, max_length=10_000)


class PlanIn(SelectionIn):
    kinds: list[CredentialKind] = Field(
        default_factory=lambda: list(CredentialKind), min_length=1, max_length=4
    )


class RecoveryIn(SelectionIn):
    confirm: Confirm


class ApplyIn(In):
    confirm: Confirm


class EnableIn(In):
    capabilities: list[Capability] = Field(
        default_factory=lambda: list(Capability), min_length=1, max_length=2
    )
    delegate: AccountId | None = None
    dry_run: bool = False


class DisableIn(In):
    capabilities: list[Capability] = Field(default_factory=list, max_length=2)
    trusted_access: bool = False
    confirm: Confirm = Field(description="The organization id.")
    dry_run: bool = False


class UnlockIn(In):
    confirm: Confirm = Field(description="The account id.")


class QueueUnlockIn(UnlockIn):
    queue: str = Field(min_length=1, max_length=1024, description="Queue URL or name.")


AccountDetailOut.model_rebuild()
