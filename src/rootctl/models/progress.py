"""Progress of a long operation, reported to a callback after each account."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """Sent to a progress callback after each account finishes (``done`` of ``total``).
    ``total`` is the accounts known so far: it grows while an audit of ``--all`` still reads
    the organization (``RootAccess.audit_selection``)."""

    total: int
    done: int
    account_id: str
    state: str
    phase: str = field(default="")


ProgressCallback = Callable[[ProgressEvent], None]
