"""Plan approvals, plan uses and recovery windows in the DynamoDB journal (see
aws/journal_dynamodb.py): the DynamoDB backend of :mod:`rootctl.journal.changes`, with the
SQLite backend's guarantees kept by conditional writes instead of keys and unique indexes.

Items, in the journal's table (key ``pk`` + ``sk``):

- ``plan#<sha256>``/``approval#<approver ARN>``: an approval; written only if absent, so the
  first one per approver stays;
- ``plan#<sha256>``/``use``: the plan's single use; written only if absent, so of two applies
  racing, from any machine, exactly one records it (the other reads the first one's record);
- ``meta``/``window-counter``: the last window id (an atomic ADD);
- ``window``/``<id, 20 digits>``: a recovery window; newest first is a reverse Query. A closer
  claims it with an UpdateItem whose condition is the SQLite ``UPDATE … WHERE`` (open or
  close-failed, or closing under a stale claim): one closer wins;
- ``window-active``/``<account id>``: the account's active window (its id). Written in one
  transaction with the window (only if absent: one active window per account) and deleted in
  one transaction with the window's move to a state that is not active.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from rootctl.aws.errors import translated
from rootctl.aws.journal_dynamodb_lease import stamp
from rootctl.errors import Conflict, InputError
from rootctl.models import Approval, Baseline, PlanUse, RecoveryWindow, WindowState

if TYPE_CHECKING:
    from rootctl.aws.journal_dynamodb import DynamoJournal

ID_ATTEMPTS = 8  # window ids tried for one open before it fails
_FAILED = "ConditionalCheckFailed"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # a required instant that is missing decodes as this


def _s(value: str | None) -> dict[str, Any]:
    return {"NULL": True} if value is None else {"S": value}


def _text(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return None if value is None or "NULL" in value else str(value["S"])


def _moment(item: dict[str, Any], name: str) -> datetime | None:
    text = _text(item, name)
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _window_sk(window_id: int) -> str:
    return f"{window_id:020d}"


def _query(journal: DynamoJournal, forward: bool = True, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every item of a Query, page after page (strongly consistent)."""
    kwargs |= {"TableName": journal.table, "ConsistentRead": True, "ScanIndexForward": forward}
    while True:
        with translated(f"Query({journal.table})"):
            page = journal._db().query(**kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _transact(journal: DynamoJournal, items: list[dict[str, Any]]) -> list[str]:
    """Write ``items`` atomically. [] when written, else why each item refused (its
    cancellation reason code, ``None`` for the items that were not the cause)."""
    with translated(f"TransactWriteItems({journal.table})"):
        try:
            journal._db().transact_write_items(TransactItems=items)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = exc.response.get("CancellationReasons") or []
            return [str(r.get("Code")) for r in reasons] or ["?"]
    return []


def _put_new(journal: DynamoJournal, item: dict[str, Any]) -> dict[str, Any]:
    """A transaction's PutItem of an item that must not exist yet."""
    return {
        "Put": {
            "TableName": journal.table,
            "Item": item,
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def _put_if_absent(journal: DynamoJournal, item: dict[str, Any]) -> bool:
    """Write ``item`` unless one with its key exists (a conditional put: racing writers get
    one winner); False when it existed."""
    journal.prepare_for_writing()
    try:
        with translated(f"PutItem({journal.table})"):
            journal._db().put_item(
                TableName=journal.table, Item=item, ConditionExpression="attribute_not_exists(pk)"
            )
    except Conflict:
        return False
    return True


class DynamoPlanLedger:
    def __init__(self, journal: DynamoJournal) -> None:
        self._journal = journal

    def record_approval(self, plan_hash: str, approval: Approval) -> None:
        # this approver's first approval stays: a second one is not written
        _put_if_absent(
            self._journal,
            _key(f"plan#{plan_hash}", f"approval#{approval.approver_arn}")
            | {
                "approver_arn": {"S": approval.approver_arn},
                "approved_at": {"S": stamp(approval.approved_at)},
            },
        )

    def approvals(self, plan_hash: str) -> list[Approval]:
        if not self._journal._readable():
            return []
        items = _query(
            self._journal,
            KeyConditionExpression="pk = :p AND begins_with(sk, :a)",
            ExpressionAttributeValues={":p": {"S": f"plan#{plan_hash}"}, ":a": {"S": "approval#"}},
        )
        found = [
            Approval(str(i["approver_arn"]["S"]), _moment(i, "approved_at") or _EPOCH, plan_hash)
            for i in items
        ]
        return sorted(found, key=lambda a: a.approved_at)

    def claim(self, use: PlanUse) -> PlanUse | None:
        item = _key(f"plan#{use.plan_hash}", "use") | {
            "plan_id": {"S": use.plan_id},
            "run_id": {"S": use.run_id},
            "applied_by": {"S": use.applied_by},
            "started_at": {"S": stamp(use.started_at)},
        }
        if _put_if_absent(self._journal, item):
            return None
        return self.use(use.plan_hash) or use  # used already (or being used): the first use

    def finish(self, plan_hash: str, outcome: str, finished_at: datetime) -> None:
        journal = self._journal
        try:
            with translated(f"UpdateItem({journal.table})"):
                journal._db().update_item(
                    TableName=journal.table,
                    Key=_key(f"plan#{plan_hash}", "use"),
                    UpdateExpression="SET outcome = :o, finished_at = :f",
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeValues={
                        ":o": {"S": outcome},
                        ":f": {"S": stamp(finished_at)},
                    },
                )
        except Conflict:
            pass  # no use recorded: nothing to finish (as SQLite's UPDATE of no row)

    def use(self, plan_hash: str) -> PlanUse | None:
        journal = self._journal
        if not journal._readable():
            return None
        item = journal._get(f"plan#{plan_hash}", "use")
        if item is None:
            return None
        return PlanUse(
            plan_hash,
            str(item["plan_id"]["S"]),
            str(item["run_id"]["S"]),
            str(item["applied_by"]["S"]),
            _moment(item, "started_at") or _EPOCH,
            _moment(item, "finished_at"),
            _text(item, "outcome"),
        )


def _window(item: dict[str, Any]) -> RecoveryWindow:
    baseline = json.loads(_text(item, "baseline") or "{}")
    return RecoveryWindow(
        id=int(item["id"]["N"]),
        account_id=str(item["account_id"]["S"]),
        account_name=_text(item, "account_name"),
        reason=str(item["reason"]["S"]),
        ticket=_text(item, "ticket"),
        opened_by=str(item["opened_by"]["S"]),
        opened_at=_moment(item, "opened_at") or _EPOCH,
        expires_at=_moment(item, "expires_at") or _EPOCH,
        state=WindowState(item["state"]["S"]),
        baseline=Baseline(
            tuple(baseline.get("access_keys", ())),
            tuple(baseline.get("mfa_devices", ())),
            tuple(baseline.get("signing_certificates", ())),
        ),
        claimed_at=_moment(item, "claimed_at"),
        closed_by=_text(item, "closed_by"),
        closed_at=_moment(item, "closed_at"),
        note=_text(item, "note"),
        evidence=_text(item, "evidence"),
    )


class DynamoWindowStore:
    def __init__(self, journal: DynamoJournal) -> None:
        self._journal = journal

    def open(self, window: RecoveryWindow) -> RecoveryWindow:
        journal = self._journal
        journal.prepare_for_writing()
        baseline = {
            "access_keys": list(window.baseline.access_keys),
            "mfa_devices": list(window.baseline.mfa_devices),
            "signing_certificates": list(window.baseline.signing_certificates),
        }
        for _ in range(ID_ATTEMPTS):
            self._refuse_a_second(window.account_id)  # before an id is spent on it
            window_id = self._next_id()
            item = _key("window", _window_sk(window_id)) | {
                "id": {"N": str(window_id)},
                "account_id": {"S": window.account_id},
                "account_name": _s(window.account_name),
                "reason": {"S": window.reason},
                "ticket": _s(window.ticket),
                "opened_by": {"S": window.opened_by},
                "opened_at": {"S": stamp(window.opened_at)},
                "expires_at": {"S": stamp(window.expires_at)},
                "state": {"S": WindowState.OPEN.value},
                "baseline": {"S": json.dumps(baseline)},
            }
            guard = _key("window-active", window.account_id) | {"window_id": {"N": str(window_id)}}
            refused = _transact(journal, [_put_new(journal, guard), _put_new(journal, item)])
            if not refused:
                stored = self.window(window_id)
                assert stored is not None  # written just above
                return stored
            if _FAILED not in refused:
                raise journal._unavailable(f"the window was not written ({', '.join(refused)})")
            # The account's guard (refused on the next turn) or the id was taken meanwhile.
        raise journal._unavailable("no free window id after several attempts")

    def _refuse_a_second(self, account_id: str) -> None:
        guard = self._journal._get("window-active", account_id)
        if guard is None:
            return
        active = self.window(int(guard["window_id"]["N"]))
        what = f" (#{active.id}, until {stamp(active.expires_at)})" if active else ""
        raise InputError(
            f"account {account_id} already has a recovery window that is not closed{what}; "
            "close it first."
        )

    def _next_id(self) -> int:
        journal = self._journal
        with translated(f"UpdateItem({journal.table})"):
            counter = journal._db().update_item(
                TableName=journal.table,
                Key=_key("meta", "window-counter"),
                UpdateExpression="ADD next_id :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
                ReturnValues="UPDATED_NEW",
            )
        return int(counter["Attributes"]["next_id"]["N"])

    def window(self, window_id: int) -> RecoveryWindow | None:
        journal = self._journal
        if window_id < 1 or not journal._readable():
            return None
        item = journal._get("window", _window_sk(window_id))
        return None if item is None else _window(item)

    def windows(
        self,
        *,
        account_id: str | None = None,
        active_only: bool = False,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[RecoveryWindow]:
        if not self._journal._readable():
            return []
        found: list[RecoveryWindow] = []
        items = _query(
            self._journal,
            forward=False,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "window"}},
        )
        for item in items:
            window = _window(item)
            if account_id is not None and window.account_id != account_id:
                continue
            recent = since is None or window.opened_at >= since
            if not (window.state.active or (recent and not active_only)):
                continue
            found.append(window)
            if limit is not None and len(found) >= limit:
                break
        return found

    def claim(
        self, window_id: int, closer_arn: str, now: datetime, stale_before: datetime
    ) -> RecoveryWindow | None:
        journal = self._journal
        try:
            with translated(f"UpdateItem({journal.table})"):
                updated = journal._db().update_item(
                    TableName=journal.table,
                    Key=_key("window", _window_sk(window_id)),
                    UpdateExpression="SET #s = :closing, claimed_by = :me, claimed_at = :now",
                    ConditionExpression=(
                        "attribute_exists(pk) AND (#s IN (:open, :failed)"
                        " OR (#s = :closing AND claimed_at < :stale))"
                    ),
                    ExpressionAttributeNames={"#s": "state"},
                    ExpressionAttributeValues={
                        ":closing": {"S": WindowState.CLOSING.value},
                        ":open": {"S": WindowState.OPEN.value},
                        ":failed": {"S": WindowState.CLOSE_FAILED.value},
                        ":me": {"S": closer_arn},
                        ":now": {"S": stamp(now)},
                        ":stale": {"S": stamp(stale_before)},
                    },
                    ReturnValues="ALL_NEW",
                )
        except Conflict:  # another closer has it, or it is closed (or not there)
            return None
        return _window(updated["Attributes"])

    def finish(
        self,
        window_id: int,
        state: WindowState,
        *,
        at: datetime,
        by: str | None = None,
        note: str | None = None,
        evidence: str | None = None,
    ) -> RecoveryWindow:
        journal = self._journal
        closed = state is WindowState.CLOSED
        update = {
            "TableName": journal.table,
            "Key": _key("window", _window_sk(window_id)),
            "UpdateExpression": (
                "SET #s = :s, note = :n, evidence = :e, closed_by = :b, closed_at = :a"
            ),
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeNames": {"#s": "state"},
            "ExpressionAttributeValues": {
                ":s": {"S": state.value},
                ":n": _s(note),
                ":e": _s(evidence),
                ":b": _s(by if closed else None),
                ":a": _s(stamp(at) if closed else None),
            },
        }
        if state.active:  # close-failed: the account keeps its active window
            with translated(f"UpdateItem({journal.table})"):
                journal._db().update_item(**update)
        else:
            stored = self.window(window_id)
            if stored is None:
                raise journal._unavailable(f"recovery window #{window_id} is not in the table")
            release = {
                "TableName": journal.table,
                "Key": _key("window-active", stored.account_id),
                "ConditionExpression": "attribute_not_exists(pk) OR window_id = :id",
                "ExpressionAttributeValues": {":id": {"N": str(window_id)}},
            }
            refused = _transact(journal, [{"Update": update}, {"Delete": release}])
            if refused:
                raise journal._unavailable(
                    f"recovery window #{window_id} was not updated ({', '.join(refused)})"
                )
        stored = self.window(window_id)
        assert stored is not None
        return stored
