"""``watch``: check (and optionally enforce) on a schedule, one instance per journal.

Each round: audit and judge (:meth:`RootAccess.check`), compare with the last round (drift:
accounts whose credentials changed; new violations), alert on new violations, enforce the
``auto_apply`` ones when asked (never the others: they need a change plan with the file's
``enforce.approvals``), alert on the result, then wait. A lease in the journal keeps a
second watch from starting; a heartbeat renews it, so a watch that dies leaves a lease others
take over once it expires. ``stop`` (set on SIGTERM/SIGINT by the face) is also the fan-out's
cancel: accounts not started are left alone, an item being removed finishes and is journaled.
Events go to ``log`` as dicts (the CLI writes them as JSON lines); nothing here prints.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from rootctl.core.engine import RootAccess
from rootctl.core.notify import (
    Notifier,
    enforced_alert,
    removal,
    root_callers_alert,
    violations_alert,
)
from rootctl.core.root_callers import STATE_NAME as CALLERS_STATE
from rootctl.errors import InputError, RootctlError
from rootctl.journal import LeaseStore
from rootctl.models import CheckReport, CheckState, DeletionReport, DesiredState, Violation

LEASE_NAME = "watch"
LEASE_TTL = timedelta(seconds=60)
Log = Callable[[dict[str, Any]], None]


class LeaseHeld(InputError):
    """Another watch holds the journal's lease: this one does nothing."""


@dataclass
class WatchStatus:
    """What ``--metrics-port`` serves: the last round, and totals since the start."""

    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    last_report: CheckReport | None = None
    last_audit_at: datetime | None = None
    rounds: int = 0
    api_errors: int = 0
    throttles: int = 0
    removed: int = 0
    alerts_failed: int = 0
    new_root_callers: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


@dataclass(frozen=True)
class WatchOptions:
    interval: timedelta
    enforce: bool = False
    once: bool = False


