"""CloudTrail on the wire (JSON 1.1): ``LookupEvents`` and a CloudTrail Lake (event data stores,
``StartQuery``, ``DescribeQuery``, ``GetQueryResults``) over the sandbox's event store; trails
stay moto's. Every request passes the gate (faults, root-session ceilings: the task policies
deny CloudTrail to root sessions)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from moto.cloudtrail.responses import CloudTrailResponse

from ..gate import GatedResponse
from . import lake
from .lookup import lookup_events


def _wire(value: Any) -> Any:
    """JSON 1.1 shapes: timestamps as epoch seconds."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value


class SandboxCloudTrailResponse(GatedResponse, CloudTrailResponse):
    gated_service = "cloudtrail"

    def _params(self) -> dict[str, Any]:
        try:
            parsed = json.loads(self.body or "{}")
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}

    def lookup_events(self) -> str:
        answer = lookup_events(self.current_account, self.region, self._params())
        return json.dumps(answer)

    # --- CloudTrail Lake ------------------------------------------------------------------

    def create_event_data_store(self) -> str:
        store = lake.create(self.current_account, self.region, self._params())
        return json.dumps(_wire(store.describe()))

    def get_event_data_store(self) -> str:
        name = str(self._params().get("EventDataStore") or "")
        return json.dumps(_wire(lake.find(self.current_account, name).describe()))

    def list_event_data_stores(self) -> str:
        stores = [_wire(s.describe()) for s in lake.listed(self.current_account)]
        return json.dumps({"EventDataStores": stores})

    def delete_event_data_store(self) -> str:
        lake.delete(self.current_account, str(self._params().get("EventDataStore") or ""))
        return "{}"

    def start_query(self) -> str:
        statement = str(self._params().get("QueryStatement") or "")
        run = lake.start_query(self.current_account, statement)
        return json.dumps({"QueryId": run.query_id})

    def describe_query(self) -> str:
        run = lake.query(self.current_account, str(self._params().get("QueryId") or ""))
        return json.dumps(
            _wire(
                {
                    "QueryId": run.query_id,
                    "QueryString": run.statement,
                    "QueryStatus": run.status(),
                    "QueryStatistics": {
                        "EventsMatched": len(run.rows),
                        "EventsScanned": len(run.rows),
                        "BytesScanned": run.statistics()["BytesScanned"],
                        "ExecutionTimeInMillis": 1,
                        "CreationTime": run.created_at,
                    },
                }
            )
        )

    def get_query_results(self) -> str:
        return json.dumps(lake.results(self.current_account, self._params()))

    def cancel_query(self) -> str:
        run = lake.query(self.current_account, str(self._params().get("QueryId") or ""))
        run.cancelled = True
        return json.dumps({"QueryId": run.query_id, "QueryStatus": "CANCELLED"})
