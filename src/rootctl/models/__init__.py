"""Typed results of the engine. Faces (CLI, web, demo) render these; nothing here talks to AWS.

Every collection is a tuple (never None), every state is a string enum whose values are the
words the CLI and the JSON output use, and every per-account result names its account, a state
and — when it is not a plain success — a reason.
"""

from __future__ import annotations

from rootctl.models.activity import (
    ActivityFinding,
    ActivityReport,
    FindingKind,
    RootSessionActivity,
    RootUserUse,
    SessionAction,
)
from rootctl.models.base import (
    AccountReport,
    AccountResult,
    CommonState,
)
from rootctl.models.catalogue import (
    Capability,
    TaskPolicy,
)
from rootctl.models.compliance import (
    ComplianceReport,
    Control,
    ControlResult,
    ControlStatus,
    Exemption,
    ExemptWhen,
    Finding,
    Scope,
)
from rootctl.models.credentials import (
    AccessKey,
    LoginProfile,
    MfaDevice,
    RootCredentials,
    SigningCertificate,
)
from rootctl.models.journal import (
    JournalEntry,
    JournalOutcome,
    JournalQuery,
    JournalRow,
    JournalStatus,
    SessionRecord,
    UnreadableEntry,
)
from rootctl.models.organization import (
    Account,
    CallerIdentity,
    CallerRole,
    ChangeStep,
    DelegatedAdmin,
    FeatureChange,
    Organization,
    OrganizationInfo,
    OrgStatus,
    OrgUnit,
    StepState,
)
from rootctl.models.progress import (
    ProgressCallback,
    ProgressEvent,
)
from rootctl.models.resources import (
    PolicyListing,
    ResourceKind,
    ResourcePolicy,
    UnlockResult,
    UnlockState,
)
from rootctl.models.results import (
    AccountAudit,
    AccountDeletion,
    AccountPlan,
    AccountRecovery,
    AuditReport,
    AuditState,
    CredentialKind,
    DeleteState,
    DeletionPlan,
    DeletionReport,
    ItemOutcome,
    ItemResult,
    PlannedItem,
    PlanState,
    RecoveryReport,
    RecoveryState,
)
from rootctl.models.targets import (
    SkippedAccount,
    TargetSelector,
    TargetSet,
)

__all__ = [
    "AccessKey",
    "Account",
    "AccountAudit",
    "AccountDeletion",
    "AccountPlan",
    "AccountRecovery",
    "AccountReport",
    "AccountResult",
    "ActivityFinding",
    "ActivityReport",
    "AuditReport",
    "AuditState",
    "CallerIdentity",
    "CallerRole",
    "Capability",
    "ChangeStep",
    "CommonState",
    "ComplianceReport",
    "Control",
    "ControlResult",
    "ControlStatus",
    "CredentialKind",
    "DelegatedAdmin",
    "DeleteState",
    "DeletionPlan",
    "DeletionReport",
    "ExemptWhen",
    "Exemption",
    "FeatureChange",
    "Finding",
    "FindingKind",
    "ItemOutcome",
    "ItemResult",
    "JournalEntry",
    "JournalOutcome",
    "JournalQuery",
    "JournalRow",
    "JournalStatus",
    "LoginProfile",
    "MfaDevice",
    "OrgStatus",
    "OrgUnit",
    "Organization",
    "OrganizationInfo",
    "PlanState",
    "PlannedItem",
    "PolicyListing",
    "ProgressCallback",
    "ProgressEvent",
    "RecoveryReport",
    "RecoveryState",
    "ResourceKind",
    "ResourcePolicy",
    "RootCredentials",
    "RootSessionActivity",
    "RootUserUse",
    "Scope",
    "SessionAction",
    "SessionRecord",
    "SigningCertificate",
    "SkippedAccount",
    "StepState",
    "TargetSelector",
    "TargetSet",
    "TaskPolicy",
    "UnlockResult",
    "UnlockState",
    "UnreadableEntry",
]
