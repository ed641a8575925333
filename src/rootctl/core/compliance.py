"""Root-user compliance controls evaluated from an audit and the organization status.

Which controls exist, and how each treats a member account whose root user has no
credentials, is data (``data/controls.yaml``, after the specification's §6); the checks are
the small pure functions below. No AWS calls and no printing, so that the CLI, the web
dashboard and the demo can all render the same result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from rootctl.errors import Advice, AdviceCode
from rootctl.models import (
    AccessKey,
    AccountAudit,
    AuditReport,
    AuditState,
    Capability,
    ComplianceReport,
    Control,
    ControlResult,
    ControlStatus,
    CredentialKind,
    Exemption,
    ExemptWhen,
    Finding,
    OrgStatus,
    RootCredentials,
    Scope,
)

# -- checks ------------------------------------------------------------------------------------

# (passed, reason, detail): the reason is shared by every account in the same situation, so
# faces can group by it; the detail names this account's credentials.
Verdict = tuple[bool, str, str]


def _present(c: RootCredentials) -> str:
    found = ["a password"] if c.login_profile else []
    if c.access_keys:
        found.append(f"{len(c.access_keys)} access key(s)")
    if c.signing_certificates:
        found.append(f"{len(c.signing_certificates)} signing certificate(s)")
    return "root has " + (", ".join(found) or "no password or key")


def _keys(keys: Sequence[AccessKey]) -> str:
    return ", ".join(f"{k.id} ({k.status})" for k in keys)


def _no_root_access_key(c: RootCredentials) -> Verdict:
    if not c.access_keys:
        return True, "no root access key", ""
    return False, "a root access key exists", _keys(c.access_keys)


def _no_active_root_access_key(c: RootCredentials) -> Verdict:
    active = [k for k in c.access_keys if k.status == "Active"]
    if active:
        return False, "an active root access key exists", _keys(active)
    return True, "no active root access key", _keys(c.access_keys)


def _mfa(c: RootCredentials) -> Verdict:
    if c.mfa_devices:
        return True, "MFA is enabled", ", ".join(f"{d.serial} ({d.kind})" for d in c.mfa_devices)
    return False, "no MFA device", _present(c)


def _hardware_mfa(c: RootCredentials) -> Verdict:
    hardware = [d.serial for d in c.mfa_devices if not d.virtual]
    if hardware:
        return True, "hardware MFA is enabled", ", ".join(hardware)
    if c.mfa_devices:
        return False, "virtual MFA only", ", ".join(d.serial for d in c.mfa_devices)
    return False, "no MFA device", _present(c)


def _centralized_root_access(s: OrgStatus) -> tuple[ControlStatus, str, str]:
    # Trusted access off is a failure even though IAM then hides the capabilities (None).
    if s.trusted_access is False:
        return ControlStatus.FAILED, "IAM trusted access (iam.amazonaws.com) is disabled", ""
    if s.trusted_access is None or s.capabilities is None:
        return (
            ControlStatus.NOT_EVALUATED,
            "the caller could not read IAM trusted access or the capabilities",
            "evaluate it from the management account",
        )
    if not s.has(Capability.ROOT_CREDENTIALS_MANAGEMENT):
        return ControlStatus.FAILED, "root credentials management is disabled", ""
    why = "IAM trusted access and root credentials management are enabled"
    if s.delegated_admins:
        names = ", ".join(f"{d.account_id} ({d.name})" for d in s.delegated_admins)
        detail = f"delegated administrator {names}: CIS expects a security or management account"
    elif s.delegated_admins is not None:
        detail = "managed from the management account (no delegated administrator)"
    else:
        detail = ""
    return ControlStatus.PASSED, why, detail


AccountCheck = Callable[[RootCredentials], Verdict]
OrganizationCheck = Callable[[OrgStatus], tuple[ControlStatus, str, str]]

ACCOUNT_CHECKS: Mapping[str, AccountCheck] = {
    "no-root-access-key": _no_root_access_key,
    "no-active-root-access-key": _no_active_root_access_key,
    "mfa": _mfa,
    "hardware-mfa": _hardware_mfa,
}
ORGANIZATION_CHECKS: Mapping[str, OrganizationCheck] = {
    "centralized-root-access": _centralized_root_access,
}


# -- evaluation ---------------------------------------------------------------------------------


def evaluate(
    report: AuditReport, status: OrgStatus, controls: Sequence[Control] | None = None
) -> ComplianceReport:
    """Each control's result: per audited account, or once for the organization."""
    chosen = load_controls() if controls is None else tuple(controls)
    results = []
    for control in chosen:
        if control.scope is Scope.ORGANIZATION:
            verdict, why, detail = ORGANIZATION_CHECKS[control.check](status)
            findings: tuple[Finding, ...] = (
                Finding(control.id, status.organization_id, "organization", verdict, why, detail),
            )
            fix = _organization_fix(status) if verdict is ControlStatus.FAILED else None
        else:
            findings = tuple(_account_finding(control, row) for row in report.accounts)
            fix = _account_fix(control, findings)
        results.append(ControlResult(control, findings, fix))
    return ComplianceReport(report.organization_id, tuple(results))


