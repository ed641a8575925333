"""Making change-control plans: a fresh read of every selected account, and the exact items
to change, each with what makes it *that* item (a key id, a login profile's creation time, a
policy's SHA-256).

Deletion plans come from the deletion engine's own planning (:func:`rootctl.core.deletion.
plan`): one audit path. Recovery plans record that an account has no login profile; unlock
plans record each named bucket's or queue's policy hash; lock-out fix plans come from a
lock-out scan and :func:`rootctl.core.lockout_fix.plan`: each fix with the hash of the policy
as scanned and, for a correction, the corrected document.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from rootctl.aws.root_session import RootSession
from rootctl.core import deletion
from rootctl.core.context import Context
from rootctl.core.fanout import Run, in_root_sessions
from rootctl.core.planfile import policy_hash
from rootctl.errors import NotFound
from rootctl.models import (
    Account,
    AccountPlanning,
    ChangePlan,
    CredentialKind,
    DeletionPlan,
    FixAction,
    ItemKind,
    LeftOut,
    LockoutReport,
    PlanItem,
    PlannedFix,
    PlanningState,
    PlanOperation,
    PlanState,
    PlanTarget,
    ResourceKind,
    ScanState,
    TargetSet,
    TaskPolicy,
)
from rootctl.validation import bucket_name, queue_name

DEFAULT_EXPIRY = timedelta(hours=24)
MAX_EXPIRY = timedelta(days=30)
LOGIN_PROFILE = "login-profile"


@dataclass(frozen=True)
class PlanTerms:
    """What the planner decides besides the items."""

    expires_in: timedelta = DEFAULT_EXPIRY
    required_approvals: int = 1
    comment: str | None = None


def from_deletion(ctx: Context, planned: DeletionPlan, terms: PlanTerms) -> ChangePlan:
    """A change plan of exactly the items a deletion plan (a fresh audit) found."""
    rows = tuple(
        AccountPlanning(
            row.account,
            _planning_state(row.state),
            tuple(_credential_item(i.kind, i.id, i.created, i.detail) for i in row.items),
            row.reason,
        )
        for row in planned.accounts
    )
    return _assemble(
        ctx, PlanOperation.DELETE_CREDENTIALS, planned.organization_id, rows, terms, planned.kinds
    )


def deletion_plan(
    ctx: Context, targets: TargetSet, kinds: Sequence[CredentialKind], terms: PlanTerms, run: Run
) -> ChangePlan:
    return from_deletion(ctx, deletion.plan(ctx, targets, kinds, run), terms)


def recovery_plan(ctx: Context, targets: TargetSet, terms: PlanTerms, run: Run) -> ChangePlan:
    """Accounts whose root user has no login profile now; allowing recovery creates one."""
    ctx.require(TaskPolicy.CREATE_PASSWORD.capability)

    def look(session: RootSession, account: Account, _cancel: threading.Event) -> AccountPlanning:
        profile = session.login_profile()
        if profile is not None:
            when = f"{profile.created:%Y-%m-%d %H:%M:%S} UTC" if profile.created else "earlier"
            reason = f"recovery is already allowed (login profile created {when})"
            return AccountPlanning(account, PlanningState.NOTHING_TO_DO, reason=reason)
        item = PlanItem(ItemKind.RECOVERY, LOGIN_PROFILE, detail="no login profile now")
        return AccountPlanning(account, PlanningState.PLANNED, (item,))

    fan = in_root_sessions(
        ctx, targets.selected, TaskPolicy.AUDIT, look, AccountPlanning, run, skipped=targets
    )
    operation = PlanOperation.ALLOW_PASSWORD_RECOVERY
    return _assemble(ctx, operation, targets.organization_id, fan.rows, terms)


def unlock_plan(
    ctx: Context,
    targets: TargetSet,
    kind: ResourceKind,
    resources: Sequence[str],
    terms: PlanTerms,
    run: Run,
) -> ChangePlan:
    """Each named bucket (or queue) found in a selected account, with its policy's hash."""
    check = bucket_name if kind is ResourceKind.S3_BUCKET else queue_name
    wanted = tuple(dict.fromkeys(check(r) for r in resources))
    ctx.require(kind.task_policy.capability)

    def look(session: RootSession, account: Account, _cancel: threading.Event) -> AccountPlanning:
        store = session.policies(kind)
        found = [name for name in store.names() if _named(kind, name, wanted)]
        items: list[PlanItem] = []
        without: list[str] = []
        for resource in found:
            try:
                current = store.get(resource)
            except NotFound:
                continue  # deleted between the listing and the read
            if current.policy is None:
                without.append(current.resource)
                continue
            items.append(
                PlanItem(
                    ItemKind.of(kind),
                    current.resource,
                    policy_sha256=policy_hash(current.policy),
                    region=current.region,
                    detail=f"{len(current.policy)} characters",
                )
            )
        if items:
            return AccountPlanning(account, PlanningState.PLANNED, tuple(items))
        noun = "bucket" if kind is ResourceKind.S3_BUCKET else "queue"
        reason = (
            f"no policy on {', '.join(without)}" if without else f"none of the named {noun}s here"
        )
        return AccountPlanning(account, PlanningState.NOTHING_TO_DO, reason=reason)

    fan = in_root_sessions(
        ctx, targets.selected, kind.task_policy, look, AccountPlanning, run, skipped=targets
    )
    return _assemble(ctx, PlanOperation.unlock(kind), targets.organization_id, fan.rows, terms)


