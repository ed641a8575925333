"""The journal in one SQLite file (WAL): the :class:`~rootctl.journal.store.JournalStore` of the
CLI, the dashboard and the library.

Writing goes through one read-write connection, opened by :meth:`SqliteJournal.
prepare_for_writing` after the file was checked read-only (ours, undamaged, not newer). Reading
without having prepared opens the file read-only for each call — immutable when the file system
is read-only — and never creates, upgrades or converts anything.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from rootctl.errors import JournalUnavailable
from rootctl.journal import rows, schema
from rootctl.journal.lease import SqliteLeases
from rootctl.journal.sqlite_changes import SqlitePlanLedger, SqliteWindowStore
from rootctl.models import (
    JournalQuery,
    JournalRow,
    JournalStatus,
    ResourcePolicy,
    SessionRecord,
)

T = TypeVar("T")
ENV_VAR = "ROOTCTL_JOURNAL"
BUSY_TIMEOUT_MS = 5000


def default_path() -> Path:
    """``$ROOTCTL_JOURNAL``, else ``$XDG_STATE_HOME/rootctl/journal.sqlite3``
    (``~/.local/state/rootctl/journal.sqlite3``)."""
    if env := os.environ.get(ENV_VAR):
        return Path(env).expanduser()
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "rootctl" / "journal.sqlite3"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


class SqliteJournal(SqliteLeases):
    """A journal file. Thread-safe; nothing is created on construction or by reading."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path).expanduser() if path else default_path()
        self._lock = threading.Lock()
        self._writer: sqlite3.Connection | None = None
        self.plans = SqlitePlanLedger(self)
        self.windows = SqliteWindowStore(self)

    @property
    def location(self) -> str:
        return str(self.path)

    def close(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None

    # -- preparing ------------------------------------------------------------------------

    def prepare_for_writing(self) -> None:
        with self._lock:
            self._writable()

    def _writable(self) -> sqlite3.Connection:
        if self._writer is None:
            self._writer = self._open_for_writing()
        return self._writer

    def _open_for_writing(self) -> sqlite3.Connection:
        identity = self._look(writing=True)  # before touching: ours, whole, not newer
        if identity is not None and identity.kind is not schema.Kind.NEW:
            with self._reading() as db:
                self._check_integrity(db)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = self._connect("rwc")
        except (OSError, sqlite3.Error) as exc:
            raise self._unavailable("cannot create or open", self._read_only() or exc) from None
        try:
            schema.migrate(db, self.location)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # an intent row must survive a kill
        except JournalUnavailable:
            db.close()
            raise
        except sqlite3.Error as exc:
            db.close()
            raise self._unavailable("cannot write to", self._read_only() or exc) from None
        return db

    def _read_only(self) -> sqlite3.OperationalError | None:
        """Why SQLite could not write, in plain words, when it is the file system's doing."""
        for place in (self.path, self.path.parent):
            if place.exists() and not os.access(place, os.W_OK):
                return sqlite3.OperationalError(
                    f"{place} is read-only here (a read-only file system, or no write permission)"
                )
        return None

    def _look(self, *, writing: bool) -> schema.Identity | None:
        """What the existing file is (None: there is none); raises when it must not be used.
        Most files are told apart by their header alone; for the rest SQLite looks at the
        tables, immutable when the file is in WAL mode without a WAL (so nothing is created
        next to a database that is not ours)."""
        if not self._existing_file():
            return None
        try:
            identity = schema.peek(self.path, self.location)
            if identity is None:
                wal = self.path.with_name(self.path.name + "-wal")
                immutable = schema.in_wal_mode(self.path) and not wal.exists()
                with self._reading(immutable=immutable) as db:
                    identity = schema.identify(db)
        except (OSError, sqlite3.Error) as exc:
            raise self._unavailable("cannot read", exc) from None
        if problem := schema.refusal(identity, self.location, writing=writing):
            raise problem
        return identity

    def _existing_file(self) -> bool:
        """Whether the path holds a file; raises for anything that is not a regular file."""
        if not self.path.exists():
            return False
        if self.path.is_dir():
            raise JournalUnavailable(
                f"the journal {self.location} is a directory, not a file.", schema.ADVICE
            )
        if not self.path.is_file():
            raise JournalUnavailable(
                f"the journal {self.location} is not a regular file.", schema.ADVICE
            )
        return True

    def _check_integrity(self, db: sqlite3.Connection) -> None:
        try:
            problems = [str(row[0]) for row in db.execute("PRAGMA quick_check(3)")]
        except sqlite3.Error as exc:
            raise self._unavailable("cannot use", exc) from None
        if problems != ["ok"]:
            raise self._damaged("; ".join(problems))

    # -- connections ----------------------------------------------------------------------

    def _connect(self, mode: str, *, immutable: bool = False) -> sqlite3.Connection:
        uri = f"file:{quote(str(self.path))}?mode={mode}" + ("&immutable=1" if immutable else "")
        db = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS:d}")
        return db

    @contextmanager
    def _reading(self, *, immutable: bool = False) -> Iterator[sqlite3.Connection]:
        """A read-only connection. A WAL journal on a read-only file system cannot get its
        shared-memory file, so it is then opened immutable (nobody can be writing it)."""
        try:
            db = self._connect("ro", immutable=immutable)
            try:
                db.execute("PRAGMA application_id").fetchone()
            except sqlite3.OperationalError as exc:
                db.close()
                if "locked" in str(exc):
                    raise
                db = self._connect("ro", immutable=True)
        except sqlite3.Error as exc:
            raise self._unavailable("cannot read", exc) from None
        try:
            yield db
        finally:
            db.close()

    def _unavailable(self, doing: str, problem: BaseException) -> JournalUnavailable:
        if isinstance(problem, sqlite3.DatabaseError) and not isinstance(
            problem, sqlite3.OperationalError
        ):  # SQLite found the bytes wrong: truncated, overwritten, or never a database
            return self._damaged(_one_line(problem))
        return JournalUnavailable(
            f"{doing} the journal {self.location}: {_one_line(problem)}.", schema.ADVICE
        )

    def _damaged(self, problem: str) -> JournalUnavailable:
        return JournalUnavailable(
            f"the journal {self.location} is damaged or not an SQLite database ({problem}).",
            schema.ADVICE,
        )

    # -- writing --------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE … COMMIT, rolled back on any exception) on
        the writing connection, prepared first if need be. For this package's stores."""
        with self._lock:
            db = self._writable()
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise self._unavailable("cannot write to", exc) from None

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
        account_name: str | None = None,
        replacement_policy: str | None = None,
        change_ref: str | None = None,
        reason: str | None = None,
    ) -> int:
        """Write the intent row (and the backed-up policy, in the same transaction)."""
        values = (
            run_id,
            rows.stamp(datetime.now(UTC)),
            action,
            target,
            account_name,
            task_policy,
            caller_arn,
            json.dumps(list(items)),
            JournalStatus.INTENT.value,
            change_ref,
            reason,
        )
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO actions (run_id, started_at, action, target, account_name,"
                " task_policy, caller_arn, items, status, change_ref, reason)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            entry_id = int(cursor.lastrowid or 0)
            if saved_policy is not None and saved_policy.policy is not None:
                db.execute(
                    "INSERT INTO saved_policies (action_id, account_id, kind, resource,"
                    " region, policy, replacement) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        entry_id,
                        saved_policy.account_id,
                        saved_policy.kind.value,
                        saved_policy.resource,
                        saved_policy.region,
                        saved_policy.policy,
                        replacement_policy,
                    ),
                )
        return entry_id

    def finish(
        self,
        entry_id: int,
        status: JournalStatus,
        *,
        request_id: str | None = None,
        error: str | None = None,
        session_key_id: str | None = None,
    ) -> None:
        with self._lock:
            try:
                self._writable().execute(
                    "UPDATE actions SET finished_at = ?, status = ?, request_id = ?, error = ?,"
                    " session_key_id = COALESCE(?, session_key_id) WHERE id = ?",
                    (
                        rows.stamp(datetime.now(UTC)),
                        status.value,
                        request_id,
                        error,
                        session_key_id,
                        entry_id,
                    ),
                )
            except sqlite3.Error as exc:
                raise self._unavailable("cannot write to", exc) from None

    # -- for the stores that share the file (plans, windows) -----------------------------

    def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in one write transaction (BEGIN IMMEDIATE … COMMIT), preparing the
        file first if needed. sqlite3.IntegrityError reaches the caller (a unique constraint
        is how single use and one-window-per-account are enforced); other errors become
        JournalUnavailable."""
        with self._lock:
            db = self._writable()
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    result = work(db)
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
            except sqlite3.IntegrityError:
                raise
            except sqlite3.Error as exc:
                raise self._unavailable("cannot write to", exc) from None
        return result

    def read(self, work: Callable[[sqlite3.Connection], T], empty: T) -> T:
        """Run ``work`` on a connection that reads; ``empty`` when there is no journal yet, or
        when it predates the tables ``work`` reads (an older journal is never upgraded by
        reading)."""
        with self._lock:
            if self._writer is not None:
                return self._guarded(self._writer, work, empty)
        identity = self._look(writing=False)
        if identity is None or identity.kind is schema.Kind.NEW:
            return empty
        with self._reading() as db:
            return self._guarded(db, work, empty)

    def _guarded(
        self, db: sqlite3.Connection, work: Callable[[sqlite3.Connection], T], empty: T
    ) -> T:
        try:
            return work(db)
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return empty
            raise self._unavailable("cannot read", exc) from None
        except sqlite3.Error as exc:
            raise self._unavailable("cannot read", exc) from None

    # -- root sessions rootctl opened (activity) -------------------------------------------

    def record_sessions(self, records: Iterable[SessionRecord]) -> None:
        """Durably record root sessions rootctl opened (one transaction)."""
        values = [rows.session_values(r) for r in records]
        if not values:
            return
        columns = ", ".join(rows.SESSION_COLUMNS)
        marks = ", ".join("?" * len(rows.SESSION_COLUMNS))
        sql = f"INSERT OR REPLACE INTO root_sessions ({columns}) VALUES ({marks})"  # noqa: S608
        self.write(lambda db: db.executemany(sql, values))

    def sessions(self, since: datetime | None = None) -> list[SessionRecord]:
        """Root sessions recorded (opened at or after ``since``), oldest first."""

        def select(db: sqlite3.Connection) -> list[SessionRecord]:
            sql = f"SELECT {', '.join(rows.SESSION_COLUMNS)} FROM root_sessions"  # noqa: S608
            params: list[object] = []
            if since is not None:
                sql += " WHERE opened_at >= ?"
                params.append(rows.stamp(since))
            found = db.execute(sql + " ORDER BY opened_at, rowid", params).fetchall()
            decoded = (rows.decode_session(tuple(row)) for row in found)
            return [r for r in decoded if r is not None]

        return self.read(select, [])

    # -- reading --------------------------------------------------------------------------

    def entries(self, query: JournalQuery | None = None) -> list[JournalRow]:
        """Rows newest first. A missing journal file reads as empty (and is not created)."""
        return self._read(query or JournalQuery(), None)

    def entry(self, entry_id: int) -> JournalRow | None:
        found = self._read(JournalQuery(), entry_id)
        return found[0] if found else None

    def _read(self, query: JournalQuery, entry_id: int | None) -> list[JournalRow]:
        return self.read(lambda db: self._select(db, query, entry_id), [])

    def _select(
        self, db: sqlite3.Connection, query: JournalQuery, entry_id: int | None
    ) -> list[JournalRow]:
        try:
            columns = {str(row[1]) for row in db.execute("PRAGMA table_info(actions)")}
            columns |= {f"p.{row[1]}" for row in db.execute("PRAGMA table_info(saved_policies)")}
            sql, params = rows.select(columns, query, entry_id)
            found = db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._unavailable("cannot read", exc) from None
        return [rows.decode(row) for row in found]
