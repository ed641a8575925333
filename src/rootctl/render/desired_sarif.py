"""``check``'s report as SARIF 2.1.0 (``rootctl check -o sarif``), for code scanning in the CI
job that keeps ``rootctl.yaml``: one result per violation, ``ruleId`` the rule it breaks (the
``rule`` of the JSON), located at the account (logical location under its OU path, the
pseudo-path ``aws/<organization>/<account>`` like the evidence report's SARIF) and related to
the line of the file where the rule is written. Accounts that could not be checked, and the
report's notes, are the invocation's notifications. The locations and fingerprints come from
render/sarif.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from rootctl._version import __version__
from rootctl.models import AccountCheck, CheckReport, ConfigPlace, RuleName, Violation
from rootctl.render.sarif import account_location, fingerprint, sarif_log
from rootctl.render.serialize import iso
from rootctl.render.text import inert

FINGERPRINT = "rootctl/violation/v1"
ENFORCE = "`rootctl enforce --config {config} --out plan.json`, then `rootctl approve plan.json` "
ENFORCE += "and `rootctl apply plan.json`"
# rule → (level, what breaking it means, the fix)
RULES: dict[RuleName, tuple[str, str, str]] = {
    RuleName.ROOT_CREDENTIALS: (
        "error",
        "A member account's root user has credentials the desired state does not allow",
        "Remove them: " + ENFORCE + " (or `rootctl delete-credentials --account ID`); "
        "or, if they must stay for a while, add an exception with an owner, a reason and an "
        "expiry to {config}.",
    ),
    RuleName.EXCEPTIONS: (
        "error",
        "An exception expired while the credentials it allowed are still there",
        "Remove the credentials: " + ENFORCE + "; or renew the exception (a new `expires`, "
        "agreed by its owner) in {config}.",
    ),
    RuleName.RECOVERY_WINDOW_MAX: (
        "error",
        "A root password recovery was left open longer than recovery_window_max",
        "Remove the root password: `rootctl delete-credentials --account ID --only password` "
        "(or " + ENFORCE + ").",
    ),
    RuleName.NEW_ACCOUNTS: (
        "warning",
        "A new account (joined less than 7 days ago) has root credentials",
        "Remove them: " + ENFORCE + "; with `rules.new_accounts: clean-after D` and "
        "`enforce.auto_apply: [{{rule: new_accounts}}]` in {config}, `rootctl enforce --yes` or "
        "`rootctl watch --enforce` removes them without a person.",
    ),
}
ORDER = tuple(RULES)


def _rule(rule: RuleName, config: str) -> dict[str, Any]:
    level, title, fix = RULES[rule]
    fix = fix.format(config=config)
    plain = fix.replace("`", "")
    return {
        "id": rule.value,
        "name": rule.value,
        "shortDescription": {"text": f"{title}."},
        "fullDescription": {"text": f"{title} (rule {rule.value} of the desired state)."},
        "help": {"text": f"{title}. {plain}", "markdown": f"**{rule.value}** — {title}.\n\n{fix}"},
        "defaultConfiguration": {"level": level},
        "properties": {"tags": ["security", "aws", "root-user", "desired-state"]},
    }


def _config_location(source: str, place: ConfigPlace) -> dict[str, Any]:
    path = Path(source)
    uri = path.as_uri() if path.is_absolute() else quote(path.as_posix())
    region = {"startLine": place.line, "startColumn": place.column}
    return {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}


def _result(report: CheckReport, row: AccountCheck, v: Violation) -> dict[str, Any]:
    account = row.account
    kinds = [k.value for k in v.kinds]
    # Prose a person reads (code scanning shows it): outside text inert; exact values below.
    message = f"{inert(account.name)} ({account.id}): {inert(v.message)} — breaks {v.rule.value}"
    if v.auto_apply:
        message += " (auto-apply)"
    result: dict[str, Any] = {
        "ruleId": v.rule.value,
        "ruleIndex": ORDER.index(v.rule),
        "kind": "fail",
        "level": RULES[v.rule][0],
        "message": {"text": message},
        "locations": [
            account_location(report.organization_id, account.id, account.name, account.ou_path)
        ],
        "partialFingerprints": {
            FINGERPRINT: fingerprint(
                "/".join((report.organization_id, account.id, v.rule.value, ",".join(kinds)))
            )
        },
        "properties": {
            "accountId": account.id,
            "accountName": account.name,
            "ouPath": list(account.ou_path),
            "rule": v.rule.value,
            "message": v.message,
            "kinds": kinds,
            "items": [i.id for i in v.items],
            "autoApply": v.auto_apply,
            "newAccount": v.new_account,
            "ruleLine": v.place.line if v.place else None,
        },
    }
    if v.place is not None and report.source and not report.source.startswith("<"):
        result["relatedLocations"] = [{"id": 0, **_config_location(report.source, v.place)}]
    return result


def _notifications(report: CheckReport) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [
        {
            "level": "error",
            "message": {
                "text": f"{inert(row.account.name)} ({row.account.id}) could not be checked: "
                f"{row.state.value}" + (f" ({inert(row.reason)})" if row.reason else "")
            },
            "locations": [
                account_location(
                    report.organization_id, row.account.id, row.account.name, row.account.ou_path
                )
            ],
        }
        for row in report.unchecked
    ]
    found += [{"level": "note", "message": {"text": f"note: {inert(n)}"}} for n in report.notes]
    return found


def document(report: CheckReport) -> dict[str, Any]:
    config = inert(report.source) or "rootctl.yaml"
    invocation: dict[str, Any] = {"executionSuccessful": not report.interrupted}
    if report.checked_at is not None:
        invocation["endTimeUtc"] = iso(report.checked_at)
    notifications = _notifications(report)
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return sarif_log(
        version=__version__,
        rules=[_rule(rule, config) for rule in ORDER],
        automation_id=f"rootctl-check/{report.organization_id}/",
        invocation=invocation,
        results=[_result(report, row, v) for row in report.accounts for v in row.violations],
        properties={
            "organizationId": report.organization_id,
            "config": report.source,
            "compliant": report.compliant,
        },
    )
