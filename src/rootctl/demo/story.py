"""The field report's story in eleven steps, told with the real CLI against the sandbox.

Each step runs what a person would run, then checks what AWS (the sandbox) answered against what
the story expects; any difference stops the demo with a DemoFailure, so the demo doubles as an
end-to-end smoke test. Step 3 is in :mod:`rootctl.demo.scps`, steps 10 and 11 in
:mod:`rootctl.demo.closing`.
"""

from __future__ import annotations

import rootctl
from rootctl.core.compliance import evaluate
from rootctl.demo import summary
from rootctl.demo.cast import same_policy
from rootctl.demo.closing import everything_else, where_next
from rootctl.demo.scene import Scene, Step
from rootctl.demo.scps import scps_in_the_way
from rootctl.demo.shell import use_identity
from rootctl.models import AuditReport, Capability, ControlStatus, ResourceKind

# -- 1 -------------------------------------------------------------------------------------------


def the_organization(scene: Scene) -> None:
    n = scene.narrator
    ra = scene.engine()
    org = ra.organization()
    members = [a for a in org.accounts if not a.is_management]
    per_ou: dict[str, int] = {}
    for account in members:
        where = "/".join(account.ou_path[1:]) or "the organization root"
        per_ou[where] = per_ou.get(where, 0) + 1
    n.say(
        f"Acme runs its AWS accounts in one AWS Organization ({org.id}): the management account "
        f"{scene.cast.management.label} and {len(members)} member accounts — "
        + ", ".join(f"{count} in {ou}" for ou, count in per_ou.items())
        + ". Every account has a root user, the e-mail address it was opened with, which can "
        "do anything in that account and which IAM policies cannot restrict. Accounts that "
        "joined by invitation still have the root password someone set years ago, some with "
        "a virtual or hardware MFA device, some with a forgotten root access key or signing "
        "certificate; accounts created through Organizations never had root credentials."
    )
    n.say(
        f"Everything here runs offline: a sandbox at {scene.endpoint_url} answers the AWS APIs "
        "(Organizations, IAM, STS, S3, SQS) as AWS does. Every command below is the real "
        f"rootctl, run as {scene.management.description}."
    )
    scene.shell.run("status")
    ra = scene.engine()
    status = ra.status()
    scene.expect(
        status.trusted_access is False and not status.capabilities,
        f"the seeded organization should start with root access management disabled; "
        f"AWS answered trusted access={status.trusted_access}, "
        f"capabilities={sorted(status.capabilities or ())}.",
    )
    n.fact(
        "Root access management is disabled: IAM trusted access is off, so IAM will not even "
        "say which capabilities are on (rootctl shows them as unknown) and none can be used. "
        "This is the IAM console's “Root access management is disabled” banner: each root "
        "user can only be looked after from inside its own account."
    )
    central = evaluate(AuditReport(status.organization_id, ()), status).control("CIS 2.1.1")
    scene.expect(
        central.status is ControlStatus.FAILED,
        f"CIS 2.1.1 should fail before enabling; it is {central.status.value}.",
    )
    n.answer(
        f"CIS AWS Foundations v7.0 2.1.1 (centralized root access) fails: "
        f"{central.findings[0].reason}.",
        ok=False,
    )


# -- 2 -------------------------------------------------------------------------------------------


