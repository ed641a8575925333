"""YAML nodes read with their place: the reader behind ``rootctl.yaml`` (core/desired_state).

Values are taken from the nodes' own text (an unquoted ``444455556666`` stays digits) and every
error is a :class:`~rootctl.errors.ConfigError` naming the file, line, column and field.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

import yaml

from rootctl import validation
from rootctl.errors import ConfigError, InputError
from rootctl.models import ConfigPlace, CredentialKind

T = TypeVar("T")

_TRUE = ("true", "yes", "on")
_FALSE = ("false", "no", "off")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STR = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class Node:
    """A YAML node with its path from the document's top (for error lines)."""

    yaml: yaml.Node
    path: tuple[str | int, ...]

    @property
    def place(self) -> ConfigPlace:
        mark = self.yaml.start_mark
        return ConfigPlace(mark.line + 1, mark.column + 1)

    @property
    def field(self) -> str:
        text = ""
        for part in self.path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text

    @property
    def text(self) -> str:
        """A scalar's text exactly as written (quotes removed)."""
        return str(self.yaml.value) if isinstance(self.yaml, yaml.ScalarNode) else ""


class Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, node: Node | None, problem: str) -> ConfigError:
        if node is None:
            return ConfigError(problem, source=self.source)
        place = node.place
        return ConfigError(
            problem,
            source=self.source,
            line=place.line,
            column=place.column,
            field=node.field or None,
        )

    # -- shapes -----------------------------------------------------------------------------

    def mapping(self, node: Node, keys: Sequence[str]) -> dict[str, Node]:
        """A mapping whose keys are all among ``keys`` (each at most once)."""
        if not isinstance(node.yaml, yaml.MappingNode):
            raise self.error(node, f"expected a mapping of {', '.join(keys)}, got {kind_of(node)}")
        found: dict[str, Node] = {}
        for key_node, value_node in node.yaml.value:
            key = Node(key_node, node.path)
            name = key.text
            if not isinstance(key_node, yaml.ScalarNode) or name not in keys:
                hint = difflib.get_close_matches(name, keys, n=1)
                also = f" (did you mean {hint[0]!r}?)" if hint else f" (expected {', '.join(keys)})"
                raise self.error(key, f"unknown key {name!r}{also}")
            if name in found:
                first = found[name].place.line
                raise self.error(
                    Node(key_node, (*node.path, name)), f"given twice (first on line {first})"
                )
            found[name] = Node(value_node, (*node.path, name))
        return found

    def sequence(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node.yaml, yaml.SequenceNode):
            raise self.error(node, f"expected a list of {what}, got {kind_of(node)}")
        return [Node(item, (*node.path, i)) for i, item in enumerate(node.yaml.value)]

    def scalar(self, node: Node, what: str) -> str:
        if not isinstance(node.yaml, yaml.ScalarNode) or node.yaml.tag == "tag:yaml.org,2002:null":
            raise self.error(node, f"expected {what}, got {kind_of(node)}")
        return node.text.strip()

    def checked(self, node: Node, check: Callable[[str], T], what: str) -> T:
        """``check(text)``; its InputError becomes this node's error."""
        text = self.scalar(node, what)
        try:
            return check(text)
        except InputError as exc:
            raise self.error(node, unsentence(exc.message)) from None

    # -- values -----------------------------------------------------------------------------

    def flag(self, node: Node) -> bool:
        text = self.scalar(node, "true or false").lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise self.error(node, f"expected true or false, got {node.text!r}")

    def account_id(self, node: Node) -> str:
        text = self.scalar(node, "an account id")
        if not validation.ACCOUNT_ID.fullmatch(text):
            raise self.error(node, f"expected a 12-digit account id, got {text!r}")
        return text

    def account_ids(self, node: Node) -> tuple[str, ...]:
        ids = [self.account_id(item) for item in self.sequence(node, "account ids")]
        return tuple(dict.fromkeys(ids))

    def unit_ids(self, node: Node) -> tuple[str, ...]:
        from rootctl.core.targets import check_unit_id

        found = [
            self.checked(item, check_unit_id, "an OU id") for item in self.sequence(node, "OU ids")
        ]
        return tuple(dict.fromkeys(found))

    def tags(self, node: Node) -> tuple[tuple[str, str], ...]:
        """``{KEY: VALUE, …}``: Organizations tags (keys and values as written, each key once)."""
        if not isinstance(node.yaml, yaml.MappingNode) or not node.yaml.value:
            raise self.error(node, f"expected a mapping of tag keys to values, got {kind_of(node)}")
        found: dict[str, tuple[str, str]] = {}
        for key_node, value_node in node.yaml.value:
            key = self.scalar(Node(key_node, node.path), "a tag key")
            value = Node(value_node, (*node.path, key))
            if key in found:
                raise self.error(
                    Node(key_node, node.path),
                    f"tag {key!r} given twice: an account has one value per key",
                )
            # A string is kept exactly ("" is a value Organizations allows); anything else
            # must be a scalar, read as written (env: 2024 is the text 2024).
            is_text = isinstance(value.yaml, yaml.ScalarNode) and value.yaml.tag == _STR
            text = value.text if is_text else self.scalar(value, "a tag value")
            try:
                found[key] = validation.tag_pair(key, text, "tag")
            except InputError as exc:
                raise self.error(value, unsentence(exc.message)) from None
        return tuple(found.values())

    def kinds(self, node: Node) -> tuple[CredentialKind, ...]:
        valid = [kind.value for kind in CredentialKind]
        kinds: list[CredentialKind] = []
        for item in self.sequence(node, "credential kinds"):
            text = self.scalar(item, "a credential kind")
            try:
                kinds.append(CredentialKind(text))
            except ValueError:
                hint = difflib.get_close_matches(text, valid, n=1)
                also = f" (did you mean {hint[0]!r}?)" if hint else ""
                raise self.error(
                    item, f"unknown credential kind {text!r}{also}; valid: {', '.join(valid)}"
                ) from None
        if not kinds:
            raise self.error(node, f"expected at least one of {', '.join(valid)}")
        return tuple(k for k in CredentialKind if k in kinds)

    def duration(self, node: Node, *, minimum: timedelta) -> timedelta:
        return self.checked(
            node,
            lambda text: validation.duration(text, "duration", minimum=minimum),
            "a duration like 4h",
        )

    def expiry(self, node: Node) -> datetime:
        """A date (the exception holds through that day, UTC) or an ISO date and time."""
        text = self.scalar(node, "a date like 2027-01-31")
        try:
            if _DATE.fullmatch(text):
                day = date.fromisoformat(text)
                return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise self.error(
                node, f"expected a date like 2027-01-31 (or 2027-01-31T18:00Z), got {text!r}"
            ) from None
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    def note(self, node: Node, what: str) -> str:
        return self.checked(node, lambda text: validation.note(text, what, limit=500), what)


# -- helpers --------------------------------------------------------------------------------


def kind_of(node: Node) -> str:
    if isinstance(node.yaml, yaml.MappingNode):
        return "a mapping"
    if isinstance(node.yaml, yaml.SequenceNode):
        return "a list"
    if node.yaml.tag == "tag:yaml.org,2002:null":
        return "nothing"
    return repr(node.text)


def unsentence(message: str) -> str:
    """An InputError's sentence as the tail of a ``file:line:col: field:`` line."""
    return message.rstrip(".")
