"""Drift: what changed between two stored audits, per account. Pure: no AWS, no storage.

Credentials are compared only where both audits read them (state ``audited``); anything else
is ``not-comparable`` with the reason. Organizations facts (state, OU, name) are compared for
every account both audits name; an account only one of them names joined or left the
organization when the other audit covered the whole organization, else it is not comparable.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC

from rootctl.errors import InputError
from rootctl.models import (
    AccountAudit,
    AccountDrift,
    AuditState,
    Change,
    ChangeKind,
    CredentialType,
    DriftReport,
    DriftState,
    RootCredentials,
    StoredAudit,
)

_ORDER = {
    DriftState.CHANGED: 0,
    DriftState.JOINED: 1,
    DriftState.LEFT: 2,
    DriftState.NOT_COMPARABLE: 3,
    DriftState.UNCHANGED: 4,
}


def compare(before: StoredAudit, after: StoredAudit) -> DriftReport:
    b, a = before.summary, after.summary
    if b.organization_id != a.organization_id:
        raise InputError(
            f"audits {b.id} and {a.id} are of different organizations "
            f"({b.organization_id}, {a.organization_id}): nothing to compare."
        )
    if b.id == a.id:
        raise InputError(f"audit {a.id} compared with itself: choose two different audits.")
    old = {row.account.id: row for row in before.accounts}
    new = {row.account.id: row for row in after.accounts}
    drifts: list[AccountDrift] = []
    for account_id in [*new, *(i for i in old if i not in new)]:
        drifts.append(_account(old.get(account_id), new.get(account_id), before, after))
    # Accounts with a change first (a suspended account is not comparable, but it changed).
    drifts.sort(key=lambda d: (not d.changes, _ORDER[d.state], d.ou_path, d.name, d.account_id))
    return DriftReport(a.organization_id, b, a, tuple(drifts))


def _account(
    old: AccountAudit | None, new: AccountAudit | None, before: StoredAudit, after: StoredAudit
) -> AccountDrift:
    latest = new or old
    assert latest is not None
    account = latest.account

    def drift(state: DriftState, changes: list[Change], reason: str | None = None) -> AccountDrift:
        path = account.ou_path
        return AccountDrift(account.id, account.name, path, state, tuple(changes), reason)

    if old is None or new is None:
        other = before if old is None else after
        if not other.summary.complete:
            which = "earlier" if old is None else "later"
            return drift(
                DriftState.NOT_COMPARABLE,
                [],
                f"not in the {which} audit {other.id}, which did not cover the whole organization",
            )
        if new is not None:
            changes = [Change(ChangeKind.JOINED, after=account.ou_path_text)]
            if new.state is AuditState.AUDITED and new.credentials is not None:
                changes += _credentials(RootCredentials(None), new.credentials)
                return drift(DriftState.JOINED, changes)
            return drift(DriftState.JOINED, changes, _not_read("later", new))
        return drift(DriftState.LEFT, [Change(ChangeKind.LEFT, before=account.ou_path_text)])

    changes = list(_organization(old, new))
    if (
        old.state is AuditState.AUDITED
        and new.state is AuditState.AUDITED
        and old.credentials is not None
        and new.credentials is not None
    ):
        changes += _credentials(old.credentials, new.credentials)
        return drift(DriftState.CHANGED if changes else DriftState.UNCHANGED, changes)
    earlier, later = _not_read("earlier", old), _not_read("later", new)
    if earlier and later and old.state is new.state and old.reason == new.reason:
        reason = _not_read("both", old)  # "skipped in both audits: account is SUSPENDED"
    else:
        reason = earlier or later
    return drift(DriftState.NOT_COMPARABLE, changes, reason)


def _not_read(which: str, row: AccountAudit) -> str | None:
    if row.state is AuditState.AUDITED and row.credentials is not None:
        return None
    why = f": {row.reason}" if row.reason else ""
    where = "both audits" if which == "both" else f"the {which} audit"
    return f"{row.state.value} in {where}{why}"


def _organization(old: AccountAudit, new: AccountAudit) -> Iterator[Change]:
    o, n = old.account, new.account
    if o.state != n.state:
        yield Change(ChangeKind.STATE_CHANGED, before=o.state, after=n.state)
    if o.ou_path != n.ou_path:
        yield Change(ChangeKind.MOVED, before=o.ou_path_text, after=n.ou_path_text)
    if o.name != n.name:
        yield Change(ChangeKind.RENAMED, before=o.name, after=n.name)


def _items(c: RootCredentials) -> dict[tuple[CredentialType, str], str]:
    """Every credential by (type, id), with its status."""
    found: dict[tuple[CredentialType, str], str] = {}
    if c.login_profile is not None:
        created = c.login_profile.created
        found[(CredentialType.PASSWORD, "login profile")] = (
            f"created {created.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC" if created else "present"
        )
    for k in c.access_keys:
        found[(CredentialType.ACCESS_KEY, k.id)] = k.status
    for s in c.signing_certificates:
        found[(CredentialType.SIGNING_CERTIFICATE, s.id)] = s.status
    for d in c.mfa_devices:
        found[(CredentialType.MFA_DEVICE, d.serial)] = d.kind
    return found


def _credentials(old: RootCredentials, new: RootCredentials) -> list[Change]:
    before, after = _items(old), _items(new)
    changes: list[Change] = []
    for (kind, item_id), status in after.items():
        if (kind, item_id) not in before:
            changes.append(Change(ChangeKind.CREDENTIAL_APPEARED, kind, item_id, after=status))
        elif before[(kind, item_id)] != status:
            # A login profile with another creation date was deleted and created again: new.
            if kind is CredentialType.PASSWORD:
                changes.append(Change(ChangeKind.CREDENTIAL_APPEARED, kind, item_id, after=status))
            else:
                was = before[(kind, item_id)]
                changes.append(Change(ChangeKind.CREDENTIAL_CHANGED, kind, item_id, was, status))
    for (kind, item_id), status in before.items():
        if (kind, item_id) not in after:
            changes.append(Change(ChangeKind.CREDENTIAL_REMOVED, kind, item_id, before=status))
    if new.recovery_allowed and not old.recovery_allowed:
        changes.append(Change(ChangeKind.RECOVERY_ALLOWED))
    elif old.recovery_allowed and not new.recovery_allowed:
        changes.append(Change(ChangeKind.RECOVERY_WITHDRAWN))
    return changes
