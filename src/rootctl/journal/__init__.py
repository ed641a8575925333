"""The durable record of privileged actions, and the audit history.

:class:`JournalStore` is the interface the engine depends on for privileged actions;
:class:`SqliteJournal` (also known as ``Journal``) is the implementation in one SQLite file.
:class:`AuditStore` is the interface of the audit history; :class:`SqliteAuditStore` keeps it
in the journal's file.
"""

from rootctl.journal.audits import SqliteAuditStore
from rootctl.journal.changes import PlanLedger, WindowStore
from rootctl.journal.history import AuditStore
from rootctl.journal.lease import LeaseStore
from rootctl.journal.sqlite import ENV_VAR, SqliteJournal, default_path
from rootctl.journal.store import JournalStore

Journal = SqliteJournal

__all__ = [
    "ENV_VAR",
    "AuditStore",
    "Journal",
    "JournalStore",
    "LeaseStore",
    "PlanLedger",
    "SqliteAuditStore",
    "SqliteJournal",
    "WindowStore",
    "default_path",
]
