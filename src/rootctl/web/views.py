"""Presentation only: the tree with its badges, the filters, and the posture chart's geometry.
Everything here is computed from the engine's models and the audit cache; nothing decides
what may be done in AWS."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Generic, TypeVar

from rootctl.models import Account, AccountAudit, AuditState, Organization, OrgUnit
from rootctl.models.base import AccountReport, AccountResult

T = TypeVar("T")

STATUS_FILTERS = {
    "": "Any status",
    "with-credentials": "Has root credentials",
    "no-credentials": "No root credentials",
    "password": "Root password",
    "mfa": "MFA (any)",
    "mfa-virtual": "Virtual MFA",
    "mfa-hardware": "Hardware MFA",
    "access-keys": "Access keys",
    "certificates": "Signing certificates",
    "recovery-allowed": "Recovery allowed",
    "failed": "Audit failed",
    "not-audited": "Not audited yet",
}


@dataclass(frozen=True)
class Badge:
    label: str
    tone: str  # "bad", "warn", "ok", "muted", "info"
    title: str = ""


def when(value: datetime | None) -> str:
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def day(value: datetime | None) -> str:
    return "—" if value is None else value.strftime("%Y-%m-%d")


def badges(account: Account, audit: AccountAudit | None) -> list[Badge]:
    """Words, not colours alone: every badge says what it means."""
    if account.is_management:
        return [Badge("management account", "info", "AssumeRoot cannot target it")]
    if audit is None:
        return [Badge("not audited yet", "muted")]
    if audit.state is not AuditState.AUDITED or audit.credentials is None:
        return [Badge(f"audit {audit.state.value}", "warn", audit.reason or "")]
    creds = audit.credentials
    found: list[Badge] = []
    profile = creds.login_profile
    if profile is not None and not profile.recovery_only:
        found.append(Badge("root password", "bad", f"created {day(profile.created)}"))
    # MFA is a second factor, not a way in on its own: amber, never the password's red.
    for kind in ("virtual", "hardware"):
        count = sum(1 for d in creds.mfa_devices if d.kind == kind)
        if count:
            found.append(Badge(f"MFA {kind}" + (f" ×{count}" if count > 1 else ""), "warn"))
    if creds.access_keys:
        used = [k.last_used for k in creds.access_keys if k.last_used]
        last = f"last used {day(max(used))}" if used else "never used"
        n = len(creds.access_keys)
        found.append(Badge(f"{n} access key{'s' if n > 1 else ''} · {last}", "bad"))
    if creds.signing_certificates:
        n = len(creds.signing_certificates)
        found.append(Badge(f"{n} signing cert{'s' if n > 1 else ''}", "bad"))
    if creds.recovery_allowed:
        found.append(Badge("recovery allowed", "warn", "the root e-mail can reset the password"))
    if not creds.has_root_credentials:
        found.append(Badge("no root credentials", "ok"))
    return found


def matches(account: Account, audit: AccountAudit | None, query: str, status: str) -> bool:
    query = query.strip().lower()
    if query and not any(
        query in text for text in (account.name.lower(), account.id, account.email.lower())
    ):
        return False
    if not status:
        return True
    if status == "not-audited":
        return audit is None and not account.is_management
    if audit is None:
        return False
    if status == "failed":
        return audit.state is AuditState.FAILED
    creds = audit.credentials
    if creds is None:
        return False
    checks = {
        "with-credentials": creds.has_root_credentials,
        "no-credentials": not creds.has_root_credentials,
        "password": creds.login_profile is not None,
        "mfa": bool(creds.mfa_devices),
        "mfa-virtual": any(d.virtual for d in creds.mfa_devices),
        "mfa-hardware": any(not d.virtual for d in creds.mfa_devices),
        "access-keys": bool(creds.access_keys),
        "certificates": bool(creds.signing_certificates),
        "recovery-allowed": creds.recovery_allowed,
    }
    return checks.get(status, True)


@dataclass
class AccountNode:
    account: Account
    audit: AccountAudit | None
    badges: list[Badge]


@dataclass
class UnitNode:
    unit: OrgUnit
    units: list[UnitNode] = field(default_factory=list)
    accounts: list[AccountNode] = field(default_factory=list)

    @property
    def account_count(self) -> int:
        return len(self.accounts) + sum(u.account_count for u in self.units)

    @property
    def with_credentials(self) -> int:
        """Accounts shown in this node, its sub-OUs' included, whose last audit found root
        credentials."""
        own = sum(1 for a in self.accounts if a.audit and a.audit.has_root_credentials)
        return own + sum(u.with_credentials for u in self.units)

    def shown(self) -> list[AccountNode]:
        """Every account row this node shows, in the tree's order (what an export holds)."""
        return [*self.accounts, *(a for u in self.units for a in u.shown())]

    def shown_ids(self) -> list[str]:
        """The member accounts this node shows, its sub-OUs' included (a filter's matches)."""
        own = [a.account.id for a in self.accounts if not a.account.is_management]
        return own + [i for u in self.units for i in u.shown_ids()]

    def find(self, unit_id: str) -> UnitNode | None:
        if self.unit.id == unit_id:
            return self
        return next((f for u in self.units if (f := u.find(unit_id)) is not None), None)


