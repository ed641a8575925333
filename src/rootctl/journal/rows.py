"""Reading rows of the SQLite journal: the SELECT for a query, and decoding each row.

A row is decoded field by field; the first field that does not hold what rootctl writes turns
the row into an :class:`UnreadableEntry` naming that field, and the listing goes on.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from datetime import UTC, datetime

from rootctl.models import (
    JournalEntry,
    JournalQuery,
    JournalRow,
    JournalStatus,
    ResourceKind,
    ResourcePolicy,
    UnreadableEntry,
)

_ACTION_COLUMNS = (
    "id", "run_id", "started_at", "finished_at", "action", "target", "task_policy",
    "caller_arn", "items", "status", "request_id", "error", "account_name",
)  # fmt: skip
_POLICY_COLUMNS = ("account_id", "kind", "resource", "region", "policy")


def stamp(moment: datetime) -> str:
    """How instants are stored: ISO 8601 in UTC with milliseconds (sorts as text)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def select(
    columns: Collection[str], query: JournalQuery, entry_id: int | None = None
) -> tuple[str, list[object]]:
    """The SELECT for ``query`` (or for one id); columns a journal of this schema lacks read
    as NULL, so any older journal can be read without being upgraded."""
    picked = [f"a.{c}" if c in columns else f"NULL AS {c}" for c in _ACTION_COLUMNS]
    picked += [f"p.{c} AS policy_{c}" for c in _POLICY_COLUMNS]
    where: list[str] = []
    params: list[object] = []
    if entry_id is not None:
        where.append("a.id = ?")
        params.append(entry_id)
    if query.since is not None:
        where.append("a.started_at >= ?")
        params.append(stamp(query.since))
    if query.until is not None:
        where.append("a.started_at <= ?")
        params.append(stamp(query.until))
    for column, values in (
        ("target", query.accounts),
        ("action", query.actions),
        ("status", [s.value for s in query.statuses]),
    ):
        if values:
            where.append(f"a.{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
    # Only our own column names and "?" placeholders are spliced in; values are parameters.
    sql = (
        f"SELECT {', '.join(picked)} FROM actions a"  # noqa: S608
        " LEFT JOIN saved_policies p ON p.action_id = a.id"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY a.id DESC"
    if query.limit is not None:
        sql += " LIMIT ?"
        params.append(query.limit)
    return sql, params


class _Unreadable(Exception):
    pass


def decode(row: sqlite3.Row) -> JournalRow:
    try:
        return JournalEntry(
            id=_id(row),
            run_id=_text(row, "run_id"),
            started_at=_moment(row, "started_at"),
            finished_at=_optional_moment(row, "finished_at"),
            action=_text(row, "action"),
            target=_optional_text(row, "target"),
            task_policy=_optional_text(row, "task_policy"),
            caller_arn=_optional_text(row, "caller_arn"),
            items=_items(row),
            status=_status(row),
            request_id=_optional_text(row, "request_id"),
            error=_optional_text(row, "error"),
            saved_policy=_saved_policy(row),
            account_name=_optional_text(row, "account_name"),
        )
    except _Unreadable as exc:
        return UnreadableEntry(_id(row), str(exc))


def _shown(value: object) -> str:
    text = repr(value)  # escapes control and bidi characters
    return text if len(text) <= 60 else text[:57] + "..."


def _id(row: sqlite3.Row) -> int:
    return int(row["id"])  # INTEGER PRIMARY KEY: always an integer


def _optional_text(row: sqlite3.Row, column: str) -> str | None:
    value = row[column]
    if value is None or isinstance(value, str):
        return value
    raise _Unreadable(f"{column} is not text: {_shown(value)}")


def _text(row: sqlite3.Row, column: str) -> str:
    value = _optional_text(row, column)
    if value is None:
        raise _Unreadable(f"{column} is missing")
    return value


def _optional_moment(row: sqlite3.Row, column: str) -> datetime | None:
    text = _optional_text(row, column)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _Unreadable(f"{column} is not a date: {_shown(text)}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _moment(row: sqlite3.Row, column: str) -> datetime:
    moment = _optional_moment(row, column)
    if moment is None:
        raise _Unreadable(f"{column} is missing")
    return moment


def _items(row: sqlite3.Row) -> tuple[str, ...]:
    text = _text(row, "items")
    try:
        items = json.loads(text)
    except ValueError:
        raise _Unreadable(f"items is not JSON: {_shown(text)}") from None
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise _Unreadable(f"items is not a list of strings: {_shown(text)}")
    return tuple(items)


def _status(row: sqlite3.Row) -> JournalStatus:
    text = _text(row, "status")
    try:
        return JournalStatus(text)
    except ValueError:
        raise _Unreadable(f"unknown status {_shown(text)}") from None


def _saved_policy(row: sqlite3.Row) -> ResourcePolicy | None:
    if row["policy_policy"] is None:
        return None
    kind = _text(row, "policy_kind")
    try:
        resource_kind = ResourceKind(kind)
    except ValueError:
        raise _Unreadable(f"unknown saved policy kind {_shown(kind)}") from None
    return ResourcePolicy(
        account_id=_text(row, "policy_account_id"),
        kind=resource_kind,
        resource=_text(row, "policy_resource"),
        region=_optional_text(row, "policy_region"),
        policy=_text(row, "policy_policy"),
    )
