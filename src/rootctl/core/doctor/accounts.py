"""Per member account: a short AssumeRoot with each needed task, then one read the task policy
allows — through the engine's fan-out (bounded, with progress). A denial inside the session
can only come from the member account's side (an SCP or an RCP); the blocked accounts are
grouped by the denial AWS named, each group with how to exempt root sessions.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

from rootctl.aws.errors import denial_in
from rootctl.aws.root_session import harmless_action
from rootctl.core.doctor.denials import caller_blocked_everywhere, probe_fix
from rootctl.core.doctor.facts import Facts
from rootctl.core.doctor.registry import Stage, check
from rootctl.core.fanout import Run, fan_out
from rootctl.errors import (
    AccessDenied,
    CapabilityDisabled,
    RootctlError,
    TrustedAccessDisabled,
)
from rootctl.models import (
    Account,
    AccountProbe,
    BlockedGroup,
    CallerRole,
    CheckStatus,
    Denial,
    DoctorFinding,
    ProbeReport,
    ProbeState,
    TaskOutcome,
    TaskPolicy,
    TaskProbe,
)
from rootctl.models.doctor import denied_where

PROBE_SECONDS = 60  # the probe's root session lives a minute at most, and is dropped at once
ASSUME_ROOT = "sts:AssumeRoot"


def probe_accounts(facts: Facts, run: Run) -> None:
    """Probe every targeted account with each task AWS could issue (fills ``facts.probes``,
    or says in ``facts.probes_skipped`` why no account was probed)."""
    reason = _cannot_probe(facts)
    tasks = [
        t for t in facts.tasks if facts.capabilities is None or t.capability in facts.capabilities
    ]
    if reason is None and not tasks:
        reason = "the capabilities the tasks need are off"
    if reason is not None or facts.targets is None:
        facts.probes_skipped = reason
        return
    targets = facts.targets

    def work(account: Account, cancel: threading.Event) -> AccountProbe:
        done: list[TaskProbe] = []
        for task in tasks:
            if cancel.is_set():
                return AccountProbe(account, ProbeState.NOT_RUN, tuple(done), "interrupted")
            refused = facts.simulated_refusals.get(task, {}).get(account.id)
            if refused is not None:  # not tried: it would only add an AccessDenied to CloudTrail
                done.append(_not_tried(task, refused))
            else:
                done.append(probe(facts, account, task))
        return _row(account, done)

    fan = fan_out(targets.selected, work, AccountProbe, run, skipped=targets)
    facts.probes = ProbeReport(targets.organization_id, fan.rows, fan.interrupted)


def probe(facts: Facts, account: Account, task: TaskPolicy) -> TaskProbe:
    step = ASSUME_ROOT
    try:
        with facts.ctx.aws.assume_root(account.id, task, PROBE_SECONDS) as session:
            step = harmless_action(task)
            session.harmless_read()
    except TrustedAccessDisabled as exc:
        return TaskProbe(task, TaskOutcome.TRUSTED_ACCESS_OFF, step, reason=exc.message)
    except CapabilityDisabled as exc:
        return TaskProbe(task, TaskOutcome.CAPABILITY_OFF, step, reason=exc.message)
    except AccessDenied as exc:
        denial = denial_in(exc.message) or Denial(step)
        return TaskProbe(task, TaskOutcome.DENIED, step, denial, exc.message)
    except RootctlError as exc:
        return TaskProbe(task, TaskOutcome.ERROR, step, reason=str(exc))
    return TaskProbe(task, TaskOutcome.READY, step)


def _not_tried(task: TaskPolicy, denial: Denial) -> TaskProbe:
    reason = f"not tried: IAM's policy simulator says {denial.label}"
    return TaskProbe(task, TaskOutcome.DENIED, ASSUME_ROOT, denial, reason, tried=False)


def _row(account: Account, probes: Sequence[TaskProbe]) -> AccountProbe:
    stopped = [p for p in probes if p.outcome is not TaskOutcome.READY]
    if not stopped:
        return AccountProbe(account, ProbeState.READY, tuple(probes))
    errors_only = all(p.outcome is TaskOutcome.ERROR for p in stopped)
    state = ProbeState.FAILED if errors_only else ProbeState.BLOCKED
    reason = "; ".join(f"{p.task.value}: {p.reason}" for p in stopped)
    return AccountProbe(account, state, tuple(probes), reason)


def _cannot_probe(facts: Facts) -> str | None:
    if not facts.organization_read:
        return "the organization could not be read"
    if facts.is_root_user:
        return "root user credentials cannot call AssumeRoot"
    if facts.role is CallerRole.MEMBER:
        return "the caller's account may not open root sessions"
    if facts.trusted_access is False:
        return "IAM trusted access is off"
    if facts.targets is None:
        return "the organization's accounts could not be read"
    return None


# -- the check -------------------------------------------------------------------------------


@check(
    "member-accounts",
    "Root sessions in the member accounts",
    "An SCP or RCP that denies root users also blocks centralized root sessions unless it "
    "exempts them (aws:AssumedRoot).",
    stage=Stage.ACCOUNTS,
)
def member_accounts(facts: Facts) -> Iterator[DoctorFinding]:
    if facts.caller is None or facts.organization is None:
        return
    if facts.probes is None:
        if facts.targets is not None and not facts.targets.selected:
            yield member_accounts.finding(CheckStatus.OK, "no member account targeted", "accounts")
        elif facts.probes_skipped:
            message = f"member accounts not checked: {facts.probes_skipped}"
            yield member_accounts.finding(CheckStatus.WARN, message, "accounts")
        return
    collapsed = caller_blocked_everywhere(facts)
    ready = 0
    for row in facts.probes.accounts:
        blocked = [
            p for p in row.tasks if p.outcome is TaskOutcome.DENIED and p.task not in collapsed
        ]
        errors = [p for p in row.tasks if p.outcome is TaskOutcome.ERROR]
        where = f"account {row.account.id} ({row.account.name})"
        if blocked:
            message = "; ".join(
                f"{p.task.value}: {denied_where(p.denial or Denial(p.step), p.in_session)}"
                for p in blocked
            )
            first = blocked[0]
            yield member_accounts.finding(
                CheckStatus.FAIL,
                message,
                where,
                probe_fix(facts, first),
                account_id=row.account.id,
                task=first.task,
                denial=first.denial,
            )
        elif errors:
            message = "not checked: " + "; ".join(f"{p.task.value}: {p.reason}" for p in errors)
            yield member_accounts.finding(
                CheckStatus.WARN, message, where, account_id=row.account.id
            )
        elif (checked := [p for p in row.tasks if p.task not in collapsed]) and all(
            p.outcome is TaskOutcome.READY for p in checked
        ):
            ready += 1  # ready with every task but those the caller may not use at all
    if ready:
        tasks = ", ".join(t.value for t in facts.tasks if t not in collapsed)
        skipped = len(facts.probes.accounts) - len(facts.probes.worked_on)
        extra = (
            f" ({skipped} skipped: the management account, suspended or excluded)"
            if skipped
            else ""
        )
        message = f"{ready} member account(s) opened a root session and read with {tasks}{extra}"
        yield member_accounts.finding(CheckStatus.OK, message, "accounts")


def _denied(probe: TaskProbe) -> str:
    return denied_where(probe.denial or Denial(probe.step), probe.in_session)


def groups(facts: Facts) -> tuple[BlockedGroup, ...]:
    """Blocked accounts by denial (action, policy type, policy), largest group first."""
    if facts.probes is None:
        return ()
    collapsed = caller_blocked_everywhere(facts)
    found: dict[tuple[Denial, bool], tuple[list[TaskPolicy], list[Account], TaskProbe]] = {}
    for row in facts.probes.accounts:
        for p in row.tasks:
            if p.outcome is not TaskOutcome.DENIED or p.task in collapsed:
                continue
            denial = p.denial or Denial(p.step)
            tasks, accounts, _first = found.setdefault((denial, p.in_session), ([], [], p))
            if p.task not in tasks:
                tasks.append(p.task)
            if row.account not in accounts:
                accounts.append(row.account)
    made = [
        BlockedGroup(denial, tuple(tasks), tuple(accounts), probe_fix(facts, first), in_session)
        for (denial, in_session), (tasks, accounts, first) in found.items()
    ]
    return tuple(sorted(made, key=lambda g: -len(g.accounts)))
