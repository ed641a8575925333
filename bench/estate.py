"""An audit of a generated organization, built in-process from its seed: no sandbox server, no
network. What the audit of ``rootctl sandbox serve --accounts N`` reads, taken straight from
the seed (the generator's mix of passwords, keys, MFA and certificates; suspended accounts
skipped), plus a few failed rows so every kind of row is rendered."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from rootctl.models import (
    AccessKey,
    Account,
    AccountAudit,
    AuditReport,
    AuditState,
    LoginProfile,
    MfaDevice,
    Organization,
    OrgUnit,
    RootCredentials,
    SigningCertificate,
)
from rootctl.sandbox import seed as seed_module
from rootctl.sandbox.generator import generate

FAILED_EVERY = 97  # one account in 97 failed (throttled, an SCP …)


def _ou_id(root_id: str, path: str) -> str:
    return f"ou-{root_id[2:6]}-{hashlib.sha256(f'{root_id}:{path}'.encode()).hexdigest()[:8]}"


def _credentials(root: seed_module.SeedRoot) -> RootCredentials:
    profile = None
    if root.password is not None or root.recovery_only:
        profile = LoginProfile(root.password_changed_at, root.password_last_used)
    return RootCredentials(
        profile,
        tuple(
            AccessKey(
                k.access_key_id,
                k.status,
                k.created_at,
                k.last_used_at,
                k.last_used_service,
                k.last_used_region,
            )
            for k in root.access_keys
        ),
        tuple(MfaDevice(m.serial, m.enabled_at) for m in root.mfa),
        tuple(
            SigningCertificate(c.certificate_id, c.status, c.uploaded_at) for c in root.certificates
        ),
    )


def estate(accounts: int, seed: int = 0) -> tuple[Organization, AuditReport]:
    """The organization of ``generate(accounts, seed)`` and an audit of all its accounts."""
    parsed = seed_module.validate(generate(accounts, seed))
    root = OrgUnit(parsed.root_id, "Root", None, ("Root",))
    units = {"": root}
    for path in parsed.organizational_units:  # parents come first
        parent, _, name = path.rpartition("/")
        units[path] = OrgUnit(
            _ou_id(parsed.root_id, path), name, units[parent].id, (*units[parent].path, name)
        )
    members = []
    rows = []
    for n, seeded in enumerate(parsed.all_accounts()):
        unit = units[seeded.ou]
        management = seeded is parsed.management
        account = Account(
            seeded.account_id,
            seeded.name,
            seeded.email,
            seeded.status,
            unit.id,
            unit.path,
            management,
            seeded.joined_at,
        )
        members.append(account)
        if management:
            row = AccountAudit.skipped(account, "AssumeRoot cannot target the management account")
        elif seeded.status != "ACTIVE":
            row = AccountAudit.skipped(account, f"account is {seeded.status}")
        elif n % FAILED_EVERY == 0:
            row = AccountAudit.failed(account, "ThrottlingException: Rate exceeded")
        else:
            row = AccountAudit(account, AuditState.AUDITED, _credentials(seeded.root))
        rows.append(row)
    # The audit lists its targets first and skipped accounts last, like the engine.
    rows.sort(key=lambda r: r.state is AuditState.SKIPPED)
    organization = Organization(
        id=parsed.organization_id,
        feature_set=parsed.feature_set,
        management_account_id=parsed.management.account_id,
        root_id=parsed.root_id,
        units=tuple(units.values()),
        accounts=tuple(members),
    )
    return organization, AuditReport(parsed.organization_id, tuple(rows))


def remediated(report: AuditReport, every: int = 3) -> AuditReport:
    """A later audit of the same accounts: every ``every``-th account with root credentials
    has had them deleted (what drift and "resolved since" then find)."""
    rows = []
    found = 0
    for row in report.accounts:
        if row.has_root_credentials:
            found += 1
            if found % every == 0:
                row = replace(row, credentials=RootCredentials(None))
        rows.append(row)
    return replace(report, accounts=tuple(rows))
