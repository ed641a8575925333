"""IAM policy documents, parsed: statements with their effect, action, resource and principal
blocks and their conditions, each statement keeping the JSON it came from (to quote it).

A document that is not one — not JSON, no ``Statement``, an ``Effect`` other than Allow/Deny,
both ``Action`` and ``NotAction`` … — raises :class:`PolicyParseError` saying why, in one
sentence: rootctl reports such a policy as unparseable rather than guessing what it means.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

QUALIFIERS = ("ForAnyValue", "ForAllValues")


class PolicyParseError(ValueError):
    """The document is not a policy rootctl can read; the message says why."""


@dataclass(frozen=True, slots=True)
class Condition:
    """One ``Operator: {key: values}`` entry: ``ForAllValues:StringNotLikeIfExists`` is
    qualifier ForAllValues, operator StringNotLike, if_exists True."""

    text: str  # the operator as written
    qualifier: str  # "", "ForAnyValue", "ForAllValues"
    operator: str  # without the qualifier and the IfExists suffix
    if_exists: bool
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Principals:
    """A ``Principal``/``NotPrincipal`` block: ``"*"`` (everyone) or its typed lists."""

    everyone: bool
    aws: tuple[str, ...] = ()
    others: tuple[tuple[str, str], ...] = ()  # (type, value): Service, Federated, CanonicalUser


@dataclass(frozen=True, slots=True)
class Statement:
    index: int
    sid: str | None
    effect: str  # "Allow" | "Deny"
    actions: tuple[str, ...] | None  # Action (None when NotAction is used)
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    principal: Principals | None
    not_principal: Principals | None
    conditions: tuple[Condition, ...]
    raw: Mapping[str, Any]  # the statement as written


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    statements: tuple[Statement, ...]
    raw: Mapping[str, Any]
    text: str | None = None  # the JSON as stored, when parsed from text

    @classmethod
    def parse(cls, document: str | Mapping[str, Any]) -> PolicyDocument:
        text = document if isinstance(document, str) else None
        if isinstance(document, str):
            try:
                document = json.loads(document)
            except json.JSONDecodeError as exc:
                raise PolicyParseError(f"it is not JSON ({exc.msg}, line {exc.lineno})") from None
        if not isinstance(document, Mapping):
            raise PolicyParseError("it is not a JSON object")
        if "Statement" not in document:
            raise PolicyParseError("it has no Statement")
        found = document["Statement"]
        items = found if isinstance(found, list) else [found]
        if not items:
            raise PolicyParseError("its Statement list is empty")
        statements = tuple(_statement(i, item) for i, item in enumerate(items))
        return cls(statements, document, text)


def values_text(value: Any) -> str:
    """A JSON scalar as IAM compares it: booleans are ``true``/``false``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise PolicyParseError(f"{where} is an empty list")
    for item in items:
        if not isinstance(item, str):
            raise PolicyParseError(f"{where} holds {type(item).__name__}, not text")
    return tuple(items)


def _principals(value: Any, where: str) -> Principals:
    if value == "*":
        return Principals(everyone=True)
    if not isinstance(value, Mapping) or not value:
        raise PolicyParseError(f'{where} must be "*" or a mapping like {{"AWS": [...]}}')
    aws: tuple[str, ...] = ()
    others: list[tuple[str, str]] = []
    for kind, listed in value.items():
        names = _strings(listed, f"{where}.{kind}")
        if kind == "AWS":
            aws = names
        elif kind in ("Service", "Federated", "CanonicalUser"):
            others.extend((str(kind), n) for n in names)
        else:
            raise PolicyParseError(f"{where} has an unknown principal type {kind!r}")
    return Principals(everyone=False, aws=aws, others=tuple(others))


def parse_operator(text: str) -> tuple[str, str, bool]:
    """(qualifier, operator, if_exists) of ``ForAllValues:StringLikeIfExists``."""
    qualifier, _, operator = text.rpartition(":")
    if qualifier not in ("", *QUALIFIERS):
        raise PolicyParseError(f"unknown condition qualifier {qualifier!r}")
    if_exists = operator.endswith("IfExists") and operator != "IfExists"
    return qualifier, operator.removesuffix("IfExists") if if_exists else operator, if_exists


def _conditions(value: Any, where: str) -> tuple[Condition, ...]:
    if not isinstance(value, Mapping):
        raise PolicyParseError(f"{where} must be a mapping of operator to keys")
    found: list[Condition] = []
    for text, block in value.items():
        if not isinstance(block, Mapping) or not block:
            raise PolicyParseError(f"{where}.{text} must be a mapping of key to values")
        qualifier, operator, if_exists = parse_operator(str(text))
        for key, wanted in block.items():
            items = wanted if isinstance(wanted, list) else [wanted]
            if not items or any(isinstance(v, Mapping | list) or v is None for v in items):
                raise PolicyParseError(f"{where}.{text}.{key} must be a value or a list of them")
            values = tuple(values_text(v) for v in items)
            found.append(Condition(str(text), qualifier, operator, if_exists, str(key), values))
    return tuple(found)


def _pair(
    statement: Mapping[str, Any], positive: str, negative: str, where: str, *, required: bool
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    if positive in statement and negative in statement:
        raise PolicyParseError(f"{where} has both {positive} and {negative}")
    if positive in statement:
        return _strings(statement[positive], f"{where}.{positive}"), None
    if negative in statement:
        return None, _strings(statement[negative], f"{where}.{negative}")
    if required:
        raise PolicyParseError(f"{where} has neither {positive} nor {negative}")
    return None, None


def _statement(index: int, raw: Any) -> Statement:
    where = f"statement {index + 1}"
    if not isinstance(raw, Mapping):
        raise PolicyParseError(f"{where} is not a JSON object")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyParseError(f"{where} has Effect {effect!r}, not Allow or Deny")
    actions, not_actions = _pair(raw, "Action", "NotAction", where, required=True)
    resources, not_resources = _pair(raw, "Resource", "NotResource", where, required=False)
    if "Principal" in raw and "NotPrincipal" in raw:
        raise PolicyParseError(f"{where} has both Principal and NotPrincipal")
    principal = _principals(raw["Principal"], f"{where}.Principal") if "Principal" in raw else None
    not_principal = (
        _principals(raw["NotPrincipal"], f"{where}.NotPrincipal") if "NotPrincipal" in raw else None
    )
    sid = raw.get("Sid")
    return Statement(
        index=index,
        sid=str(sid) if sid is not None else None,
        effect=str(effect),
        actions=actions,
        not_actions=not_actions,
        resources=resources,
        not_resources=not_resources,
        principal=principal,
        not_principal=not_principal,
        conditions=_conditions(raw.get("Condition") or {}, f"{where}.Condition"),
        raw=raw,
    )


def statements_text(statements: Sequence[Statement]) -> list[Mapping[str, Any]]:
    return [s.raw for s in statements]
