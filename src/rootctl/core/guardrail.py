"""`scp guardrail`: roll out AWS's "deny root unless AssumeRoot" SCP OU by OU, take it back,
and fix existing SCPs that block root task sessions with the smallest change.

Every check that can refuse runs before the first write (the SCP type enabled, at most 5 SCPs
per target); every write is journaled (intent before, outcome after), an SCP's document saved
before it changes, the new one next to it. Attaching what is attached, or detaching what is not,
is "already", so a re-run is harmless.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from rootctl.aws import service_control as scp_api
from rootctl.core.context import Context
from rootctl.core.scp_audit import TASK_ACTIONS
from rootctl.errors import Conflict, InputError
from rootctl.models import (
    COUNTED_VERDICTS,
    GuardrailChange,
    GuardrailOperation,
    GuardrailStage,
    GuardrailStep,
    Organization,
    OrgPolicyKind,
    ResourcePolicy,
    ScpAuditReport,
    ScpDecision,
    ScpFix,
    ScpVerdict,
    StageUnit,
    StepState,
)
from rootctl.policy import guardrail as pattern

NAME = "rootctl-deny-root-unless-assumeroot"
DESCRIPTION = "Deny the long-term root user; let sts:AssumeRoot task sessions through (rootctl)"
TAGS = {"managed-by": "rootctl", "rootctl-purpose": "root-guardrail"}
MAX_PER_TARGET = 5
FULL_ACCESS = "FullAWSAccess"


def document() -> str:
    return json.dumps(pattern.GUARDRAIL, indent=2)


def find(ctx: Context) -> scp_api.PolicySummary | None:
    """rootctl's guardrail, when it has been created (by its name)."""
    return next(
        (p for p in scp_api.every_scp(ctx.aws) if p.name == NAME and not p.aws_managed), None
    )


def _target_ids(org: Organization, targets: Sequence[str]) -> tuple[str, ...]:
    """OU ids, "root" or the root's id; checked before anything is read or changed."""
    found = []
    for target in targets:
        if target in ("root", org.root_id):
            found.append(org.root_id)
        elif org.unit(target) is not None:
            found.append(target)
        else:
            raise InputError(f"--ou {target!r} is not an OU of organization {org.id} (or 'root').")
    if not found:
        raise InputError("name at least one OU (--ou OU_ID, or --ou root).")
    return tuple(dict.fromkeys(found))


def _refuse_unless_enabled(ctx: Context) -> None:
    if not scp_api.scps_enabled(ctx.aws):
        raise Conflict(
            "Service control policies are not enabled in the organization "
            "(EnablePolicyType SERVICE_CONTROL_POLICY on the root first); nothing was changed."
        )


def _step(
    ctx: Context,
    run_id: str,
    action: str,
    target: str,
    description: str,
    call: Callable[[], str | None],
    *,
    already: Callable[[Exception], bool] = lambda _e: False,
    saved: ResourcePolicy | None = None,
    replacement: str | None = None,
) -> GuardrailStep:
    done = ctx.journaled(
        run_id=run_id,
        action=action,
        target=target,
        task_policy=None,
        items=[description],
        call=call,
        already_done=already,
        saved_policy=saved,
        replacement_policy=replacement,
    )
    if done.already:
        return GuardrailStep(description, StepState.ALREADY, str(done.error), done.entry_id)
    if done.error is not None:
        return GuardrailStep(description, StepState.FAILED, str(done.error), done.entry_id)
    return GuardrailStep(description, StepState.DONE, None, done.entry_id)


def apply(
    ctx: Context, org: Organization, targets: Sequence[str], *, dry_run: bool
) -> GuardrailChange:
    """Create the guardrail once (tagged as rootctl's) and attach it to ``targets``."""
    ids = _target_ids(org, targets)
    _refuse_unless_enabled(ctx)
    existing = find(ctx)
    to_attach = []
    for target in ids:
        attached = scp_api.attached(ctx.aws, target)
        if existing is not None and any(p.policy_id == existing.policy_id for p in attached):
            continue
        if len(attached) >= MAX_PER_TARGET:
            raise Conflict(
                f"{target} already has {len(attached)} SCPs attached, the most Organizations "
                f"allows: detach one or merge the guardrail into one of them (--fix-existing); "
                "nothing was changed."
            )
        to_attach.append(target)
    steps: list[GuardrailStep] = []
    if existing is not None:
        steps.append(GuardrailStep(f"create {NAME}", StepState.ALREADY, existing.policy_id))
    if dry_run:
        if existing is None:
            steps.append(GuardrailStep(f"create {NAME}", StepState.PLANNED))
        steps += [
            GuardrailStep(f"attach {NAME} to {t}", StepState.PLANNED) for t in ids if t in to_attach
        ]
        steps += [
            GuardrailStep(f"attach {NAME} to {t}", StepState.ALREADY)
            for t in ids
            if t not in to_attach
        ]
        return GuardrailChange(
            GuardrailOperation.APPLY, tuple(steps), True, existing.policy_id if existing else None
        )
    run_id = ctx.new_run_id()
    policy_id = existing.policy_id if existing else None
    if policy_id is None:
        created: list[str] = []

        def create() -> str | None:
            new_id, request_id = scp_api.create(ctx.aws, NAME, DESCRIPTION, document(), TAGS)
            created.append(new_id)
            return request_id

        step = _step(
            ctx, run_id, "create-scp", NAME, f"create {NAME}", create, replacement=document()
        )
        steps.append(
            step
            if not created
            else GuardrailStep(step.description, step.state, created[0], step.journal_id)
        )
        if not created:
            return GuardrailChange(GuardrailOperation.APPLY, tuple(steps), False, None)
        policy_id = created[0]
    for target in ids:
        description = f"attach {NAME} ({policy_id}) to {target}"
        if target not in to_attach:
            steps.append(GuardrailStep(description, StepState.ALREADY))
            continue
        pid = policy_id
        steps.append(
            _step(
                ctx, run_id, "attach-scp", target, description,
                lambda pid=pid, target=target: scp_api.attach(ctx.aws, pid, target),  # type: ignore[misc]
                already=lambda e: getattr(e, "code", None) == "DuplicatePolicyAttachmentException",
            )
        )  # fmt: skip
    return GuardrailChange(GuardrailOperation.APPLY, tuple(steps), False, policy_id)


