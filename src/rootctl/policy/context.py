"""What is known about a request, for a static evaluation.

A concrete request (one principal, one action, one resource, every context key known or
known to be absent) decides every statement. A static question is wider — "any bucket of the
account", "the account's administrators, from wherever they work", "a root session of this
account, in some Region" — so each part of the request is *knowledge*:

- :class:`Values` — the key is present with exactly these values;
- :class:`OneOf` — the key is present with one value, which matches one of these patterns
  (``*`` and ``?`` as in policies; in an ARN a ``*`` stands for text within its segment);
- :data:`ABSENT` — the key is not in the request;
- :data:`UNKNOWN` — nothing is known: it may be absent or hold anything.

Keys are case-insensitive, as in IAM. A key not listed takes the context's ``default``:
UNKNOWN for a static question, ABSENT for a concrete request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from rootctl.policy import glob


class _Marker(Enum):
    ABSENT = "absent"
    UNKNOWN = "unknown"


ABSENT = _Marker.ABSENT
UNKNOWN = _Marker.UNKNOWN


@dataclass(frozen=True, slots=True)
class Values:
    values: tuple[str, ...]

    def __init__(self, *values: str) -> None:
        object.__setattr__(self, "values", tuple(values))


@dataclass(frozen=True, slots=True)
class OneOf:
    patterns: tuple[str, ...]

    def __init__(self, *patterns: str) -> None:
        object.__setattr__(self, "patterns", tuple(patterns))

    @property
    def literal(self) -> str | None:
        """The one value, when the patterns name exactly one."""
        if len(self.patterns) == 1 and glob.is_literal(self.patterns[0]):
            return self.patterns[0]
        return None


Knowledge = Values | OneOf | _Marker
ANY_VALUE = OneOf("*")  # present, value unknown (aws:SourceIp is always there)


@dataclass(frozen=True)
class RequestContext:
    """One request, or a set of them: ``action`` is one action; ``resource`` the patterns
    the resource ARN matches one of (a literal ARN for one resource); ``principal_arn`` and
    ``principal_account`` who asks (for resource-based policies and the aws:Principal* keys);
    ``keys`` the other context keys."""

    action: str
    resource: tuple[str, ...]
    principal_arn: Knowledge = UNKNOWN
    principal_account: str | None = None
    keys: Mapping[str, Knowledge] = field(default_factory=dict)
    default: Knowledge = UNKNOWN

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", {k.lower(): v for k, v in self.keys.items()})

    def value(self, key: str) -> Knowledge:
        lowered = key.lower()
        if lowered in self.keys:
            return self.keys[lowered]
        if lowered == "aws:principalarn":
            return self.principal_arn
        if lowered == "aws:principalaccount":
            if self.principal_account is None:
                return UNKNOWN
            return Values(self.principal_account)
        return self.default

    def with_action(self, action: str, resource: tuple[str, ...] | None = None) -> RequestContext:
        return RequestContext(
            action,
            self.resource if resource is None else resource,
            self.principal_arn,
            self.principal_account,
            self.keys,
            self.default,
        )
