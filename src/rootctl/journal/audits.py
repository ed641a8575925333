"""The audit history in the journal's SQLite file (its ``audits`` and ``audit_accounts``
tables, migration 3): the :class:`~rootctl.journal.history.AuditStore` of the CLI, the
dashboard and the library. It shares the journal's connections, checks and locking."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from rootctl.journal import audit_rows
from rootctl.journal.rows import stamp
from rootctl.journal.sqlite import SqliteJournal
from rootctl.models import (
    AccountAudit,
    AuditSummary,
    HistoryQuery,
    PosturePoint,
    StoredAudit,
    UnitPosture,
)

_SUMMARY = ", ".join(audit_rows.SUMMARY_COLUMNS)
_ACCOUNT = ", ".join(audit_rows.ACCOUNT_COLUMNS)


def _has_history(db: sqlite3.Connection) -> bool:
    """A journal older than the history (schema < 3) reads as having no audits."""
    found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audits'")
    return found.fetchone() is not None


def _where(query: HistoryQuery) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if query.organization_id is not None:
        clauses.append("organization_id = ?")
        params.append(query.organization_id)
    if query.since is not None:
        clauses.append("started_at >= ?")
        params.append(stamp(query.since))
    if query.until is not None:
        clauses.append("started_at <= ?")
        params.append(stamp(query.until))
    if query.before_id is not None:
        clauses.append("id < ?")
        params.append(query.before_id)
    if query.complete is not None:
        clauses.append("complete = ?")
        params.append(int(query.complete))
    sql = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    sql += " ORDER BY id DESC"
    if query.limit is not None:
        sql += " LIMIT ?"
        params.append(query.limit)
    return sql, params


class SqliteAuditStore:
    """Audits in ``journal``'s file. Nothing is created by constructing or by reading."""

    def __init__(self, journal: SqliteJournal) -> None:
        self.journal = journal

    @property
    def location(self) -> str:
        return self.journal.location

    def prepare_for_writing(self) -> None:
        self.journal.prepare_for_writing()

    def close(self) -> None:
        self.journal.close()

    def save_audit(self, audit: StoredAudit) -> int:
        with self.journal.transaction() as db:
            cursor = db.execute(
                f"INSERT INTO audits ({', '.join(audit_rows.WRITTEN_COLUMNS)})"  # noqa: S608
                f" VALUES ({', '.join('?' * len(audit_rows.WRITTEN_COLUMNS))})",
                audit_rows.summary_values(audit),
            )
            audit_id = int(cursor.lastrowid or 0)
            db.executemany(
                f"INSERT INTO audit_accounts (audit_id, position, {_ACCOUNT})"  # noqa: S608
                f" VALUES ({', '.join('?' * (len(audit_rows.ACCOUNT_COLUMNS) + 2))})",
                (
                    audit_rows.account_values(audit_id, position, row)
                    for position, row in enumerate(audit.accounts)
                ),
            )
        return audit_id

    def audits(self, query: HistoryQuery | None = None) -> list[AuditSummary]:
        where, params = _where(query or HistoryQuery())

        def read(db: sqlite3.Connection) -> list[AuditSummary]:
            if not _has_history(db):
                return []
            found = db.execute(f"SELECT {_SUMMARY} FROM audits{where}", params)  # noqa: S608
            return [audit_rows.summary(row) for row in found]

        return self.journal.read(read, [])

    def audit(self, audit_id: int) -> StoredAudit | None:
        def read(db: sqlite3.Connection) -> StoredAudit | None:
            if not _has_history(db):
                return None
            found = db.execute(
                f"SELECT {_SUMMARY}, status FROM audits WHERE id = ?",  # noqa: S608
                (audit_id,),
            ).fetchone()
            if found is None:
                return None
            summary = audit_rows.summary(found[:-1])
            rows = db.execute(
                f"SELECT {_ACCOUNT} FROM audit_accounts WHERE audit_id = ?"  # noqa: S608
                " ORDER BY position",
                (audit_id,),
            )
            return StoredAudit(
                summary,
                tuple(audit_rows.account_audit(row) for row in rows),
                audit_rows.status(found[-1], summary),
            )

        return self.journal.read(read, None)

    def posture(self, query: HistoryQuery) -> list[PosturePoint]:
        points = list(reversed(self.audits(query)))
        if not points:
            return []
        ids = [p.id for p in points]

        def read(db: sqlite3.Connection) -> list[tuple[int, str, int, int, int]]:
            marks = ", ".join("?" * len(ids))
            sql = (
                # COALESCE: a SUM over only NULLs (an OU whose every audit failed) is NULL.
                "SELECT audit_id, top_unit, COALESCE(SUM(has_credentials = 1), 0),"  # noqa: S608
                " COALESCE(SUM(has_credentials = 0), 0), SUM(has_credentials IS NULL)"
                f" FROM audit_accounts WHERE is_management = 0 AND audit_id IN ({marks})"
                " GROUP BY audit_id, top_unit ORDER BY audit_id, top_unit"
            )
            return list(db.execute(sql, ids))

        units: dict[int, list[UnitPosture]] = {i: [] for i in ids}
        none: list[tuple[int, str, int, int, int]] = []
        for audit_id, unit, with_credentials, without, unknown in self.journal.read(read, none):
            units[audit_id].append(UnitPosture(unit, with_credentials, without, unknown))
        return [PosturePoint(p.id, p.started_at, p.complete, tuple(units[p.id])) for p in points]

    def earlier_credentials(self, audit_id: int, organization_id: str) -> list[AccountAudit]:
        def read(db: sqlite3.Connection) -> list[AccountAudit]:
            if not _has_history(db):
                return []
            rows = db.execute(
                f"SELECT {_ACCOUNT} FROM audit_accounts"  # noqa: S608
                " WHERE has_credentials = 1 AND audit_id < ? AND audit_id IN"
                " (SELECT id FROM audits WHERE organization_id = ?)"
                " GROUP BY account_id, credentials",
                (audit_id, organization_id),
            )
            return [audit_rows.account_audit(row) for row in rows]

        return self.journal.read(read, [])

    def prune(self, before: datetime) -> tuple[int, int]:
        with self.journal.transaction() as db:
            old = "SELECT id FROM audits WHERE started_at < ?"
            rows = db.execute(
                f"DELETE FROM audit_accounts WHERE audit_id IN ({old})",  # noqa: S608
                (stamp(before),),
            ).rowcount
            audits = db.execute("DELETE FROM audits WHERE started_at < ?", (stamp(before),))
            return audits.rowcount, rows