def _organization_fix(status: OrgStatus) -> Advice:
    if status.trusted_access is False:
        return Advice(AdviceCode.ENABLE_TRUSTED_ACCESS)
    capability = Capability.ROOT_CREDENTIALS_MANAGEMENT.value
    return Advice(AdviceCode.ENABLE_CAPABILITY, {"capability": capability})


def _account_fix(control: Control, findings: Sequence[Finding]) -> Advice | None:
    """Deleting these kinds of root credential in the failing accounts makes them pass."""
    failing = [f.subject_id for f in findings if f.status is ControlStatus.FAILED]
    if not failing:
        return None
    kinds = control.fix_kinds
    words = {"password": "root password", "access-keys": "root access keys"}
    what = " and ".join(words.get(k, k) for k in kinds) if kinds else "root credentials"
    params = {
        "kinds": ",".join(kinds),
        "what": what,
        "accounts": " ".join(failing),
        "count": str(len(failing)),
    }
    return Advice(AdviceCode.DELETE_ROOT_CREDENTIALS, params)


def _account_finding(control: Control, row: AccountAudit) -> Finding:
    account = row.account

    def finding(status: ControlStatus, why: str, detail: str = "") -> Finding:
        return Finding(
            control.id,
            account.id,
            account.name,
            status,
            why,
            detail,
            has_root_credentials=row.has_root_credentials,
            is_management=account.is_management,
        )

    if row.state is not AuditState.AUDITED or row.credentials is None:
        if account.is_management:
            return finding(
                ControlStatus.NOT_EVALUATED,
                "management account: AssumeRoot cannot reach its root user",
                "check it with the credential report in that account",
            )
        return finding(
            ControlStatus.NOT_EVALUATED, f"{row.state.value}, not audited", row.reason or ""
        )
    if control.exempt is not None and control.exempt.when.holds(row.credentials):
        return finding(control.exempt.status, control.exempt.reason)
    passed, why, detail = ACCOUNT_CHECKS[control.check](row.credentials)
    return finding(ControlStatus.PASSED if passed else ControlStatus.FAILED, why, detail)


# -- the data file ------------------------------------------------------------------------------


class ControlsFileError(ValueError):
    """The controls file does not match what this module can evaluate."""


@cache
def load_controls(path: Path | None = None) -> tuple[Control, ...]:
    """The controls from ``path`` (default: the file shipped with rootctl), validated."""
    if path is None:
        text = resources.files("rootctl.core").joinpath("data/controls.yaml").read_text("utf-8")
        where = "rootctl/core/data/controls.yaml"
    else:
        text, where = path.read_text("utf-8"), str(path)
    document = yaml.safe_load(text)
    if not isinstance(document, dict) or not isinstance(document.get("controls"), list):
        raise ControlsFileError(f"{where}: expected a mapping with a 'controls' list")
    controls = tuple(_control(raw, where) for raw in document["controls"])
    ids = [c.id for c in controls]
    if len(set(ids)) != len(ids):
        raise ControlsFileError(f"{where}: duplicate control ids in {ids}")
    return controls


def _control(raw: Any, where: str) -> Control:
    if not isinstance(raw, dict):
        raise ControlsFileError(f"{where}: each control must be a mapping, not {raw!r}")
    name = raw.get("id", "?")
    try:
        scope = Scope(raw["scope"])
        checks: Mapping[str, object] = (
            ACCOUNT_CHECKS if scope is Scope.ACCOUNT else ORGANIZATION_CHECKS
        )
        if raw["check"] not in checks:
            raise ControlsFileError(
                f"{where}: control {name}: unknown {scope.value} check {raw['check']!r} "
                f"(known: {', '.join(checks)})"
            )
        exempt = raw.get("exempt")
        if exempt is not None and scope is not Scope.ACCOUNT:
            raise ControlsFileError(f"{where}: control {name}: only account controls exempt")
        return Control(
            id=str(raw["id"]),
            framework=str(raw["framework"]),
            title=str(raw["title"]),
            severity=str(raw["severity"]),
            scope=scope,
            check=str(raw["check"]),
            exempt=None
            if exempt is None
            else Exemption(
                ExemptWhen(exempt["when"]),
                ControlStatus(exempt["status"]),
                " ".join(str(exempt["reason"]).split()),
            ),
            config_rule=raw.get("config_rule"),
            prowler_check=raw.get("prowler_check"),
            see=raw.get("see"),
            fix_kinds=tuple(CredentialKind(k).value for k in raw.get("fix") or ()),
        )
    except ControlsFileError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise ControlsFileError(f"{where}: control {name}: bad or missing field: {exc}") from None