def enable_and_delegate(scene: Scene) -> None:
    n, security = scene.narrator, scene.cast.security
    n.say(
        "Three switches, all thrown from the management account: IAM trusted access lets IAM "
        "work across the organization; “root credentials management” lets us audit and delete "
        "member accounts' root credentials and allow password recovery; “privileged root "
        "actions” lets us open a short root session in a member account to unlock an S3 bucket "
        "or SQS queue policy. We also make the security account the IAM delegated administrator."
    )
    n.say(
        f"Why {security.name}: the management account should stay nearly empty — few people, no "
        "workloads, and service control policies do not apply to it — so day-to-day root "
        "management moves to the account the security team already runs (it usually hosts "
        "Security Hub, GuardDuty and the audit tooling). The delegate can audit, delete, allow "
        "recovery and unlock, but cannot switch the feature on or pick another delegate: that "
        "stays with the management account. CIS AWS Foundations v7.0 control 2.1.1 asks for "
        "exactly this."
    )
    scene.shell.run("enable", "--delegate", security.id)
    ra = scene.engine()
    status = ra.status()
    delegates = [d.account_id for d in status.delegated_admins or ()]
    scene.expect(
        status.trusted_access is True
        and status.capabilities == frozenset(Capability)
        and delegates == [security.id],
        f"after `rootctl enable` AWS should report trusted access, both capabilities and the "
        f"delegate {security.id}; it answered trusted access={status.trusted_access}, "
        f"capabilities={sorted(status.capabilities or ())}, delegates={delegates}.",
    )
    n.answer("IAM trusted access (iam.amazonaws.com): enabled")
    for capability in Capability:
        n.answer(f"{capability.label} ({capability.value}): enabled")
    n.answer(f"IAM delegated administrator: {security.label}")
    workload = scene.cast.workload
    scene.expect(
        scene.sandbox.root_user(workload.id).has_credentials,
        "enabling must not remove any root credential, but "
        f"{workload.label} lost its root credentials.",
    )
    n.say(
        "Enabling removed nothing: every root password and key is still where it was. That is "
        "the next job."
    )


# -- 4 -------------------------------------------------------------------------------------------


def the_hierarchy(scene: Scene) -> None:
    n = scene.narrator
    use_identity(scene.delegate)
    ra = scene.engine()
    role = ra.status().caller_role
    scene.expect(
        role is rootctl.CallerRole.DELEGATED_ADMIN,
        f"{scene.delegate.arn} should now be the delegated administrator; AWS says {role}.",
    )
    n.say(
        f"From here on we work as the security team: the commands run as "
        f"{scene.delegate.description}, the delegated administrator. `rootctl audit` opens one "
        "AssumeRoot session per member account with the task policy "
        "IAMAuditRootUserCredentials (it may only read) and lists the root user's password, "
        "access keys, MFA devices and signing certificates — the console's “Root user "
        "credentials” column, for the whole organization at once."
    )
    scene.shell.run("audit", "--all", "--output", "tree", expect=1)
    report, compliance = scene.compliance()
    scene.audit_before, scene.compliance_before = report, compliance
    found = {a.account.id for a in report.with_credentials}
    truth = {
        info.account_id
        for info in scene.sandbox.accounts()
        if not info.is_management
        and info.status == "ACTIVE"
        and scene.sandbox.root_user(info.account_id).has_credentials
    }
    scene.expect(
        found == truth and not report.failed,
        f"the audit should find root credentials in exactly {sorted(truth)}; "
        f"it found {sorted(found)} (failed: {[a.account.id for a in report.failed]}).",
    )
    n.say("What the audit found (rootctl exits 1 when it finds root credentials):")
    for line in summary.audit_findings(report):
        n.fact(line)
    n.detail(
        "A root login profile left by an earlier “allow password recovery” counts as a "
        "password: AWS cannot tell an empty profile from one with a real password."
    )


# -- 5 -------------------------------------------------------------------------------------------


def sign_in(scene: Scene, *, expect_ok: bool) -> str:
    """A console root sign-in to the workload account with its password and current MFA code."""
    workload, sb = scene.cast.workload, scene.sandbox
    code = sb.mfa_code(workload.id)  # after a deletion: the detached device still shows codes
    scene.narrator.action(
        f"Root sign-in to {workload.label} as {workload.email}: its password and the code "
        f"{code} from its MFA device"
    )
    result = sb.sign_in(workload.id, scene.cast.workload_password, code)
    scene.expect(
        result.ok is expect_ok,
        f"root sign-in to {workload.id} should {'succeed' if expect_ok else 'fail'}; "
        f"AWS answered: {result.reason}.",
    )
    return result.reason


