"""What each command calls with the caller's credentials, as data: the IAM actions and the
AssumeRoot task policies it needs.

`rootctl policy` writes least-privilege policies from this table and `rootctl doctor` checks
the caller against it. It must follow the code: ``tests/cli/test_policy.py`` runs every
command as a principal holding exactly the policy written from here and records every call
the sandbox sees — each must be covered, and each action listed here must be called. Calls
made *inside* root sessions are not the caller's: the task policies bound them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rootctl.models import Capability, Operation, TaskPolicy


@dataclass(frozen=True, slots=True)
class Need:
    """An IAM action a command calls. ``required``: the command fails without it (else it
    carries on, e.g. without the early capability check)."""

    action: str
    why: str
    required: bool = True


@dataclass(frozen=True, slots=True)
class Requirements:
    operation: Operation
    commands: tuple[str, ...]  # the CLI commands it covers
    tasks: tuple[TaskPolicy, ...]  # sts:AssumeRoot, restricted to these task policies
    actions: tuple[Need, ...]

    @property
    def capabilities(self) -> tuple[Capability, ...]:
        return tuple(dict.fromkeys(task.capability for task in self.tasks))


# sts:GetCallerIdentity needs no permission: AWS never denies it.
NEEDS_NO_PERMISSION = frozenset({"sts:GetCallerIdentity"})

_TREE = "read the organization's tree to select the target accounts"
ORGANIZATION_TREE = (
    Need("organizations:DescribeOrganization", _TREE),
    Need("organizations:ListRoots", _TREE),
    Need("organizations:ListOrganizationalUnitsForParent", _TREE),
    Need("organizations:ListAccountsForParent", _TREE),
)
FEATURES = Need(
    "iam:ListOrganizationsFeatures",
    "check the task's capability before opening root sessions (skipped without it)",
    required=False,
)
TRUSTED_ACCESS = Need(
    "organizations:ListAWSServiceAccessForOrganization",
    "read whether IAM trusted access is on (status, compliance CIS 2.1.1)",
    required=False,
)
DELEGATES = Need(
    "organizations:ListDelegatedAdministrators",
    "read the IAM delegated administrator (status, compliance CIS 2.1.1)",
    required=False,
)
STATUS = (FEATURES, TRUSTED_ACCESS, DELEGATES)

REQUIREMENTS: Mapping[Operation, Requirements] = {
    Operation.AUDIT: Requirements(
        Operation.AUDIT,
        ("audit", "compliance"),
        (TaskPolicy.AUDIT,),
        (*ORGANIZATION_TREE, *STATUS),
    ),
    Operation.DELETE: Requirements(
        Operation.DELETE,
        ("delete-credentials",),
        (TaskPolicy.AUDIT, TaskPolicy.DELETE),  # a fresh audit plans the deletion
        (*ORGANIZATION_TREE, FEATURES),
    ),
    Operation.RECOVERY: Requirements(
        Operation.RECOVERY,
        ("allow-password-recovery",),
        (TaskPolicy.CREATE_PASSWORD,),
        (*ORGANIZATION_TREE, FEATURES),
    ),
    Operation.UNLOCK: Requirements(
        Operation.UNLOCK,
        ("unlock-s3", "unlock-sqs"),
        (TaskPolicy.S3_UNLOCK, TaskPolicy.SQS_UNLOCK),
        (*ORGANIZATION_TREE, FEATURES),
    ),
    Operation.ENABLE: Requirements(
        Operation.ENABLE,
        ("enable", "status"),
        (),
        (
            *ORGANIZATION_TREE,
            Need(FEATURES.action, "read which capabilities are on"),
            Need(TRUSTED_ACCESS.action, "read whether IAM trusted access is on"),
            Need(DELEGATES.action, "read the IAM delegated administrator"),
            Need("organizations:EnableAWSServiceAccess", "turn on IAM trusted access"),
            Need(
                "iam:EnableOrganizationsRootCredentialsManagement",
                "turn on root credentials management",
            ),
            Need("iam:EnableOrganizationsRootSessions", "turn on privileged root actions"),
            Need(
                "organizations:RegisterDelegatedAdministrator",
                "register the IAM delegated administrator (enable --delegate)",
                required=False,
            ),
        ),
    ),
}

# `rootctl doctor` itself (granted to people, so they can check before they act): the status
# reads, and the simulator for their own principal (probes replace it when it is not allowed).
DOCTOR = (
    *ORGANIZATION_TREE,
    *STATUS,
    Need(
        "iam:SimulatePrincipalPolicy",
        "doctor: simulate the caller's own permissions (else it probes)",
        required=False,
    ),
    Need(
        "iam:GetRole",
        "doctor: find a role session's role, with its path, to simulate it",
        required=False,
    ),
    Need(
        "organizations:ListPoliciesForTarget",
        "doctor: read the SCPs attached along the targets' paths (else it warns)",
        required=False,
    ),
    Need(
        "organizations:DescribePolicy",
        "doctor: read those SCPs' documents (else it warns)",
        required=False,
    ),
)


def tasks_of(operations: Iterable[Operation]) -> tuple[TaskPolicy, ...]:
    """The task policies the operations need, in the catalogue's order."""
    wanted = {task for op in operations for task in REQUIREMENTS[op].tasks}
    return tuple(task for task in TaskPolicy if task in wanted)


def actions_of(operations: Iterable[Operation], *extra: Need) -> tuple[Need, ...]:
    """The IAM actions the operations need (one Need per action; required wins), sorted."""
    found: dict[str, Need] = {}
    for need in [n for op in operations for n in REQUIREMENTS[op].actions] + list(extra):
        known = found.get(need.action)
        if known is None or (need.required and not known.required):
            found[need.action] = need
    return tuple(found[action] for action in sorted(found))
