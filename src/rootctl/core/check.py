"""``check``: audit the accounts the desired state covers, then judge each against its rules.

The judging is pure (:func:`evaluate`): an audit, the desired state, the moment and the open
recovery windows in, a :class:`CheckReport` out, so ``watch`` and the tests use it without AWS.
Every credential ends up in exactly one place: allowed (a valid exception, an open recovery
window), pending (a new account inside its ``clean-after`` period) or a violation naming the
rule it breaks.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from rootctl.core import audit as audit_mod
from rootctl.core.context import Context
from rootctl.core.deletion import all_items
from rootctl.core.fanout import Run
from rootctl.core.targets import Tags, resolve, tags_in_effect
from rootctl.journal import JournalStore
from rootctl.models import (
    NEW_ACCOUNT_AGE,
    AccountAudit,
    AccountCheck,
    AuditReport,
    AuditState,
    CheckReport,
    CheckState,
    CredentialKind,
    DesiredState,
    JournalEntry,
    JournalQuery,
    JournalStatus,
    Organization,
    PlannedItem,
    RuleException,
    RuleName,
    SkippedAccount,
    TargetSelector,
    TargetSet,
    Violation,
)
from rootctl.models.desired import duration_text

RECOVERY_ACTION = "create-login-profile"  # what allow-password-recovery journals
EXCLUDED_REASON = "excluded by the desired state"
_NOUNS = {
    CredentialKind.PASSWORD: ("root password", "root password"),
    CredentialKind.ACCESS_KEYS: ("root access key", "root access keys"),
    CredentialKind.CERTIFICATES: ("root signing certificate", "root signing certificates"),
    CredentialKind.MFA: ("root MFA device", "root MFA devices"),
}


def scope_targets(
    state: DesiredState, org: Organization, tags: Tags | None = None
) -> tuple[TargetSet, tuple[str, ...]]:
    """The accounts ``state`` covers in ``org`` (the management account skipped), and notes
    about names in the file the organization does not have. ``tags`` (resource id → tags, as
    ``--tag`` reads them) is needed when the scope names tags."""
    notes: list[str] = []
    tagged = _tagged(state.scope.tags, org, tags)
    if state.scope.tags and not tagged:
        shown = ", ".join(f"{k}={v}" for k, v in state.scope.tags)
        notes.append(
            f"scope names the tags {shown}, which no account of organization {org.id} carries "
            "(on itself or an OU above it)"
        )
    known_ous = [u for u in state.scope.ous if u == org.root_id or org.unit(u) is not None]
    notes += [
        f"scope names OU {u}, which is not in organization {org.id}"
        for u in state.scope.ous
        if u not in known_ous
    ]
    accounts = [a for a in state.scope.accounts if org.account(a) is not None]
    accounts += [a for a in tagged if a not in accounts]
    notes += [
        f"scope names account {a}, which is not in organization {org.id}"
        for a in state.scope.accounts
        if a not in accounts
    ]
    exclude = [a for a in state.exclude if org.account(a) is not None]
    notes += [
        f"exclude names account {a}, which is not in organization {org.id}"
        for a in state.exclude
        if a not in exclude
    ]
    if not state.scope.all and not known_ous and not accounts:
        targets = TargetSet(org.id, (), ())
    else:
        selector = TargetSelector(
            all=state.scope.all, accounts=tuple(accounts), ous=tuple(known_ous)
        )
        targets = resolve(selector, org)
    excluded = set(exclude)
    targets = TargetSet(
        targets.organization_id,
        tuple(a for a in targets.selected if a.id not in excluded),
        targets.skipped
        + tuple(SkippedAccount(a, EXCLUDED_REASON) for a in targets.selected if a.id in excluded),
    )
    in_scope = {a.id for a in targets.selected}
    for exception in state.exceptions:
        if org.account(exception.account_id) is None:
            notes.append(
                f"the exception for {exception.account_id} names an account that is not in "
                f"organization {org.id}"
            )
        elif exception.account_id not in in_scope:
            notes.append(f"the exception for {exception.account_id} is for an account out of scope")
    return targets, tuple(notes)


def _tagged(wanted: tuple[tuple[str, str], ...], org: Organization, tags: Tags | None) -> list[str]:
    """Accounts carrying every pair of ``wanted``, on themselves or an OU above them."""
    if not wanted:
        return []
    if tags is None:
        raise ValueError("the scope names tags: pass the organization's tags")
    in_effect = tags_in_effect(org, tags)
    return [a.id for a in org.accounts if set(wanted) <= in_effect[a.id]]


def recovery_windows(journal: JournalStore, account_ids: list[str]) -> dict[str, datetime]:
    """When password recovery was last allowed (and succeeded), per account, from the journal."""
    if not account_ids:
        return {}
    rows = journal.entries(JournalQuery(accounts=tuple(account_ids), actions=(RECOVERY_ACTION,)))
    opened: dict[str, datetime] = {}
    for row in rows:  # newest first
        if not isinstance(row, JournalEntry) or row.status is not JournalStatus.SUCCEEDED:
            continue
        if row.target and row.target not in opened:
            opened[row.target] = row.started_at
    return opened


def check(
    ctx: Context,
    state: DesiredState,
    org: Organization,
    run: Run,
    now: datetime,
    tags: Tags | None = None,
) -> CheckReport:
    targets, notes = scope_targets(state, org, tags)
    ctx.require(audit_mod.TASK.capability)
    report = audit_mod.audit(ctx, targets, run)
    windows = (
        recovery_windows(ctx.journal, [a.id for a in targets.selected])
        if state.recovery_window_max
        else {}
    )
    return evaluate(state, report, now, windows, notes=notes)


def evaluate(
    state: DesiredState,
    audit: AuditReport,
    now: datetime,
    recovery_opened: Mapping[str, datetime] | None = None,
    *,
    notes: tuple[str, ...] = (),
) -> CheckReport:
    """Judge every row of ``audit`` against ``state`` at ``now``."""
    opened = recovery_opened or {}
    rows = tuple(judge(state, row, now, opened.get(row.account.id)) for row in audit.accounts)
    for exception in state.exceptions:
        row = next((r for r in rows if r.account.id == exception.account_id), None)
        if exception.expired(now) and row is not None and row.state is CheckState.COMPLIANT:
            notes += (
                f"the exception for {exception.account_id} expired on "
                f"{exception.expires_at:%Y-%m-%d %H:%M} UTC and nothing it allowed remains: "
                "remove it from the file",
            )
    return CheckReport(
        audit.organization_id,
        rows,
        audit.interrupted,
        source=state.source,
        checked_at=now,
        notes=notes,
    )


def judge(
    state: DesiredState, row: AccountAudit, now: datetime, recovery_opened: datetime | None
) -> AccountCheck:
    """One account's verdict."""
    if row.state is not AuditState.AUDITED or row.credentials is None:
        mapped = {
            AuditState.FAILED: CheckState.FAILED,
            AuditState.SKIPPED: CheckState.SKIPPED,
            AuditState.NOT_RUN: CheckState.NOT_RUN,
        }.get(row.state, CheckState.FAILED)
        return AccountCheck(row.account, mapped, reason=row.reason)
    account = row.account
    exception = state.exception_for(account.id)
    joined = account.joined_at
    is_new = (
        RuleName.NEW_ACCOUNTS.value in state.places
        and joined is not None
        and now - joined < NEW_ACCOUNT_AGE
    )
    due_at = None
    if is_new and joined is not None and state.new_accounts.after is not None:
        due_at = joined + state.new_accounts.after
    window: tuple[datetime, timedelta] | None = None  # (opened, longest allowed)
    if recovery_opened and state.recovery_window_max and row.credentials.login_profile:
        window = (recovery_opened, state.recovery_window_max)

    allowed: list[CredentialKind] = []
    pending = False
    broken: dict[tuple[RuleName, CredentialKind], list[PlannedItem]] = {}
    for item in all_items(row.credentials):
        rule: RuleName | None = RuleName.ROOT_CREDENTIALS
        if item.kind is CredentialKind.PASSWORD and window is not None:
            opened, longest = window
            rule = None if now - opened <= longest else RuleName.RECOVERY_WINDOW_MAX
        elif exception is not None and item.kind in exception.allow:
            rule = RuleName.EXCEPTIONS if exception.expired(now) else None
        elif is_new:
            if due_at is not None and now < due_at:
                pending, rule = True, None
                continue
            rule = RuleName.NEW_ACCOUNTS
        if rule is None:
            allowed.append(item.kind)
        else:
            broken.setdefault((rule, item.kind), []).append(item)

    groups: dict[tuple[RuleName, bool], list[PlannedItem]] = {}
    for (rule, kind), items in broken.items():
        auto = state.auto_applies(rule, kind) and rule is not RuleName.RECOVERY_WINDOW_MAX
        groups.setdefault((rule, auto), []).extend(items)
    violations = tuple(
        Violation(
            account=account,
            rule=rule,
            message=_message(state, rule, items, exception, recovery_opened, joined),
            items=tuple(items),
            auto_apply=auto,
            new_account=is_new,
            exception=exception if rule is RuleName.EXCEPTIONS else None,
            place=(
                exception.place
                if rule is RuleName.EXCEPTIONS and exception is not None
                else state.place_of(rule)
            ),
        )
        for (rule, auto), items in groups.items()
    )
    if violations:
        verdict = CheckState.VIOLATION
    elif pending:
        verdict = CheckState.PENDING
    elif allowed:
        verdict = CheckState.EXCEPTED
    else:
        verdict = CheckState.COMPLIANT
    return AccountCheck(
        account,
        verdict,
        violations,
        row.credentials,
        tuple(dict.fromkeys(allowed)),
        exception,
        due_at if pending else None,
    )