def root_sign_in_works(scene: Scene) -> None:
    workload = scene.cast.workload
    scene.narrator.say(
        f"Whoever knows the root password of {workload.label} and holds its MFA device can "
        "sign in to the console as root — and then do anything in that account."
    )
    reason = sign_in(scene, expect_ok=True)
    scene.narrator.answer(f"AWS answered: {reason}.")


# -- 6 -------------------------------------------------------------------------------------------


def delete_one(scene: Scene) -> None:
    n, workload, sb = scene.narrator, scene.cast.workload, scene.sandbox
    before = sb.root_user(workload.id)
    n.say(
        "The console's “Take privileged action → Delete root user credentials”, from the "
        "command line: rootctl audits again, shows exactly what it will remove, asks once "
        "(--yes answers for this demo), then in one AssumeRoot session with the task policy "
        "IAMDeleteRootUserCredentials deletes the password, each access key and signing "
        "certificate, deactivates each MFA device, and reads everything back to verify."
    )
    used = [k for k in before.access_keys if k.get("LastUsedDate")]
    if used:
        n.detail(
            f"Note: its access key {used[0]['AccessKeyId']} was used on "
            f"{str(used[0]['LastUsedDate'])[:10]} ({used[0].get('LastUsedService')}). In a "
            "real organization, find what still signs requests as root before deleting it."
        )
    scene.shell.run("delete-credentials", "--account", workload.id, "--yes")
    after = sb.root_user(workload.id)
    scene.expect(
        not after.has_credentials,
        f"after the deletion {workload.id} should have no root credentials; AWS still has "
        f"{after.to_dict()}.",
    )
    removed = []
    if before.login_profile:
        removed.append("the password")
    removed += [f"access key {k['AccessKeyId']}" for k in before.access_keys]
    removed += [f"signing certificate {c['CertificateId']}" for c in before.signing_certificates]
    removed += [
        f"{d.get('Type', '')} MFA device {d['SerialNumber']} (deactivated)"
        for d in before.mfa_devices
    ]
    n.answer(f"Removed from the root user of {workload.label}: " + ", ".join(removed) + ".")
    n.answer("AWS now reports no password, no access key, no signing certificate, no MFA.")


# -- 7 -------------------------------------------------------------------------------------------


def locked_out(scene: Scene) -> None:
    n, workload, sb = scene.narrator, scene.cast.workload, scene.sandbox
    n.say("The same person tries again, with the same password and a fresh MFA code.")
    reason = sign_in(scene, expect_ok=False)
    n.answer(f"AWS refused the sign-in: {reason}.", ok=False)
    n.action(f"“Forgot password?” for the root user {workload.email}")
    reset = sb.request_password_reset(workload.id)
    scene.expect(
        not reset.ok,
        f"a password reset for {workload.id} should be refused; AWS answered: {reset.reason}.",
    )
    n.answer(f"AWS refused the reset: {reset.reason}.", ok=False)
    n.say(
        "Nobody can sign in as this root user now — not with the old password, not through the "
        "e-mail. With root credentials management on, a member root without credentials is "
        "not even eligible for password recovery: only the organization can allow it again."
    )


# -- 8 -------------------------------------------------------------------------------------------


