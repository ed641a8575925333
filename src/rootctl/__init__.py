"""rootctl: centralized root access management for AWS Organizations.

The library's public surface is small and stable::

    import rootctl

    with rootctl.RootAccess(profile="mgmt", region="eu-west-1") as ra:
        targets = ra.select_targets(rootctl.TargetSelector(ous=("ou-ab12-cdefgh34",)))
        report = ra.audit(targets)
        for row in report.accounts:
            print(row.account.id, row.state, row.has_root_credentials)

Everything else (``rootctl.aws``, ``rootctl.core.*``, ``rootctl.journal``) is private.
"""

from __future__ import annotations

from rootctl._version import __version__
from rootctl.aws.redact import enable_debug_logging
from rootctl.core.engine import DEFAULT_CONCURRENCY, RootAccess
from rootctl.errors import (
    AccessDenied,
    AwsError,
    CallerNotManagement,
    CapabilityDisabled,
    InputError,
    NotFound,
    NotManagementOrDelegate,
    RootctlError,
    Throttled,
    TrustedAccessDisabled,
)
from rootctl.models import (
    AccessKey,
    Account,
    AccountAudit,
    AccountDeletion,
    AccountPlan,
    AccountRecovery,
    AuditReport,
    AuditState,
    CallerIdentity,
    CallerRole,
    Capability,
    ChangeStep,
    CredentialKind,
    DelegatedAdmin,
    DeleteState,
    DeletionPlan,
    DeletionReport,
    FeatureChange,
    ItemOutcome,
    ItemResult,
    JournalEntry,
    JournalStatus,
    LoginProfile,
    MfaDevice,
    Organization,
    OrgStatus,
    OrgUnit,
    PlannedItem,
    PlanState,
    ProgressCallback,
    ProgressEvent,
    RecoveryReport,
    RecoveryState,
    ResourceKind,
    ResourcePolicy,
    RootCredentials,
    SigningCertificate,
    SkippedAccount,
    TargetSelector,
    TargetSet,
    TaskPolicy,
    UnlockResult,
    UnlockState,
)

__all__ = [
    "DEFAULT_CONCURRENCY",
    "AccessDenied",
    "AccessKey",
    "Account",
    "AccountAudit",
    "AccountDeletion",
    "AccountPlan",
    "AccountRecovery",
    "AuditReport",
    "AuditState",
    "AwsError",
    "CallerIdentity",
    "CallerNotManagement",
    "CallerRole",
    "Capability",
    "CapabilityDisabled",
    "ChangeStep",
    "CredentialKind",
    "DelegatedAdmin",
    "DeleteState",
    "DeletionPlan",
    "DeletionReport",
    "FeatureChange",
    "InputError",
    "ItemOutcome",
    "ItemResult",
    "JournalEntry",
    "JournalStatus",
    "LoginProfile",
    "MfaDevice",
    "NotFound",
    "NotManagementOrDelegate",
    "OrgStatus",
    "OrgUnit",
    "Organization",
    "PlanState",
    "PlannedItem",
    "ProgressCallback",
    "ProgressEvent",
    "RecoveryReport",
    "RecoveryState",
    "ResourceKind",
    "ResourcePolicy",
    "RootAccess",
    "RootCredentials",
    "RootctlError",
    "SigningCertificate",
    "SkippedAccount",
    "TargetSelector",
    "TargetSet",
    "TaskPolicy",
    "Throttled",
    "TrustedAccessDisabled",
    "UnlockResult",
    "UnlockState",
    "__version__",
    "enable_debug_logging",
]
