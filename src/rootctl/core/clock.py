"""rootctl's own clock: plans and recovery windows expire by it, never by AWS's.

The engine takes a ``now`` function (``RootAccess(now=…)``), so a test moves rootctl's time
together with the sandbox's (``/_sandbox/clock``) and a library user can pin it. Faces that do
not inject one get :func:`utc_now`, looked up when the engine is built.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """``moment`` in UTC (a naive datetime is taken as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
