"""Condition operators, three-valued.

Semantics (IAM user guide, "Condition operators" and "multivalued context keys"): a key holds
when the request's value matches any listed value; a negated operator holds when the value
matches none of them (per value, for multivalued keys); ``ForAnyValue:`` needs one request
value to hold, ``ForAllValues:`` every one; a missing key makes ``…IfExists`` and
``ForAllValues:`` hold, ``ForAnyValue:`` fail, a negated operator hold and a positive one fail;
``Null: true`` means "missing". Policy variables (``${aws:PrincipalAccount}``) take the
request's value.

Decided where the knowledge allows, UNKNOWN otherwise — and UNKNOWN for an operator not
analysed here (``BinaryEquals``, anything misspelt): never a guess.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from rootctl.policy import glob
from rootctl.policy.context import ABSENT, UNKNOWN, OneOf, RequestContext, Values
from rootctl.policy.document import Condition
from rootctl.policy.tri import Tri, all_of, any_of

NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NotIpAddress": "IpAddress",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
}
STRING_FAMILY = frozenset(
    {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "Bool"}
)


def _arn_parts(text: str) -> list[str] | None:
    parts = text.split(":", 5)
    return parts if len(parts) == 6 else None


def arn_like(pattern: str, value: str) -> bool:
    """ArnLike/ArnEquals on a literal value: each of the six colon-separated parts matched on
    its own, so ``*`` never spans a colon in the first five."""
    wanted, actual = _arn_parts(pattern), _arn_parts(value)
    if wanted is None or actual is None:
        return glob.matches(pattern, value)
    return all(glob.matches(w, a) for w, a in zip(wanted, actual, strict=True))


def _like(pattern: str, values: str, *, ignore_case: bool = False) -> Tri:
    """Does ``pattern`` match the value, known only as one of ``values`` (a pattern)? In an
    ARN, a star of ``values`` stays within its segment (context.OneOf)."""
    segment = values.startswith("arn:")
    if glob.covers(pattern, values, ignore_case=ignore_case, segment=segment):
        return Tri.YES
    if not glob.intersects(pattern, values, ignore_case=ignore_case, segment=segment):
        return Tri.NO
    return Tri.UNKNOWN


def _equal(wanted: str, values: str, *, ignore_case: bool = False) -> Tri:
    if glob.is_literal(values):
        same = wanted.lower() == values.lower() if ignore_case else wanted == values
        return Tri.of(same)
    if not glob.matches(values, wanted, ignore_case=ignore_case):
        return Tri.NO
    return Tri.UNKNOWN


def _arn_pattern(pattern: str, values: str) -> Tri:
    if glob.is_literal(values):
        return Tri.of(arn_like(pattern, values))
    wanted, actual = _arn_parts(pattern), _arn_parts(values)
    if wanted is None or actual is None:
        return _like(pattern, values)
    return all_of(_like(w, a) for w, a in zip(wanted, actual, strict=True))


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _date(text: str) -> datetime | None:
    number = _number(text)
    if number is not None:
        return datetime.fromtimestamp(number, UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _ip(actual: str, wanted: str) -> bool:
    try:
        return ipaddress.ip_address(actual) in ipaddress.ip_network(wanted, strict=False)
    except ValueError:
        return False


_ORDERED: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": lambda a, w: a == w,
    "LessThan": lambda a, w: a < w,
    "LessThanEquals": lambda a, w: a <= w,
    "GreaterThan": lambda a, w: a > w,
    "GreaterThanEquals": lambda a, w: a >= w,
}


def _compare(operator: str, actual: str, wanted: str) -> bool:
    """A positive operator on one literal request value and one policy value."""
    if operator == "StringEquals":
        return actual == wanted
    if operator == "StringEqualsIgnoreCase" or operator == "Bool":
        return actual.lower() == wanted.lower()
    if operator == "StringLike":
        return glob.matches(wanted, actual)
    if operator in ("ArnEquals", "ArnLike"):
        return arn_like(wanted, actual)
    if operator == "IpAddress":
        return _ip(actual, wanted)
    for family, parse in (("Numeric", _number), ("Date", _date)):
        if operator.startswith(family):
            a, w = parse(actual), parse(wanted)
            return a is not None and w is not None and _ORDERED[operator[len(family) :]](a, w)
    return False


def _compare_pattern(operator: str, values: str, wanted: str) -> Tri:
    """A positive operator on a value known only as one of ``values``."""
    if glob.is_literal(values):
        return Tri.of(_compare(operator, values, wanted))
    if operator == "StringEquals":
        return _equal(wanted, values)
    if operator in ("StringEqualsIgnoreCase", "Bool"):
        return _equal(wanted, values, ignore_case=True)
    if operator == "StringLike":
        return _like(wanted, values)
    if operator in ("ArnEquals", "ArnLike"):
        return _arn_pattern(wanted, values)
    return Tri.UNKNOWN  # numbers, dates and addresses of an unknown value


_POSITIVE = frozenset(
    {
        *STRING_FAMILY,
        "IpAddress",
        *(f"Numeric{r}" for r in _ORDERED),
        *(f"Date{r}" for r in _ORDERED),
    }
)
SUPPORTED = frozenset({*_POSITIVE, *NEGATED, "Null"})
_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def _substituted(text: str, ctx: RequestContext) -> str | None:
    """Policy variables replaced by the request's values; None when one is not known. A
    variable the request does not have stays as written (it then matches nothing)."""
    unknown = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unknown
        found = ctx.value(match.group(1))
        if isinstance(found, Values) and found.values:
            return found.values[0]
        if isinstance(found, OneOf) and found.literal is not None:
            return found.literal
        if found is ABSENT:
            return match.group(0)
        unknown = True
        return match.group(0)

    result = _VARIABLE.sub(replace, text)
    return None if unknown else result


def evaluate_condition(condition: Condition, ctx: RequestContext) -> Tri:
    """Does this one condition entry hold for the request?"""
    operator = condition.operator
    if operator not in SUPPORTED:
        return Tri.UNKNOWN
    wanted: list[str] = []
    for value in condition.values:
        text = _substituted(value, ctx)
        if text is None:
            return Tri.UNKNOWN
        wanted.append(text)
    actual = ctx.value(condition.key)
    if actual is UNKNOWN:
        return Tri.UNKNOWN
    if operator == "Null":
        # "true": the key is missing; "false": it is there.
        return Tri.of(any((w.lower() == "true") == (actual is ABSENT) for w in wanted))
    negated = operator in NEGATED
    positive = NEGATED.get(operator, operator)
    if actual is ABSENT:
        if condition.if_exists or condition.qualifier == "ForAllValues":
            return Tri.YES
        if condition.qualifier == "ForAnyValue":
            return Tri.NO
        return Tri.of(negated)

    def per_value(test: Callable[[str], Tri]) -> Tri:
        hit = any_of(test(w) for w in wanted)
        return ~hit if negated else hit

    if isinstance(actual, Values):
        hits = [
            per_value(lambda w, a=a: Tri.of(_compare(positive, a, w)))  # type: ignore[misc]
            for a in actual.values
        ]
        return all_of(hits) if condition.qualifier == "ForAllValues" else any_of(hits)
    assert isinstance(actual, OneOf)
    # One value, in one of the patterns: decided only when every pattern agrees.
    outcomes = [
        per_value(lambda w, p=p: _compare_pattern(positive, p, w))  # type: ignore[misc]
        for p in actual.patterns
    ]
    if all(o is Tri.YES for o in outcomes):
        return Tri.YES
    if all(o is Tri.NO for o in outcomes):
        return Tri.NO
    return Tri.UNKNOWN