def allow_recovery(scene: Scene) -> None:
    n, workload, sb = scene.narrator, scene.cast.workload, scene.sandbox
    n.say(
        "A few tasks need the real root user (some account settings, closing the account, "
        "certain support cases). “Allow password recovery” runs CreateLoginProfile, without a "
        "password, in an AssumeRoot session with the task policy IAMCreateRootUserPassword: "
        "it sets no password and tells nobody anything; it only makes “Forgot password?” work."
    )
    scene.shell.run("allow-password-recovery", "--account", workload.id, "--yes")
    n.action(f"“Forgot password?” for the root user {workload.email}, again")
    reset = sb.request_password_reset(workload.id)
    scene.expect(
        reset.ok and reset.email == workload.email,
        f"after allowing recovery, a reset for {workload.id} should send a link to "
        f"{workload.email}; AWS answered: {reset.reason} (to {reset.email}).",
    )
    n.answer(f"AWS accepted: {reset.reason} — {reset.email}.")
    mail = sb.mailbox(workload.email)
    scene.expect(bool(mail), f"no e-mail reached {workload.email}.")
    n.detail(f"Inbox of {workload.email}: “{mail[-1].subject}”")
    n.say(
        f"Who receives it: whoever reads {workload.email} — the root user's e-mail address, "
        "set when the account was created and shown by Organizations. Not the organization's "
        "administrators, not rootctl: the root user is now exactly as safe as that mailbox. No "
        "old password, MFA device or access key comes back. Once the task is done, delete the "
        "credentials again; step 10 does that for this account too."
    )


# -- 9 -------------------------------------------------------------------------------------------


def unlock(scene: Scene) -> None:
    n, bucket, queue = scene.narrator, scene.cast.bucket, scene.cast.queue
    n.say(
        f"A bad deployment left the bucket {bucket.name} in {bucket.account.label} and the "
        f"queue {queue.name} in {queue.account.label} with policies that deny every principal "
        "every action — the accounts' own administrators included. The root user can always "
        "remove such a policy, so a root session with the task policy S3UnlockBucketPolicy "
        "(SQSUnlockQueuePolicy) can, too. rootctl shows the policy (on stderr), saves it in its "
        "journal, and only then deletes it."
    )
    scene.shell.run("unlock-s3", bucket.account.id, bucket.name, "--yes")
    region = [] if queue.region == "us-east-1" else ["--region", queue.region]
    scene.shell.run("unlock-sqs", queue.account.id, queue.name, *region, "--yes")
    ra = scene.engine()
    bucket_now = ra.policy(bucket.account.id, ResourceKind.S3_BUCKET, bucket.name)
    entries = [e for e in ra.journal_entries() if isinstance(e, rootctl.JournalEntry)]
    saved = {(e.saved_policy.resource, e.id): e.saved_policy for e in entries if e.saved_policy}
    bucket_entry = next((i for (r, i), p in saved.items() if r == bucket.name), None)
    queue_entry = next((i for (r, i), p in saved.items() if r.endswith(f"/{queue.name}")), None)
    scene.expect(
        bucket_now.policy is None,
        f"the policy of {bucket.name} should be gone; AWS still returns {bucket_now.policy}.",
    )
    scene.expect(
        bucket_entry is not None
        and queue_entry is not None
        and same_policy(saved[(bucket.name, bucket_entry)].policy, bucket.policy),
        f"the journal should keep both old policies; it has saved policies for {sorted(saved)}.",
    )
    bucket_entry = scene.found(bucket_entry, "the journal has no entry for the bucket.")
    n.answer(f"bucket {bucket.name}: no policy any more, the account's own users are back in.")
    n.answer(f"queue {queue.name}: no policy any more.")
    n.say("Every privileged action is in the journal, and the old policies are kept there:")
    scene.shell.run("journal")
    scene.shell.run("journal", "show", str(bucket_entry))
    n.answer(
        f"Journal entries {bucket_entry} and {queue_entry} hold the old policies, ready to be "
        "corrected and re-applied by the accounts' owners."
    )


STEPS: tuple[tuple[str, Step], ...] = (
    ("The organization, before", the_organization),
    ("Enable root access management and delegate it", enable_and_delegate),
    ("A service control policy that blocks root tasks", scps_in_the_way),
    ("Every root user at a glance", the_hierarchy),
    ("A root sign-in, as things stand", root_sign_in_works),
    ("Delete that account's root credentials", delete_one),
    ("Sign-in fails; password reset refused", locked_out),
    ("Allow password recovery", allow_recovery),
    ("Unlock a bucket and a queue nobody can use", unlock),
    ("Every remaining workload account, in one command", everything_else),
    ("Where to go next", where_next),
)
