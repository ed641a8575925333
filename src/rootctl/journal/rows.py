"""Reading rows of the SQLite journal: the SELECT for a query, and decoding each row.

A row is decoded field by field; the first field that does not hold what rootctl writes turns
the row into an :class:`UnreadableEntry` naming that field, and the listing goes on.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import UTC, datetime

from rootctl.models import (
    JournalEntry,
    JournalQuery,
    JournalRow,
    JournalStatus,
    OrgPolicyKind,
    ResourceKind,
    ResourcePolicy,
    SessionRecord,
    UnreadableEntry,
)

_ACTION_COLUMNS = (
    "id", "run_id", "started_at", "finished_at", "action", "target", "task_policy",
    "caller_arn", "items", "status", "request_id", "error", "account_name", "change_ref",
    "reason", "session_key_id",
)  # fmt: skip
_POLICY_COLUMNS = ("account_id", "kind", "resource", "region", "policy", "replacement")


def stamp(moment: datetime) -> str:
    """How instants are stored: ISO 8601 in UTC with milliseconds (sorts as text)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def select(
    columns: Collection[str], query: JournalQuery, entry_id: int | None = None
) -> tuple[str, list[object]]:
    """The SELECT for ``query`` (or for one id); columns a journal of this schema lacks read
    as NULL, so any older journal can be read without being upgraded. ``columns``: those of
    ``actions``, and those of ``saved_policies`` as ``p.<name>``."""
    picked = [f"a.{c}" if c in columns else f"NULL AS {c}" for c in _ACTION_COLUMNS]
    picked += [
        f"p.{c} AS policy_{c}" if f"p.{c}" in columns else f"NULL AS policy_{c}"
        for c in _POLICY_COLUMNS
    ]
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
        ("change_ref", query.changes),
    ):
        if values and column not in columns:  # an older journal: nothing can match
            where.append("0")
        elif values:
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


_COLUMNS = (*_ACTION_COLUMNS, *(f"policy_{c}" for c in _POLICY_COLUMNS))
_REQUIRED = frozenset({"run_id", "started_at", "action", "items", "status"})


def decode(row: tuple[object, ...]) -> JournalRow:
    """A row of :func:`select` (a plain tuple, in its column order)."""
    entry_id = int(str(row[0]))  # INTEGER PRIMARY KEY: always an integer
    try:
        return _entry(entry_id, row)
    except _Unreadable as exc:
        return UnreadableEntry(entry_id, str(exc))


def _entry(entry_id: int, row: tuple[object, ...]) -> JournalEntry:
    for column, value in zip(_COLUMNS[1:], row[1:], strict=True):
        if value is None and column in _REQUIRED:
            raise _Unreadable(f"{column} is missing")
        if value is not None and type(value) is not str:
            raise _Unreadable(f"{column} is not text: {_shown(value)}")
    texts: tuple[str | None, ...] = row[1:]  # type: ignore[assignment]  # checked just above
    (run_id, started, finished, action, target, task_policy, caller_arn, items, status) = texts[:9]
    request_id, error, account_name, change_ref, reason, session_key_id = texts[9:15]
    return JournalEntry(
        id=entry_id,
        run_id=str(run_id),
        started_at=_moment("started_at", str(started)),
        finished_at=None if finished is None else _moment("finished_at", finished),
        action=str(action),
        target=target,
        task_policy=task_policy,
        caller_arn=caller_arn,
        items=_items(str(items)),
        status=_status(str(status)),
        request_id=request_id,
        error=error,
        saved_policy=_saved_policy(texts[15:20]),
        account_name=account_name,
        replacement_policy=texts[20] if texts[19] is not None else None,
        change_ref=change_ref,
        reason=reason,
        session_key_id=session_key_id,
    )


def _shown(value: object) -> str:
    text = repr(value)  # escapes control and bidi characters
    return text if len(text) <= 60 else text[:57] + "..."


def _moment(column: str, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _Unreadable(f"{column} is not a date: {_shown(text)}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _items(text: str) -> tuple[str, ...]:
    try:
        items = json.loads(text)
    except ValueError:
        raise _Unreadable(f"items is not JSON: {_shown(text)}") from None
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise _Unreadable(f"items is not a list of strings: {_shown(text)}")
    return tuple(items)


def _status(text: str) -> JournalStatus:
    try:
        return JournalStatus(text)
    except ValueError:
        raise _Unreadable(f"unknown status {_shown(text)}") from None


def _saved_policy(values: tuple[str | None, ...]) -> ResourcePolicy | None:
    account_id, kind, resource, region, policy = values
    if policy is None:
        return None
    if account_id is None or kind is None or resource is None:
        raise _Unreadable("the saved policy is incomplete")
    try:
        resource_kind: ResourceKind | OrgPolicyKind = (
            OrgPolicyKind(kind) if kind in set(OrgPolicyKind) else ResourceKind(kind)
        )
    except ValueError:
        raise _Unreadable(f"unknown saved policy kind {_shown(kind)}") from None
    return ResourcePolicy(account_id, resource_kind, resource, region, policy)


SESSION_COLUMNS = (
    "access_key_id", "run_id", "opened_at", "expires_at", "account_id", "task_policy",
    "caller_arn", "purpose", "action_id",
)  # fmt: skip


def session_values(record: SessionRecord) -> tuple[object, ...]:
    return (
        record.access_key_id,
        record.run_id,
        stamp(record.opened_at),
        stamp(record.expires_at) if record.expires_at else None,
        record.account_id,
        record.task_policy,
        record.caller_arn,
        record.purpose,
        record.action_id,
    )


def decode_session(row: tuple[object, ...]) -> SessionRecord | None:
    """A ``root_sessions`` row, or None when it does not hold what rootctl writes."""
    key, run_id, opened, expires, account, task, caller, purpose, action_id = row
    try:
        return SessionRecord(
            access_key_id=str(key),
            run_id=str(run_id),
            opened_at=_moment("opened_at", str(opened)),
            expires_at=_moment("expires_at", str(expires)) if expires else None,
            account_id=str(account),
            task_policy=str(task),
            purpose=str(purpose),
            caller_arn=str(caller) if caller else None,
            action_id=int(str(action_id)) if action_id is not None else None,
        )
    except (_Unreadable, ValueError):
        return None