def detach(
    ctx: Context, org: Organization, targets: Sequence[str], *, dry_run: bool
) -> GuardrailChange:
    """Detach rootctl's guardrail from ``targets`` (the policy itself stays, for next time)."""
    ids = _target_ids(org, targets)
    existing = find(ctx)
    if existing is None:
        nothing = tuple(
            GuardrailStep(
                f"detach {NAME} from {t}", StepState.ALREADY, "rootctl's guardrail does not exist"
            )
            for t in ids
        )
        return GuardrailChange(GuardrailOperation.DETACH, nothing, dry_run, None)
    attached_to = set(scp_api.targets_of(ctx.aws, existing.policy_id))
    run_id = ctx.new_run_id()
    steps: list[GuardrailStep] = []
    for target in ids:
        description = f"detach {NAME} ({existing.policy_id}) from {target}"
        if target not in attached_to:
            steps.append(GuardrailStep(description, StepState.ALREADY, "not attached there"))
        elif dry_run:
            steps.append(GuardrailStep(description, StepState.PLANNED))
        else:
            steps.append(
                _step(
                    ctx, run_id, "detach-scp", target, description,
                    lambda target=target: scp_api.detach(ctx.aws, existing.policy_id, target),  # type: ignore[misc]
                    already=lambda e: getattr(e, "code", None) == "PolicyNotAttachedException",
                )
            )  # fmt: skip
    return GuardrailChange(GuardrailOperation.DETACH, tuple(steps), dry_run, existing.policy_id)


# -- fixing existing SCPs ----------------------------------------------------------------------


def plan_fixes(ctx: Context, report: ScpAuditReport) -> tuple[tuple[ScpFix, ...], tuple[str, ...]]:
    """For each SCP that blocks a task session: the same document with the blocking Deny
    statements exempting root sessions, or — where a level allows nothing the tasks need —
    an Allow for root task sessions added to a customer policy at that level."""
    denying: dict[str, set[int]] = {}
    allow_at: dict[str, set[str]] = {}  # level target id → actions to allow
    accounts: dict[str, set[str]] = {}
    levels: dict[str, tuple[str, ...]] = {}  # target id → customer policy ids attached there
    unfixable: list[str] = []
    for row in report.verdicts(ScpVerdict.TASKS_BLOCKED):
        for level in row.path:
            levels[level.target_id] = tuple(
                p.policy_id for p in level.policies if p.name != FULL_ACCESS
            )
        for task in row.blocked_tasks:
            for check in task.blocking:
                if check.decision is ScpDecision.IMPLICITLY_DENIED and check.level:
                    allow_at.setdefault(check.level, set()).update(
                        a for a, _ in TASK_ACTIONS[task.task]
                    )
                    accounts.setdefault(f"level:{check.level}", set()).add(row.account.id)
                for ref in check.statements:
                    if ref.index is None:
                        unfixable.append(f"{ref.policy_name} ({ref.policy_id}) cannot be read")
                        continue
                    denying.setdefault(ref.policy_id, set()).add(ref.index)
                    accounts.setdefault(ref.policy_id, set()).add(row.account.id)
    fixes: list[ScpFix] = []
    added: dict[str, set[str]] = {}
    for target, actions in allow_at.items():
        customer = levels.get(target, ())
        if not customer:
            unfixable.append(
                f"nothing at {target} allows the tasks and no customer SCP is attached there: "
                f"attach {FULL_ACCESS} or an SCP allowing them"
            )
            continue
        added.setdefault(customer[0], set()).update(actions)
        accounts.setdefault(customer[0], set()).update(accounts.get(f"level:{target}", set()))
    for policy_id in sorted(set(denying) | set(added)):
        detail = scp_api.describe(ctx.aws, policy_id)
        before = json.loads(detail.content)
        try:
            after = pattern.with_exemptions(before, sorted(denying.get(policy_id, ())))
        except pattern.CannotExempt as exc:
            unfixable.append(f"{detail.summary.name} ({policy_id}): {exc}")
            continue
        changed = sorted(denying.get(policy_id, ()))
        if policy_id in added:
            after = pattern.with_statement(
                after, pattern.allow_root_sessions(sorted(added[policy_id]))
            )
            changed.append(len(after["Statement"]) - 1)
        what = []
        if policy_id in denying:
            numbers = ", ".join(str(i + 1) for i in sorted(denying[policy_id]))
            what.append(f"exempt root task sessions from statement(s) {numbers}")
        if policy_id in added:
            what.append("allow the task sessions' actions for root task sessions")
        fixes.append(
            ScpFix(
                policy_id, detail.summary.name, scp_api.targets_of(ctx.aws, policy_id),
                json.dumps(before, indent=2), json.dumps(after, indent=2), tuple(changed),
                tuple(sorted(accounts.get(policy_id, ()))),
                f"{detail.summary.name} ({policy_id}): {' and '.join(what)}",
            )
        )  # fmt: skip
    return tuple(fixes), tuple(dict.fromkeys(unfixable))


