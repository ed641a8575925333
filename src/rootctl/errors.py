"""Errors that rootctl raises: a message, and advice as data that each face words for its users.

They live outside the layers because every layer raises them: the aws layer translates AWS
errors into them, core raises input errors, and faces map them to exit codes and wording.
``str(error)`` is the message followed by a neutral wording of the advice (no CLI flags, no
buttons), which is what a library user sees.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class AdviceCode(StrEnum):
    """What the user can do next. Faces map each code (and its parameters) to their words:
    the CLI names commands and flags, the dashboard names pages and buttons."""

    ENABLE_TRUSTED_ACCESS = "enable-trusted-access"
    ENABLE_CAPABILITY = "enable-capability"  # params: capability
    USE_ADMIN_ACCOUNT = "use-admin-account"  # management account or IAM delegated admin
    USE_MANAGEMENT_ACCOUNT = "use-management-account"
    NEED_ALL_FEATURES = "need-all-features"
    DEREGISTER_DELEGATE_FIRST = "deregister-delegate-first"
    RETRY_LATER = "retry-later"
    REFRESH_CREDENTIALS = "refresh-credentials"
    CHECK_CREDENTIALS = "check-credentials"
    PROVIDE_CREDENTIALS = "provide-credentials"
    CHECK_PROFILE = "check-profile"
    CHECK_CONNECTION = "check-connection"
    USE_REGIONAL_STS = "use-regional-sts"
    EXEMPT_ASSUMED_ROOT = "exempt-assumed-root"  # an SCP/RCP denies the root session
    TASK_POLICY_DENIES = "task-policy-denies"
    ORG_READ_NEEDS_ADMIN = "org-read-needs-admin"
    CHECK_PERMISSIONS = "check-permissions"
    CHOOSE_JOURNAL = "choose-journal"
    CONFIRM_WITH_YES = "confirm-with-yes"
    ALLOW_REMOTE = "allow-remote"  # serving the dashboard beyond loopback
    UPGRADE_ROOTCTL = "upgrade-rootctl"  # a file written by a newer rootctl
    GIVE_ENDPOINT_URL = "give-endpoint-url"  # an endpoint URL that is no URL
    CHECK_ENDPOINT_SETTING = "check-endpoint-setting"  # a bad endpoint from env or profile
    ENABLE_SECURITY_HUB = "enable-security-hub"  # params: region (optional)
    AUDIT_WITHOUT_HISTORY = "audit-without-history"  # the history cannot be written
    USE_SIGNING_KEY = "use-signing-key"  # --sign-with-kms names a key that cannot sign
    MAKE_NEW_PLAN = "make-new-plan"  # a plan that can no longer be applied
    GET_APPROVALS = "get-approvals"
    APPROVE_AS_OTHER = "approve-as-other"  # the planner (or an approver) approving again
    # A failing compliance control's fix. params: kinds (comma list, "" for every kind), what
    # (the kinds in words), accounts (space-separated ids), count.
    DELETE_ROOT_CREDENTIALS = "delete-root-credentials"
    # params: actions, operations (the --for words), statement (an IAM policy statement, JSON)
    GRANT_ACTIONS = "grant-actions"
    USE_IAM_PRINCIPAL = "use-iam-principal"  # root user credentials cannot call AssumeRoot
    LIFT_CALLER_DENY = "lift-caller-deny"  # params: policy_type, action
    # An SCP blocks root task sessions. params: policy (in words: "SCP p-…", or "a customer
    # SCP attached to ou-…" where a level of the path allows nothing the tasks need)
    FIX_BLOCKING_SCP = "fix-blocking-scp"
    STAGE_GUARDRAIL = "stage-guardrail"  # nothing refuses the long-term root user


@dataclass(frozen=True, slots=True)
class Advice:
    code: AdviceCode
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The neutral wording (what a library user reads in ``str(error)``)."""
        return NEUTRAL_WORDING[self.code].format_map(dict(self.params))