def from_lockouts(
    ctx: Context, report: LockoutReport, fixes: Sequence[PlannedFix], terms: PlanTerms
) -> ChangePlan:
    """A change plan of exactly the fixes planned from ``report`` (a fresh scan). Fixes that
    cannot be made (a policy that does not parse, asked to be corrected) are left out, said
    why."""
    by_account: dict[str, list[PlannedFix]] = {}
    for fix in fixes:
        by_account.setdefault(fix.finding.account_id, []).append(fix)
    rows: list[AccountPlanning] = []
    skipped: list[LeftOut] = []
    for row in report.accounts:
        mine = by_account.get(row.account.id, [])
        items = tuple(_fix_item(f) for f in mine if f.action is not FixAction.SKIP)
        skips = "; ".join(
            f"{f.finding.short_kind}:{f.finding.name}: {f.reason}"
            for f in mine
            if f.action is FixAction.SKIP
        )
        if items:
            rows.append(AccountPlanning(row.account, PlanningState.PLANNED, items))
            if skips:
                skipped.append(
                    LeftOut(row.account.id, row.account.name, PlanningState.SKIPPED.value, skips)
                )
        elif skips:
            rows.append(AccountPlanning(row.account, PlanningState.SKIPPED, reason=skips))
        else:
            rows.append(
                AccountPlanning(row.account, _scan_state(row.state), reason=row.reason)
                if row.state is not ScanState.CLEAN
                else AccountPlanning(
                    row.account, PlanningState.NOTHING_TO_DO, reason="no lock-out found"
                )
            )
    plan = _assemble(ctx, PlanOperation.FIX_LOCKOUTS, report.organization_id, rows, terms)
    return replace(plan, left_out=plan.left_out + tuple(skipped))


def _fix_item(fix: PlannedFix) -> PlanItem:
    finding = fix.finding
    return PlanItem(
        ItemKind.of(finding.kind),
        finding.resource,
        policy_sha256=policy_hash(finding.policy),
        region=finding.region,
        detail=f"{finding.lockout.value}: {fix.reason}",
        action=fix.action,
        replacement=fix.replacement,
    )


def _scan_state(state: ScanState) -> PlanningState:
    """An account without a fix: why (a scan that could not read everything has failed)."""
    return {
        ScanState.SKIPPED: PlanningState.SKIPPED,
        ScanState.NOT_RUN: PlanningState.NOT_RUN,
    }.get(state, PlanningState.FAILED)


def _named(kind: ResourceKind, resource: str, wanted: Sequence[str]) -> bool:
    """A bucket by its name; a queue by its URL or by the name at the end of its URL."""
    if kind is ResourceKind.S3_BUCKET:
        return resource in wanted
    return resource in wanted or resource.rstrip("/").rsplit("/", 1)[-1] in wanted


def _credential_item(
    kind: CredentialKind, item_id: str, created: datetime | None, detail: str
) -> PlanItem:
    return PlanItem(ItemKind.of(kind), item_id, created_at=created, detail=detail)


def _planning_state(state: PlanState) -> PlanningState:
    return {
        PlanState.TO_DELETE: PlanningState.PLANNED,
        PlanState.NOTHING_TO_DELETE: PlanningState.NOTHING_TO_DO,
        PlanState.SKIPPED: PlanningState.SKIPPED,
        PlanState.FAILED: PlanningState.FAILED,
        PlanState.NOT_RUN: PlanningState.NOT_RUN,
    }[state]


def _assemble(
    ctx: Context,
    operation: PlanOperation,
    organization_id: str,
    rows: Sequence[AccountPlanning],
    terms: PlanTerms,
    kinds: Sequence[CredentialKind] = (),
) -> ChangePlan:
    created = ctx.now()
    return ChangePlan(
        id=str(uuid.uuid4()),
        operation=operation,
        organization_id=organization_id,
        planner_arn=ctx.caller().arn,
        created_at=created,
        expires_at=created + terms.expires_in,
        required_approvals=terms.required_approvals,
        targets=tuple(
            PlanTarget(r.account.id, r.account.name, r.items)
            for r in rows
            if r.state is PlanningState.PLANNED
        ),
        left_out=tuple(
            LeftOut(r.account.id, r.account.name, r.state.value, r.reason)
            for r in rows
            if r.state is not PlanningState.PLANNED
        ),
        kinds=tuple(kinds),
        region=ctx.aws.region,
        comment=terms.comment,
    )
