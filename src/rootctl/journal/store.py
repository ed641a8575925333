"""The journal interface the engine depends on, whatever holds the rows.

The journal is the durable record of every privileged action: core writes an *intent* before
each AWS write and completes it with the outcome after. A backend (SQLite today, DynamoDB
later) implements :class:`JournalStore` with these guarantees:

- **Fail before acting.** :meth:`~JournalStore.prepare_for_writing` opens, validates and, if
  needed, creates or upgrades the store, or raises :class:`~rootctl.errors.JournalUnavailable`
  (one sentence, exit 2). The engine calls it before the first AWS call of an operation that
  writes, and the CLI before it reads the organization or asks for confirmation.
- **Durable intent.** :meth:`~JournalStore.begin` returns only once the intent row (and a backed
  up resource policy, atomically with it) would survive the process being killed. Ids are
  positive integers that grow with time.
- **Never touch what is not ours.** A store that was not created by rootctl, or by a newer
  rootctl, is refused, never converted. Reading never creates, upgrades or otherwise changes
  anything, works on read-only storage, and reads a store that does not exist as empty.
- **One bad row is one bad row.** A row that cannot be decoded is returned as an
  :class:`~rootctl.models.UnreadableEntry` (its id and the problem); the others still list.
- **Thread-safe.** One store is shared by the engine's worker threads.

Nothing here names a file, a connection or SQL: ``location`` is only for people to read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, runtime_checkable

from rootctl.journal.changes import PlanLedger, WindowStore
from rootctl.models import JournalQuery, JournalRow, JournalStatus, ResourcePolicy, SessionRecord


@runtime_checkable
class JournalStore(Protocol):
    @property
    def plans(self) -> PlanLedger:
        """Plan approvals and single use (rootctl.journal.changes), kept with the journal."""
        ...

    @property
    def windows(self) -> WindowStore:
        """Break-glass recovery windows (rootctl.journal.changes), kept with the journal."""
        ...

    @property
    def location(self) -> str:
        """Where the journal is, in words a person can act on (a path, a table name …)."""
        ...

    def prepare_for_writing(self) -> None:
        """Make sure intents can be written, creating or upgrading the store if it is new or
        older. Idempotent and cheap once done. Raises ``JournalUnavailable``."""
        ...

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
        """Durably record the intent (status ``intent``) and return its id. Prepares the store
        first if that was not done. ``replacement_policy``: the document about to be put in
        place of ``saved_policy``, kept next to it. ``change_ref`` names the governed change
        the action belongs to (``plan:<sha256>``, ``window:<id>``)."""
        ...

    def finish(
        self,
        entry_id: int,
        status: JournalStatus,
        *,
        request_id: str | None = None,
        error: str | None = None,
        session_key_id: str | None = None,
    ) -> None:
        """Record the outcome of ``entry_id`` (``error`` is the reason for failed/skipped;
        ``session_key_id`` the root session it ran in, when it had one of its own)."""
        ...

    def record_sessions(self, records: Iterable[SessionRecord]) -> None:
        """Durably record root sessions rootctl opened (their access key ids, never secrets),
        so CloudTrail's events can be tied back to rootctl's runs. Prepares the store."""
        ...

    def sessions(self, since: datetime | None = None) -> list[SessionRecord]:
        """The root sessions recorded, oldest first (read-only, like ``entries``)."""
        ...

    def entries(self, query: JournalQuery | None = None) -> list[JournalRow]:
        """Rows matching ``query``, newest first. Raises ``JournalUnavailable`` when the store
        exists but cannot be read at all (damaged, or not a rootctl journal)."""
        ...

    def entry(self, entry_id: int) -> JournalRow | None:
        """One row, or None when there is no such id."""
        ...

    def close(self) -> None: ...
