"""Fault and latency injection: per-call latency with jitter, throttling and 5xx at a rate, and
denials that imitate a service control policy blocking an action or a whole task in an account,
or a resource control policy blocking an action on an account's buckets and queues. The
denials become policy documents the evaluator applies, so a refusal names the policy type as
AWS's does ("… with an explicit deny in a service control policy").

One random source, seedable, draws every decision, so a sequential run with the same seed sees
the same faults (concurrent callers interleave their draws, so only the rates are stable there).
"""

from __future__ import annotations

import functools
import random
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from .policies import task_name
from .policyeval import Policy, PolicyType, Request, evaluate, wildcard_match

# The services resource control policies apply to (AWS Organizations user guide).
RCP_SERVICES = ("s3", "sqs", "sts", "kms", "secretsmanager")
POLICY_KINDS = {"scp": PolicyType.SCP, "rcp": PolicyType.RCP}


@dataclass(frozen=True)
class DenyRule:
    """Deny ``action`` (an IAM action pattern like ``iam:Delete*``) or every call of a root
    session opened with ``task`` (a task policy name), in ``account`` (``*`` = every account).

    ``policy`` "scp" imitates a service control policy: it binds the principals of the account.
    "rcp" imitates a resource control policy: it binds every request to the account's
    resources (S3, SQS, STS, KMS, Secrets Manager), whoever makes it."""

    account: str
    action: str | None = None
    task: str | None = None
    policy: str = "scp"

    @classmethod
    def parse(cls, account: str, action_or_task: str, policy: str = "scp") -> DenyRule:
        if policy not in POLICY_KINDS:
            raise ValueError(f"policy must be 'scp' or 'rcp', not {policy!r}")
        task = task_name(action_or_task)
        if task is not None:
            if policy == "rcp":
                raise ValueError("a resource control policy denies actions, not tasks")
            return cls(account=account, task=task)
        if ":" not in action_or_task and action_or_task != "*":
            raise ValueError(
                f"{action_or_task!r} is neither an IAM action (service:Action) "
                "nor a task policy name or ARN"
            )
        if policy == "rcp" and action_or_task.split(":", 1)[0].lower() not in RCP_SERVICES:
            raise ValueError(
                f"resource control policies apply to {', '.join(RCP_SERVICES)} actions, "
                f"not {action_or_task!r}"
            )
        return cls(account=account, action=action_or_task, policy=policy)

    def applies_to(self, account: str) -> bool:
        return self.account in ("*", account)

    def as_policy(self) -> Policy:
        """The rule as the policy it imitates: one Deny statement."""
        return _rule_policy(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "action": self.action,
            "task": self.task,
            "policy": self.policy,
        }


@functools.lru_cache(maxsize=1024)
def _rule_policy(rule: DenyRule) -> Policy:
    """A rule as the policy it imitates: one Deny statement (rules are immutable: cached)."""
    statement: dict[str, Any] = {
        "Sid": "SandboxDeny",
        "Effect": "Deny",
        "Action": rule.action if rule.task is None else "*",
        "Resource": "*",
    }
    if rule.policy == "rcp":
        statement["Principal"] = "*"
    document = {"Version": "2012-10-17", "Statement": [statement]}
    name = f"sandbox-{rule.policy}:{rule.account}:{rule.task or rule.action}"
    return Policy.of(POLICY_KINDS[rule.policy], document, name, ceiling=True)


@dataclass
class FaultSettings:
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    throttle_rate: float = 0.0
    error_rate: float = 0.0
    # Which calls the latency/throttle/error settings touch: IAM action patterns, e.g.
    # ["sts:AssumeRoot"]; empty means every call.
    match: list[str] = field(default_factory=list)
    seed: int | None = None

    def validate(self) -> None:
        for name in ("throttle_rate", "error_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        for name in ("latency_ms", "jitter_ms"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")


@dataclass(frozen=True)
class FaultDecision:
    delay_s: float = 0.0
    throttle: bool = False
    error: bool = False


