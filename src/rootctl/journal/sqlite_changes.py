"""Plan approvals, plan uses and recovery windows in the journal's SQLite file (schema
migration 5): the SQLite backend of :mod:`rootctl.journal.changes`."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rootctl.errors import InputError
from rootctl.journal.rows import stamp
from rootctl.models import Approval, Baseline, PlanUse, RecoveryWindow, WindowState

if TYPE_CHECKING:
    from rootctl.journal.sqlite import SqliteJournal

_ACTIVE = tuple(s.value for s in WindowState if s.active)


def _moment(text: object) -> datetime:
    moment = datetime.fromisoformat(str(text))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _maybe(text: object) -> datetime | None:
    return None if text is None else _moment(text)


class SqlitePlanLedger:
    def __init__(self, journal: SqliteJournal) -> None:
        self._journal = journal

    def record_approval(self, plan_hash: str, approval: Approval) -> None:
        self._journal.write(
            lambda db: db.execute(
                "INSERT OR IGNORE INTO plan_approvals (plan_hash, approver_arn, approved_at)"
                " VALUES (?, ?, ?)",
                (plan_hash, approval.approver_arn, stamp(approval.approved_at)),
            )
        )

    def approvals(self, plan_hash: str) -> list[Approval]:
        def read(db: sqlite3.Connection) -> list[Approval]:
            rows = db.execute(
                "SELECT approver_arn, approved_at FROM plan_approvals WHERE plan_hash = ?"
                " ORDER BY approved_at",
                (plan_hash,),
            ).fetchall()
            return [Approval(str(arn), _moment(at), plan_hash) for arn, at in rows]

        return self._journal.read(read, [])

    def claim(self, use: PlanUse) -> PlanUse | None:
        try:
            self._journal.write(
                lambda db: db.execute(
                    "INSERT INTO plan_uses (plan_hash, plan_id, run_id, applied_by, started_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (use.plan_hash, use.plan_id, use.run_id, use.applied_by, stamp(use.started_at)),
                )
            )
        except sqlite3.IntegrityError:
            return self.use(use.plan_hash) or use
        return None

    def finish(self, plan_hash: str, outcome: str, finished_at: datetime) -> None:
        self._journal.write(
            lambda db: db.execute(
                "UPDATE plan_uses SET outcome = ?, finished_at = ? WHERE plan_hash = ?",
                (outcome, stamp(finished_at), plan_hash),
            )
        )

    def use(self, plan_hash: str) -> PlanUse | None:
        def read(db: sqlite3.Connection) -> PlanUse | None:
            row = db.execute(
                "SELECT plan_hash, plan_id, run_id, applied_by, started_at, finished_at, outcome"
                " FROM plan_uses WHERE plan_hash = ?",
                (plan_hash,),
            ).fetchone()
            if row is None:
                return None
            return PlanUse(
                str(row[0]), str(row[1]), str(row[2]), str(row[3]), _moment(row[4]),
                _maybe(row[5]), None if row[6] is None else str(row[6]),
            )  # fmt: skip

        return self._journal.read(read, None)


_WINDOW_COLUMNS = (
    "id, account_id, account_name, reason, ticket, opened_by, opened_at, expires_at, state,"
    " baseline, claimed_at, closed_by, closed_at, note, evidence"
)


def _window(row: tuple[Any, ...]) -> RecoveryWindow:
    baseline = json.loads(row[9] or "{}")
    return RecoveryWindow(
        id=int(row[0]),
        account_id=str(row[1]),
        account_name=row[2],
        reason=str(row[3]),
        ticket=row[4],
        opened_by=str(row[5]),
        opened_at=_moment(row[6]),
        expires_at=_moment(row[7]),
        state=WindowState(row[8]),
        baseline=Baseline(
            tuple(baseline.get("access_keys", ())),
            tuple(baseline.get("mfa_devices", ())),
            tuple(baseline.get("signing_certificates", ())),
        ),
        claimed_at=_maybe(row[10]),
        closed_by=row[11],
        closed_at=_maybe(row[12]),
        note=row[13],
        evidence=row[14],
    )


class SqliteWindowStore:
    def __init__(self, journal: SqliteJournal) -> None:
        self._journal = journal

    def open(self, window: RecoveryWindow) -> RecoveryWindow:
        baseline = {
            "access_keys": list(window.baseline.access_keys),
            "mfa_devices": list(window.baseline.mfa_devices),
            "signing_certificates": list(window.baseline.signing_certificates),
        }

        def insert(db: sqlite3.Connection) -> int:
            cursor = db.execute(
                "INSERT INTO recovery_windows (account_id, account_name, reason, ticket,"
                " opened_by, opened_at, expires_at, state, baseline)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    window.account_id,
                    window.account_name,
                    window.reason,
                    window.ticket,
                    window.opened_by,
                    stamp(window.opened_at),
                    stamp(window.expires_at),
                    WindowState.OPEN.value,
                    json.dumps(baseline),
                ),
            )
            return int(cursor.lastrowid or 0)

        try:
            window_id = self._journal.write(insert)
        except sqlite3.IntegrityError:
            active = self.windows(account_id=window.account_id, active_only=True)
            what = f" (#{active[0].id}, until {stamp(active[0].expires_at)})" if active else ""
            raise InputError(
                f"account {window.account_id} already has a recovery window that is not "
                f"closed{what}; close it first."
            ) from None
        stored = self.window(window_id)
        assert stored is not None  # written just above
        return stored

    def window(self, window_id: int) -> RecoveryWindow | None:
        def read(db: sqlite3.Connection) -> RecoveryWindow | None:
            row = db.execute(
                f"SELECT {_WINDOW_COLUMNS} FROM recovery_windows WHERE id = ?",  # noqa: S608
                (window_id,),
            ).fetchone()
            return None if row is None else _window(row)

        return self._journal.read(read, None)

    def windows(
        self,
        *,
        account_id: str | None = None,
        active_only: bool = False,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[RecoveryWindow]:
        active = f"state IN ({', '.join('?' * len(_ACTIVE))})"
        conditions: list[str] = []
        params: list[object] = []
        if active_only:
            conditions.append(active)
            params += _ACTIVE
        elif since is not None:
            conditions.append(f"({active} OR opened_at >= ?)")
            params += [*_ACTIVE, stamp(since)]
        if account_id is not None:
            conditions.append("account_id = ?")
            params.append(account_id)
        sql = (
            f"SELECT {_WINDOW_COLUMNS} FROM recovery_windows"  # noqa: S608 - our columns only
            f" WHERE {' AND '.join(conditions) or '1'} ORDER BY id DESC"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return self._journal.read(lambda db: [_window(r) for r in db.execute(sql, params)], [])

    def claim(
        self, window_id: int, closer_arn: str, now: datetime, stale_before: datetime
    ) -> RecoveryWindow | None:
        def update(db: sqlite3.Connection) -> int:
            cursor = db.execute(
                "UPDATE recovery_windows SET state = ?, claimed_by = ?, claimed_at = ?"
                " WHERE id = ? AND (state IN (?, ?) OR (state = ? AND claimed_at < ?))",
                (
                    WindowState.CLOSING.value,
                    closer_arn,
                    stamp(now),
                    window_id,
                    WindowState.OPEN.value,
                    WindowState.CLOSE_FAILED.value,
                    WindowState.CLOSING.value,
                    stamp(stale_before),
                ),
            )
            return cursor.rowcount

        if self._journal.write(update) != 1:
            return None
        return self.window(window_id)

    def finish(
        self,
        window_id: int,
        state: WindowState,
        *,
        at: datetime,
        by: str | None = None,
        note: str | None = None,
        evidence: str | None = None,
    ) -> RecoveryWindow:
        closed = state is WindowState.CLOSED
        self._journal.write(
            lambda db: db.execute(
                "UPDATE recovery_windows SET state = ?, note = ?, evidence = ?,"
                " closed_by = ?, closed_at = ? WHERE id = ?",
                (
                    state.value,
                    note,
                    evidence,
                    by if closed else None,
                    stamp(at) if closed else None,
                    window_id,
                ),
            )
        )
        stored = self.window(window_id)
        assert stored is not None
        return stored