class Watch:
    def __init__(
        self,
        ra: RootAccess,
        state: DesiredState,
        options: WatchOptions,
        *,
        notifier: Notifier | None = None,
        log: Log = lambda _event: None,
        stop: threading.Event | None = None,
        status: WatchStatus | None = None,
    ) -> None:
        self.ra = ra
        self.state = state
        self.options = options
        self.notifier = notifier
        self.log = log
        self.stop = stop or threading.Event()
        self.status = status or WatchStatus()
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.last: CheckReport | None = None

    # -- the lease -------------------------------------------------------------------------

    def _store(self) -> LeaseStore:
        store = self.ra.journal
        if not isinstance(store, LeaseStore):
            raise InputError(f"the journal {store.location} cannot hold the watch lease.")
        return store

    def _acquire(self) -> LeaseStore:
        self.ra.prepare_journal()
        store = self._store()
        lease = store.acquire_lease(LEASE_NAME, self.holder, LEASE_TTL)
        if not lease.held:
            raise LeaseHeld(
                f"another rootctl watch ({lease.holder}) holds the lease of the journal "
                f"{self.ra.journal.location} until {lease.expires_at:%Y-%m-%d %H:%M:%S} UTC; "
                "stop it, or use another journal."
            )
        event: dict[str, Any] = {"event": "lease-acquired", "holder": self.holder}
        if lease.taken_over_from:
            event |= {"event": "lease-taken-over", "from": lease.taken_over_from}
        self.log(event)
        return store

    def _heartbeat(self, store: LeaseStore, done: threading.Event) -> None:
        while not done.wait(LEASE_TTL.total_seconds() / 3):
            if not store.renew_lease(LEASE_NAME, self.holder, LEASE_TTL):
                self.log({"event": "lease-lost", "level": "error", "holder": self.holder})
                self.stop.set()
                return

    # -- running -----------------------------------------------------------------------------

    def run(self) -> CheckReport | None:
        """Rounds until ``stop`` (or one, with ``once``); returns the last check."""
        store = self._acquire()
        done = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(store, done), daemon=True)
        beat.start()
        try:
            while not self.stop.is_set():
                self.round(store)
                if self.options.once:
                    break
                self.stop.wait(self.options.interval.total_seconds())
        finally:
            done.set()
            beat.join()
            store.release_lease(LEASE_NAME, self.holder)
            self.log({"event": "stopped", "rounds": self.status.rounds})
        return self.last

    def round(self, store: LeaseStore) -> None:
        started = datetime.now(UTC)
        self.log({"event": "round-start", "round": self.status.rounds + 1})
        # Every round after the first reads the organization again: accounts arrive (an
        # account factory), move and get tagged while watch runs.
        report = self.ra.check(self.state, cancel=self.stop, refresh=self.status.rounds > 0)
        previous = _load(store.load_watch_state(LEASE_NAME))
        current = _state_of(report)
        new = [v for v in report.violations if _key(v) not in previous.get("violations", [])]
        drift = _drift(previous.get("credentials"), current["credentials"])
        if not report.interrupted:
            store.save_watch_state(LEASE_NAME, json.dumps(current))
        failed = [r for r in report.accounts if r.state is CheckState.FAILED]
        self.log(
            {
                "event": "checked",
                "accounts": len(report.accounts),
                "violations": len(report.violations),
                "new_violations": len(new),
                "failed": len(failed),
                "drift": drift,
                "compliant": report.compliant,
                "interrupted": report.interrupted,
                "seconds": round((datetime.now(UTC) - started).total_seconds(), 3),
            }
        )
        for v in new:
            self.log(
                {
                    "event": "violation",
                    "account_id": v.account.id,
                    "rule": v.rule.value,
                    "kinds": [k.value for k in v.kinds],
                    "auto_apply": v.auto_apply,
                    "message": v.message,
                }
            )
        with self.status.lock:
            self.status.last_report = report
            self.status.last_audit_at = datetime.now(UTC)
            self.status.rounds += 1
            self.status.api_errors += len(failed)
            self.status.throttles = self.ra.throttled_calls
        self.last = report
        if new:
            self._notify(violations_alert(self.state.source, new))
        if not self.stop.is_set():
            self._root_callers(store)
        if self.options.enforce and not self.stop.is_set():
            # Only auto_apply (the file's standing approval) is removed here; the rest waits
            # for a change plan with enforce.approvals approvals: said once, when new.
            waiting = sorted({v.account.id for v in new if v.items and not v.auto_apply})
            if waiting:
                self.log(
                    {
                        "event": "needs-approval",
                        "accounts": waiting,
                        "approvals": self.state.approvals,
                        "next": "rootctl enforce --out plan.json; rootctl approve plan.json; "
                        "rootctl apply plan.json",
                    }
                )
            fixed = self._enforce(report)
            if fixed and not report.interrupted:
                # A fixed violation that comes back is new again (and alerted again).
                kept = [k for k in current["violations"] if k not in fixed]
                store.save_watch_state(LEASE_NAME, json.dumps(current | {"violations": kept}))

    def _root_callers(self, store: LeaseStore) -> None:
        """Alert on callers that assumed root into an account for the first time since the
        last round; CloudTrail that cannot be read is one warning line, and the watch goes on."""
        try:
            found = self.ra.new_root_callers(store.load_watch_state(CALLERS_STATE))
            store.save_watch_state(CALLERS_STATE, found.state)
        except RootctlError as exc:
            self.log(
                {
                    "event": "root-activity-unreadable",
                    "level": "warning",
                    "error": " ".join(str(exc).split()),
                }
            )
            return
        if found.learned:
            self.log({"event": "root-callers-learned"})
        for s in found.new:
            self.log(
                {
                    "event": "new-root-caller",
                    "caller_arn": s.caller_arn,
                    "account_id": s.account_id,
                    "task_policy": s.task,
                    "time": s.opened_at.isoformat(),
                }
            )
        with self.status.lock:
            self.status.new_root_callers += len(found.new)
        if found.new:
            self._notify(root_callers_alert(found.new))

    def _enforce(self, report: CheckReport) -> set[str]:
        """Apply the auto_apply violations; the keys of those now entirely fixed."""
        plan = self.ra.enforcement_plan(report, auto_only=True)
        if not plan.to_delete:
            return set()
        self.log({"event": "enforce-start", "accounts": [p.account.id for p in plan.to_delete]})
        result: DeletionReport = self.ra.delete_credentials(plan, cancel=self.stop)
        removed = sum(1 for r in result.accounts for i in r.items if i.outcome.removed)
        with self.status.lock:
            self.status.removed += removed
        for row in result.accounts:
            if row.items:
                self.log({"event": "enforced", **removal(row)})
        self._notify(enforced_alert(result))
        gone = {
            (row.account.id, i.item.id)
            for row in result.accounts
            for i in row.items
            if i.outcome.removed
        }
        return {
            _key(v)
            for v in report.violations
            if v.items and all((v.account.id, i.id) in gone for i in v.items)
        }

    def _notify(self, alert: Any) -> None:
        if self.notifier is None:
            return
        for target, error in self.notifier.send(alert):
            if error is None:
                self.log({"event": "alert-sent", "alert": alert.event, "target": target})
            else:
                with self.status.lock:
                    self.status.alerts_failed += 1
                self.log(
                    {"event": "alert-failed", "level": "error", "target": target, "error": error}
                )


def _key(v: Violation) -> str:
    return "|".join((v.account.id, v.rule.value, *sorted(i.id for i in v.items)))


def _state_of(report: CheckReport) -> dict[str, Any]:
    credentials = {
        r.account.id: list(r.credentials.kinds)
        for r in report.accounts
        if r.credentials is not None
    }
    return {
        "violations": sorted(_key(v) for v in report.violations),
        "credentials": credentials,
    }


def _drift(before: dict[str, list[str]] | None, after: dict[str, list[str]]) -> list[Any]:
    """Accounts whose credential kinds changed since the last round (none on the first)."""
    if before is None:
        return []
    return [
        {"account_id": account, "before": before.get(account, []), "after": kinds}
        for account, kinds in sorted(after.items())
        if account in before and before[account] != kinds
    ]


def _load(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        loaded = json.loads(text)
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}
