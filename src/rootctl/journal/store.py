"""The journal: a SQLite (WAL) record of every privileged action.

Core writes a row *before* each privileged call (status ``intent``) and completes it after
(``succeeded``/``failed``/``interrupted``, AWS request id, error). A process killed in between
leaves the intent row, which readers show as outcome "unknown". Resource policies are backed
up here before they are deleted, so they can be re-applied.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from rootctl.errors import Advice, AdviceCode, InputError
from rootctl.models import JournalEntry, JournalStatus, ResourceKind, ResourcePolicy

ENV_VAR = "ROOTCTL_JOURNAL"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS actions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id        TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    action        TEXT NOT NULL,
    target        TEXT,
    task_policy   TEXT,
    caller_arn    TEXT,
    items         TEXT NOT NULL DEFAULT '[]',
    status        TEXT NOT NULL,
    request_id    TEXT,
    error         TEXT
);
CREATE INDEX IF NOT EXISTS actions_started ON actions(started_at);
CREATE TABLE IF NOT EXISTS saved_policies (
    action_id     INTEGER PRIMARY KEY REFERENCES actions(id),
    account_id    TEXT NOT NULL,
    kind          TEXT NOT NULL,
    resource      TEXT NOT NULL,
    region        TEXT,
    policy        TEXT NOT NULL
);
PRAGMA user_version = 1;
"""


def default_path() -> Path:
    """``$ROOTCTL_JOURNAL``, else ``$XDG_STATE_HOME/rootctl/journal.sqlite3``
    (``~/.local/state/rootctl/journal.sqlite3``)."""
    if env := os.environ.get(ENV_VAR):
        return Path(env).expanduser()
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "rootctl" / "journal.sqlite3"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Journal:
    """A journal file. Thread-safe; the file is created on first use, not on construction."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path).expanduser() if path else default_path()
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")  # an intent row must survive a kill
                conn.execute("PRAGMA busy_timeout=5000")
                conn.executescript(_SCHEMA)
            except (OSError, sqlite3.Error) as exc:
                raise InputError(
                    f"cannot open the journal {self.path}: {exc}.",
                    Advice(AdviceCode.CHOOSE_JOURNAL),
                ) from None
            self._conn = conn
        return self._conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- writing --------------------------------------------------------------------------

    def begin(
        self,
        *,
        run_id: str,
        action: str,
        target: str | None,
        task_policy: str | None,
        caller_arn: str | None,
        items: Iterable[str] = (),
        saved_policy: ResourcePolicy | None = None,
    ) -> int:
        """Write the intent row (and the backed-up policy, in the same transaction)."""
        with self._lock:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                cursor = db.execute(
                    "INSERT INTO actions (run_id, started_at, action, target, task_policy,"
                    " caller_arn, items, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        run_id,
                        _now(),
                        action,
                        target,
                        task_policy,
                        caller_arn,
                        json.dumps(list(items)),
                        JournalStatus.INTENT.value,
                    ),
                )
                entry_id = int(cursor.lastrowid or 0)
                if saved_policy is not None and saved_policy.policy is not None:
                    db.execute(
                        "INSERT INTO saved_policies VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            entry_id,
                            saved_policy.account_id,
                            saved_policy.kind.value,
                            saved_policy.resource,
                            saved_policy.region,
                            saved_policy.policy,
                        ),
                    )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return entry_id

    def finish(
        self,
        entry_id: int,
        status: JournalStatus,
        *,
        request_id: str | None = None,
        error: str | None = None,
    ) -> None:
        with self._lock:
            self._db().execute(
                "UPDATE actions SET finished_at = ?, status = ?, request_id = ?, error = ?"
                " WHERE id = ?",
                (_now(), status.value, request_id, error, entry_id),
            )

    # -- reading --------------------------------------------------------------------------

    def entries(
        self,
        *,
        since: datetime | None = None,
        limit: int | None = None,
        target: str | None = None,
        action: str | None = None,
        status: JournalStatus | None = None,
    ) -> list[JournalEntry]:
        """Rows newest first. A missing journal file reads as empty (and is not created)."""
        if self._conn is None and not self.path.exists():
            return []
        where: list[str] = []
        params: list[object] = []
        if since is not None:
            where.append("a.started_at >= ?")
            params.append(since.astimezone(UTC).isoformat(timespec="milliseconds"))
        for column, value in (("target", target), ("action", action)):
            if value is not None:
                where.append(f"a.{column} = ?")
                params.append(value)
        if status is not None:
            where.append("a.status = ?")
            params.append(status.value)
        sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY a.id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._lock:
            rows = self._db().execute(sql, params).fetchall()
        return [_entry(row) for row in rows]

    def entry(self, entry_id: int) -> JournalEntry | None:
        if self._conn is None and not self.path.exists():
            return None
        with self._lock:
            row = self._db().execute(_SELECT + " WHERE a.id = ?", (entry_id,)).fetchone()
        return _entry(row) if row else None


_SELECT = (
    "SELECT a.id, a.run_id, a.started_at, a.finished_at, a.action, a.target, a.task_policy,"
    " a.caller_arn, a.items, a.status, a.request_id, a.error,"
    " p.account_id, p.kind, p.resource, p.region, p.policy"
    " FROM actions a LEFT JOIN saved_policies p ON p.action_id = a.id"
)


def _entry(row: tuple[object, ...]) -> JournalEntry:
    (id_, run_id, started, finished, action, target, task, caller, items, status, rid, err) = row[
        :12
    ]
    p_account, p_kind, p_resource, p_region, p_policy = row[12:]
    saved = (
        ResourcePolicy(
            account_id=str(p_account),
            kind=ResourceKind(str(p_kind)),
            resource=str(p_resource),
            region=None if p_region is None else str(p_region),
            policy=str(p_policy),
        )
        if p_policy is not None
        else None
    )
    return JournalEntry(
        id=int(str(id_)),
        run_id=str(run_id),
        started_at=datetime.fromisoformat(str(started)),
        finished_at=datetime.fromisoformat(str(finished)) if finished else None,
        action=str(action),
        target=None if target is None else str(target),
        task_policy=None if task is None else str(task),
        caller_arn=None if caller is None else str(caller),
        items=tuple(json.loads(str(items))),
        status=JournalStatus(str(status)),
        request_id=None if rid is None else str(rid),
        error=None if err is None else str(err),
        saved_policy=saved,
    )
