"""The watch lease and watch state in the DynamoDB journal (see aws/journal_dynamodb.py):
conditional writes, so two watches never both hold the lease and only its holder renews it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from rootctl.aws.errors import translated
from rootctl.errors import Conflict
from rootctl.models import Lease


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


class DynamoLeases:
    """Mixed into :class:`~rootctl.aws.journal_dynamodb.DynamoJournal`."""

    table: str
    _db: Callable[[], Any]
    _get: Callable[[str, str], dict[str, Any] | None]
    _readable: Callable[[], bool]
    prepare_for_writing: Callable[[], None]

    def acquire_lease(self, name: str, holder: str, ttl: timedelta) -> Lease:
        self.prepare_for_writing()
        now = datetime.now(UTC)
        before = self._get("lease", name)
        try:
            with translated(f"PutItem({self.table})"):
                self._db().put_item(
                    TableName=self.table,
                    Item={
                        "pk": {"S": "lease"},
                        "sk": {"S": name},
                        "holder": {"S": holder},
                        "acquired_at": {"S": stamp(now)},
                        "expires_at": {"S": stamp(now + ttl)},
                    },
                    ConditionExpression=(
                        "attribute_not_exists(pk) OR holder = :me OR expires_at < :now"
                    ),
                    ExpressionAttributeValues={":me": {"S": holder}, ":now": {"S": stamp(now)}},
                )
        except Conflict:  # the condition failed: someone else holds it
            current = self._get("lease", name) or {}
            return Lease(
                name,
                current.get("holder", {}).get("S", "?"),
                datetime.fromisoformat(current.get("acquired_at", {}).get("S", stamp(now))),
                datetime.fromisoformat(current.get("expires_at", {}).get("S", stamp(now))),
                held=False,
            )
        previous = (before or {}).get("holder", {}).get("S")
        stale = previous if previous and previous != holder else None
        return Lease(name, holder, now, now + ttl, held=True, taken_over_from=stale)

    def renew_lease(self, name: str, holder: str, ttl: timedelta) -> bool:
        try:
            with translated(f"UpdateItem({self.table})"):
                self._db().update_item(
                    TableName=self.table,
                    Key={"pk": {"S": "lease"}, "sk": {"S": name}},
                    UpdateExpression="SET expires_at = :e",
                    ConditionExpression="holder = :me",
                    ExpressionAttributeValues={
                        ":e": {"S": stamp(datetime.now(UTC) + ttl)},
                        ":me": {"S": holder},
                    },
                )
        except Conflict:
            return False
        return True

    def release_lease(self, name: str, holder: str) -> None:
        try:
            with translated(f"DeleteItem({self.table})"):
                self._db().delete_item(
                    TableName=self.table,
                    Key={"pk": {"S": "lease"}, "sk": {"S": name}},
                    ConditionExpression="holder = :me",
                    ExpressionAttributeValues={":me": {"S": holder}},
                )
        except Conflict:
            pass  # not ours (any more): nothing to release

    def load_watch_state(self, name: str) -> str | None:
        if not self._readable():
            return None
        item = self._get("watch-state", name)
        return None if item is None else str(item["state"]["S"])

    def save_watch_state(self, name: str, state: str) -> None:
        self.prepare_for_writing()
        with translated(f"PutItem({self.table})"):
            self._db().put_item(
                TableName=self.table,
                Item={
                    "pk": {"S": "watch-state"},
                    "sk": {"S": name},
                    "state": {"S": state},
                    "updated_at": {"S": stamp(datetime.now(UTC))},
                },
            )