def tree(
    org: Organization, audits: Mapping[str, AccountAudit], query: str = "", status: str = ""
) -> UnitNode:
    """Root → OUs → accounts; with a filter, only the branches that hold a match."""
    filtering = bool(query.strip() or status)

    def build(unit: OrgUnit) -> UnitNode:
        node = UnitNode(unit)
        for child in sorted(org.child_units(unit.id), key=lambda u: u.name.lower()):
            sub = build(child)
            if sub.account_count or not filtering:
                node.units.append(sub)
        for account in sorted(org.child_accounts(unit.id), key=lambda a: a.name.lower()):
            audit = audits.get(account.id)
            if matches(account, audit, query, status):
                node.accounts.append(AccountNode(account, audit, badges(account, audit)))
        return node

    root = org.unit(org.root_id) or OrgUnit(org.root_id, "Root", None, ("Root",))
    return build(root)


# -- the posture chart --------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    tone: str
    count: int
    label: str


@dataclass(frozen=True)
class PostureRow:
    label: str
    unit_id: str
    with_credentials: int
    without: int
    unknown: int
    y: float = 0.0
    segments: tuple[Segment, ...] = ()
    # Where a click on the bar goes: the OU's own sub-OUs, or None (a leaf OU, or the row of
    # the accounts placed directly in the OU being shown).
    drill: str | None = None

    @property
    def total(self) -> int:
        return self.with_credentials + self.without + self.unknown

    @property
    def worst_first(self) -> tuple[float, int, int, str]:
        share = self.with_credentials / self.total if self.total else 0.0
        return (-self.with_credentials, -self.unknown, -int(share * 1000), self.label.lower())


@dataclass(frozen=True)
class PostureChart:
    rows: tuple[PostureRow, ...]
    width: int
    height: int
    bar_x: int
    bar_width: int
    row_height: int
    # The OU whose children are the bars, and the path down to it from the root.
    unit: OrgUnit | None = None
    trail: tuple[OrgUnit, ...] = ()

    @property
    def totals(self) -> tuple[int, int, int]:
        return (
            sum(r.with_credentials for r in self.rows),
            sum(r.without for r in self.rows),
            sum(r.unknown for r in self.rows),
        )


def _counted(
    label: str,
    unit_id: str,
    members: Sequence[Account],
    audits: Mapping[str, AccountAudit],
    drill: str | None,
) -> PostureRow:
    flags = [audits[a.id].has_root_credentials if a.id in audits else None for a in members]
    return PostureRow(
        label=label,
        unit_id=unit_id,
        with_credentials=sum(1 for f in flags if f is True),
        without=sum(1 for f in flags if f is False),
        unknown=sum(1 for f in flags if f is None),
        drill=drill,
    )