def apply_fixes(
    ctx: Context,
    org: Organization,
    fixes: Sequence[ScpFix],
    unfixable: Sequence[str],
    *,
    dry_run: bool,
) -> GuardrailChange:
    """Each fix: the SCP re-read (left alone if it changed since it was planned), its
    document saved in the journal with the new one next to it, then UpdatePolicy."""
    run_id = ctx.new_run_id()
    steps = []
    for fix in fixes:
        description = f"update {fix.name} ({fix.policy_id})"
        if dry_run:
            steps.append(GuardrailStep(description, StepState.PLANNED))
            continue
        now = scp_api.describe(ctx.aws, fix.policy_id).content
        if json.loads(now) != json.loads(fix.before):
            steps.append(
                GuardrailStep(
                    description,
                    StepState.FAILED,
                    "it changed since it was read: left alone; run again",
                )
            )
            continue
        saved = ResourcePolicy(
            org.management_account_id,
            OrgPolicyKind.SERVICE_CONTROL_POLICY,
            fix.policy_id,
            None,
            now,
        )
        steps.append(
            _step(
                ctx, run_id, "update-scp", fix.policy_id, description,
                lambda fix=fix: scp_api.update_content(ctx.aws, fix.policy_id, fix.after),  # type: ignore[misc]
                saved=saved, replacement=fix.after,
            )
        )  # fmt: skip
    return GuardrailChange(
        GuardrailOperation.FIX_EXISTING, tuple(steps), dry_run, None, tuple(fixes), tuple(unfixable)
    )


# -- the staged rollout ------------------------------------------------------------------------


def stage(ctx: Context, org: Organization, report: ScpAuditReport) -> GuardrailStage:
    """Where the guardrail is, and per OU what its accounts' verdicts say to do next:
    pilot OU → doctor → delete credentials there → widen."""
    existing = find(ctx)
    attached = set(scp_api.targets_of(ctx.aws, existing.policy_id)) if existing else set()
    rows = {r.account.id: r for r in report.accounts}
    units = [(org.root_id, ("Root",), None)] + [
        (u.id, u.path, u.parent_id) for u in org.units if u.id != org.root_id
    ]
    parent_of = {u.id: u.parent_id for u in org.units}
    found = []
    for target, path, _parent in units:
        chain, cursor = [], target
        while cursor:
            chain.append(cursor)
            cursor = parent_of.get(cursor)  # type: ignore[assignment]
        chain.append(org.root_id)
        where = (
            "attached" if target in attached else "inherited" if attached & set(chain) else "absent"
        )
        below = org.accounts_under(target) if target != org.root_id else org.accounts
        verdicts = {v.value: 0 for v in COUNTED_VERDICTS}
        for account in below:
            row = rows.get(account.id)
            if row is not None and row.state.value in verdicts:
                verdicts[row.state.value] += 1
        found.append(StageUnit(target, path, where, verdicts, _next_step(where, verdicts)))
    return GuardrailStage(existing.policy_id if existing else None, tuple(found), report)


def _next_step(where: str, verdicts: dict[str, int]) -> str:
    if verdicts[ScpVerdict.TASKS_BLOCKED.value]:
        return "fix the SCPs that block task sessions: rootctl scp guardrail --fix-existing"
    if not sum(verdicts.values()):
        return "no member accounts"
    if verdicts[ScpVerdict.GUARDED.value] == sum(verdicts.values()):
        return "guarded: verify (rootctl doctor), delete root credentials here, then widen"
    if where == "absent":
        return "pilot: rootctl scp guardrail --apply --ou <this OU>"
    if verdicts[ScpVerdict.UNDECIDABLE.value] or verdicts[ScpVerdict.UNGUARDED.value]:
        return "check the undecided or unguarded accounts (rootctl scp audit)"
    return "wait for the failed accounts, then verify (rootctl doctor)"
