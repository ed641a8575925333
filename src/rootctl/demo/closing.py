"""Steps 10 and 11: every remaining workload account in one command, what it means for
Security Hub and CIS, and where to go next."""

from __future__ import annotations

from rootctl.demo import summary
from rootctl.demo.scene import Scene
from rootctl.models import ControlStatus

# -- 10 ------------------------------------------------------------------------------------------


def everything_else(scene: Scene) -> None:
    n, sb = scene.narrator, scene.sandbox
    ra = scene.engine()
    org = ra.organization()
    workloads = scene.found(
        next((u for u in org.child_units(org.root_id) if u.name == scene.cast.workloads_ou), None),
        "the organization has no Workloads OU.",
    )
    in_workloads = {a.id for a in org.accounts_under(workloads.id)}
    n.say(
        f"Now every remaining account in {workloads.name} (Prod and Dev, recursively) in one "
        "command. rootctl works on 16 accounts at a time (--concurrency) with a progress bar "
        "on a terminal; a failure in one account never stops the others, and each deletion is "
        "journaled before it is made."
    )
    scene.shell.run("delete-credentials", "--ou", workloads.id, "--yes")
    left = sorted(a for a in in_workloads if sb.root_user(a).has_credentials)
    scene.expect(not left, f"accounts in Workloads still have root credentials: {left}.")
    n.answer(f"All {len(in_workloads)} accounts in {workloads.name}: no root credentials.")
    closing_summary(scene, in_workloads)


def closing_summary(scene: Scene, cleaned: set[str]) -> None:
    n = scene.narrator
    _, now = scene.compliance()
    before = scene.found(scene.compliance_before, "the compliance before the clean-up is missing.")
    bad = [
        f"{f.control_id} {f.subject_name}"
        for r in now.results
        for f in r.findings
        if f.subject_id in cleaned
        and f.status not in (ControlStatus.PASSED, ControlStatus.NOT_APPLICABLE)
    ]
    scene.expect(not bad, f"cleaned accounts should pass every root control; failing: {bad}.")
    central = now.control("CIS 2.1.1").findings[0]
    scene.expect(central.status is ControlStatus.PASSED, f"CIS 2.1.1: {central.reason}.")
    n.say(
        "What this means for the compliance checks the field report worried about. MFA on a "
        "root user protects its password; a member root without any credential has nothing "
        "to protect. So Security Hub documents IAM.6 (hardware MFA) and IAM.9 (MFA) as PASSED "
        "for it, CIS v7.0 says root MFA in member accounts is “neither possible nor necessary” "
        "with centralized root access, and the AWS Config rule behind IAM.4 (no root access "
        "key) reports NOT_APPLICABLE, which Security Hub archives. rootctl evaluates the "
        "controls from the audit (rootctl/core/data/controls.yaml maps each one):"
    )
    n.show(summary.compliance_table(before, now))
    for result in now.results:
        n.console.print()
        control = result.control
        n.heading(f"{control.id} · {control.title}")
        for reason in summary.control_reasons(result):
            mark, style = summary.MARKS[reason.status]
            n.marked(mark, style, reason.text)
    n.console.print()
    for line in summary.not_evaluated(now):
        n.detail(f"Not evaluated — {line}")
    n.console.print()
    n.answer(
        f"All {len(cleaned)} Workloads accounts pass every root control (or, for IAM.4, are "
        "not applicable), and CIS 2.1.1 passes."
    )
    failing = summary.failing_accounts(now)
    if failing:
        n.answer(
            f"Still failing, outside Workloads: {', '.join(failing)}. Next: `rootctl "
            "delete-credentials --all --dry-run` shows what is left; the same without "
            "--dry-run removes it.",
            ok=False,
        )


# -- 11 ------------------------------------------------------------------------------------------


def where_next(scene: Scene) -> None:
    n = scene.narrator
    n.say("See it in the browser, or keep a sandbox running and try every command yourself:")
    n.code("rootctl ui --sandbox       the web dashboard, on its own offline sandbox")
    n.code("rootctl demo --serve       this story, then the sandbox stays up and prints the")
    n.code("                           `export …` lines that point rootctl (or aws) at it")
    n.say(
        "To manage a real organization, give rootctl the credentials of an IAM user or role "
        "in the management account (or, once delegated, in the delegated administrator "
        "account) through the standard AWS configuration chain or --profile, and a region "
        "with --region or AWS_REGION (STS always goes to the Regional endpoint):"
    )
    n.code("export AWS_PROFILE=org-admin AWS_REGION=eu-west-1")
    n.code("rootctl status                                   who am I, what is on")
    n.code("rootctl enable --delegate <security-account-id>  from the management account")
    n.code("rootctl audit --all -o tree")
    n.code("rootctl delete-credentials --all --dry-run")
    n.say("The IAM permissions this needs:")
    n.detail(
        "to enable: iam:EnableOrganizationsRootCredentialsManagement, "
        "iam:EnableOrganizationsRootSessions, iam:ListOrganizationsFeatures, "
        "organizations:EnableAWSServiceAccess, organizations:RegisterDelegatedAdministrator"
    )
    n.detail(
        "to read the organization: organizations:DescribeOrganization, ListRoots, "
        "ListAccounts, ListOrganizationalUnitsForParent, ListAccountsForParent, "
        "ListAWSServiceAccessForOrganization, ListDelegatedAdministrators; "
        "sts:GetCallerIdentity"
    )
    n.detail(
        "for the privileged tasks: sts:AssumeRoot on arn:aws:iam::*:root, best limited with "
        "the condition key sts:TaskPolicyArn to the task policies each role needs "
        "(arn:aws:iam::aws:policy/root-task/ IAMAuditRootUserCredentials, "
        "IAMDeleteRootUserCredentials, IAMCreateRootUserPassword, S3UnlockBucketPolicy, "
        "SQSUnlockQueuePolicy)"
    )
    n.say(
        "Service control policies that deny root must leave AssumeRoot sessions alone (the "
        "aws:AssumedRoot condition key), or the tasks fail with AccessDenied. More in "
        "docs/demo.md and docs/cli.md."
    )