NEUTRAL_WORDING: Mapping[AdviceCode, str] = {
    AdviceCode.ENABLE_TRUSTED_ACCESS: (
        "Enable root access management (IAM trusted access and the capabilities) from the "
        "management account."
    ),
    AdviceCode.ENABLE_CAPABILITY: "Enable {capability} from the management account.",
    AdviceCode.USE_ADMIN_ACCOUNT: (
        "Use credentials of the organization's management account or of the IAM delegated "
        "administrator."
    ),
    AdviceCode.USE_MANAGEMENT_ACCOUNT: "Use credentials of the management account.",
    AdviceCode.NEED_ALL_FEATURES: (
        "Root access management needs an organization with all features enabled."
    ),
    AdviceCode.DEREGISTER_DELEGATE_FIRST: "Deregister the IAM delegated administrator first.",
    AdviceCode.RETRY_LATER: "Retry later, or work on fewer accounts at once.",
    AdviceCode.REFRESH_CREDENTIALS: "Refresh the AWS credentials and run again.",
    AdviceCode.CHECK_CREDENTIALS: "Check the AWS credentials in use.",
    AdviceCode.PROVIDE_CREDENTIALS: (
        "Provide AWS credentials: a profile, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY."
    ),
    AdviceCode.CHECK_PROFILE: "Check the AWS profile name.",
    AdviceCode.CHECK_CONNECTION: "Check the network, the region and the endpoint URL.",
    AdviceCode.USE_REGIONAL_STS: (
        "Use a real region (not aws-global): AssumeRoot exists only on Regional STS endpoints."
    ),
    AdviceCode.EXEMPT_ASSUMED_ROOT: (
        "A {policy_type} denies it; exempt root sessions in that policy (requests where "
        "aws:AssumedRoot is true)."
    ),
    AdviceCode.TASK_POLICY_DENIES: (
        "The AssumeRoot task policy of this session does not allow that action."
    ),
    AdviceCode.ORG_READ_NEEDS_ADMIN: (
        "The organization's structure can be read only from the management account or a "
        "delegated administrator, with organizations:List*/Describe* allowed."
    ),
    AdviceCode.CHECK_PERMISSIONS: (
        "Check the caller's IAM permissions (sts:AssumeRoot for this task policy, and the "
        "action itself) and that it runs in the management or delegated-admin account."
    ),
    AdviceCode.CHOOSE_JOURNAL: "Use a rootctl journal, or a new file, that can be written.",
    AdviceCode.CONFIRM_WITH_YES: "Confirm non-interactively.",
    AdviceCode.ALLOW_REMOTE: "Allow remote access explicitly if you really mean it.",
    AdviceCode.UPGRADE_ROOTCTL: "Upgrade rootctl, or use another journal file.",
    AdviceCode.GIVE_ENDPOINT_URL: (
        "Give a URL such as http://127.0.0.1:4566 or https://sts.eu-west-1.amazonaws.com."
    ),
    AdviceCode.CHECK_ENDPOINT_SETTING: (
        "Check AWS_ENDPOINT_URL[_<SERVICE>] and the profile's endpoint_url."
    ),
    AdviceCode.ENABLE_SECURITY_HUB: (
        "Enable Security Hub in the account rootctl runs in, in this region (or choose the "
        "region where it is enabled)."
    ),
    AdviceCode.AUDIT_WITHOUT_HISTORY: (
        "Use a journal that can be written, or audit without keeping the audit in the history "
        "(record=False)."
    ),
    AdviceCode.USE_SIGNING_KEY: (
        "Use an asymmetric KMS key whose key usage is SIGN_VERIFY (for example ECC_NIST_P256)."
    ),
    AdviceCode.MAKE_NEW_PLAN: "Make a new plan from a fresh audit and have it approved.",
    AdviceCode.GET_APPROVALS: (
        "Have principals other than the planner and the earlier approvers approve the plan."
    ),
    AdviceCode.APPROVE_AS_OTHER: (
        "A second person approves: use the credentials of a principal other than the planner "
        "and the earlier approvers."
    ),
    AdviceCode.DELETE_ROOT_CREDENTIALS: "Delete the {what} of the {count} failing account(s).",
    AdviceCode.GRANT_ACTIONS: "Allow {actions} in the caller's IAM policy: {statement}",
    AdviceCode.USE_IAM_PRINCIPAL: (
        "Use an IAM user or role (not the root user) of the management account or of the IAM "
        "delegated administrator."
    ),
    AdviceCode.LIFT_CALLER_DENY: (
        "A {policy_type} that applies to the caller denies {action}; allow it there for the "
        "principal that runs rootctl."
    ),
    AdviceCode.FIX_BLOCKING_SCP: (
        "Exempt root task sessions (aws:AssumedRoot) in the SCP statement that denies them, or "
        "allow their actions for root task sessions where nothing does."
    ),
    AdviceCode.STAGE_GUARDRAIL: (
        "Before deleting root credentials, attach an SCP that denies the root user unless "
        "aws:AssumedRoot (AWS's pattern) to a pilot OU, check it, then widen it."
    ),
}


