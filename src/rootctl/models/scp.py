"""Service control policies and root sessions (`rootctl scp audit`, `rootctl scp guardrail`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from rootctl.models.base import AccountReport, AccountResult
from rootctl.models.catalogue import TaskPolicy
from rootctl.models.organization import Account, StepState


class ScpVerdict(StrEnum):
    """What the SCPs on an account's path mean for root access management."""

    TASKS_BLOCKED = "tasks-blocked"  # a root task session would be refused
    UNGUARDED = "unguarded"  # nothing stops the long-term root user
    GUARDED = "guarded"  # long-term root denied, task sessions allowed
    UNDECIDABLE = "undecidable"  # a statement rootctl cannot decide statically
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_RUN = "not-run"


# The verdicts counted in summaries, worst first.
COUNTED_VERDICTS = (
    ScpVerdict.TASKS_BLOCKED,
    ScpVerdict.UNDECIDABLE,
    ScpVerdict.UNGUARDED,
    ScpVerdict.GUARDED,
    ScpVerdict.FAILED,
)


class ScpDecision(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    IMPLICITLY_DENIED = "implicitly-denied"  # a level of the path where nothing allows
    UNDECIDABLE = "undecidable"


@dataclass(frozen=True, slots=True)
class ScpPolicy:
    """An SCP attached somewhere on a path."""

    policy_id: str
    name: str
    aws_managed: bool = False


@dataclass(frozen=True, slots=True)
class PathLevel:
    """The root, an OU or the account, and the SCPs attached to it."""

    target_id: str
    name: str
    policies: tuple[ScpPolicy, ...]


@dataclass(frozen=True, slots=True)
class ScpStatement:
    """The statement that decided (or that rootctl could not decide), and where."""

    policy_id: str
    policy_name: str
    target_id: str  # where the policy is attached on this path
    index: int | None  # None: the whole policy (it could not be read)
    sid: str | None
    statement: Mapping[str, Any] | None
    depends_on: tuple[str, ...] = ()  # what an undecidable statement depends on


@dataclass(frozen=True, slots=True)
class ActionCheck:
    """One action a session needs, and what the SCPs make of it."""

    action: str
    resource: str
    decision: ScpDecision
    statements: tuple[ScpStatement, ...] = ()  # denying, or undecided
    level: str | None = None  # implicitly denied: the target where nothing allows


@dataclass(frozen=True, slots=True)
class TaskCheck:
    task: TaskPolicy
    decision: ScpDecision  # the worst over its actions
    actions: tuple[ActionCheck, ...]

    @property
    def blocking(self) -> tuple[ActionCheck, ...]:
        return tuple(
            a
            for a in self.actions
            if a.decision in (ScpDecision.DENIED, ScpDecision.IMPLICITLY_DENIED)
        )


@dataclass(frozen=True, slots=True)
class RootUserCheck:
    """The long-term root user (password or access key: no aws:AssumedRoot), on probes of what
    such a user would do. Guarded when every probe is denied."""

    decision: ScpDecision  # DENIED: guarded; ALLOWED: some probe passes; UNDECIDABLE
    probes: tuple[ActionCheck, ...]

    @property
    def allowed_probes(self) -> tuple[ActionCheck, ...]:
        return tuple(p for p in self.probes if p.decision is ScpDecision.ALLOWED)


@dataclass(frozen=True, slots=True)
class AccountScp(AccountResult):
    State: ClassVar = ScpVerdict
    account: Account
    state: ScpVerdict
    path: tuple[PathLevel, ...] = ()
    tasks: tuple[TaskCheck, ...] = ()
    root_user: RootUserCheck | None = None
    reason: str | None = None

    @property
    def blocked_tasks(self) -> tuple[TaskCheck, ...]:
        return tuple(t for t in self.tasks if t.blocking)

    @property
    def statements(self) -> tuple[ScpStatement, ...]:
        """Every statement behind the verdict, once each."""
        found: dict[tuple[str, int | None, str], ScpStatement] = {}
        checks = [a for t in self.tasks for a in t.actions]
        if self.root_user is not None:
            checks += self.root_user.probes
        for check in checks:
            for ref in check.statements:
                found.setdefault((ref.policy_id, ref.index, ref.target_id), ref)
        return tuple(found.values())


@dataclass(frozen=True, slots=True)
class DelegateCheck:
    """The IAM delegated administrator's own SCPs on ``sts:AssumeRoot`` (one check per task)
    in the Region rootctl calls STS in."""

    account: Account
    region: str
    decision: ScpDecision
    tasks: tuple[TaskCheck, ...]
    path: tuple[PathLevel, ...] = ()


@dataclass(frozen=True, slots=True)
class ScpAuditReport(AccountReport[AccountScp]):
    scps_enabled: bool = True  # the SERVICE_CONTROL_POLICY type is enabled on the root
    delegate: DelegateCheck | None = None
    delegate_problem: str | None = None  # why the delegate could not be checked

    def verdicts(self, verdict: ScpVerdict) -> tuple[AccountScp, ...]:
        return tuple(a for a in self.accounts if a.state is verdict)

    @property
    def clean(self) -> bool:
        """Every account guarded, and the delegate may open every task session."""
        delegate_ok = self.delegate is None or self.delegate.decision is ScpDecision.ALLOWED
        return delegate_ok and all(
            a.state in (ScpVerdict.GUARDED, ScpVerdict.SKIPPED) for a in self.accounts
        )


# -- the guardrail ---------------------------------------------------------------------------------


class GuardrailOperation(StrEnum):
    APPLY = "apply"
    DETACH = "detach"
    FIX_EXISTING = "fix-existing"


@dataclass(frozen=True, slots=True)
class GuardrailStep:
    description: str
    state: StepState
    reason: str | None = None
    journal_id: int | None = None


@dataclass(frozen=True, slots=True)
class ScpFix:
    """A change to one existing SCP so that root task sessions pass: the document before and
    after, the statements changed, and where the policy is attached."""

    policy_id: str
    name: str
    targets: tuple[str, ...]  # where it is attached (ids)
    before: str
    after: str
    statements: tuple[int, ...]  # indexes changed or added
    accounts: tuple[str, ...]  # blocked accounts this fixes
    summary: str


@dataclass(frozen=True, slots=True)
class GuardrailChange:
    operation: GuardrailOperation
    steps: tuple[GuardrailStep, ...]
    dry_run: bool = False
    policy_id: str | None = None
    fixes: tuple[ScpFix, ...] = ()
    unfixable: tuple[str, ...] = ()  # blocks rootctl cannot fix by itself, and why

    @property
    def failed(self) -> bool:
        return any(s.state is StepState.FAILED for s in self.steps)


@dataclass(frozen=True, slots=True)
class StageUnit:
    """One OU (or the root) in the staged rollout: is the guardrail there, and how its accounts
    fare."""

    target_id: str
    path: tuple[str, ...]
    guardrail: str  # "attached", "inherited", "absent"
    verdicts: Mapping[str, int]  # verdict → accounts below it
    next_step: str


@dataclass(frozen=True, slots=True)
class GuardrailStage:
    policy_id: str | None  # rootctl's guardrail, when it exists
    units: tuple[StageUnit, ...]
    report: ScpAuditReport
