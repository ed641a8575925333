"""The audit history interface the engine depends on, whatever holds the audits.

Every audit the engine runs is stored (unless the caller opted out): its summary (when, who,
scope, counts, the organization's status then) and a row per account with the credential
facts — ids, statuses, dates, MFA serials; never a secret. A backend (the journal's SQLite
file today, DynamoDB later) implements :class:`AuditStore` with the journal's guarantees
(:mod:`rootctl.journal.store`): fail before acting (:meth:`~AuditStore.prepare_for_writing`
raises ``JournalUnavailable``), never touch a store that is not rootctl's, reading never
creates or changes anything and reads a missing store as empty, thread-safe.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from rootctl.models import AccountAudit, AuditSummary, HistoryQuery, PosturePoint, StoredAudit


@runtime_checkable
class AuditStore(Protocol):
    @property
    def location(self) -> str:
        """Where the history is, in words a person can act on."""
        ...

    def prepare_for_writing(self) -> None:
        """Make sure an audit can be saved (create or upgrade the store). Raises
        ``JournalUnavailable``."""
        ...

    def save_audit(self, audit: StoredAudit) -> int:
        """Store ``audit`` (its summary's id and counts are ignored) in one transaction;
        return its id. Ids grow with time."""
        ...

    def audits(self, query: HistoryQuery | None = None) -> list[AuditSummary]:
        """Stored audits matching ``query``, newest first."""
        ...

    def audit(self, audit_id: int) -> StoredAudit | None:
        """One audit with its rows, or None when there is no such id."""
        ...

    def posture(self, query: HistoryQuery) -> list[PosturePoint]:
        """Accounts with / without root credentials / not known per top-level OU, one point
        per audit matching ``query`` (newest ``limit``), oldest first."""
        ...

    def earlier_credentials(self, audit_id: int, organization_id: str) -> list[AccountAudit]:
        """Rows of audits of ``organization_id`` older than ``audit_id`` whose root user had
        credentials, one per distinct (account, credentials): what may have failed before."""
        ...

    def prune(self, before: datetime) -> tuple[int, int]:
        """Delete audits started before ``before``; return (audits, account rows) deleted."""
        ...

    def close(self) -> None: ...
