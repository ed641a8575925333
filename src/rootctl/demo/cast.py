"""Who plays which part in the story, chosen from the sandbox's seed by rules, not by id.

The seed is the only place that knows a root password (the sandbox stores it hashed), so the
demo reads it there — exactly like the person in the field report, who knew the password.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rootctl.demo.shell import DemoFailure

if TYPE_CHECKING:
    from rootctl.sandbox import Sandbox
    from rootctl.sandbox.seed import SeedAccount


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    email: str
    ou: str  # "Workloads/Prod"; "" at the organization root

    @property
    def label(self) -> str:
        return f"{self.name} ({self.id})"


@dataclass(frozen=True)
class LockedResource:
    account: Member
    name: str
    region: str
    policy: Mapping[str, Any]


@dataclass(frozen=True)
class Cast:
    management: Member
    security: Member  # becomes the IAM delegated administrator
    workload: Member  # signs in, loses its root credentials, gets recovery back
    workload_password: str
    bucket: LockedResource
    queue: LockedResource
    workloads_ou: str = "Workloads"


def _member(account: SeedAccount) -> Member:
    return Member(account.account_id, account.name, account.email, account.ou)


def locks_everyone_out(policy: Mapping[str, Any] | None) -> bool:
    """A policy with a statement denying every principal every action of its service."""
    if not policy:
        return False
    statements = policy.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if (
            statement.get("Effect") == "Deny"
            and statement.get("Principal") in ("*", {"AWS": "*"})
            and any(a == "*" or a.endswith(":*") for a in actions)
        ):
            return True
    return False


def choose(sandbox: Sandbox) -> Cast:
    """The management account; the first Security-OU account with an administrator to work
    from; the first production workload whose root has a password and MFA; the first bucket
    and queue whose policy locks everyone out."""
    seed = sandbox.seed
    accounts = [a for a in seed.accounts if a.status == "ACTIVE"]

    def first(what: str, found: list[Any]) -> Any:
        if not found:
            raise DemoFailure(f"the sandbox's organization has no {what}; the story needs one.")
        return found[0]

    security = first(
        "Security-OU account with an IAM administrator",
        [
            a
            for a in accounts
            if a.ou == "Security" and any(p.name == "admin" for p in a.principals)
        ],
    )
    workload = first(
        "Workloads/Prod account whose root user has a password and MFA",
        [a for a in accounts if a.ou == "Workloads/Prod" and a.root.password and a.root.mfa],
    )
    buckets = [
        LockedResource(_member(a), r.name, r.region, r.policy)
        for a in accounts
        for r in a.buckets
        if r.policy is not None and locks_everyone_out(r.policy)
    ]
    queues = [
        LockedResource(_member(a), r.name, r.region, r.policy)
        for a in accounts
        for r in a.queues
        if r.policy is not None and locks_everyone_out(r.policy)
    ]
    return Cast(
        management=_member(seed.management),
        security=_member(security),
        workload=_member(workload),
        workload_password=str(workload.root.password),
        bucket=first("bucket whose policy denies everyone", buckets),
        queue=first("queue whose policy denies everyone", queues),
    )


def same_policy(saved: str | None, expected: Mapping[str, Any]) -> bool:
    """Whether a saved policy document is the one that was in place (JSON, any layout)."""
    try:
        return saved is not None and json.loads(saved) == json.loads(json.dumps(expected))
    except ValueError:
        return False
