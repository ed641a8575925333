"""The marks, colours and dates every renderer for people shares."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text

from rootctl.models import AuditState
from rootctl.render.text import literal

# A status mark per account, like the console's "Root user credentials" column.
MARKS = {
    "clean": ("✔", "green"),
    "credentials": ("✘", "red"),
    AuditState.FAILED.value: ("!", "yellow"),
    AuditState.SKIPPED.value: ("–", "dim"),
    AuditState.NOT_RUN.value: ("·", "dim"),
}
STATE_STYLES = {
    "deleted": "green",
    "allowed": "green",
    "removed": "green",
    "audited": "green",
    "already-allowed": "green",
    "nothing-to-delete": "green",
    "to-delete": "yellow",
    "failed": "bold red",
    "skipped": "dim",
    "not-run": "yellow",
    "unknown": "bold yellow",
    "succeeded": "green",
    "interrupted": "yellow",
    "unreadable": "bold red",
}


def day(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d}" if value else "—"


def utc(moment: datetime | None) -> str:
    """An instant in UTC with the zone written out: ``2026-11-27 18:00:05 UTC``."""
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC" if moment else "—"


def state_text(state: str) -> Text:
    """A state word in its colour."""
    return literal(state, style=STATE_STYLES.get(state, ""))


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
