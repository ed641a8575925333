"""What every per-account result and report shares, so one fan-out serves every operation.

A result names its account, a state and (when it is not a plain success) a reason. Every
state enum of a result has the three words the fan-out itself needs — ``failed``,
``skipped`` and ``not-run`` — besides the operation's own (tests/core/test_models.py checks).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Generic, Literal, Self, TypeVar

from rootctl.models.organization import Account

CommonState = Literal["failed", "skipped", "not-run"]


class RowStatus(StrEnum):
    """The four words ``--status`` filters on, the same for every report: the account still
    has root credentials (or they are to be deleted), it has none (or nothing is left to do),
    it failed (or did not run), it was skipped."""

    WITH_CREDENTIALS = "with-credentials"
    CLEAN = "clean"
    FAILED = "failed"
    SKIPPED = "skipped"


class AccountResult:
    """Base of per-account results (frozen slotted dataclasses with ``account``, ``state``
    and ``reason`` fields)."""

    __slots__ = ()
    State: ClassVar[type[StrEnum]]
    account: Account
    state: StrEnum
    reason: str | None

    @classmethod
    def common(cls, account: Account, state: CommonState, reason: str | None) -> Self:
        """A row in one of the states every operation has."""
        return cls(account=account, state=cls.State(state), reason=reason)  # type: ignore[call-arg]

    @classmethod
    def failed(cls, account: Account, reason: str) -> Self:
        return cls.common(account, "failed", reason)

    @classmethod
    def skipped(cls, account: Account, reason: str) -> Self:
        return cls.common(account, "skipped", reason)

    @classmethod
    def not_run(cls, account: Account, reason: str) -> Self:
        return cls.common(account, "not-run", reason)

    def is_(self, state: CommonState) -> bool:
        return self.state is self.State(state)

    @property
    def row_status(self) -> RowStatus:
        """Which ``--status`` word this row answers to."""
        if self.is_("skipped"):
            return RowStatus.SKIPPED
        if self.is_("failed") or self.is_("not-run"):
            return RowStatus.FAILED
        return RowStatus.WITH_CREDENTIALS if self.credentials_left else RowStatus.CLEAN

    @property
    def credentials_left(self) -> bool:
        """Whether root credentials remain (or are to be removed) in this account."""
        return False


R = TypeVar("R", bound=AccountResult)


@dataclass(frozen=True, slots=True)
class AccountReport(Generic[R]):
    """The rows of one operation over a target set, in the order of the targets (skipped
    accounts last), and whether the run was interrupted."""

    organization_id: str
    accounts: tuple[R, ...]
    interrupted: bool = False

    @property
    def failed(self) -> tuple[R, ...]:
        return tuple(a for a in self.accounts if a.is_("failed"))

    @property
    def worked_on(self) -> tuple[R, ...]:
        """The rows of accounts the run was meant to act on (not deliberately skipped)."""
        return tuple(a for a in self.accounts if not a.is_("skipped"))

    @property
    def all_failed(self) -> bool:
        """Every account worked on failed: AWS itself prevented the run (no sts:AssumeRoot,
        an SCP on everything, throttled out) — an error, not a finding."""
        worked_on = self.worked_on
        return bool(worked_on) and all(a.is_("failed") for a in worked_on)

    def shown(self, statuses: Collection[RowStatus] = ()) -> tuple[R, ...]:
        """The rows a ``--status`` filter keeps (every row when ``statuses`` is empty)."""
        if not statuses:
            return self.accounts
        return tuple(a for a in self.accounts if a.row_status in statuses)

    def status_counts(self) -> dict[RowStatus, int]:
        """Rows per ``--status`` word (zeros too)."""
        counted = Counter(a.row_status for a in self.accounts)
        return {status: counted[status] for status in RowStatus}

    @property
    def management_row(self) -> R | None:
        """The management account's row (always skipped: AssumeRoot cannot target it)."""
        return next((a for a in self.accounts if a.account.is_management), None)

    def counts(self) -> dict[StrEnum, int]:
        """Rows per state, every state of the result's enum present (zeros too)."""
        counted = Counter(a.state for a in self.accounts)
        kind = _state_enum(self.accounts)
        return {state: counted[state] for state in kind} if kind else dict(counted)


def _state_enum(rows: tuple[AccountResult, ...]) -> type[StrEnum] | None:
    return type(rows[0]).State if rows else None
