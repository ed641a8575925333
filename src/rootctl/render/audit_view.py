"""The audit for people: a table of accounts (``frame``) or the organization's tree, with the
counts by state and by kind of root credential first."""

from __future__ import annotations

from collections import Counter

from rich.console import Group, RenderableType
from rich.text import Text
from rich.tree import Tree

from rootctl.models import (
    AccountAudit,
    AuditReport,
    AuditState,
    LoginKind,
    LoginProfile,
    Organization,
    RootCredentials,
    RowStatus,
)
from rootctl.render.account_table import AccountLine
from rootctl.render.frame import LONG_RUN, Statuses, filter_words, framed, who
from rootctl.render.styles import MARKS, day, plural, state_text
from rootctl.render.text import inert, literal


def login_line(profile: LoginProfile) -> str:
    """A login profile in words: a password is not a recovery-only profile (AWS answers the
    same for both; ``LoginProfile.kind`` says what rootctl has evidence for)."""
    created = day(profile.created)
    if profile.kind is LoginKind.RECOVERY:
        return f"no password, recovery allowed (by rootctl, {day(profile.recovery_allowed_at)})"
    if profile.kind is LoginKind.PASSWORD:
        return f"password, created {created}, last used {day(profile.password_last_used)}"
    return f"password, created {created}"


def credential_lines(c: RootCredentials) -> str:
    lines = [login_line(c.login_profile)] if c.login_profile else []
    for key in c.access_keys:
        if key.last_used:
            where = ", ".join(inert(p) for p in (key.last_used_service, key.last_used_region) if p)
            used = f"last used {day(key.last_used)}" + (f" ({where})" if where else "")
        else:
            used = "never used"
        lines.append(f"access key {inert(key.id)} {inert(key.status)}, {used}")
    for device in c.mfa_devices:
        lines.append(f"{device.kind} MFA {inert(device.serial)}, enabled {day(device.enabled_at)}")
    for cert in c.signing_certificates:
        state = f"{inert(cert.status)}, uploaded {day(cert.uploaded)}"
        lines.append(f"signing certificate {inert(cert.id)} {state}")
    return "\n".join(lines)


def mark_of(row: AccountAudit) -> tuple[str, str]:
    if row.state is AuditState.AUDITED:
        return MARKS["credentials" if row.has_root_credentials else "clean"]
    return MARKS[row.state.value]


def audit_counts(report: AuditReport) -> list[Text]:
    """The first line is the one a long run repeats at the end."""
    status = report.status_counts()
    states = report.counts()
    first = Text(
        f"{len(report.accounts)} accounts: "
        f"{status[RowStatus.WITH_CREDENTIALS]} with root credentials, "
        f"{status[RowStatus.CLEAN]} clean, {states[AuditState.FAILED]} failed, "
        f"{status[RowStatus.SKIPPED]} skipped",
        style="bold",
    )
    not_run = states[AuditState.NOT_RUN]
    if not_run or report.interrupted:
        first.append(f", {not_run} not run (interrupted)", style="yellow")
    kinds = report.kind_counts()
    words = {
        "password": "password",
        "recovery-allowed": "recovery only",
        "access-keys": "access keys",
        "mfa-virtual": "virtual MFA",
        "mfa-hardware": "hardware MFA",
        "certificates": "signing certificates",
    }
    found = [f"{words[k]} {n}" for k, n in kinds.items() if n]
    lines = [first]
    if found:
        lines.append(Text("Accounts with " + " · ".join(found)))
    return lines


def _audit_line(row: AccountAudit) -> AccountLine:
    mark, style = mark_of(row)
    c = row.credentials
    if c is None:
        detail = literal(row.reason or "", style=style)
        recovery = Text("—")
    elif c.has_root_credentials:
        detail = Text(credential_lines(c))
        recovery = Text("allowed" if c.recovery_allowed else "no")
    else:
        detail = Text("")
        recovery = Text("no")
    return AccountLine(
        row.account, state_text(row.state.value), detail, Text(mark, style=style), (recovery,)
    )


def audit_table(report: AuditReport, statuses: Statuses = ()) -> RenderableType:
    return framed(
        report,
        statuses,
        audit_counts(report),
        _audit_line,
        detail_header="Root credentials",
        extra_headers=("Recovery",),
        marks=True,
    )


LEGEND = "✔ no root credentials   ✘ root credentials present   ! audit failed   – skipped"


def audit_tree(report: AuditReport, org: Organization, statuses: Statuses = ()) -> RenderableType:
    """Root → OUs → the accounts of the report (a selection draws only its part of the tree,
    with the path to it); each OU says how many of its shown accounts have credentials."""
    shown = {r.account.id: r for r in report.shown(statuses) if not r.account.is_management}
    root = Tree(Text(f"Root {inert(org.root_id)}  ({inert(org.id)})", style="bold"))

    def holds(unit_id: str) -> tuple[int, int]:
        members = [a for a in org.accounts_under(unit_id) if a.id in shown]
        return len(members), sum(1 for a in members if shown[a.id].has_root_credentials)

    def add(node: Tree, unit_id: str) -> None:
        for child in org.child_units(unit_id):
            total, with_credentials = holds(child.id)
            if not total:
                continue
            label = Text(f"{inert(child.name)}  {inert(child.id)}", style="bold")
            label.append(f"  {with_credentials} of {total} with root credentials", style="dim")
            add(node.add(label), child.id)
        for account in org.child_accounts(unit_id):
            row = shown.get(account.id)
            if row is None:
                continue
            mark, style = mark_of(row)
            label = Text(f"{mark} ", style=style)
            label.append(f"{inert(account.name)}  {inert(account.id)}")
            label.append(
                f"  {tree_detail(row)}",
                style=style if row.state is not AuditState.AUDITED else "dim",
            )
            node.add(label)

    add(root, org.root_id)
    counts = audit_counts(report)
    parts: list[RenderableType] = [*counts]
    management = report.management_row
    if management is not None and (not statuses or RowStatus.SKIPPED in statuses):
        parts.append(Text(f"Not a target: {who(management)}, the management account.", style="dim"))
    if statuses:
        words = filter_words(statuses)
        parts.append(Text(f"Showing {len(shown)} accounts (--status {words})."))
    parts += [Text(""), root, Text(""), Text(LEGEND)]
    if len(shown) > LONG_RUN:
        parts.append(counts[0])
    return Group(*parts)


def tree_detail(row: AccountAudit) -> str:
    c = row.credentials
    if c is None:
        return f"{row.state.value}: {inert(row.reason or '')}"
    found = []
    if c.login_profile:
        found.append("recovery only" if c.login_profile.recovery_only else "password")
    if c.access_keys:
        found.append(plural(len(c.access_keys), "access key"))
    kinds = Counter(d.kind for d in c.mfa_devices)
    found += [f"{kind} MFA" for kind in ("virtual", "hardware") if kinds[kind]]
    if c.signing_certificates:
        found.append(plural(len(c.signing_certificates), "certificate"))
    return ", ".join(found) or "no root credentials"
