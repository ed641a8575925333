"""Reading CloudTrail: typed events out of ``LookupEvents`` (the event history of the account
rootctl runs in, one Region, 90 days) and of CloudTrail Lake (an event data store, possibly
organization-wide and multi-Region).

Both take an :class:`EventQuery` (names, access key ids, accounts, sources, a time range) and
return :class:`TrailEvent` records, oldest first, with every session token and secret removed
before a record is built. ``LookupEvents`` filters on one attribute per call (AWS's rule), so
the most selective one is sent and the rest are applied here; AWS allows it two calls a second
per account and Region — throttled pages are retried by botocore's adaptive mode (which then
rate-limits the client) and counted like every other throttled call.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rootctl.aws.errors import translated
from rootctl.errors import AwsError, InputError
from rootctl.models.trail import EventQuery, TrailEvent
from rootctl.validation import event_data_store

if TYPE_CHECKING:
    from mypy_boto3_cloudtrail import CloudTrailClient

    from rootctl.aws.session import AwsSession

# Never kept, wherever they appear in a record (AssumeRoot/AssumeRole answers carry tokens).
SECRET_FIELDS = frozenset(
    {"sessiontoken", "secretaccesskey", "password", "newpassword", "oldpassword", "privatekey"}
)
LAKE_POLL_SECONDS = 1.0
LAKE_TIMEOUT_SECONDS = 300.0
_EDS_ARN = re.compile(r"^arn:aws[\w-]*:cloudtrail:([a-z0-9-]+):(\d{12}):eventdatastore/([\w-]+)$")
_EDS_ID = re.compile(r"^[A-Za-z0-9-]{3,128}$")
_SAFE = {
    "names": re.compile(r"^[A-Za-z0-9]{1,128}$"),
    "access_key_ids": re.compile(r"^[A-Z0-9]{16,128}$"),
    "accounts": re.compile(r"^\d{12}$"),
    "sources": re.compile(r"^[a-z0-9.-]{1,128}$"),
    "identity_types": re.compile(r"^[A-Za-z]{1,64}$"),
}


def scrubbed(value: Any) -> Any:
    """``value`` without any session token, secret key or password, at any depth."""
    if isinstance(value, Mapping):
        return {
            str(k): scrubbed(v) for k, v in value.items() if str(k).lower() not in SECRET_FIELDS
        }
    if isinstance(value, list):
        return [scrubbed(v) for v in value]
    return value


def _mapping(value: Any) -> dict[str, Any]:
    return dict(scrubbed(value)) if isinstance(value, Mapping) else {}


def _time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    text = str(value).strip().replace("T", " ").rstrip("Z")
    for pattern in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise AwsError(f"CloudTrail returned an event time rootctl cannot read: {value!r}.")


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    return str(value).lower() == "true"


def event_from_record(raw: Mapping[str, Any]) -> TrailEvent:
    """A CloudTrail record (the JSON of one event) as a :class:`TrailEvent`."""
    identity = raw.get("userIdentity") if isinstance(raw.get("userIdentity"), Mapping) else {}
    assert isinstance(identity, Mapping)
    context = identity.get("sessionContext")
    context = context if isinstance(context, Mapping) else {}
    key = identity.get("accessKeyId")
    return TrailEvent(
        event_id=str(raw.get("eventID", "")),
        time=_time(raw.get("eventTime")),
        name=str(raw.get("eventName", "")),
        source=str(raw.get("eventSource", "")),
        region=str(raw.get("awsRegion", "")),
        account_id=str(raw.get("recipientAccountId") or identity.get("accountId") or ""),
        read_only=_flag(raw.get("readOnly")),
        identity_type=_text(identity.get("type")),
        principal_arn=_text(identity.get("arn")),
        access_key_id=str(key) if key else None,
        username=_text(identity.get("userName")),
        assumed_root=_flag(context.get("assumedRoot")) is True,
        source_identity=_text(context.get("sourceIdentity")),
        source_ip=_text(raw.get("sourceIPAddress")),
        user_agent=_text(raw.get("userAgent")),
        error_code=_text(raw.get("errorCode")),
        error_message=_text(raw.get("errorMessage")),
        request=_mapping(raw.get("requestParameters")),
        response=_mapping(raw.get("responseElements")),
        additional=_mapping(raw.get("additionalEventData")),
    )


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _sorted(found: Iterable[TrailEvent]) -> list[TrailEvent]:
    """Oldest first, each event once; events of the same second keep the order given
    (chronological: CloudTrail's times have one-second precision)."""
    unique: dict[str, TrailEvent] = {}
    for event in found:
        unique.setdefault(event.event_id or f"{event.time.isoformat()}/{len(unique)}", event)
    return sorted(unique.values(), key=lambda e: e.time)


# --- LookupEvents -----------------------------------------------------------------------------


def _attributes(query: EventQuery) -> list[tuple[str, str] | None]:
    """One lookup per value of the most selective attribute (AWS takes one per call)."""
    if query.access_key_ids:
        return [("AccessKeyId", k) for k in query.access_key_ids]
    if query.names:
        return [("EventName", n) for n in query.names]
    if query.sources:
        return [("EventSource", s) for s in query.sources]
    return [None]


def lookup_events(
    aws: AwsSession, query: EventQuery, *, region: str | None = None
) -> list[TrailEvent]:
    """Events of the account the caller is in, recorded in ``region`` (default: the session's)
    in the last 90 days, that match ``query``; oldest first."""
    client: CloudTrailClient = aws.client("cloudtrail", region_name=region or aws.region)
    where = region or aws.region
    found: list[TrailEvent] = []
    if query.start is not None and query.start > datetime.now(UTC):
        return found  # nothing recorded yet (AWS would refuse the range)
    for attribute in _attributes(query):
        kwargs: dict[str, Any] = {}
        if attribute is not None:
            kwargs["LookupAttributes"] = [
                {"AttributeKey": attribute[0], "AttributeValue": attribute[1]}
            ]
        if query.start is not None:
            kwargs["StartTime"] = query.start
        if query.end is not None:
            kwargs["EndTime"] = query.end
        label = f"LookupEvents({where}{', ' + '='.join(attribute) if attribute else ''})"
        newest_first: list[TrailEvent] = []
        with translated(label):
            for page in client.get_paginator("lookup_events").paginate(**kwargs):
                for summary in page.get("Events", []):
                    event = _from_summary(summary)
                    if event is not None and query.matches(event):
                        newest_first.append(event)
        found.extend(reversed(newest_first))
    return _sorted(found)


def _from_summary(summary: Mapping[str, Any]) -> TrailEvent | None:
    text = summary.get("CloudTrailEvent")
    try:
        raw = json.loads(str(text)) if text else None
    except ValueError:
        raw = None
    if not isinstance(raw, Mapping):
        return None
    return event_from_record(raw)


# --- CloudTrail Lake --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DataStore:
    arn: str
    id: str
    name: str
    region: str
    organization_enabled: bool
    multi_region: bool


def data_store_id(value: str) -> str:
    """Check ``--trail-lake``: an event data store's ARN or id (one-line InputError)."""
    return event_data_store(value)


def describe_data_store(aws: AwsSession, eds: str) -> DataStore:
    """The event data store ``eds`` (ARN or id), read in its own Region."""
    eds = data_store_id(eds)
    match = _EDS_ARN.match(eds)
    region = match.group(1) if match else aws.region
    client: CloudTrailClient = aws.client("cloudtrail", region_name=region)
    with translated(f"GetEventDataStore({eds})"):
        found = client.get_event_data_store(EventDataStore=eds)
    arn = str(found.get("EventDataStoreArn", eds))
    return DataStore(
        arn=arn,
        id=arn.rsplit("/", 1)[-1],
        name=str(found.get("Name", "")),
        region=region,
        organization_enabled=bool(found.get("OrganizationEnabled")),
        multi_region=bool(found.get("MultiRegionEnabled")),
    )


# Selected columns: (alias, expression). Lake's schema has no sessionContext.assumedRoot: a root
# session is recognised by type Root with temporary (ASIA…) credentials.
_LAKE_COLUMNS = (
    ("eventid", "eventID"),
    ("eventtime", "eventTime"),
    ("eventname", "eventName"),
    ("eventsource", "eventSource"),
    ("awsregion", "awsRegion"),
    ("account", "recipientAccountId"),
    ("readonly", "readOnly"),
    ("idtype", "userIdentity.type"),
    ("idarn", "userIdentity.arn"),
    ("idkey", "userIdentity.accessKeyId"),
    ("idname", "userIdentity.userName"),
    ("sourceidentity", "userIdentity.sessionContext.sourceIdentity"),
    ("sourceip", "sourceIPAddress"),
    ("useragent", "userAgent"),
    ("errorcode", "errorCode"),
    ("errormessage", "errorMessage"),
    ("request", "requestParameters"),
    ("response", "responseElements"),
    ("additional", "additionalEventData"),
)
_LAKE_FILTERS = (
    ("names", "eventName"),
    ("access_key_ids", "userIdentity.accessKeyId"),
    ("accounts", "recipientAccountId"),
    ("sources", "eventSource"),
    ("identity_types", "userIdentity.type"),
)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def lake_statement(data_store: str, query: EventQuery) -> str:
    """The SQL for ``query`` over ``data_store`` (an id). Only checked values are spliced in."""
    if not _EDS_ID.match(data_store):
        raise InputError(f"invalid event data store id {data_store!r}.")
    conditions: list[str] = []
    for attribute, column in _LAKE_FILTERS:
        values: tuple[str, ...] = getattr(query, attribute)
        for value in values:
            if not _SAFE[attribute].match(value):
                raise InputError(f"cannot query CloudTrail Lake for {attribute} {value!r}.")
        if values:
            conditions.append(f"{column} IN ({', '.join(_literal(v) for v in values)})")
    for bound, op in ((query.start, ">="), (query.end, "<=")):
        if bound is not None:
            stamp = bound.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
            conditions.append(f"eventTime {op} {_literal(stamp)}")
    columns = ", ".join(f"{expression} AS {alias}" for alias, expression in _LAKE_COLUMNS)
    statement = f"SELECT {columns} FROM {data_store}"  # noqa: S608 - values checked above
    if conditions:
        statement += " WHERE " + " AND ".join(conditions)
    return statement + " ORDER BY eventTime ASC"


def lake_events(
    aws: AwsSession,
    store: DataStore,
    query: EventQuery,
    *,
    poll_seconds: float = LAKE_POLL_SECONDS,
    timeout_seconds: float = LAKE_TIMEOUT_SECONDS,
) -> list[TrailEvent]:
    """Events of the event data store ``store`` matching ``query``, oldest first."""
    client: CloudTrailClient = aws.client("cloudtrail", region_name=store.region)
    statement = lake_statement(store.id, query)
    with translated(f"StartQuery({store.id})"):
        query_id = client.start_query(QueryStatement=statement)["QueryId"]
    rows = _results(client, store, query_id, poll_seconds, timeout_seconds)
    return _sorted(e for e in (_from_row(row) for row in rows) if query.matches(e))


def _results(
    client: CloudTrailClient, store: DataStore, query_id: str, poll: float, timeout: float
) -> Iterator[Sequence[Mapping[str, str]]]:
    deadline = time.monotonic() + timeout
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"EventDataStore": store.arn, "QueryId": query_id}
        if token:
            kwargs["NextToken"] = token
        with translated(f"GetQueryResults({query_id})"):
            page = client.get_query_results(**kwargs)
        status = str(page.get("QueryStatus", ""))
        if status in ("QUEUED", "RUNNING"):
            if time.monotonic() > deadline:
                with translated(f"CancelQuery({query_id})"):
                    client.cancel_query(EventDataStore=store.arn, QueryId=query_id)
                raise AwsError(f"CloudTrail Lake query {query_id} did not finish in {timeout:g}s.")
            time.sleep(poll)
            continue
        if status != "FINISHED":
            message = page.get("ErrorMessage") or status
            raise AwsError(f"CloudTrail Lake query {query_id} ended {status}: {message}.")
        yield from page.get("QueryResultRows", [])
        token = page.get("NextToken")
        if not token:
            return


