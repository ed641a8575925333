"""Target selection: what the user named, and the accounts it resolved to."""

from __future__ import annotations

from dataclasses import dataclass

from rootctl.models.organization import Account


@dataclass(frozen=True, slots=True)
class TargetSelector:
    """How the user named the accounts to act on (the CLI's TARGETS, the web's form)."""

    all: bool = False
    accounts: tuple[str, ...] = ()
    ous: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    accounts_file: str | None = None
    # (key, value) pairs: an account matches a pair when it, or an OU above it, carries it.
    tags: tuple[tuple[str, str], ...] = ()
    exclude_tags: tuple[tuple[str, str], ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.all or self.accounts or self.ous or self.accounts_file or self.tags)

    @property
    def needs_tags(self) -> bool:
        return bool(self.tags or self.exclude_tags)


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
