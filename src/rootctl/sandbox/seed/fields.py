"""Checks of single seed fields, each failing with a ``SeedError`` that names the field and
its position. What every kind of text may hold is one rule in ``TEXT``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..policies import ADMIN_POLICY, deny_everyone_policy
from .model import SeedError
from .reading import Marks, Path_, field_name


@dataclass(frozen=True)
class TextRule:
    """What one kind of text accepts: ``what`` names it in errors ("expected <what>, got …")."""

    what: str
    pattern: re.Pattern[str] | None = None
    max_length: int | None = None
    too_long: str = ""  # the error when longer than max_length


_ACCOUNT_ID = re.compile(r"^\d{12}$")
_EMAIL = re.compile(r"^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
_ROOT_ID = re.compile(r"^r-[a-z0-9]{4,32}$")
_SERVICE = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$")
_KEY_ID = re.compile(r"^[A-Z0-9]{16,128}$")
_USER_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_QUEUE = re.compile(r"^[A-Za-z0-9_-]{1,80}(\.fifo)?$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_LONG_NAME = "account names are at most 50 characters"

# One rule a line. Identifiers follow AWS's formats. Names are outside text that people
# choose: any character is accepted (YAML escapes can give control characters, bidi overrides,
# NUL — a hostile organization must be seedable, and rootctl must show it inertly), up to AWS's
# lengths.
TEXT: dict[str, TextRule] = {
    "account id": TextRule("a 12-digit account id", _ACCOUNT_ID),
    "account name": TextRule("an account name", max_length=50, too_long=_LONG_NAME),
    "ou path": TextRule("an OU path like 'Workloads/Prod'"),
    "ou name": TextRule("an OU name", max_length=128),
    "email": TextRule("an e-mail address", _EMAIL),
    "organization id": TextRule("an organization id like o-a1b2c3d4e5", _ORG_ID),
    "root id": TextRule("a root id like r-a1b2", _ROOT_ID),
    "service principal": TextRule("a service principal like iam.amazonaws.com", _SERVICE),
    "access key id": TextRule("an access key id (16-128 upper-case letters and digits)", _KEY_ID),
    "iam user name": TextRule("an IAM user name", _USER_NAME),
    "bucket name": TextRule("a bucket name", _BUCKET),
    "queue name": TextRule("a queue name", _QUEUE),
    "region": TextRule("a region", _REGION),
    "password": TextRule("a password"),
    "identifier": TextRule("a non-empty string"),
}

MAX_TAGS = 50  # Organizations' limit per resource
_RELATIVE = re.compile(r"^-(\d+)([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


class Validator:
    """Field checks against one document's positions; ``now`` anchors relative dates."""

    def __init__(self, marks: Marks, now: datetime) -> None:
        self.marks = marks
        self.now = now

    def fail(self, path: Path_, message: str, *, key: bool = False) -> SeedError:
        line, column = self.marks.at(path, key=key)
        return SeedError(
            message, field=field_name(path), source=self.marks.source, line=line, column=column
        )

    def mapping(self, value: Any, path: Path_, allowed: Sequence[str]) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(path, f"expected a mapping, got {type(value).__name__}")
        for key in value:
            if key not in allowed:
                raise self.fail(
                    (*path, str(key)),
                    f"unknown field {key!r} (expected one of: {', '.join(allowed)})",
                    key=True,
                )
        return value

    def sequence(self, value: Any, path: Path_, *, at_most: int = 0, noun: str = "") -> list[Any]:
        """A list (None: empty); ``at_most``: "a root user can have at most N <noun>"."""
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(path, f"expected a list, got {type(value).__name__}")
        if at_most and len(value) > at_most:
            raise self.fail(path, f"a root user can have at most {at_most} {noun}")
        return value

    def text(self, value: Any, path: Path_, kind: str) -> str:
        """A non-empty string that ``TEXT[kind]`` accepts."""
        rule = TEXT[kind]
        if kind == "account id" and isinstance(value, int) and not isinstance(value, bool):
            raise self.fail(path, f'quote account ids ("{value:012d}"): YAML reads them as numbers')
        if not isinstance(value, str) or not value:
            raise self.fail(path, f"expected {rule.what}, got {value!r}")
        if rule.pattern is not None and not rule.pattern.match(value):
            raise self.fail(path, f"expected {rule.what}, got {value!r}")
        if rule.max_length is not None and len(value) > rule.max_length:
            raise self.fail(path, rule.too_long or f"expected {rule.what}, got {value!r}")
        return value

    def choice(self, value: Any, path: Path_, options: Sequence[str]) -> str:
        text = str(value) if value is not None else ""
        for option in options:
            if text.lower() == option.lower():
                return option
        raise self.fail(path, f"must be one of {', '.join(options)}, not {value!r}")

    def moment(self, value: Any, path: Path_) -> datetime:
        """ISO-8601 timestamps, YAML dates, ``now`` or relative ``-30d`` / ``-6h`` / ``-15m``."""
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=UTC)
        if isinstance(value, str):
            if value == "now":
                return self.now
            relative = _RELATIVE.match(value)
            if relative:
                return self.now - timedelta(**{_UNITS[relative[2]]: int(relative[1])})
            try:
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                pass
            else:
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        raise self.fail(path, f"expected a timestamp (ISO 8601, 'now' or '-30d'), got {value!r}")

    def tags(self, value: Any, path: Path_) -> dict[str, str]:
        """Organizations tags: a mapping of key (1-128 characters) to value (0-256), at most
        50. Any text is accepted, as for names: a hostile organization must be seedable."""
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(path, f"expected a mapping of tag key to value, got {value!r}")
        if len(value) > MAX_TAGS:
            raise self.fail(path, f"a resource has at most {MAX_TAGS} tags")
        found: dict[str, str] = {}
        for key, raw in value.items():
            text = "" if raw is None else raw
            if isinstance(text, bool) or not isinstance(text, str | int | float):
                raise self.fail((*path, str(key)), f"expected a tag value, got {raw!r}")
            if not isinstance(key, str) or not 1 <= len(key) <= 128:
                raise self.fail((*path, str(key)), "a tag key is 1-128 characters", key=True)
            if len(str(text)) > 256:
                raise self.fail((*path, key), "a tag value is at most 256 characters")
            found[key] = str(text)
        return found

    def boolean(self, value: Any, path: Path_) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"expected true or false, got {value!r}")
        return value

    def policy(self, value: Any, path: Path_, service: str, arn: str) -> Mapping[str, Any] | None:
        """A policy document (mapping or JSON), or a shorthand: ``deny-all`` for a bucket or
        queue, ``admin`` / ``none`` for an IAM user."""
        if value is None:
            return None
        if value == "deny-all" and service in ("s3", "sqs"):
            return deny_everyone_policy(service, arn)
        if value == "admin" and service == "iam":
            return ADMIN_POLICY
        if value == "none" and service == "iam":
            return None
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                shorthand = "'admin' or 'none'" if service == "iam" else "'deny-all'"
                raise self.fail(
                    path, f"expected a policy document (mapping or JSON) or {shorthand}"
                ) from exc
        if not isinstance(value, Mapping) or not isinstance(value.get("Statement"), list | dict):
            raise self.fail(path, "a policy document needs a 'Statement' list")
        return value
