"""`scp audit`: do the service control policies on each account's path let the five root task
sessions through, and do they stop the long-term root user? Decided statically
(rootctl.policy.scp) from what Organizations says is attached — nothing is assumed into, nothing
changed.

Per account on the fan-out: the SCPs attached to the root, each OU and the account
(ListPoliciesForTarget, once per target) and their documents (DescribePolicy, once per policy),
then every action each task session needs, as ``arn:aws:iam::<account>:root`` with
``aws:AssumedRoot = true``, and a few probes of what a long-term root user would do (no
``aws:AssumedRoot``). What rootctl cannot decide is reported as undecidable, never guessed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

from rootctl.aws import organizations as orgs_api
from rootctl.aws import service_control as scp_api
from rootctl.core.context import Context
from rootctl.core.fanout import Run, fan_out
from rootctl.errors import AccessDenied, RootctlError
from rootctl.models import (
    Account,
    AccountScp,
    ActionCheck,
    DelegateCheck,
    Organization,
    PathLevel,
    RootUserCheck,
    ScpAuditReport,
    ScpDecision,
    ScpPolicy,
    ScpStatement,
    ScpVerdict,
    TargetSet,
    TaskCheck,
    TaskPolicy,
)
from rootctl.policy.context import ABSENT, OneOf, RequestContext, Values
from rootctl.policy.scp import AttachedPolicy, ChainOutcome, Level, StatementRef, evaluate_chain

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

ROOT = "arn:aws:iam::{account}:root"
# What each task session does (the task policy's allowed actions), on which resources.
TASK_ACTIONS: dict[TaskPolicy, tuple[tuple[str, str], ...]] = {
    TaskPolicy.AUDIT: (
        *((f"iam:{a}", ROOT) for a in ("GetUser", "GetLoginProfile", "ListAccessKeys")),
        *((f"iam:{a}", ROOT) for a in ("ListSigningCertificates", "ListMFADevices")),
        ("iam:GetAccessKeyLastUsed", ROOT),
        ("iam:GetAccountSummary", "*"),
    ),
    TaskPolicy.DELETE: (
        *((f"iam:{a}", ROOT) for a in ("DeleteLoginProfile", "DeleteAccessKey")),
        *((f"iam:{a}", ROOT) for a in ("DeleteSigningCertificate", "DeactivateMFADevice")),
        ("iam:DeleteVirtualMFADevice", ROOT),
        ("iam:ListAccessKeys", ROOT),
        ("iam:GetLoginProfile", ROOT),
    ),
    TaskPolicy.CREATE_PASSWORD: (("iam:CreateLoginProfile", ROOT), ("iam:GetLoginProfile", ROOT)),
    TaskPolicy.S3_UNLOCK: (
        ("s3:ListAllMyBuckets", "*"),
        *((f"s3:{a}", "arn:aws:s3:::*") for a in ("GetBucketPolicy", "PutBucketPolicy")),
        ("s3:DeleteBucketPolicy", "arn:aws:s3:::*"),
    ),
    TaskPolicy.SQS_UNLOCK: (
        ("sqs:ListQueues", "*"),
        *((f"sqs:{a}", "arn:aws:sqs:*:{account}:*") for a in ("GetQueueUrl", "GetQueueAttributes")),
        ("sqs:SetQueueAttributes", "arn:aws:sqs:*:{account}:*"),
    ),
}
# What a long-term root user (password or access keys) would do: guarded when all are refused.
ROOT_USER_PROBES = (
    ("iam:CreateAccessKey", ROOT),
    ("iam:CreateUser", "*"),
    ("ec2:RunInstances", "*"),
    ("s3:DeleteBucket", "arn:aws:s3:::*"),
    ("organizations:LeaveOrganization", "*"),
)
IAM_REGION = "us-east-1"  # IAM is global: its requests carry the partition's home Region
DECISIONS = {
    "allowed": ScpDecision.ALLOWED,
    "denied": ScpDecision.DENIED,
    "implicitly-denied": ScpDecision.IMPLICITLY_DENIED,
    "undecidable": ScpDecision.UNDECIDABLE,
}
_WORST = (
    ScpDecision.DENIED,
    ScpDecision.IMPLICITLY_DENIED,
    ScpDecision.UNDECIDABLE,
    ScpDecision.ALLOWED,
)


class Memo(Generic[K, V]):
    """Each key loaded once, even when several threads ask for it at the same time."""

    def __init__(self, load: Callable[[K], V]) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._found: dict[K, Future[V]] = {}

    def __call__(self, key: K) -> V:
        with self._lock:
            future = self._found.get(key)
            owner = future is None
            if future is None:
                future = self._found[key] = Future()
        if owner:
            try:
                future.set_result(self._load(key))
            except BaseException as exc:  # every waiter sees the same failure
                future.set_exception(exc)
        return future.result()


class PolicyReader:
    """The SCPs attached to each target and their documents, read once per run."""

    def __init__(self, ctx: Context) -> None:
        self.attached: Memo[str, tuple[scp_api.PolicySummary, ...]] = Memo(
            lambda target: scp_api.attached(ctx.aws, target)
        )
        self.document: Memo[str, scp_api.PolicyDetail] = Memo(
            lambda policy_id: scp_api.describe(ctx.aws, policy_id)
        )

    def level(self, target_id: str, name: str) -> Level:
        policies = []
        for summary in self.attached(target_id):
            detail = self.document(summary.policy_id)
            policies.append(AttachedPolicy.of(summary.policy_id, summary.name, detail.content))
        return Level(target_id, name, tuple(policies))


def path_of(org: Organization, account: Account) -> list[tuple[str, str]]:
    """(target id, name) from the root down to the account."""
    chain = [(account.id, account.name)]
    parent: str | None = account.parent_id
    while parent and parent != org.root_id:
        unit = org.unit(parent)
        if unit is None:
            break
        chain.append((unit.id, unit.name))
        parent = unit.parent_id
    chain.append((org.root_id, "Root"))
    return list(reversed(chain))


def _statement(ref: StatementRef) -> ScpStatement:
    depends = tuple(f"{c.text} {c.key}" for c in ref.undecided)
    if ref.problem:
        depends = (*depends, ref.problem)
    return ScpStatement(
        ref.policy_id, ref.policy_name, ref.target_id, ref.index, ref.sid, ref.statement, depends
    )


def _check(levels: Sequence[Level], ctx: RequestContext, resource: str) -> ActionCheck:
    outcome: ChainOutcome = evaluate_chain(levels, ctx)
    refs = outcome.denying or outcome.undecided
    return ActionCheck(
        ctx.action,
        resource,
        DECISIONS[outcome.decision.value],
        tuple(_statement(r) for r in refs),
        outcome.level.target_id if outcome.level else None,
    )


def worst(decisions: Sequence[ScpDecision]) -> ScpDecision:
    return next((d for d in _WORST if d in decisions), ScpDecision.ALLOWED)


def _context(
    account_id: str, org_id: str, action: str, resource: str, *, session: bool
) -> RequestContext:
    keys = {
        "aws:AssumedRoot": Values("true") if session else ABSENT,
        "aws:PrincipalOrgID": Values(org_id),
        "aws:ResourceAccount": Values(account_id),
        "aws:SecureTransport": Values("true"),
    }
    if action.startswith("iam:"):
        keys["aws:RequestedRegion"] = Values(IAM_REGION)
    return RequestContext(
        action,
        (resource.format(account=account_id),),
        Values(ROOT.format(account=account_id)),
        account_id,
        keys,
    )


def task_checks(levels: Sequence[Level], account_id: str, org_id: str) -> tuple[TaskCheck, ...]:
    checks = []
    for task, needs in TASK_ACTIONS.items():
        actions = tuple(
            _check(
                levels,
                _context(account_id, org_id, a, r, session=True),
                r.format(account=account_id),
            )
            for a, r in needs
        )
        checks.append(TaskCheck(task, worst([a.decision for a in actions]), actions))
    return tuple(checks)


def root_user_check(levels: Sequence[Level], account_id: str, org_id: str) -> RootUserCheck:
    probes = tuple(
        _check(
            levels, _context(account_id, org_id, a, r, session=False), r.format(account=account_id)
        )
        for a, r in ROOT_USER_PROBES
    )
    found = {p.decision for p in probes}
    if ScpDecision.ALLOWED in found:
        decision = ScpDecision.ALLOWED
    elif ScpDecision.UNDECIDABLE in found:
        decision = ScpDecision.UNDECIDABLE
    else:
        decision = ScpDecision.DENIED
    return RootUserCheck(decision, probes)


def verdict(tasks: Sequence[TaskCheck], root_user: RootUserCheck) -> tuple[ScpVerdict, str]:
    blocked = [t for t in tasks if t.blocking]
    if blocked:
        names = ", ".join(t.task.value for t in blocked)
        return ScpVerdict.TASKS_BLOCKED, f"SCPs refuse root task sessions: {names}"
    if any(t.decision is ScpDecision.UNDECIDABLE for t in tasks):
        return ScpVerdict.UNDECIDABLE, "whether task sessions pass depends on the request"
    if root_user.decision is ScpDecision.UNDECIDABLE:
        return (
            ScpVerdict.UNDECIDABLE,
            "whether the long-term root user is refused depends on the request",
        )
    if root_user.decision is ScpDecision.DENIED:
        return ScpVerdict.GUARDED, "the long-term root user is refused; task sessions pass"
    return ScpVerdict.UNGUARDED, "nothing refuses the long-term root user"


def _path_levels(levels: Sequence[Level]) -> tuple[PathLevel, ...]:
    return tuple(
        PathLevel(
            level.target_id,
            level.name,
            tuple(
                ScpPolicy(p.policy_id, p.name, p.name == "FullAWSAccess") for p in level.policies
            ),
        )
        for level in levels
    )


def assess(
    reader: PolicyReader, org: Organization, account: Account, *, enabled: bool
) -> AccountScp:
    if not enabled:
        levels: list[Level] = []
    else:
        levels = [reader.level(target, name) for target, name in path_of(org, account)]
    tasks = task_checks(levels, account.id, org.id)
    root_user = root_user_check(levels, account.id, org.id)
    state, reason = verdict(tasks, root_user)
    if not enabled:
        reason = "SCPs are not enabled in the organization: " + reason
    return AccountScp(account, state, _path_levels(levels), tasks, root_user, reason)


def delegate_check(
    ctx: Context, reader: PolicyReader, org: Organization, *, enabled: bool
) -> tuple[DelegateCheck | None, str | None]:
    """The IAM delegated administrator's own SCPs on ``sts:AssumeRoot`` (one check per task
    policy) in the Region rootctl calls STS in. None when there is no delegate."""
    try:
        caller = ctx.caller()
        delegates = [d.account_id for d in orgs_api.delegated_admins(ctx.aws)]
    except AccessDenied as exc:
        return None, f"cannot read the delegated administrator: {exc}"
    if caller.account_id != org.management_account_id:
        delegates = [caller.account_id]
    account = next((org.account(d) for d in delegates if org.account(d) is not None), None)
    if account is None or account.id == org.management_account_id:
        return None, None
    return assess_delegate(reader, org, account, ctx.aws.region, enabled=enabled), None


def assess_delegate(
    reader: PolicyReader, org: Organization, account: Account, region: str, *, enabled: bool
) -> DelegateCheck:
    """``account``'s own SCPs on its principals' ``sts:AssumeRoot`` in ``region``, one check
    per task policy (`scp audit` for the registered delegate, `doctor` for the caller's)."""
    levels = [reader.level(t, n) for t, n in path_of(org, account)] if enabled else []
    principal = OneOf(f"arn:aws:iam::{account.id}:role/*", f"arn:aws:iam::{account.id}:user/*")
    tasks = []
    for task in TaskPolicy:
        request = RequestContext(
            "sts:AssumeRoot",
            ("arn:aws:iam::*:root",),
            principal,
            account.id,
            {
                "aws:RequestedRegion": Values(region),
                "sts:TaskPolicyArn": Values(task.arn),
                "aws:PrincipalOrgID": Values(org.id),
                "aws:AssumedRoot": ABSENT,
                "aws:SecureTransport": Values("true"),
            },
        )
        check = _check(levels, request, "arn:aws:iam::*:root")
        tasks.append(TaskCheck(task, check.decision, (check,)))
    decision = worst([t.decision for t in tasks])
    return DelegateCheck(account, region, decision, tuple(tasks), _path_levels(levels))


def audit(ctx: Context, org: Organization, targets: TargetSet, run: Run) -> ScpAuditReport:
    enabled = scp_api.scps_enabled(ctx.aws)
    reader = PolicyReader(ctx)

    def work(account: Account, _cancel: threading.Event) -> AccountScp:
        return assess(reader, org, account, enabled=enabled)

    fan = fan_out(targets.selected, work, AccountScp, run, skipped=targets)
    try:
        delegate, problem = delegate_check(ctx, reader, org, enabled=enabled)
    except RootctlError as exc:
        delegate, problem = None, f"cannot check the delegated administrator: {exc}"
    return ScpAuditReport(
        targets.organization_id, fan.rows, fan.interrupted, enabled, delegate, problem
    )
