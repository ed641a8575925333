"""The SQLite journal's schema: what marks a file as ours, and the migrations that build it.

A rootctl journal carries ``PRAGMA application_id = APPLICATION_ID``; ``PRAGMA user_version`` is
the number of the last migration applied. Migrations run in order, all in one transaction,
only on a file that is ours (or brand new, or a first-release journal, which had no
application id). Adding a table or a column is one more :class:`Migration` at the end of
:data:`MIGRATIONS`; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
import struct
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from rootctl.errors import Advice, AdviceCode, JournalUnavailable

APPLICATION_ID = 0x72636A6C  # "rcjl": rootctl journal


@dataclass(frozen=True)
class Migration:
    version: int
    purpose: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "privileged actions, and resource policies saved before they are deleted",
        (
            """CREATE TABLE actions (
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
            )""",
            "CREATE INDEX actions_started ON actions(started_at)",
            """CREATE TABLE saved_policies (
                action_id     INTEGER PRIMARY KEY REFERENCES actions(id),
                account_id    TEXT NOT NULL,
                kind          TEXT NOT NULL,
                resource      TEXT NOT NULL,
                region        TEXT,
                policy        TEXT NOT NULL
            )""",
        ),
    ),
    Migration(
        2,
        "the target account's name at the time of the action",
        ("ALTER TABLE actions ADD COLUMN account_name TEXT",),
    ),
    Migration(
        3,
        "the audit history: every stored audit, and its facts per account (never a secret)",
        (
            """CREATE TABLE audits (
                id               INTEGER PRIMARY KEY AUTOINCREMENT,
                started_at       TEXT NOT NULL,
                finished_at      TEXT NOT NULL,
                source           TEXT NOT NULL,
                caller_arn       TEXT,
                organization_id  TEXT NOT NULL,
                region           TEXT,
                scope            TEXT NOT NULL,
                complete         INTEGER NOT NULL,
                interrupted      INTEGER NOT NULL,
                status           TEXT,
                accounts         INTEGER NOT NULL,
                audited          INTEGER NOT NULL,
                with_credentials INTEGER NOT NULL,
                failed           INTEGER NOT NULL,
                skipped          INTEGER NOT NULL,
                not_run          INTEGER NOT NULL
            )""",
            "CREATE INDEX audits_started ON audits(started_at)",
            """CREATE TABLE audit_accounts (
                audit_id         INTEGER NOT NULL REFERENCES audits(id),
                position         INTEGER NOT NULL,
                account_id       TEXT NOT NULL,
                name             TEXT NOT NULL,
                email            TEXT NOT NULL,
                account_state    TEXT NOT NULL,
                parent_id        TEXT NOT NULL,
                ou_path          TEXT NOT NULL,
                top_unit         TEXT NOT NULL,
                is_management    INTEGER NOT NULL,
                state            TEXT NOT NULL,
                reason           TEXT,
                has_credentials  INTEGER,
                credentials      TEXT,
                PRIMARY KEY (audit_id, account_id)
            ) WITHOUT ROWID""",
            """CREATE INDEX audit_accounts_with_credentials
                ON audit_accounts(account_id, audit_id) WHERE has_credentials = 1""",
        ),
    ),
    Migration(
        4,
        "the document put in place of a saved policy (a corrected bucket or queue policy, a "
        "changed SCP)",
        ("ALTER TABLE saved_policies ADD COLUMN replacement TEXT",),
    ),
    Migration(
        5,
        "change control: the change each action belongs to, plan approvals and single use, "
        "break-glass recovery windows",
        (
            "ALTER TABLE actions ADD COLUMN change_ref TEXT",
            "CREATE INDEX actions_change ON actions(change_ref)",
            """CREATE TABLE plan_approvals (
                plan_hash     TEXT NOT NULL,
                approver_arn  TEXT NOT NULL,
                approved_at   TEXT NOT NULL,
                PRIMARY KEY (plan_hash, approver_arn)
            )""",
            # A plan is applied once: the second claim of a hash fails on the primary key,
            # whichever machine sharing the journal makes it.
            """CREATE TABLE plan_uses (
                plan_hash     TEXT PRIMARY KEY,
                plan_id       TEXT NOT NULL,
                run_id        TEXT NOT NULL,
                applied_by    TEXT NOT NULL,
                started_at    TEXT NOT NULL,
                finished_at   TEXT,
                outcome       TEXT
            )""",
            """CREATE TABLE recovery_windows (
                id            INTEGER PRIMARY KEY AUTOINCREMENT,
                account_id    TEXT NOT NULL,
                account_name  TEXT,
                reason        TEXT NOT NULL,
                ticket        TEXT,
                opened_by     TEXT NOT NULL,
                opened_at     TEXT NOT NULL,
                expires_at    TEXT NOT NULL,
                state         TEXT NOT NULL,
                baseline      TEXT NOT NULL DEFAULT '{}',
                claimed_by    TEXT,
                claimed_at    TEXT,
                closed_by     TEXT,
                closed_at     TEXT,
                note          TEXT,
                evidence      TEXT
            )""",
            # One window that still needs closing per account.
            "CREATE UNIQUE INDEX recovery_windows_active ON recovery_windows(account_id)"
            " WHERE state IN ('open', 'closing', 'close-failed')",
            "CREATE INDEX recovery_windows_expiry ON recovery_windows(state, expires_at)",
        ),
    ),
    Migration(
        6,
        "the watch lease (one rootctl watch per journal) and the last check's violations",
        (
            """CREATE TABLE leases (
                name          TEXT PRIMARY KEY,
                holder        TEXT NOT NULL,
                acquired_at   TEXT NOT NULL,
                expires_at    TEXT NOT NULL
            )""",
            """CREATE TABLE watch_state (
                name          TEXT PRIMARY KEY,
                state         TEXT NOT NULL,
                updated_at    TEXT NOT NULL
            )""",
        ),
    ),
    Migration(
        7,
        "every root session rootctl opened (its access key id, for CloudTrail), and the "
        "reason and session of an exec",
        (
            "ALTER TABLE actions ADD COLUMN reason TEXT",
            "ALTER TABLE actions ADD COLUMN session_key_id TEXT",
            """CREATE TABLE root_sessions (
                access_key_id TEXT PRIMARY KEY,
                run_id        TEXT NOT NULL,
                opened_at     TEXT NOT NULL,
                expires_at    TEXT,
                account_id    TEXT NOT NULL,
                task_policy   TEXT NOT NULL,
                caller_arn    TEXT,
                purpose       TEXT NOT NULL,
                action_id     INTEGER REFERENCES actions(id)
            )""",
            "CREATE INDEX root_sessions_opened ON root_sessions(opened_at)",
        ),
    ),
)
LATEST = MIGRATIONS[-1].version

# What the first release wrote (user_version 1, no application id): adopted, then migrated.
_FIRST_RELEASE_TABLES = frozenset({"actions", "saved_policies", "actions_started"})
_FIRST_RELEASE_COLUMNS = (
    "id", "run_id", "started_at", "finished_at", "action", "target", "task_policy",
    "caller_arn", "items", "status", "request_id", "error",
)  # fmt: skip
_INTERNAL = "sqlite_"  # sqlite_sequence, sqlite_stat1 …


class Kind(Enum):
    NEW = "new"  # an empty database: ours to build
    OURS = "ours"  # carries our application id (or is a first-release journal)
    FOREIGN = "foreign"


@dataclass(frozen=True)
class Identity:
    kind: Kind
    version: int  # the journal schema version (0 for a new file)
    application_id: int


_MAGIC = b"SQLite format 3\x00"


def peek(path: Path, location: str) -> Identity | None:
    """Identify a file from its 100-byte header, without SQLite (so without creating the
    -wal/-shm files next to someone else's database). None: SQLite must look at its tables."""
    with path.open("rb") as file:
        header = file.read(100)
    if not header:
        return Identity(Kind.NEW, 0, 0)  # an empty file is a new database to SQLite
    if len(header) < 100 or not header.startswith(_MAGIC):
        raise JournalUnavailable(
            f"the journal {location} is damaged or not an SQLite database "
            "(its header is not SQLite's).",
            ADVICE,
        )
    (version,) = struct.unpack(">i", header[60:64])
    (application_id,) = struct.unpack(">i", header[68:72])
    if application_id == APPLICATION_ID:
        return Identity(Kind.OURS, version, application_id)  # the version may be stale (WAL)
    if application_id != 0 or version not in (0, 1):
        return Identity(Kind.FOREIGN, version, application_id)
    return None


def in_wal_mode(path: Path) -> bool:
    """Whether the header says WAL (read and write versions 2)."""
    with path.open("rb") as file:
        return file.read(20)[18:20] == b"\x02\x02"


def identify(db: sqlite3.Connection) -> Identity:
    """What this database is. Only reads; raises sqlite3.DatabaseError for a damaged file."""
    application_id = int(db.execute("PRAGMA application_id").fetchone()[0])
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    names = {
        str(name)
        for (name,) in db.execute("SELECT name FROM sqlite_master")
        if not str(name).startswith(_INTERNAL)
    }
    if application_id == APPLICATION_ID:
        return Identity(Kind.OURS, version, application_id)
    if application_id == 0 and version == 0 and not names:
        return Identity(Kind.NEW, 0, 0)
    if application_id == 0 and version == 1 and names == _FIRST_RELEASE_TABLES:
        columns = tuple(str(row[1]) for row in db.execute("PRAGMA table_info(actions)"))
        if columns == _FIRST_RELEASE_COLUMNS:
            return Identity(Kind.OURS, 1, 0)
    return Identity(Kind.FOREIGN, version, application_id)


def refusal(identity: Identity, location: str, *, writing: bool) -> JournalUnavailable | None:
    """Why this database must not be used (None when it may)."""
    if identity.kind is Kind.FOREIGN:
        return JournalUnavailable(
            f"{location} is an SQLite database of something else (application_id "
            f"{identity.application_id:#x}, user_version {identity.version}), not a rootctl "
            "journal; rootctl leaves it untouched.",
            ADVICE,
        )
    if writing and identity.version > LATEST:
        return JournalUnavailable(
            f"the journal {location} was written by a newer rootctl (journal schema "
            f"{identity.version}; this rootctl writes schema {LATEST}).",
            Advice(AdviceCode.UPGRADE_ROOTCTL),
        )
    return None


ADVICE = Advice(AdviceCode.CHOOSE_JOURNAL)


def migrate(db: sqlite3.Connection, location: str) -> None:
    """Bring the database to :data:`LATEST` in one transaction, after checking (inside it, so
    two processes cannot both migrate) that it is ours. Every run writes to the file at least
    once, so a database that cannot be written fails here, not at the first intent."""
    db.execute("BEGIN IMMEDIATE")
    try:
        identity = identify(db)
        if problem := refusal(identity, location, writing=True):
            raise problem
        for migration in MIGRATIONS:
            if migration.version > identity.version:
                for statement in migration.statements:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {migration.version:d}")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