class Faults:
    """The sandbox-wide fault configuration (``sb.faults``; HTTP ``/_sandbox/faults``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settings = FaultSettings()
        self._rules: list[DenyRule] = []
        self._rng = random.Random()

    # --- configuration ------------------------------------------------------------------

    def update(
        self,
        *,
        latency_ms: float | None = None,
        jitter_ms: float | None = None,
        throttle_rate: float | None = None,
        error_rate: float | None = None,
        match: list[str] | None = None,
        seed: int | None = None,
    ) -> FaultSettings:
        """Change some settings; the others keep their values. Returns the new settings."""
        with self._lock:
            changed = FaultSettings(**asdict(self._settings))
            for name, value in (
                ("latency_ms", latency_ms),
                ("jitter_ms", jitter_ms),
                ("throttle_rate", throttle_rate),
                ("error_rate", error_rate),
            ):
                if value is not None:
                    setattr(changed, name, float(value))
            if match is not None:
                changed.match = list(match)
            changed.validate()
            if seed is not None:
                changed.seed = seed
                self._rng.seed(seed)
            self._settings = changed
            return changed

    def seed(self, seed: int) -> None:
        self.update(seed=seed)

    def deny(self, account_id: str, action_or_task_policy: str, policy: str = "scp") -> DenyRule:
        """Imitate an SCP (``policy="scp"``): deny an action pattern, or a whole task, to the
        principals of one account (or ``*``); or an RCP (``"rcp"``): deny an action on the
        account's resources to everyone."""
        rule = DenyRule.parse(account_id, action_or_task_policy, policy)
        with self._lock:
            if rule not in self._rules:
                self._rules = [*self._rules, rule]
        return rule

    def allow(self, account_id: str, action_or_task_policy: str, policy: str = "scp") -> None:
        """Remove a rule added with ``deny``."""
        rule = DenyRule.parse(account_id, action_or_task_policy, policy)
        with self._lock:
            self._rules = [r for r in self._rules if r != rule]

    def clear(self) -> None:
        """No latency, no faults, no denials (the random source keeps its state)."""
        with self._lock:
            self._settings = FaultSettings(seed=self._settings.seed)
            self._rules = []

    def reset(self) -> None:
        self.clear()
        with self._lock:
            self._settings.seed = None
            self._rng = random.Random()

    @property
    def settings(self) -> FaultSettings:
        return self._settings

    @property
    def rules(self) -> list[DenyRule]:
        return list(self._rules)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self._settings), "deny": [r.to_dict() for r in self._rules]}

    # --- decisions, one per request ------------------------------------------------------

    def decide(self, action: str) -> FaultDecision:
        s = self._settings
        if not (s.latency_ms or s.jitter_ms or s.throttle_rate or s.error_rate):
            return FaultDecision()
        if s.match and not any(wildcard_match(p, action, ignore_case=True) for p in s.match):
            return FaultDecision()
        with self._lock:
            delay = s.latency_ms + (
                self._rng.uniform(-s.jitter_ms, s.jitter_ms) if s.jitter_ms else 0
            )
            throttle = bool(s.throttle_rate) and self._rng.random() < s.throttle_rate
            error = not throttle and bool(s.error_rate) and self._rng.random() < s.error_rate
        return FaultDecision(delay_s=max(delay, 0.0) / 1000.0, throttle=throttle, error=error)

    def denied(self, account: str, action: str, session_task: str | None) -> bool:
        """Would the SCP-like rules refuse ``action`` to a principal of ``account``?"""
        request = Request(action, "*", f"arn:aws:iam::{account}:root", account)
        policies = self.scp_policies(account, session_task)
        return bool(policies) and not evaluate(request, policies, identity_required=False).allowed

    def scp_policies(self, account: str, session_task: str | None = None) -> list[Policy]:
        """The SCP-like rules binding the principals of ``account``, as policies (a task rule
        only for a root session opened with that task)."""
        rules = self._rules
        return [
            r.as_policy()
            for r in rules
            if r.policy == "scp" and r.applies_to(account) and r.task in (None, session_task)
        ]

    def rcp_policies(self, resource_account: str) -> list[Policy]:
        """The RCP-like rules guarding the resources of ``resource_account``, as policies."""
        rules = self._rules
        return [
            r.as_policy() for r in rules if r.policy == "rcp" and r.applies_to(resource_account)
        ]


FAULTS = Faults()
