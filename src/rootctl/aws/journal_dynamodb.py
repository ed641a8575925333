"""The journal in a DynamoDB table: the same :class:`~rootctl.journal.JournalStore` (and
:class:`~rootctl.journal.LeaseStore`) guarantees as the SQLite file, for rootctl running in AWS
(the deployed Lambda, or any ``--journal dynamodb://TABLE``).

One table, key ``pk`` (partition) + ``sk`` (sort, a string):

- ``meta``/``schema``: the marker that the table is a rootctl journal (and its version);
- ``meta``/``counter``: the last action id (an atomic ADD: ids grow with time);
- ``action``/``<id, 20 digits>``: an action row; newest first is a reverse Query;
- ``lease``/``<name>``: the watch lease, written with a condition (free, stale or ours);
- ``watch-state``/``<name>``: the last round's violations;
- ``session``/``<access key id>``: a root session rootctl opened;
- ``plan#…``, ``window``, ``window-active``: change control (plan approvals and single use,
  recovery windows), laid out in aws/journal_dynamodb_changes.py.

Writes that carry an intent are plain PutItems acknowledged by DynamoDB (durable on return).
Reading a table that does not exist reads as empty and creates nothing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from rootctl.aws.errors import translated
from rootctl.aws.journal_dynamodb_changes import DynamoPlanLedger, DynamoWindowStore
from rootctl.aws.journal_dynamodb_lease import DynamoLeases, stamp
from rootctl.aws.session import AwsSession
from rootctl.errors import (
    Advice,
    AdviceCode,
    Conflict,
    JournalUnavailable,
    NotFound,
)
from rootctl.journal import rows
from rootctl.journal.changes import PlanLedger, WindowStore
from rootctl.models import (
    JournalEntry,
    JournalOutcome,
    JournalQuery,
    JournalRow,
    JournalStatus,
    ResourceKind,
    ResourcePolicy,
    SessionRecord,
    UnreadableEntry,
)

SCHEME = "dynamodb://"
APPLICATION = "rootctl-journal"
VERSION = 1
_ADVICE = Advice(AdviceCode.CHOOSE_JOURNAL)


# The table's key (the stack's template declares the same).
ATTRIBUTES = [
    {"AttributeName": "pk", "AttributeType": "S"},
    {"AttributeName": "sk", "AttributeType": "S"},
]
KEYS = [
    {"AttributeName": "pk", "KeyType": "HASH"},
    {"AttributeName": "sk", "KeyType": "RANGE"},
]


ID_ATTEMPTS = 8  # ids tried for one intent row before the write fails


def _sk(entry_id: int) -> str:
    return f"{entry_id:020d}"


class DynamoJournal(DynamoLeases):
    """A journal table (``dynamodb://TABLE``). ``aws`` is called once, when first needed."""

    def __init__(self, table: str, aws: Callable[[], AwsSession]) -> None:
        self.table = table
        self._aws = aws
        self._client: Any = None
        self._lock = threading.Lock()
        self._ready = False
        self.plans: PlanLedger = DynamoPlanLedger(self)
        self.windows: WindowStore = DynamoWindowStore(self)

    @property
    def location(self) -> str:
        return f"{SCHEME}{self.table}"

    def close(self) -> None:
        self._client = None

    def _db(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._aws().client("dynamodb")
            return self._client

    def _unavailable(self, problem: object) -> JournalUnavailable:
        return JournalUnavailable(f"cannot use the journal {self.location}: {problem}.", _ADVICE)

    # -- preparing ------------------------------------------------------------------------

    def prepare_for_writing(self) -> None:
        if self._ready:
            return
        db = self._db()
        if not self._exists():
            with translated(f"CreateTable({self.table})"):
                db.create_table(
                    TableName=self.table,
                    AttributeDefinitions=ATTRIBUTES,
                    KeySchema=KEYS,
                    BillingMode="PAY_PER_REQUEST",
                )
                db.get_waiter("table_exists").wait(TableName=self.table)
        marker = self._get("meta", "schema")
        if marker is None:
            if self._get_any():
                raise self._unavailable("the table holds items but is not a rootctl journal")
            with translated(f"PutItem({self.table})"):
                db.put_item(
                    TableName=self.table,
                    Item={
                        "pk": {"S": "meta"},
                        "sk": {"S": "schema"},
                        "application": {"S": APPLICATION},
                        "version": {"N": str(VERSION)},
                    },
                    ConditionExpression="attribute_not_exists(pk)",
                )
        else:
            self._check_marker(marker)
        self._ready = True

    def _check_marker(self, marker: dict[str, Any]) -> None:
        if marker.get("application", {}).get("S") != APPLICATION:
            raise self._unavailable("the table is not a rootctl journal")
        version = int(marker.get("version", {}).get("N", "0"))
        if version > VERSION:
            raise self._unavailable(
                f"it was written by a newer rootctl (schema {version}); upgrade rootctl"
            )

    def _exists(self) -> bool:
        try:
            with translated(f"DescribeTable({self.table})"):
                self._db().describe_table(TableName=self.table)
        except NotFound:
            return False
        return True

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        with translated(f"GetItem({self.table})"):
            found = self._db().get_item(
                TableName=self.table, Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True
            )
        item = found.get("Item")
        return dict(item) if item else None

    def _get_any(self) -> bool:
        with translated(f"Scan({self.table})"):
            return bool(self._db().scan(TableName=self.table, Limit=1).get("Items"))

    # -- writing --------------------------------------------------------------------------

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
        self.prepare_for_writing()
        fields: dict[str, Any] = {
            "run_id": {"S": run_id},
            "started_at": {"S": stamp(datetime.now(UTC))},
            "action": {"S": action},
            "items": {"S": json.dumps(list(items))},
            "status": {"S": JournalStatus.INTENT.value},
        }
        for name, value in (
            ("target", target),
            ("task_policy", task_policy),
            ("caller_arn", caller_arn),
            ("account_name", account_name),
            ("replacement_policy", replacement_policy),
            ("change_ref", change_ref),
            ("reason", reason),
        ):
            if value is not None:
                fields[name] = {"S": value}
        if saved_policy is not None and saved_policy.policy is not None:
            fields["saved_policy"] = {
                "S": json.dumps(
                    {
                        "account_id": saved_policy.account_id,
                        "kind": saved_policy.kind.value,
                        "resource": saved_policy.resource,
                        "region": saved_policy.region,
                        "policy": saved_policy.policy,
                    }
                )
            }
        # An id is taken only by the PutItem's condition. A row already there under the
        # counter's answer (a counter restored behind its rows, an emulator whose ADD is not
        # atomic across threads) costs another id, not the action.
        for _ in range(ID_ATTEMPTS - 1):
            try:
                return self._put_intent(fields)
            except Conflict:
                continue
        return self._put_intent(fields)

    def _put_intent(self, fields: dict[str, Any]) -> int:
        db = self._db()
        with translated(f"UpdateItem({self.table})"):
            counter = db.update_item(
                TableName=self.table,
                Key={"pk": {"S": "meta"}, "sk": {"S": "counter"}},
                UpdateExpression="ADD next_id :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
                ReturnValues="UPDATED_NEW",
            )
        entry_id = int(counter["Attributes"]["next_id"]["N"])
        item = {"pk": {"S": "action"}, "sk": {"S": _sk(entry_id)}, "id": {"N": str(entry_id)}}
        with translated(f"PutItem({self.table})"):
            db.put_item(
                TableName=self.table,
                Item=item | fields,
                ConditionExpression="attribute_not_exists(pk)",
            )
        return entry_id

    def finish(
        self,
        entry_id: int,
        status: JournalStatus,
        *,
        request_id: str | None = None,
        error: str | None = None,
        session_key_id: str | None = None,
    ) -> None:
        values: dict[str, Any] = {
            ":f": {"S": stamp(datetime.now(UTC))},
            ":s": {"S": status.value},
            ":r": {"S": request_id} if request_id is not None else {"NULL": True},
            ":e": {"S": error} if error is not None else {"NULL": True},
            ":k": {"S": session_key_id} if session_key_id is not None else {"NULL": True},
        }
        with translated(f"UpdateItem({self.table})"):
            self._db().update_item(
                TableName=self.table,
                Key={"pk": {"S": "action"}, "sk": {"S": _sk(entry_id)}},
                UpdateExpression=(
                    "SET finished_at = :f, #s = :s, request_id = :r, #e = :e, session_key_id = :k"
                ),
                ExpressionAttributeNames={"#s": "status", "#e": "error"},
                ExpressionAttributeValues=values,
                ConditionExpression="attribute_exists(pk)",
            )

    # -- root sessions rootctl opened (activity) -------------------------------------------

    def record_sessions(self, records: Iterable[SessionRecord]) -> None:
        """One item per session (key: its access key id), the row as rows.SESSION_COLUMNS."""
        values = [rows.session_values(r) for r in records]
        if not values:
            return
        self.prepare_for_writing()
        for row in values:
            item = {"pk": {"S": "session"}, "sk": {"S": str(row[0])}, "row": {"S": json.dumps(row)}}
            with translated(f"PutItem({self.table})"):
                self._db().put_item(TableName=self.table, Item=item)

    def sessions(self, since: datetime | None = None) -> list[SessionRecord]:
        if not self._readable():
            return []
        found: list[SessionRecord] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "session"}},
            "ConsistentRead": True,
        }
        while True:
            with translated(f"Query({self.table})"):
                page = self._db().query(**kwargs)
            for item in page.get("Items", []):
                record = rows.decode_session(tuple(json.loads(item["row"]["S"])))
                if record is not None and (since is None or record.opened_at >= since):
                    found.append(record)
            if "LastEvaluatedKey" not in page:
                return sorted(found, key=lambda r: r.opened_at)
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # -- reading --------------------------------------------------------------------------

    def _readable(self) -> bool:
        if self._ready:
            return True
        if not self._exists():
            return False
        marker = self._get("meta", "schema")
        if marker is None:
            if self._get_any():
                raise self._unavailable("the table holds items but is not a rootctl journal")
            return False
        self._check_marker(marker)
        return True

    def entries(self, query: JournalQuery | None = None) -> list[JournalRow]:
        query = query or JournalQuery()
        if not self._readable():
            return []
        found: list[JournalRow] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "action"}},
            "ScanIndexForward": False,
            "ConsistentRead": True,
        }
        while True:
            with translated(f"Query({self.table})"):
                page = self._db().query(**kwargs)
            for item in page.get("Items", []):
                row = _decode(item)
                if _matches(row, query):
                    found.append(row)
                    if query.limit is not None and len(found) >= query.limit:
                        return found
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def entry(self, entry_id: int) -> JournalRow | None:
        if entry_id < 1 or not self._readable():
            return None
        item = self._get("action", _sk(entry_id))
        return None if item is None else _decode(item)


