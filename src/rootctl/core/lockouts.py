"""`find-lockouts`: every bucket and queue of the targeted accounts whose policy locks the
account out, classified (rootctl.policy.lockouts) with the statement quoted.

Per account, on the engine's fan-out: an ``S3UnlockBucketPolicy`` session (ListBuckets with
each bucket's Region, then GetBucketPolicy for every bucket side by side, each in its own
Region) and an ``SQSUnlockQueuePolicy`` session (ListQueues in every asked Region side by side,
then GetQueueAttributes(Policy) for every queue side by side). An opt-in Region the account has
not enabled refuses the session's credentials; that is reported as "not enabled", not as a
failure. Nothing is changed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from rootctl.aws.regions import region_not_enabled
from rootctl.aws.resource_policies import BucketPolicies, QueuePolicies
from rootctl.aws.root_session import RootSession
from rootctl.core.context import SESSION_SECONDS, Context
from rootctl.core.fanout import Run, fan_out
from rootctl.errors import InputError, RootctlError
from rootctl.models import (
    Account,
    AccountLockouts,
    LockingStatement,
    LockoutClass,
    LockoutReport,
    RegionScan,
    RegionState,
    ResourceKind,
    ResourceLockout,
    ResourcePolicy,
    ScanState,
    TargetSet,
)
from rootctl.policy import lockouts as analysis

T = TypeVar("T")
GLOBAL = "global"  # the S3 bucket listing, which is not per Region
SERVICE = {ResourceKind.S3_BUCKET: "s3", ResourceKind.SQS_QUEUE: "sqs"}


@dataclass(frozen=True)
class Scope:
    """What to look at: the kinds, the Regions (None: every bucket, and queues in the
    engine's Region), and which classes are findings to report."""

    kinds: tuple[ResourceKind, ...]
    regions: tuple[str, ...] | None
    classes: tuple[LockoutClass, ...]
    organization_id: str
    home_region: str

    @property
    def queue_regions(self) -> tuple[str, ...]:
        return self.regions if self.regions is not None else (self.home_region,)


def resource_arn(kind: ResourceKind, account_id: str, name: str, region: str | None) -> str:
    if kind is ResourceKind.S3_BUCKET:
        return f"arn:aws:s3:::{name}"
    return f"arn:aws:sqs:{region or '*'}:{account_id}:{name}"


def classify(policy: ResourcePolicy, organization_id: str) -> ResourceLockout:
    """One resource's policy, classified; ``corrected`` is the policy without its locking
    statements (None when nothing would remain)."""
    name = policy.resource.rstrip("/").rsplit("/", 1)[-1]
    kind = ResourceKind(policy.kind)
    guarded = analysis.GuardedResource(
        SERVICE[kind],
        resource_arn(kind, policy.account_id, name, policy.region),
        policy.account_id,
        policy.region,
        organization_id,
    )
    text = policy.policy or ""
    found = analysis.classify(text, guarded)
    return ResourceLockout(
        account_id=policy.account_id,
        kind=kind,
        name=name,
        resource=policy.resource,
        region=policy.region,
        lockout=LockoutClass(found.lockout.value),
        reason=found.reason,
        statements=tuple(
            LockingStatement(
                s.index,
                s.sid,
                LockoutClass(s.lockout.value),
                s.denied_actions,
                s.who_gets_in,
                s.reason,
                s.statement,
            )
            for s in found.statements
        ),
        policy=text,
        corrected=None if found.corrected is None else json.dumps(found.corrected, indent=2),
    )


def _attempt(call: Callable[[], T]) -> T | RootctlError:
    try:
        return call()
    except RootctlError as exc:
        return exc


def _side_by_side(session: RootSession, calls: Sequence[Callable[[], T]]) -> list[T | RootctlError]:
    if not calls:
        return []
    return session.parallel([partial(_attempt, call) for call in calls])


def _read_all(
    session: RootSession,
    reads: Sequence[tuple[str, Callable[[], ResourcePolicy]]],
    kind: ResourceKind,
) -> tuple[list[ResourcePolicy], list[RegionScan]]:
    """Every policy read, and a failed scan for each read that was refused."""
    policies: list[ResourcePolicy] = []
    failures: list[RegionScan] = []
    for (region, _), result in zip(
        reads, _side_by_side(session, [r for _, r in reads]), strict=True
    ):
        if isinstance(result, RootctlError):
            failures.append(RegionScan(kind, region, RegionState.FAILED, 1, str(result)))
        elif result.policy is not None:
            policies.append(result)
    return policies, failures


def scan_buckets(
    session: RootSession, scope: Scope
) -> tuple[list[ResourcePolicy], list[RegionScan]]:
    store = session.policies(ResourceKind.S3_BUCKET)
    assert isinstance(store, BucketPolicies)
    buckets = [
        (name, region)
        for name, region in store.buckets()
        if scope.regions is None or region in scope.regions
    ]
    reads = [(region or GLOBAL, partial(store.read, name, region)) for name, region in buckets]
    policies, failures = _read_all(session, reads, ResourceKind.S3_BUCKET)
    listed = RegionScan(ResourceKind.S3_BUCKET, GLOBAL, RegionState.SCANNED, len(buckets))
    return policies, [listed, *failures]


def scan_queues(
    session: RootSession, scope: Scope
) -> tuple[list[ResourcePolicy], list[RegionScan]]:
    store = session.policies(ResourceKind.SQS_QUEUE)
    assert isinstance(store, QueuePolicies)
    regions = scope.queue_regions
    listings = _side_by_side(session, [partial(store.queue_urls, r) for r in regions])
    worked = any(not isinstance(found, RootctlError) for found in listings)
    scans: list[RegionScan] = []
    reads: list[tuple[str, Callable[[], ResourcePolicy]]] = []
    for region, found in zip(regions, listings, strict=True):
        if isinstance(found, RootctlError):
            # The same credentials worked elsewhere: refused here means not enabled here.
            state = (
                RegionState.NOT_ENABLED
                if worked and region_not_enabled(found)
                else (RegionState.FAILED)
            )
            reason = (
                "the Region is not enabled for the account"
                if state is (RegionState.NOT_ENABLED)
                else str(found)
            )
            scans.append(RegionScan(ResourceKind.SQS_QUEUE, region, state, 0, reason))
            continue
        scans.append(RegionScan(ResourceKind.SQS_QUEUE, region, RegionState.SCANNED, len(found)))
        reads += [(region, partial(store.read, url, region)) for url in found]
    policies, failures = _read_all(session, reads, ResourceKind.SQS_QUEUE)
    return policies, scans + failures


_SCANNERS = {ResourceKind.S3_BUCKET: scan_buckets, ResourceKind.SQS_QUEUE: scan_queues}


def scan_account(
    ctx: Context, account: Account, scope: Scope, cancel: threading.Event
) -> AccountLockouts:
    resources: list[ResourceLockout] = []
    scans: list[RegionScan] = []
    for kind in scope.kinds:
        if cancel.is_set():
            scans.append(RegionScan(kind, GLOBAL, RegionState.FAILED, 0, "interrupted"))
            continue
        task = kind.task_policy
        try:
            with ctx.aws.assume_root(account.id, task, SESSION_SECONDS[task]) as session:
                policies, found = _SCANNERS[kind](session, scope)
        except RootctlError as exc:
            scans.append(RegionScan(kind, GLOBAL, RegionState.FAILED, 0, str(exc)))
            continue
        scans += found
        resources += [classify(p, scope.organization_id) for p in policies]
    return _row(account, scope, resources, scans)


def _row(
    account: Account, scope: Scope, resources: list[ResourceLockout], scans: list[RegionScan]
) -> AccountLockouts:
    kept = tuple(r for r in resources if not r.lockout.is_finding or r.lockout in scope.classes)
    failed = [s for s in scans if s.state is RegionState.FAILED]
    if any(r.lockout.is_finding for r in kept):
        state = ScanState.LOCKED
    elif failed and len(failed) == len(scans):
        state = ScanState.FAILED
    elif failed:
        state = ScanState.INCOMPLETE
    else:
        state = ScanState.CLEAN
    reason = "; ".join(dict.fromkeys(f.reason or "" for f in failed)) or None
    return AccountLockouts(account, state, kept, tuple(scans), reason)


def checked_regions(
    regions: Sequence[str] | str | None, known: Sequence[str]
) -> tuple[str, ...] | None:
    """``"all"``: every Region of the partition SQS is offered in; a list: each one known."""
    if regions is None:
        return None
    if isinstance(regions, str):
        regions = [regions]
    if list(regions) == ["all"]:
        return tuple(known)
    unknown = [r for r in regions if r not in known]
    if unknown:
        raise InputError(
            f"unknown Region {unknown[0]!r}: SQS is offered in {', '.join(known)} "
            "(or pass --regions all)."
        )
    return tuple(dict.fromkeys(regions))


def find_lockouts(ctx: Context, target_set: TargetSet, scope: Scope, run: Run) -> LockoutReport:
    for kind in scope.kinds:
        ctx.require(kind.task_policy.capability)

    def work(account: Account, cancel: threading.Event) -> AccountLockouts:
        return scan_account(ctx, account, scope, cancel)

    fan = fan_out(target_set.selected, work, AccountLockouts, run, skipped=target_set)
    return LockoutReport(
        target_set.organization_id,
        fan.rows,
        fan.interrupted,
        kinds=scope.kinds,
        regions=scope.queue_regions if ResourceKind.SQS_QUEUE in scope.kinds else (),
    )


def statement_text(statement: Any) -> str:
    return json.dumps(statement, indent=2, ensure_ascii=False)
