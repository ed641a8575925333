"""Leases and watch state in the SQLite journal: one ``rootctl watch`` per journal.

A lease is a row ``(name, holder, expires_at)`` written with a conditional write inside an
immediate transaction: it is taken only when nobody holds it or its holder stopped renewing it
(``expires_at`` passed: the process died or hung), renewed only by its holder, and released by
its holder. The watch state is the last check's violation keys, so "new violations" survive a
restart and ``watch --once`` from cron alerts once per violation, not once per run.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from rootctl.errors import JournalUnavailable
from rootctl.journal import rows
from rootctl.models import Lease


@runtime_checkable
class LeaseStore(Protocol):
    """What ``watch`` needs of a journal besides the actions (SQLite and DynamoDB alike)."""

    def acquire_lease(self, name: str, holder: str, ttl: timedelta) -> Lease: ...

    def renew_lease(self, name: str, holder: str, ttl: timedelta) -> bool: ...

    def release_lease(self, name: str, holder: str) -> None: ...

    def load_watch_state(self, name: str) -> str | None: ...

    def save_watch_state(self, name: str, state: str) -> None: ...


class SqliteLeases:
    """Mixed into :class:`~rootctl.journal.sqlite.SqliteJournal`."""

    _lock: threading.Lock
    _writable: Callable[[], sqlite3.Connection]
    _unavailable: Callable[[str, BaseException], JournalUnavailable]

    def acquire_lease(self, name: str, holder: str, ttl: timedelta) -> Lease:
        """Take ``name`` for ``holder`` when free or stale; else return who holds it
        (``Lease.held`` is False)."""
        now = datetime.now(UTC)
        with self._lock:
            db = self._writable()
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    row = db.execute(
                        "SELECT holder, acquired_at, expires_at FROM leases WHERE name = ?", (name,)
                    ).fetchone()
                    if row is not None and row[0] != holder:
                        expires = datetime.fromisoformat(row[2])
                        if expires > now:
                            db.execute("ROLLBACK")
                            return Lease(
                                name, row[0], datetime.fromisoformat(row[1]), expires, held=False
                            )
                    db.execute(
                        "INSERT OR REPLACE INTO leases (name, holder, acquired_at, expires_at)"
                        " VALUES (?, ?, ?, ?)",
                        (name, holder, rows.stamp(now), rows.stamp(now + ttl)),
                    )
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise self._unavailable("cannot write to", exc) from None
        stale = row[0] if row is not None and row[0] != holder else None
        return Lease(name, holder, now, now + ttl, held=True, taken_over_from=stale)

    def renew_lease(self, name: str, holder: str, ttl: timedelta) -> bool:
        """Extend the lease; False when ``holder`` no longer has it (taken over)."""
        expires = rows.stamp(datetime.now(UTC) + ttl)
        with self._lock:
            try:
                cursor = self._writable().execute(
                    "UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?",
                    (expires, name, holder),
                )
            except sqlite3.Error as exc:
                raise self._unavailable("cannot write to", exc) from None
        return cursor.rowcount == 1

    def release_lease(self, name: str, holder: str) -> None:
        with self._lock:
            try:
                self._writable().execute(
                    "DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder)
                )
            except sqlite3.Error as exc:
                raise self._unavailable("cannot write to", exc) from None

    def load_watch_state(self, name: str) -> str | None:
        with self._lock:
            try:
                row = (
                    self._writable()
                    .execute("SELECT state FROM watch_state WHERE name = ?", (name,))
                    .fetchone()
                )
            except sqlite3.Error as exc:
                raise self._unavailable("cannot read", exc) from None
        return None if row is None else str(row[0])

    def save_watch_state(self, name: str, state: str) -> None:
        with self._lock:
            try:
                self._writable().execute(
                    "INSERT OR REPLACE INTO watch_state (name, state, updated_at) VALUES (?, ?, ?)",
                    (name, state, rows.stamp(datetime.now(UTC))),
                )
            except sqlite3.Error as exc:
                raise self._unavailable("cannot write to", exc) from None
