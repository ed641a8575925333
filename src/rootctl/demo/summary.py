"""Plain-language summaries the demo prints: what an audit found, and the compliance mapping."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rich.table import Table
from rich.text import Text

from rootctl.models import (
    AuditReport,
    AuditState,
    ComplianceReport,
    ControlResult,
    ControlStatus,
    Finding,
    Scope,
)
from rootctl.render.text import inert, literal

RECENT = timedelta(days=30)
NAMES_SHOWN = 4
MARKS = {
    ControlStatus.PASSED: ("✔", "green"),
    ControlStatus.NOT_APPLICABLE: ("○", "green"),
    ControlStatus.FAILED: ("✘", "red"),
    ControlStatus.NOT_EVALUATED: ("·", "dim"),
}


def audit_findings(report: AuditReport, now: datetime | None = None) -> list[str]:
    """One sentence per kind of finding, for the narration under the audit tree."""
    now = now or datetime.now(UTC)
    creds = [
        a.credentials
        for a in report.accounts
        if a.state is AuditState.AUDITED and a.credentials is not None
    ]
    with_any = [c for c in creds if c.has_root_credentials]
    passwords = [c for c in creds if c.login_profile]
    hardware = sum(1 for c in passwords if any(not d.virtual for d in c.mfa_devices))
    virtual = sum(1 for c in passwords if c.mfa_devices and all(d.virtual for d in c.mfa_devices))
    keys = [k for c in creds for k in c.access_keys]
    active = [k for k in keys if k.status == "Active"]
    recent = [k for k in keys if k.last_used and now - k.last_used <= RECENT]
    certificates = [s for c in creds for s in c.signing_certificates]
    return [
        f"{len(creds)} member accounts audited: {len(with_any)} have root credentials, "
        f"{len(creds) - len(with_any)} have none.",
        f"{len(passwords)} root passwords: {hardware} with hardware MFA, {virtual} with "
        f"virtual MFA only, {len(passwords) - hardware - virtual} without MFA.",
        f"{len(keys)} root access keys in {sum(1 for c in creds if c.access_keys)} accounts, "
        f"{len(active)} of them active and {len(recent)} used in the last 30 days: something "
        "still signs requests as root.",
        f"{len(certificates)} signing certificates in "
        f"{sum(1 for c in creds if c.signing_certificates)} accounts.",
    ]


# -- compliance ---------------------------------------------------------------------------------


def _status_text(status: ControlStatus) -> Text:
    mark, style = MARKS[status]
    return Text(f"{mark} {status.value}", style=style)


def compliance_table(before: ComplianceReport, now: ComplianceReport) -> Table:
    """Per control: accounts failing before → now, passing and not applicable now, status."""
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("Control")
    table.add_column("Failing\nstep 3 → now", justify="center")
    table.add_column("Passing\nnow", justify="right")
    table.add_column("N/A\nnow", justify="right")
    table.add_column("Control\nstatus now")
    for result in now.results:
        earlier = before.control(result.control.id)
        if result.control.scope is Scope.ORGANIZATION:
            failing, passing, na = "–", "–", "–"
        else:
            failing = (
                f"{earlier.count(ControlStatus.FAILED)} → {result.count(ControlStatus.FAILED)}"
            )
            passing = str(result.count(ControlStatus.PASSED))
            na = str(result.count(ControlStatus.NOT_APPLICABLE) or "")
        table.add_row(
            literal(result.control.id),
            Text(failing),
            Text(passing),
            Text(na),
            _status_text(result.status),
        )
    return table


@dataclass(frozen=True)
class ReasonLine:
    status: ControlStatus
    text: str


def control_reasons(result: ControlResult) -> list[ReasonLine]:
    """Why a control stands where it does: one line per reason, with how many accounts share
    it and (when few) which; accounts that were not evaluated are left to the footnote."""
    groups: dict[tuple[ControlStatus, str], list[Finding]] = defaultdict(list)
    for finding in result.findings:
        if finding.status is not ControlStatus.NOT_EVALUATED:
            groups[(finding.status, finding.reason)].append(finding)
    order = list(MARKS)
    lines = []
    for (status, reason), findings in sorted(
        groups.items(), key=lambda g: (order.index(g[0][0]), -len(g[1]))
    ):
        if result.control.scope is Scope.ORGANIZATION or len(findings) == 1:
            only = findings[0]
            organization_wide = result.control.scope is Scope.ORGANIZATION
            who = "" if organization_wide else f"{inert(only.subject_name)}: "
            text = f"{who}{inert(reason)}" + (f" — {inert(only.detail)}" if only.detail else "")
        else:
            names = [inert(f.subject_name) for f in findings]
            listed = f" ({', '.join(names)})" if len(names) <= NAMES_SHOWN else ""
            text = f"{len(findings)} accounts: {inert(reason)}{listed}"
        lines.append(ReasonLine(status, text))
    return lines


def not_evaluated(report: ComplianceReport) -> list[str]:
    """Accounts rootctl could not evaluate (the same for every account control), once each."""
    seen: dict[str, str] = {}
    for result in report.results:
        for f in result.findings:
            if f.status is ControlStatus.NOT_EVALUATED:
                detail = f" ({inert(f.detail)})" if f.detail else ""
                seen[f.subject_name] = inert(f.reason) + detail
    return [f"{inert(name)}: {why}" for name, why in seen.items()]


def failing_accounts(report: ComplianceReport) -> list[str]:
    return sorted(
        {
            inert(f.subject_name)
            for r in report.results
            for f in r.findings
            if f.status.value == "FAILED"
        }
    )
