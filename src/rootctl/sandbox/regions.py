"""Opt-in Regions: the Regions AWS launched after March 2019 are disabled for an account until
it enables them. Credentials are then refused there as unknown ("The security token included
in the request is invalid."), whatever the service — which is how a tool learns that a Region
is not enabled. Seeds enable them per account (``opt_in_regions:``)."""

from __future__ import annotations

import threading

# AWS General Reference, "Enable or disable AWS Regions in your account".
OPT_IN_REGIONS = frozenset(
    {
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-south-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-west-1",
        "eu-central-2",
        "eu-south-1",
        "eu-south-2",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
    }
)
# Global services: their requests name us-east-1 (or nothing), never an opt-in Region.
_GLOBAL = frozenset({"iam", "organizations"})


class OptInRegions:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._enabled: dict[str, frozenset[str]] = {}

    def reset(self) -> None:
        with self._lock:
            self._enabled = {}

    def enable(self, account_id: str, *regions: str) -> None:
        with self._lock:
            self._enabled[account_id] = self._enabled.get(account_id, frozenset()) | set(regions)

    def enabled(self, account_id: str) -> frozenset[str]:
        return self._enabled.get(account_id, frozenset())

    def refuses(self, account_id: str, service: str, region: str | None) -> bool:
        """Is ``region`` an opt-in Region that ``account_id`` has not enabled?"""
        if not region or region not in OPT_IN_REGIONS or service in _GLOBAL:
            return False
        return region not in self._enabled.get(account_id, frozenset())


REGIONS = OptInRegions()
