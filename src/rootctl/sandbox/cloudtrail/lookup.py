"""``LookupEvents``: one account's event history in one Region (the last 90 days), newest first,
filtered by at most one lookup attribute and a time range, in pages of at most 50 with opaque
tokens — as AWS's CloudTrail API reference describes it. moto's CloudTrail has trails only."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from ..models import CLOCK
from . import events
from .exceptions import (
    InvalidEventCategory,
    InvalidLookupAttributes,
    InvalidMaxResults,
    InvalidNextToken,
    InvalidTimeRange,
)

RETENTION = timedelta(days=90)
MAX_RESULTS = 50
ATTRIBUTE_KEYS = (
    "EventId",
    "EventName",
    "ReadOnly",
    "Username",
    "ResourceType",
    "ResourceName",
    "EventSource",
    "AccessKeyId",
)


def username(event: dict[str, Any]) -> str | None:
    """The ``Username`` LookupEvents shows: the user's name, the role session's, or ``root``."""
    identity = event.get("userIdentity") or {}
    kind = identity.get("type")
    if kind == "Root":
        return "root"
    if kind == "AssumedRole":
        return str(identity.get("arn", "")).rsplit("/", 1)[-1] or None
    name = identity.get("userName")
    return str(name) if name else None


def _attribute(event: dict[str, Any], key: str) -> list[str]:
    if key == "EventId":
        return [str(event.get("eventID"))]
    if key == "EventName":
        return [str(event.get("eventName"))]
    if key == "ReadOnly":
        return [str(bool(event.get("readOnly"))).lower()]
    if key == "Username":
        name = username(event)
        return [name] if name else []
    if key == "EventSource":
        return [str(event.get("eventSource"))]
    if key == "AccessKeyId":
        return [str((event.get("userIdentity") or {}).get("accessKeyId") or "")]
    resources = event.get("resources") or []
    field = "type" if key == "ResourceType" else "ARN"
    return [str(r.get(field)) for r in resources if r.get(field)]


def _moment(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidTimeRange(f"{name} is not a valid time.") from exc


def _parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _token(after: str, end: datetime, fingerprint: str) -> str:
    """Where the next page starts: after event ``after``, with the first page's end time
    (events recorded since do not shift the pages)."""
    raw = json.dumps({"a": after, "e": end.isoformat(), "q": fingerprint}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _resume(token: str | None, fingerprint: str) -> tuple[str | None, datetime | None]:
    if not token:
        return None, None
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        after, end, same = str(data["a"]), datetime.fromisoformat(data["e"]), data["q"]
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidNextToken() from exc
    if same != fingerprint:
        raise InvalidNextToken()
    return after, end


def lookup_events(account_id: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """The ``LookupEvents`` answer for a request of ``account_id`` in ``region``."""
    attributes = params.get("LookupAttributes") or []
    if len(attributes) > 1:
        raise InvalidLookupAttributes("You cannot specify more than one lookup attribute.")
    for attribute in attributes:
        if attribute.get("AttributeKey") not in ATTRIBUTE_KEYS:
            raise InvalidLookupAttributes(
                f"Lookup attribute key {attribute.get('AttributeKey')!r} is not valid."
            )
        if not attribute.get("AttributeValue"):
            raise InvalidLookupAttributes("The lookup attribute value cannot be empty.")
    category = params.get("EventCategory")
    if category is not None and category != "insight":
        raise InvalidEventCategory()
    try:
        limit = int(params.get("MaxResults") or MAX_RESULTS)
    except (TypeError, ValueError) as exc:
        raise InvalidMaxResults() from exc
    if not 1 <= limit <= MAX_RESULTS:
        raise InvalidMaxResults()
    fingerprint = hashlib.sha256(
        json.dumps(
            [
                account_id,
                region,
                attributes,
                category,
                params.get("StartTime"),
                params.get("EndTime"),
            ],
            sort_keys=True,
            default=str,
        ).encode()
    ).hexdigest()[:16]
    after, resumed_end = _resume(params.get("NextToken"), fingerprint)
    now = CLOCK.now()
    start = _moment(params.get("StartTime"), "StartTime") or now - RETENTION
    end = resumed_end or _moment(params.get("EndTime"), "EndTime") or now
    if start > end:
        raise InvalidTimeRange("Start time must be before end time.")
    start = max(start, now - RETENTION)

    matching: list[dict[str, Any]] = []
    if category is None:  # the sandbox records no Insights events
        for event in reversed(events.events_of(account_id)):
            if event.get("awsRegion") != region:
                continue
            moment = _parse_time(str(event["eventTime"]))
            if not start <= moment <= end:
                continue
            if all(
                str(a["AttributeValue"]) in _attribute(event, str(a["AttributeKey"]))
                for a in attributes
            ):
                matching.append(event)
    offset = 0
    if after is not None:
        ids = [str(e["eventID"]) for e in matching]
        if after not in ids:
            raise InvalidNextToken()
        offset = ids.index(after) + 1
    page = matching[offset : offset + limit]
    answer: dict[str, Any] = {"Events": [_summary(event) for event in page]}
    if offset + limit < len(matching):
        answer["NextToken"] = _token(str(page[-1]["eventID"]), end, fingerprint)
    return answer


def _summary(event: dict[str, Any]) -> dict[str, Any]:
    identity = event.get("userIdentity") or {}
    summary: dict[str, Any] = {
        "EventId": event["eventID"],
        "EventName": event["eventName"],
        "ReadOnly": str(bool(event.get("readOnly"))).lower(),
        "EventTime": _parse_time(str(event["eventTime"])).timestamp(),
        "EventSource": event["eventSource"],
        "Resources": [
            {"ResourceType": r.get("type"), "ResourceName": r.get("ARN")}
            for r in event.get("resources") or []
        ],
        "CloudTrailEvent": json.dumps(event),
    }
    if identity.get("accessKeyId"):
        summary["AccessKeyId"] = identity["accessKeyId"]
    name = username(event)
    if name:
        summary["Username"] = name
    return summary


def parse_time(text: str) -> datetime:
    """An event's ``eventTime`` as an aware datetime."""
    return _parse_time(text)


__all__ = ["events", "lookup_events", "parse_time", "username"]
