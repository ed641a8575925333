"""What `rootctl doctor` finds, and the commands it (and `rootctl policy`) reason about.

A finding says what was found, where, why it matters and how to fix it (advice as data, worded
by each face). Per-account probes are ordinary fan-out rows (:class:`AccountProbe`); the
accounts they show blocked are grouped by the denial AWS named (:class:`BlockedGroup`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from rootctl.errors import Advice
from rootctl.models.base import AccountReport, AccountResult
from rootctl.models.catalogue import TaskPolicy
from rootctl.models.organization import Account
from rootctl.models.scp import ScpStatement


class Operation(StrEnum):
    """What a principal runs rootctl for: the words of ``--for`` (doctor and policy)."""

    AUDIT = "audit"
    DELETE = "delete"
    RECOVERY = "recovery"
    UNLOCK = "unlock"
    ENABLE = "enable"


# The operations doctor checks (enable changes the organization: there is nothing to probe).
DOCTOR_OPERATIONS = (Operation.AUDIT, Operation.DELETE, Operation.RECOVERY, Operation.UNLOCK)


class Principal(StrEnum):
    """Who a least-privilege policy is for. People also get what `doctor` and `status` read,
    to check before they act; a pipeline gets exactly what its commands call."""

    HUMAN = "human"
    AUTOMATION = "automation"


class CheckStatus(StrEnum):
    OK = "ok"
    WARN = "warn"  # worth knowing; does not block the chosen commands
    FAIL = "fail"  # blocks the chosen commands


# The policy types AWS names in an AccessDenied message.
SCP = "service control policy"
RCP = "resource control policy"
IDENTITY_POLICY = "identity-based policy"


@dataclass(frozen=True, slots=True)
class Denial:
    """What an AccessDenied message names: the action, and the type of policy that denied it
    (``None`` when the message does not say: a missing permission or an ineligible target)."""

    action: str | None
    policy_type: str | None = None
    explicit: bool = False
    policy_arn: str | None = None

    @property
    def label(self) -> str:
        """``iam:ListAccessKeys denied by a service control policy`` (the grouping key, in
        words)."""
        action = self.action or "the call"
        if self.policy_type is None:
            return f"{action} not allowed"
        article = "an" if self.policy_type[0] in "aeiou" else "a"
        how = f"denied by {article}" if self.explicit else "not allowed by any"
        policy = f" ({self.policy_arn})" if self.policy_arn else ""
        return f"{action} {how} {self.policy_type}{policy}"


def denied_where(denial: Denial, in_session: bool) -> str:
    """The denial with the side it came from, in words."""
    side = "inside the root session" if in_session else "the caller's AssumeRoot"
    return f"{denial.label} ({side})"


@dataclass(frozen=True, slots=True)
class SimulatedDecision:
    """One ``iam:SimulatePrincipalPolicy`` result: ``denial`` says which kind of policy kept
    the action from being allowed (None when allowed); ``matched`` names the statements'
    policies."""

    action: str
    resource: str
    decision: str  # AWS's EvalDecision: allowed, explicitDeny, implicitDeny
    denial: Denial | None = None
    matched: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.denial is None


@dataclass(frozen=True, slots=True)
class DoctorCheck:
    """One of doctor's checks, as data (``rootctl doctor --list-checks``): ``operations``
    are the commands it concerns (empty: every one); ``stage`` orders the report."""

    id: str
    title: str
    why: str
    stage: str
    operations: tuple[Operation, ...] = ()


@dataclass(frozen=True, slots=True)
class DoctorCheckList:
    checks: tuple[DoctorCheck, ...]


@dataclass(frozen=True, slots=True)
class DoctorFinding:
    """One check's result: ``message`` says what, ``where`` where, ``why`` why it matters,
    ``fix`` how to fix it (None when there is nothing to do). A finding about one member
    account names it in ``account_id``; one about many that share a cause (the same SCP
    statement …) lists them in ``accounts``; ``statement`` is the SCP statement it is about."""

    check: str
    status: CheckStatus
    message: str
    where: str
    why: str
    fix: Advice | None = None
    account_id: str | None = None
    task: TaskPolicy | None = None
    denial: Denial | None = None
    accounts: tuple[Account, ...] = ()
    statement: ScpStatement | None = None


class ProbeState(StrEnum):
    READY = "ready"  # every needed task opened a root session and made its read
    BLOCKED = "blocked"  # a policy denied a task (the denials say which)
    FAILED = "failed"  # AWS could not answer (throttled, unreachable …): not checked
    SKIPPED = "skipped"
    NOT_RUN = "not-run"


class TaskOutcome(StrEnum):
    READY = "ready"
    DENIED = "denied"  # a policy denied it (``denial``)
    TRUSTED_ACCESS_OFF = "trusted-access-off"  # AWS said so
    CAPABILITY_OFF = "capability-off"  # the task's capability: AWS said so
    ERROR = "error"  # anything else: not checked (``reason``)


@dataclass(frozen=True, slots=True)
class TaskProbe:
    """One task in one account: a short AssumeRoot, then one read the task policy allows.
    ``step`` is the action that answered last (``sts:AssumeRoot`` or the read)."""

    task: TaskPolicy
    outcome: TaskOutcome
    step: str
    denial: Denial | None = None
    reason: str | None = None
    # False: not tried, because IAM's policy simulator already refused the caller's
    # AssumeRoot (``denial`` is the simulator's).
    tried: bool = True

    @property
    def in_session(self) -> bool:
        """The denial came from inside the root session (the member account's policies), not
        from the caller's AssumeRoot."""
        return self.step != "sts:AssumeRoot"


@dataclass(frozen=True, slots=True)
class AccountProbe(AccountResult):
    State: ClassVar = ProbeState
    account: Account
    state: ProbeState
    tasks: tuple[TaskProbe, ...] = ()
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ProbeReport(AccountReport[AccountProbe]):
    pass


@dataclass(frozen=True, slots=True)
class BlockedGroup:
    """Accounts blocked by the same denial (action and policy type), with one fix."""

    denial: Denial
    tasks: tuple[TaskPolicy, ...]
    accounts: tuple[Account, ...]
    fix: Advice | None
    in_session: bool = True  # denied inside the root session (else: the caller's AssumeRoot)


@dataclass(frozen=True, slots=True)
class DoctorReport:
    operations: tuple[Operation, ...]
    region: str
    caller_arn: str | None
    organization_id: str | None
    findings: tuple[DoctorFinding, ...]
    groups: tuple[BlockedGroup, ...] = ()
    probes: ProbeReport | None = None
    # AWS kept rootctl from checking (every probed account failed to answer): exit 3.
    prevented: bool = False

    @property
    def ok(self) -> bool:
        """Nothing blocks the chosen commands (and the check itself ran)."""
        return not self.prevented and not self.interrupted and not self.failures

    @property
    def interrupted(self) -> bool:
        return self.probes is not None and self.probes.interrupted

    @property
    def failures(self) -> tuple[DoctorFinding, ...]:
        return tuple(f for f in self.findings if f.status is CheckStatus.FAIL)

    @property
    def warnings(self) -> tuple[DoctorFinding, ...]:
        return tuple(f for f in self.findings if f.status is CheckStatus.WARN)

    @property
    def blocked_accounts(self) -> tuple[str, ...]:
        """Each member account a failure names, once (several checks may name one)."""
        named = [
            account_id
            for f in self.failures
            for account_id in (f.account_id, *(a.id for a in f.accounts))
            if account_id is not None
        ]
        return tuple(dict.fromkeys(named))

    def by_check(self, check: str) -> tuple[DoctorFinding, ...]:
        return tuple(f for f in self.findings if f.check == check)


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    """An IAM policy (or SCP) rootctl wrote, and what a reader should know about it."""

    document: dict[str, object]
    notes: tuple[str, ...] = ()
