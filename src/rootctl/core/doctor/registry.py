"""Doctor's checks, Prowler-style: each is data (an id, what it is about, why it matters, which
operations it concerns) and one small function from the gathered facts to findings.

The extension point: another module adds a check with :func:`register` (its function may make
read-only AWS calls through ``facts.ctx`` and read ``facts.targets``/``facts.tasks``), and
``rootctl doctor`` runs it after the built-in ones — the static SCP evaluation of issue 17
plugs in here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum

from rootctl.core.doctor.facts import Facts
from rootctl.errors import Advice
from rootctl.models import (
    Account,
    CheckStatus,
    Denial,
    DoctorCheck,
    DoctorCheckList,
    DoctorFinding,
    Operation,
    ScpStatement,
    TaskPolicy,
)

CheckFunction = Callable[[Facts], Iterable[DoctorFinding]]


class Stage(IntEnum):
    """Where a check's findings come in the report (then in the order they registered)."""

    SETUP = 1  # endpoint, caller, organization
    CALLER = 2  # the caller's permissions
    ACCOUNTS = 3  # the member accounts
    MORE = 4  # checks added by other modules (e.g. the SCP evaluation)


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    why: str  # why its findings matter (a finding may say more precisely)
    run: CheckFunction
    # The operations it concerns (None: every one); doctor skips it for the others.
    operations: frozenset[Operation] | None = None
    stage: Stage = Stage.MORE

    def applies(self, operations: Iterable[Operation]) -> bool:
        return self.operations is None or bool(self.operations & set(operations))

    def finding(
        self,
        status: CheckStatus,
        message: str,
        where: str,
        fix: Advice | None = None,
        *,
        why: str | None = None,
        account_id: str | None = None,
        task: TaskPolicy | None = None,
        denial: Denial | None = None,
        accounts: tuple[Account, ...] = (),
        statement: ScpStatement | None = None,
    ) -> DoctorFinding:
        return DoctorFinding(
            self.id,
            status,
            message,
            where,
            why or self.why,
            fix if status is not CheckStatus.OK else None,
            account_id,
            task,
            denial,
            accounts,
            statement,
        )


_CHECKS: list[Check] = []


def register(check: Check) -> Check:
    """Add a check (after those registered before it); a check of the same id is replaced."""
    _CHECKS[:] = [c for c in _CHECKS if c.id != check.id]
    _CHECKS.append(check)
    return check


def checks() -> tuple[Check, ...]:
    """Every registered check, by stage, then in the order they registered."""
    return tuple(sorted(_CHECKS, key=lambda c: c.stage))


def catalogue() -> DoctorCheckList:
    """The registered checks as data, in the order doctor runs them."""
    return DoctorCheckList(
        tuple(
            DoctorCheck(
                c.id,
                c.title,
                c.why,
                c.stage.name.lower(),
                tuple(op for op in Operation if c.operations and op in c.operations),
            )
            for c in checks()
        )
    )


def check(
    id: str,
    title: str,
    why: str,
    *,
    stage: Stage = Stage.MORE,
    operations: Iterable[Operation] | None = None,
) -> Callable[[CheckFunction], Check]:
    """Decorator: register the function as a check (the name it is bound to is the
    :class:`Check`, whose ``finding`` the function uses)."""

    def wrap(run: CheckFunction) -> Check:
        chosen = frozenset(operations) if operations is not None else None
        return register(Check(id, title, why, run, chosen, stage))

    return wrap
