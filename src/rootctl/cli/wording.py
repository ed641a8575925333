"""How the CLI words advice (:class:`rootctl.errors.Advice`): commands and flags to run.

The engine and the AWS layer say *what* to do next as data; only this module knows that the
answer is, say, ``rootctl enable --root-sessions``.
"""

from __future__ import annotations

from collections.abc import Mapping

from rootctl.errors import Advice, AdviceCode, RootctlError

CAPABILITY_FLAGS: Mapping[str, str] = {
    "RootCredentialsManagement": "--credentials-management",
    "RootSessions": "--root-sessions",
}

CLI_WORDING: Mapping[AdviceCode, str] = {
    AdviceCode.ENABLE_TRUSTED_ACCESS: "Run `rootctl enable` from the management account.",
    AdviceCode.ENABLE_CAPABILITY: "Run `rootctl enable {flag}` from the management account.",
    AdviceCode.USE_ADMIN_ACCOUNT: (
        "Run rootctl with credentials of the organization's management account or of the IAM "
        "delegated administrator (see `rootctl status`)."
    ),
    AdviceCode.USE_MANAGEMENT_ACCOUNT: "Run it with credentials of the management account.",
    AdviceCode.DEREGISTER_DELEGATE_FIRST: "Run `rootctl delegate --deregister` first.",
    AdviceCode.RETRY_LATER: "Retry later or lower --concurrency.",
    AdviceCode.REFRESH_CREDENTIALS: "Refresh your AWS credentials and run again.",
    AdviceCode.CHECK_CREDENTIALS: "Check the credentials of --profile / the environment.",
    AdviceCode.PROVIDE_CREDENTIALS: (
        "Use --profile, AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY."
    ),
    AdviceCode.CHECK_PROFILE: "Check --profile / AWS_PROFILE.",
    AdviceCode.CHECK_CONNECTION: "Check the network, --region and --endpoint-url.",
    AdviceCode.USE_REGIONAL_STS: (
        "Pass --region (not aws-global) or set AWS_STS_REGIONAL_ENDPOINTS=regional."
    ),
    AdviceCode.ORG_READ_NEEDS_ADMIN: (
        "The organization's structure can be read only from the management account or a "
        "delegated administrator (see `rootctl status`), with organizations:List*/Describe* "
        "allowed."
    ),
    AdviceCode.CHOOSE_JOURNAL: (
        "Point --journal (or ROOTCTL_JOURNAL) at a rootctl journal or at a new file."
    ),
    AdviceCode.CONFIRM_WITH_YES: "Pass --yes to confirm non-interactively.",
    AdviceCode.ENABLE_SECURITY_HUB: (
        "Enable Security Hub in this account and region (aws securityhub enable-security-hub),"
        " or pass --region where it is enabled."
    ),
    AdviceCode.AUDIT_WITHOUT_HISTORY: (
        "Point --journal (or ROOTCTL_JOURNAL) at a journal that can be written, or pass "
        "--no-history to audit without keeping the audit."
    ),
    AdviceCode.USE_SIGNING_KEY: (
        "Pass --sign-with-kms an asymmetric SIGN_VERIFY key (e.g. `aws kms create-key "
        "--key-spec ECC_NIST_P256 --key-usage SIGN_VERIFY`)."
    ),
    AdviceCode.MAKE_NEW_PLAN: "Make a new plan (`rootctl plan …`) and have it approved.",
    AdviceCode.GET_APPROVALS: (
        "Have principals other than the planner (and the earlier approvers) run "
        "`rootctl approve` on it, with this journal or --sign-with-kms."
    ),
    AdviceCode.APPROVE_AS_OTHER: (
        "Run `rootctl approve` with the credentials (--profile) of a principal other than the "
        "planner and the earlier approvers."
    ),
    AdviceCode.CHECK_PERMISSIONS: (
        "Check the caller's IAM permissions (sts:AssumeRoot for this task policy, and the "
        "action itself) and that it runs in the management or delegated-admin account: "
        "`rootctl doctor` names what is missing, `rootctl policy --for …` prints what to grant."
    ),
    AdviceCode.GRANT_ACTIONS: (
        "Add to the caller's IAM policy: {statement} (or attach the whole least-privilege "
        "policy: `rootctl policy --for {operations}`)."
    ),
    AdviceCode.EXEMPT_ASSUMED_ROOT: (
        "Exempt root sessions in that {policy_type}: add "
        '"Null": {{"aws:AssumedRoot": "true"}} to the Condition of the Deny statement that '
        "blocks it (`rootctl policy --scp-exemption` prints AWS's pattern)."
    ),
    AdviceCode.FIX_BLOCKING_SCP: (
        "Run `rootctl scp guardrail --fix-existing` (--dry-run first to see the change): it "
        "mends {policy} to let root task sessions through and keeps the rest of it."
    ),
    AdviceCode.STAGE_GUARDRAIL: (
        "Stage rootctl's guardrail before deleting root credentials: `rootctl scp guardrail "
        "--print` shows it, `--apply --ou PILOT_OU` attaches it, then `rootctl doctor --ou "
        "PILOT_OU`."
    ),
    AdviceCode.ALLOW_REMOTE: (
        "Pass --allow-remote if you really mean it (and read docs/web.md first)."
    ),
}


def advice_text(advice: Advice) -> str:
    """The CLI's words for ``advice`` (the neutral wording where the CLI adds nothing)."""
    template = CLI_WORDING.get(advice.code)
    if template is None:
        return advice.text
    params = dict(advice.params)
    params.setdefault("flag", CAPABILITY_FLAGS.get(params.get("capability", ""), ""))
    return template.format_map(params)


def describe(error: RootctlError) -> str:
    """The error as one CLI sentence pair: what happened, then what to do."""
    if error.advice is None:
        return error.message
    return f"{error.message} {advice_text(error.advice)}"