def _text(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return None if value is None or "NULL" in value else str(value["S"])


def _decode(item: dict[str, Any]) -> JournalRow:
    entry_id = int(item.get("id", {}).get("N", "0") or 0)
    try:
        finished = _text(item, "finished_at")
        saved = _text(item, "saved_policy")
        policy = None
        if saved is not None:
            data = json.loads(saved)
            policy = ResourcePolicy(
                data["account_id"],
                ResourceKind(data["kind"]),
                data["resource"],
                data["region"],
                data["policy"],
            )
        return JournalEntry(
            id=entry_id,
            run_id=str(item["run_id"]["S"]),
            started_at=datetime.fromisoformat(item["started_at"]["S"]),
            finished_at=datetime.fromisoformat(finished) if finished else None,
            action=str(item["action"]["S"]),
            target=_text(item, "target"),
            task_policy=_text(item, "task_policy"),
            caller_arn=_text(item, "caller_arn"),
            items=tuple(json.loads(item["items"]["S"])),
            status=JournalStatus(item["status"]["S"]),
            request_id=_text(item, "request_id"),
            error=_text(item, "error"),
            saved_policy=policy,
            account_name=_text(item, "account_name"),
            replacement_policy=_text(item, "replacement_policy"),
            change_ref=_text(item, "change_ref"),
            reason=_text(item, "reason"),
            session_key_id=_text(item, "session_key_id"),
        )
    except (KeyError, ValueError, TypeError) as exc:
        return UnreadableEntry(entry_id, f"cannot decode the row: {exc}")


def _matches(row: JournalRow, query: JournalQuery) -> bool:
    if not isinstance(row, JournalEntry):
        return not (query.accounts or query.actions or query.outcomes)
    if query.since is not None and row.started_at < query.since:
        return False
    if query.until is not None and row.started_at > query.until:
        return False
    if query.accounts and row.target not in query.accounts:
        return False
    if query.actions and row.action not in query.actions:
        return False
    if query.changes and row.change_ref not in query.changes:
        return False
    return not (query.outcomes and JournalOutcome.of(row.status) not in query.outcomes)
