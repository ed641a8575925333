"""The durable record of privileged actions.

:class:`JournalStore` is the interface the engine depends on; :class:`SqliteJournal` (also
known as ``Journal``) is the implementation in one SQLite file.
"""

from rootctl.journal.lease import LeaseStore
from rootctl.journal.sqlite import ENV_VAR, SqliteJournal, default_path
from rootctl.journal.store import JournalStore

Journal = SqliteJournal

__all__ = ["ENV_VAR", "Journal", "JournalStore", "LeaseStore", "SqliteJournal", "default_path"]