def _from_row(row: Sequence[Mapping[str, str]]) -> TrailEvent:
    cells: dict[str, str] = {}
    for cell in row:
        cells.update({str(k): str(v) for k, v in cell.items()})
    key = cells.get("idkey") or None
    kind = cells.get("idtype") or None
    return TrailEvent(
        event_id=cells.get("eventid", ""),
        time=_time(cells.get("eventtime", "")),
        name=cells.get("eventname", ""),
        source=cells.get("eventsource", ""),
        region=cells.get("awsregion", ""),
        account_id=cells.get("account", ""),
        read_only=_flag(cells.get("readonly")),
        identity_type=kind,
        principal_arn=cells.get("idarn") or None,
        access_key_id=key,
        username=cells.get("idname") or None,
        assumed_root=kind == "Root" and bool(key and key.startswith("ASIA")),
        source_identity=cells.get("sourceidentity") or None,
        source_ip=cells.get("sourceip") or None,
        user_agent=cells.get("useragent") or None,
        error_code=cells.get("errorcode") or None,
        error_message=cells.get("errormessage") or None,
        request=_mapping(lenient_map(cells.get("request"))),
        response=_mapping(lenient_map(cells.get("response"))),
        additional=_mapping(lenient_map(cells.get("additional"))),
    )


def lenient_map(text: str | None) -> Any:
    """A Lake map cell: JSON text, or Trino's ``{key=value, nested={a=b}}`` rendering."""
    if not text:
        return {}
    try:
        return json.loads(text)
    except ValueError:
        pass
    parsed, _rest = _trino_value(text.strip(), 0)
    return parsed if isinstance(parsed, dict) else {}


def _trino_value(text: str, at: int) -> tuple[Any, int]:
    if at < len(text) and text[at] == "{":
        found: dict[str, Any] = {}
        at += 1
        while at < len(text) and text[at] != "}":
            end = text.index("=", at)
            key = text[at:end].strip()
            value, at = _trino_value(text, end + 1)
            found[key] = value
            while at < len(text) and text[at] in ", ":
                at += 1
        return found, at + 1
    end = at
    while end < len(text) and text[end] not in ",}":
        end += 1
    return text[at:end].strip(), end
