"""Rows of the journal of privileged actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from rootctl.models.resources import ResourcePolicy


class JournalStatus(StrEnum):
    INTENT = "intent"  # written before the call; still "intent" later = interrupted/unknown
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True, slots=True)
class JournalEntry:
    id: int
    run_id: str
    started_at: datetime
    finished_at: datetime | None
    action: str
    target: str | None  # account id (or the organization for org-level actions)
    task_policy: str | None
    caller_arn: str | None
    items: tuple[str, ...]
    status: JournalStatus
    request_id: str | None = None
    error: str | None = None
    saved_policy: ResourcePolicy | None = None

    @property
    def outcome(self) -> str:
        """What to show: an intent row never completed means the outcome is unknown."""
        return "unknown" if self.status is JournalStatus.INTENT else self.status.value
