"""``RootAccess.history``: the stored audits, drift between them, and evidence reports.

Everything here reads the history and the journal only: no AWS configuration is needed, and
reading never creates or changes anything (pruning is the one write).
"""

from __future__ import annotations

from datetime import UTC, datetime

from rootctl.core import evidence, history
from rootctl.core.drift import compare
from rootctl.core.history import LATEST, AuditRef
from rootctl.errors import InputError
from rootctl.journal import AuditStore, JournalStore
from rootctl.models import (
    DriftReport,
    EvidenceReport,
    History,
    HistoryQuery,
    PosturePoint,
    PruneResult,
    StoredAudit,
)


class AuditHistory:
    """The audit history of an engine. An audit ref is an audit id, ``"latest"``, or a
    ``datetime`` (the latest audit started at or before it)."""

    def __init__(self, store: AuditStore | None, journal: JournalStore) -> None:
        self.store = store
        self.journal = journal

    @property
    def enabled(self) -> bool:
        """Whether this engine stores its audits (``RootAccess(history=False)`` does not)."""
        return self.store is not None

    @property
    def location(self) -> str:
        return self._store().location

    def _store(self) -> AuditStore:
        if self.store is None:
            raise InputError("this engine keeps no audit history (history=False).")
        return self.store

    def audits(self, query: HistoryQuery | None = None) -> History:
        """Stored audits, newest first, with their counts."""
        store = self._store()
        return History(tuple(store.audits(query)), store.location)

    def audit(self, ref: AuditRef = LATEST) -> StoredAudit:
        """One stored audit with its rows; InputError when there is none."""
        return history.find(self._store(), ref)

    def drift(self, before: AuditRef | None = None, after: AuditRef = LATEST) -> DriftReport:
        """What changed from ``before`` to ``after``; ``before`` defaults to the audit before
        ``after`` (the previous one that covered the whole organization, when ``after`` did)."""
        store = self._store()
        later = history.find(store, after)
        if before is None:
            found = history.previous(store, later.summary)
            if found is None:
                raise InputError(
                    f"audit {later.id} is the first of organization "
                    f"{later.summary.organization_id} in the history: nothing to compare it "
                    "with yet."
                )
            before = found.id
        earlier = history.find(store, before, organization_id=later.summary.organization_id)
        if earlier.summary.started_at > later.summary.started_at:
            earlier, later = later, earlier  # always from the older to the newer
        return compare(earlier, later)

    def report(
        self, ref: AuditRef = LATEST, *, account_id: str | None = None, region: str | None = None
    ) -> EvidenceReport:
        """The evidence report of one audit. ``account_id``/``region``: where its findings
        belong in Security Hub (default: where the audit ran)."""
        store = self._store()
        return evidence.build(
            store, self.journal, history.find(store, ref), account_id=account_id, region=region
        )

    def posture(
        self, *, organization_id: str | None = None, limit: int = evidence.POSTURE_POINTS
    ) -> list[PosturePoint]:
        """Posture per top-level OU over the last ``limit`` audits, oldest first."""
        query = HistoryQuery(organization_id=organization_id, limit=limit)
        return self._store().posture(query)

    def prune(self, older_than: datetime) -> PruneResult:
        """Delete the audits started before ``older_than`` (the journal of privileged
        actions is never pruned)."""
        store = self._store()
        if older_than > datetime.now(UTC):
            raise InputError("the cutoff is in the future: that would prune every audit.")
        audits, rows = store.prune(older_than)
        return PruneResult(older_than, audits, rows, store.location)
