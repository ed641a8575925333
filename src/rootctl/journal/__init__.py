"""The durable record of privileged actions.

:class:`JournalStore` is the interface the engine depends on; :class:`SqliteJournal` (also
known as ``Journal``) is the implementation in one SQLite file.
"""

from rootctl.journal.changes import PlanLedger, WindowStore
from rootctl.journal.sqlite import ENV_VAR, SqliteJournal, default_path
from rootctl.journal.store import JournalStore

Journal = SqliteJournal

__all__ = [
    "ENV_VAR",
    "Journal",
    "JournalStore",
    "PlanLedger",
    "SqliteJournal",
    "WindowStore",
    "default_path",
]
