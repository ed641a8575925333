"""Target selection: what the user named, and the accounts it resolved to."""

from __future__ import annotations

from dataclasses import dataclass, field

from rootctl.models.organization import Account


@dataclass(frozen=True, slots=True)
class TargetSelector:
    """How the user named the accounts to act on (the CLI's TARGETS, the web's form)."""

    all: bool = False
    accounts: tuple[str, ...] = ()
    ous: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    accounts_file: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.all or self.accounts or self.ous or self.accounts_file)


@dataclass(frozen=True, slots=True)
class SkippedAccount:
    account: Account
    reason: str


@dataclass(frozen=True, slots=True)
class TargetSet:
    """The result of selection: accounts to act on, and the ones deliberately left out."""

    organization_id: str
    selected: tuple[Account, ...]
    skipped: tuple[SkippedAccount, ...]
    # What the user named (the audit history records it as the audit's scope).
    selector: TargetSelector | None = field(default=None, kw_only=True)