def _what(items: list[PlannedItem]) -> str:
    """``root password, 2 root access keys``: the items by kind."""
    parts = []
    for kind in CredentialKind:
        count = sum(1 for i in items if i.kind is kind)
        if count:
            one, many = _NOUNS[kind]
            parts.append(one if count == 1 else f"{count} {many}")
    return ", ".join(parts)


def _message(
    state: DesiredState,
    rule: RuleName,
    items: list[PlannedItem],
    exception: RuleException | None,
    recovery_opened: datetime | None,
    joined: datetime | None,
) -> str:
    what = _what(items)
    if rule is RuleName.EXCEPTIONS and exception is not None:
        allowed = ", ".join(k.value for k in exception.allow)
        return (
            f"{what}: the exception ({allowed}; owner {exception.owner}) expired "
            f"{exception.expires_at:%Y-%m-%d %H:%M} UTC"
        )
    if rule is RuleName.RECOVERY_WINDOW_MAX and recovery_opened is not None:
        limit = duration_text(state.recovery_window_max) if state.recovery_window_max else "?"
        return (
            f"{what}: password recovery allowed {recovery_opened:%Y-%m-%d %H:%M} UTC, "
            f"open longer than {limit}"
        )
    if rule is RuleName.NEW_ACCOUNTS:
        since = f" (joined {joined:%Y-%m-%d %H:%M} UTC)" if joined else ""
        return f"{what} on a new account{since}"
    return what
