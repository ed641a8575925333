"""Canonical bytes of the live state — everything a privileged action could change — so that
two snapshots prove that nothing changed. Request bookkeeping is left out: issued sessions,
last-used stamps of IAM users' keys, faults, the clock, the mailbox."""

from __future__ import annotations

import json
from typing import Any

from .models import peek_account_state
from .organizations import SandboxOrganizationsBackend


def _organization(org: SandboxOrganizationsBackend, features: list[str]) -> dict[str, Any]:
    return {
        "id": org.organization.id,
        "feature_set": org.organization.feature_set,
        "trusted_access": sorted(s["ServicePrincipal"] for s in org.services),
        "delegated_administrators": sorted([a.account.id, sorted(a.services)] for a in org.admins),
        "features": features,
        "ous": sorted([o.id, o.name, o.parent_id] for o in org.ou),
        "accounts": sorted([a.id, a.name, a.email, a.parent_id, a.status] for a in org.accounts),
    }


def _root_users(org: SandboxOrganizationsBackend) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for account in org.accounts:
        state = peek_account_state(account.id)
        if state is not None and state.root is not None:
            found[account.id] = state.root.snapshot()
    return found


def _buckets() -> dict[str, Any]:
    from moto.s3.models import s3_backends

    found: dict[str, Any] = {}
    for name, (partition, owner) in sorted(s3_backends.bucket_accounts.items()):
        bucket = s3_backends[owner][partition].buckets.get(name)
        if bucket is not None:
            policy = bucket.policy.decode() if bucket.policy else None
            found[name] = {"account": owner, "policy": policy}
    return found


def _queues() -> dict[str, Any]:
    from moto.sqs.models import sqs_backends

    found: dict[str, Any] = {}
    for owner, per_account in list(sqs_backends.items()):
        for region, backend in list(per_account.items()):
            for name, queue in backend.queues.items():
                found[f"{owner}/{region}/{name}"] = queue.policy
    return found


def state_snapshot(org: SandboxOrganizationsBackend, features: list[str]) -> bytes:
    state = {
        "organization": _organization(org, features),
        "root_users": _root_users(org),
        "buckets": _buckets(),
        "queues": _queues(),
    }
    return json.dumps(state, sort_keys=True, separators=(",", ":"), default=str).encode()
