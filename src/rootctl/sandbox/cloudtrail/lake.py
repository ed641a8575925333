"""A CloudTrail Lake of the sandbox: event data stores and their queries.

An event data store holds the management events recorded from its creation on — of its own
account, or of every account of the organization when ``OrganizationEnabled`` (only the
management account may create one) — in every Region, or only its own without
``MultiRegionEnabled``. ``StartQuery`` runs a query of the SQL subset in ``sql.py``; the first
``DescribeQuery``/``GetQueryResults`` answers ``RUNNING`` (as a real query usually is), later
ones ``FINISHED`` with the rows, paged.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.core.base_backend import BackendDict, BaseBackend

from ..models import CLOCK
from ..organizations import organization_of
from . import events, sql
from .exceptions import (
    EventDataStoreAlreadyExists,
    EventDataStoreNotFound,
    InvalidMaxResults,
    InvalidNextToken,
    InvalidParameter,
    NotOrganizationMaster,
    QueryIdNotFound,
)
from .lookup import parse_time

MAX_QUERY_RESULTS = 1000
DEFAULT_RETENTION_DAYS = 2557


@dataclass
class EventDataStore:
    arn: str
    name: str
    account_id: str
    region: str
    created_at: datetime
    organization_enabled: bool
    multi_region: bool
    retention_days: int = DEFAULT_RETENTION_DAYS

    @property
    def id(self) -> str:
        return self.arn.rsplit("/", 1)[-1]

    def describe(self) -> dict[str, Any]:
        return {
            "EventDataStoreArn": self.arn,
            "Name": self.name,
            "Status": "ENABLED",
            "MultiRegionEnabled": self.multi_region,
            "OrganizationEnabled": self.organization_enabled,
            "RetentionPeriod": self.retention_days,
            "TerminationProtectionEnabled": True,
            "CreatedTimestamp": self.created_at,
            "UpdatedTimestamp": self.created_at,
            "BillingMode": "EXTENDABLE_RETENTION_PRICING",
            "AdvancedEventSelectors": [
                {
                    "Name": "Default management events",
                    "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}],
                }
            ],
        }

    def holds(self, event: dict[str, Any], members: set[str]) -> bool:
        if parse_time(str(event["eventTime"])) < self.created_at.replace(microsecond=0):
            return False
        if not self.multi_region and event.get("awsRegion") != self.region:
            return False
        return str(event.get("recipientAccountId")) in members


@dataclass
class QueryRun:
    query_id: str
    statement: str
    rows: list[list[dict[str, str]]]
    polls: int = 0
    data_store: str = ""
    created_at: datetime = field(default_factory=CLOCK.now)

    cancelled: bool = False

    def status(self) -> str:
        self.polls += 1
        if self.cancelled:
            return "CANCELLED"
        return "RUNNING" if self.polls == 1 else "FINISHED"

    def statistics(self) -> dict[str, int]:
        size = sum(len(str(row)) for row in self.rows)
        return {"ResultsCount": len(self.rows), "TotalResultsCount": len(self.rows),
                "BytesScanned": size}  # fmt: skip


class AccountLake(BaseBackend):
    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.stores: dict[str, EventDataStore] = {}  # by ARN
        self.queries: dict[str, QueryRun] = {}
        self.lock = threading.Lock()


lake_backends: BackendDict[AccountLake] = BackendDict(
    AccountLake, "cloudtraillake", use_boto3_regions=False, additional_regions=["aws"]
)


def _lake(account_id: str) -> AccountLake:
    found: AccountLake = lake_backends[account_id]["aws"]
    return found


def _flag(params: dict[str, Any], name: str, default: bool) -> bool:
    value = params.get(name)
    return default if value is None else bool(value)


def create(account_id: str, region: str, params: dict[str, Any]) -> EventDataStore:
    name = str(params.get("Name") or "")
    if not 3 <= len(name) <= 128:
        raise InvalidParameter("Name must be 3 to 128 characters.")
    organization = _flag(params, "OrganizationEnabled", False)
    if organization:
        org = organization_of(account_id)
        if org is None or org.account_id != account_id:
            raise NotOrganizationMaster(account_id)
    lake = _lake(account_id)
    with lake.lock:
        if any(s.name == name for s in lake.stores.values()):
            raise EventDataStoreAlreadyExists(name)
        store = EventDataStore(
            arn=f"arn:aws:cloudtrail:{region}:{account_id}:eventdatastore/{uuid.uuid4()}",
            name=name,
            account_id=account_id,
            region=region,
            created_at=CLOCK.now().replace(microsecond=0),
            organization_enabled=organization,
            multi_region=_flag(params, "MultiRegionEnabled", True),
            retention_days=int(params.get("RetentionPeriod") or DEFAULT_RETENTION_DAYS),
        )
        lake.stores[store.arn] = store
    return store


def find(account_id: str, name_or_arn: str) -> EventDataStore:
    """The caller's data store by ARN, id or name."""
    for store in list(_lake(account_id).stores.values()):
        if name_or_arn in (store.arn, store.id, store.name):
            return store
    raise EventDataStoreNotFound(name_or_arn)


def listed(account_id: str) -> list[EventDataStore]:
    return list(_lake(account_id).stores.values())


def delete(account_id: str, name_or_arn: str) -> None:
    store = find(account_id, name_or_arn)
    lake = _lake(account_id)
    with lake.lock:
        lake.stores.pop(store.arn, None)


def _members(store: EventDataStore) -> set[str]:
    if not store.organization_enabled:
        return {store.account_id}
    org = organization_of(store.account_id)
    if org is None:
        return {store.account_id}
    return {str(a.id) for a in org.accounts_sorted()}


def start_query(account_id: str, statement: str) -> QueryRun:
    query = sql.parse(statement)
    store = find(account_id, query.data_store)
    members = _members(store)
    held = [e for e in events.all_events() if store.holds(e, members)]
    held.sort(key=lambda e: str(e["eventTime"]))
    run = QueryRun(str(uuid.uuid4()), statement, query.run(held), data_store=store.arn)
    lake = _lake(account_id)
    with lake.lock:
        lake.queries[run.query_id] = run
    return run


def query(account_id: str, query_id: str) -> QueryRun:
    found = _lake(account_id).queries.get(query_id)
    if found is None:
        raise QueryIdNotFound(query_id)
    return found


def results(account_id: str, params: dict[str, Any]) -> dict[str, Any]:
    run = query(account_id, str(params.get("QueryId") or ""))
    status = run.status()
    answer: dict[str, Any] = {"QueryStatus": status, "QueryStatistics": run.statistics()}
    if status != "FINISHED":
        answer["QueryResultRows"] = []
        return answer
    try:
        limit = int(params.get("MaxQueryResults") or MAX_QUERY_RESULTS)
        offset = int(params.get("NextToken") or 0)
    except (TypeError, ValueError) as exc:
        raise InvalidNextToken() from exc
    if not 1 <= limit <= MAX_QUERY_RESULTS:
        raise InvalidMaxResults()
    answer["QueryResultRows"] = run.rows[offset : offset + limit]
    if offset + limit < len(run.rows):
        answer["NextToken"] = str(offset + limit)
    return answer