def posture_chart(
    org: Organization,
    audits: Mapping[str, AccountAudit],
    *,
    under: str | None = None,
    width: int = 720,
) -> PostureChart:
    """One bar per OU directly below ``under`` (the root by default) counting every account
    beneath it, worst first (most accounts with root credentials); a bar drills down into its
    sub-OUs. Accounts placed directly in ``under`` get a bar of their own. Each bar splits
    into with / without root credentials and not known (not audited, failed). The management
    account is left out: it cannot be targeted, so it is not part of the posture this
    dashboard can change."""
    label_width, number_width, row_height = 220, 48, 30
    bar_width = width - label_width - number_width
    root = org.unit(org.root_id) or OrgUnit(org.root_id, "Root", None, ("Root",))
    top = org.unit(under) if under else None
    top = top or root
    top_id = top.id
    counted: list[PostureRow] = []
    for unit in org.child_units(top_id):
        members = [a for a in org.accounts_under(unit.id) if not a.is_management]
        if members:
            drill = unit.id if org.child_units(unit.id) else None
            counted.append(_counted(unit.name, unit.id, members, audits, drill))
    direct = [a for a in org.child_accounts(top_id) if not a.is_management]
    if direct:
        counted.append(_counted(f"(directly in {top.name})", top_id, direct, audits, None))
    counted.sort(key=lambda r: r.worst_first)
    largest = max((r.total for r in counted), default=1) or 1
    rows: list[PostureRow] = []
    for index, row in enumerate(counted):
        x = float(label_width)
        segments: list[Segment] = []
        for count, tone, label in (
            (row.with_credentials, "bad", "with root credentials"),
            (row.without, "ok", "without root credentials"),
            (row.unknown, "muted", "not known"),
        ):
            if count:
                w = bar_width * count / largest
                segments.append(Segment(round(x, 1), round(w, 1), tone, count, label))
                x += w
        rows.append(replace(row, y=float(index * row_height), segments=tuple(segments)))
    return PostureChart(
        rows=tuple(rows),
        width=width,
        height=max(1, len(rows)) * row_height,
        bar_x=label_width,
        bar_width=bar_width,
        row_height=row_height,
        unit=top,
        trail=_trail(org, top),
    )


def _trail(org: Organization, unit: OrgUnit) -> tuple[OrgUnit, ...]:
    found: list[OrgUnit] = []
    step: OrgUnit | None = unit
    while step is not None:
        found.insert(0, step)
        step = org.unit(step.parent_id) if step.parent_id else None
    return tuple(found)


PAGE_SIZE = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list that grows with the organization (journal, plans, jobs)."""

    rows: Sequence[T]
    number: int
    pages: int
    total: int
    first: int  # 1-based position of rows[0] (0 when empty)

    @classmethod
    def of(cls, items: Sequence[T], number: int, size: int = PAGE_SIZE) -> Page[T]:
        pages = max(1, -(-len(items) // size))
        number = min(max(1, number), pages)
        start = (number - 1) * size
        rows = items[start : start + size]
        return cls(rows, number, pages, len(items), start + 1 if rows else 0)

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


# Rows where nothing was or will be done: counted, then collapsed (at 300+ accounts they hide
# the few that matter).
QUIET_STATES = frozenset({"nothing-to-delete", "already-allowed"})


@dataclass(frozen=True)
class ResultRows:
    """A job result's per-account rows to list (the management account never is one) and how
    many were collapsed because nothing was or will be done there."""

    rows: tuple[AccountResult, ...] = ()
    collapsed: int = 0


def result_rows(result: object) -> ResultRows:
    if not isinstance(result, AccountReport):
        return ResultRows()
    members = [r for r in result.accounts if not r.account.is_management]
    listed = tuple(r for r in members if r.state.value not in QUIET_STATES)
    return ResultRows(listed, len(members) - len(listed))


def account_matches(account: Account, query: str) -> bool:
    """A page's "name or id" filter (the tree's, without the status part)."""
    query = query.strip().lower()
    return not query or query in account.name.lower() or query in account.id
