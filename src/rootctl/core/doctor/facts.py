"""What doctor learns before it judges: gathered once, read by every check.

Each organization-level read is made once, with the caller's credentials, and its answer is
kept (:class:`Call`): a read that worked proves the permission, a denied one names the missing
action — these are the harmless probes that stand in for the policy simulator when the caller
may not use it. Denials and organization states are facts; anything else AWS answers (bad
credentials, throttling, no network) stops doctor: AWS prevented the check itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from rootctl.aws import iam_features
from rootctl.aws import organizations as orgs_api
from rootctl.aws.errors import denial_in
from rootctl.core import targets as targets_mod
from rootctl.core.context import Context
from rootctl.core.fanout import Run
from rootctl.core.organization import caller_role
from rootctl.core.requirements import ORGANIZATION_TREE, Need
from rootctl.errors import (
    AccessDenied,
    AdviceCode,
    AwsError,
    InputError,
    NotManagementOrDelegate,
    OrganizationUnavailable,
    TrustedAccessDisabled,
)
from rootctl.models import (
    CallerIdentity,
    CallerRole,
    Capability,
    DelegatedAdmin,
    Denial,
    Operation,
    Organization,
    OrganizationInfo,
    ProbeReport,
    SimulatedDecision,
    TargetSelector,
    TargetSet,
    TaskPolicy,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Call:
    """How AWS answered one of doctor's reads made with the caller's credentials."""

    action: str
    error: AwsError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def denial(self) -> Denial | None:
        if not isinstance(self.error, AccessDenied):
            return None
        return denial_in(self.error.message) or Denial(self.action)


@dataclass
class Facts:
    """Everything the checks read. ``None`` means "could not be read" (the calls say why)."""

    ctx: Context
    operations: tuple[Operation, ...]
    tasks: tuple[TaskPolicy, ...]
    needs: tuple[Need, ...]
    sts_endpoint: str | None = None
    sts_problem: InputError | None = None  # STS resolved to the global endpoint
    caller: CallerIdentity | None = None
    organization: OrganizationInfo | None = None
    organization_problem: AwsError | None = None  # no organization, not all features …
    trusted_access: bool | None = None
    capabilities: frozenset[Capability] | None = None
    delegates: tuple[DelegatedAdmin, ...] | None = None
    role: CallerRole = CallerRole.UNKNOWN
    calls: dict[str, Call] = field(default_factory=dict)
    tree: Organization | None = None
    targets: TargetSet | None = None
    # The caller's permissions as IAM's simulator decides them: by action, and sts:AssumeRoot
    # by task; empty when the simulator could not be used (simulation_problem says why).
    simulation_source: str | None = None
    simulated: dict[str, SimulatedDecision] = field(default_factory=dict)
    simulated_tasks: dict[TaskPolicy, SimulatedDecision] = field(default_factory=dict)
    # Per task, the targeted accounts whose root the simulator says the caller may not
    # AssumeRoot into: doctor does not try those (each try is an AccessDenied in CloudTrail).
    simulated_refusals: dict[TaskPolicy, dict[str, Denial]] = field(default_factory=dict)
    simulation_problem: str | None = None
    probes: ProbeReport | None = None
    probes_skipped: str | None = None  # why no account was probed
    run: Run | None = None  # how doctor fans out (checks that read per account use it too)

    @property
    def region(self) -> str:
        return self.ctx.aws.region

    @property
    def organization_read(self) -> bool:
        """The organization was read and is usable (exists, all features …)."""
        return self.organization is not None and self.organization_problem is None

    @property
    def is_root_user(self) -> bool:
        return self.caller is not None and self.caller.arn.endswith(":root")

    def call(self, action: str) -> Call | None:
        return self.calls.get(action)

    def observe(self, action: str, read: Callable[[], T]) -> T | None:
        """Make ``read``; keep how AWS answered. A denial (or an organization state) is a
        fact and gives None; any other AWS error propagates: the check cannot go on."""
        try:
            value = read()
        except (AccessDenied, NotManagementOrDelegate, TrustedAccessDisabled) as exc:
            self.calls[action] = Call(action, exc)
            return None
        except OrganizationUnavailable as exc:
            self.calls[action] = Call(action, exc)
            self.organization_problem = self.organization_problem or exc
            return None
        self.calls[action] = Call(action)
        return value


def gather_organization(facts: Facts) -> None:
    """Identity, organization, trusted access, capabilities, delegate, caller role."""
    aws = facts.ctx.aws
    try:
        facts.sts_endpoint = aws.sts_endpoint()
    except InputError as exc:
        if exc.advice is None or exc.advice.code is not AdviceCode.USE_REGIONAL_STS:
            raise
        facts.sts_problem = exc
        return
    facts.caller = facts.ctx.caller()
    facts.organization = facts.observe(
        "organizations:DescribeOrganization", lambda: orgs_api.describe_organization(aws)
    )
    if facts.organization is None:
        return
    facts.trusted_access = facts.observe(
        "organizations:ListAWSServiceAccessForOrganization",
        lambda: orgs_api.trusted_access_enabled(aws),
    )
    facts.capabilities = facts.observe(
        "iam:ListOrganizationsFeatures", lambda: iam_features.enabled_features(aws)
    )
    features = facts.calls["iam:ListOrganizationsFeatures"]
    if isinstance(features.error, TrustedAccessDisabled):
        facts.trusted_access = False
    elif features.ok and facts.trusted_access is None:
        facts.trusted_access = True  # IAM answers it only with trusted access on
    facts.delegates = facts.observe(
        "organizations:ListDelegatedAdministrators", lambda: orgs_api.delegated_admins(aws)
    )
    facts.role = caller_role(
        facts.caller.account_id,
        facts.organization.management_account_id,
        facts.delegates,
        features_readable=features.ok,
        not_admin=isinstance(features.error, NotManagementOrDelegate),
    )


def gather_targets(
    facts: Facts, selector: TargetSelector, read_tree: Callable[[], Organization]
) -> None:
    """The organization's tree (its reads observed like the others) and the target accounts.
    Bad input (an account outside the organization …) is an InputError, as everywhere."""
    if facts.organization is None:
        return
    try:
        facts.tree = read_tree()
    except (AccessDenied, OrganizationUnavailable) as exc:
        operation = exc.operation or "ListRoots"
        action = next(
            (n.action for n in facts.needs if n.action.endswith(f":{operation}")),
            f"organizations:{operation}",
        )
        facts.calls[action] = Call(action, exc)
        return
    for need in ORGANIZATION_TREE:  # every read of the tree worked
        facts.calls.setdefault(need.action, Call(need.action))
    facts.targets = targets_mod.resolve(selector, facts.tree)