class RootctlError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with when this stops a run."""

    exit_code = 3

    def __init__(self, message: str, advice: Advice | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.advice = advice

    def __str__(self) -> str:
        return f"{self.message} {self.advice.text}" if self.advice else self.message


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
        advice: Advice | None = None,
        *,
        code: str | None = None,
        request_id: str | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(message, advice)
        self.code = code
        self.request_id = request_id
        self.operation = operation  # the AWS operation that failed (ListRoots, AssumeRoot …)


class TrustedAccessDisabled(AwsError):
    """IAM trusted access (iam.amazonaws.com) is off for the organization."""


class NotManagementOrDelegate(AwsError):
    """The caller's account is neither the management account nor the IAM delegated admin."""


class CallerNotManagement(AwsError):
    """The operation is reserved to the management account."""


class CapabilityDisabled(AwsError):
    """The organization capability that gates this task is off."""


class OrganizationUnavailable(AwsError):
    """No organization, or not in all-features mode."""


class AccessDenied(AwsError):
    """IAM, an SCP/RCP or a task policy denied the call."""


class Throttled(AwsError):
    """AWS kept throttling after all retries."""


class NotFound(AwsError):
    """The named resource (bucket, queue, login profile, delegate …) does not exist."""

    exit_code = 2


class AlreadyExists(AwsError):
    """What was to be created exists already (a login profile, a delegate registration …)."""


class Conflict(AwsError):
    """AWS refused the change in the current state (constraint, concurrent modification,
    temporarily unmodifiable entity, a limit reached)."""


class InvalidRequest(AwsError):
    """AWS rejected the request itself (validation, malformed input)."""

    exit_code = 2


class PlanRefused(InputError):
    """A plan file that cannot be used now: tampered, badly signed, expired, for another
    organization, under-approved or already applied. Nothing was done."""


class ConfigError(InputError):
    """The desired-state file (``rootctl.yaml``) is unreadable or invalid. The message is one
    line: ``<file>:<line>:<column>: <field>: <problem>`` (position and field when known)."""

    def __init__(
        self,
        problem: str,
        *,
        source: str,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
    ) -> None:
        where = source
        if line is not None:
            where += f":{line}" + (f":{column}" if column is not None else "")
        super().__init__(f"{where}: {field + ': ' if field else ''}{problem}")
        self.problem = problem
        self.source = source
        self.line = line
        self.column = column
        self.field = field


class JournalUnavailable(InputError):
    """The journal cannot be used: unwritable, not a file, damaged, newer, or not rootctl's.

    Raised before any AWS call of an operation that would write to it.
    """
