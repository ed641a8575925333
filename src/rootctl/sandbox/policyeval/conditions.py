"""Condition operators of IAM policies: the string, ARN, Null and Bool families, their
``…IfExists`` forms and the ``ForAnyValue:``/``ForAllValues:`` qualifiers.

Semantics (IAM user guide, "Condition operators"): within one operator block every key must
hold (AND); a key holds when the request's value matches any of the listed values (OR); a
negated operator holds when none matches (value by value, for multivalued keys), and also
when the key is missing; ``…IfExists`` makes a missing key hold for the positive operators
too; a missing key makes ``ForAllValues:`` hold and ``ForAnyValue:`` fail; ``Null: true``
means "missing".
An operator this evaluator does not know makes its condition false, so a statement using it
never applies — never wider than intended (documented in docs/sandbox.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, Protocol


class Context(Protocol):
    def value(self, key: str) -> list[str] | None: ...


class UnknownOperator(KeyError):
    """An operator outside the supported families."""


@lru_cache(maxsize=4096)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's ``*`` (any run of characters) and ``?`` (one character) matching."""
    return _wildcard(pattern, ignore_case).match(value) is not None


def _arn_like(pattern: str, value: str) -> bool:
    """ArnLike: each of the six colon-separated parts matched on its own, wildcards within a
    part (so ``*`` never spans a colon in the first five parts)."""
    wanted, actual = pattern.split(":", 5), value.split(":", 5)
    if len(wanted) != 6 or len(actual) != 6:
        return wildcard_match(pattern, value)
    return all(wildcard_match(w, a) for w, a in zip(wanted, actual, strict=True))


# Positive operators: (request value, policy value) -> match.
_TESTS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda actual, wanted: actual == wanted,
    "StringEqualsIgnoreCase": lambda actual, wanted: actual.lower() == wanted.lower(),
    "StringLike": lambda actual, wanted: wildcard_match(wanted, actual),
    "ArnEquals": lambda actual, wanted: _arn_like(wanted, actual),
    "ArnLike": lambda actual, wanted: _arn_like(wanted, actual),
    "Bool": lambda actual, wanted: actual.lower() == wanted.lower(),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
OPERATORS = frozenset({*_TESTS, *_NEGATED, "Null"})

_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def substitute(text: str, ctx: Context) -> str:
    """Policy variables (``${aws:PrincipalAccount}``) replaced by the request's values; an
    unknown variable stays as written (so it matches nothing)."""

    def replace(match: re.Match[str]) -> str:
        found = ctx.value(match.group(1))
        return found[0] if found else match.group(0)

    return _VARIABLE.sub(replace, text)


def _text(value: Any) -> str:
    """A JSON scalar as IAM compares it: booleans are ``true``/``false``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def parse_operator(text: str) -> tuple[str, str, bool]:
    """(qualifier, base operator, if-exists) of ``ForAllValues:StringLikeIfExists``."""
    qualifier, _, operator = text.rpartition(":")
    if_exists = operator.endswith("IfExists") and operator != "IfExists"
    operator = operator.removesuffix("IfExists") if if_exists else operator
    if operator not in OPERATORS or qualifier not in ("", "ForAnyValue", "ForAllValues"):
        raise UnknownOperator(text)
    return qualifier, operator, if_exists


def condition_holds(operator_text: str, key: str, wanted: Any, ctx: Context) -> bool:
    """One ``Operator: {key: values}`` entry against the request."""
    qualifier, operator, if_exists = parse_operator(operator_text)
    wanted_values = [substitute(_text(w), ctx) for w in _as_list(wanted)]
    actual = ctx.value(key)
    if operator == "Null":
        return any((w.lower() == "true") == (actual is None) for w in wanted_values)
    negated = operator in _NEGATED
    if actual is None:
        # A missing key: …IfExists and ForAllValues hold (vacuously), ForAnyValue fails,
        # otherwise negated operators hold and positive ones fail.
        if if_exists or qualifier == "ForAllValues":
            return True
        return False if qualifier == "ForAnyValue" else negated
    test = _TESTS[_NEGATED.get(operator, operator)]
    # Each request value matches a listed one (or, negated, none of them) …
    hits = [any(test(a, w) for w in wanted_values) != negated for a in actual]
    # … for every value (ForAllValues), else for at least one.
    return all(hits) if qualifier == "ForAllValues" else any(hits)


def conditions_hold(conditions: Mapping[str, Any], ctx: Context) -> bool:
    """Every entry of a statement's ``Condition`` block holds (unknown operators: false)."""
    try:
        return all(
            condition_holds(operator, key, wanted, ctx)
            for operator, block in conditions.items()
            for key, wanted in dict(block).items()
        )
    except UnknownOperator:
        return False


def condition_keys(conditions: Mapping[str, Any]) -> list[str]:
    """The context keys a ``Condition`` block reads (for a simulation's missing values)."""
    keys: list[str] = []
    for block in conditions.values():
        if isinstance(block, Mapping):
            keys.extend(str(k) for k in block if str(k) not in keys)
    return keys
