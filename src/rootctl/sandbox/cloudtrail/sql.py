"""The subset of CloudTrail Lake's SQL the sandbox answers (a query of one event data store):

``SELECT [DISTINCT] col [AS alias], … | * FROM <eds-id> [WHERE cond] [ORDER BY col [ASC|DESC], …]
[LIMIT n]`` — columns are event fields by path (``userIdentity.accessKeyId``, case-insensitive)
or ``element_at(requestParameters|responseElements|additionalEventData, 'key')``; conditions
combine ``=``, ``!=``/``<>``, ``<``, ``<=``, ``>``, ``>=``, ``IN (…)``, ``LIKE``,
``IS [NOT] NULL`` with ``AND``, ``OR``, ``NOT`` and parentheses. Anything else is refused with
``InvalidQueryStatementException``, as Lake refuses what it does not allow.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .exceptions import InvalidQueryStatement

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>\d+(?:\.\d+)?)(?![\w$-])"
    r"|(?P<op><>|!=|<=|>=|[=<>(),*])|(?P<word>[\w$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)*))"
)
_KEYWORDS = {
    "select", "distinct", "from", "where", "and", "or", "not", "in", "like", "is", "null",
    "order", "by", "asc", "desc", "limit", "as", "true", "false",
}  # fmt: skip
MAP_COLUMNS = {"requestparameters", "responseelements", "additionaleventdata"}
Row = Mapping[str, Any]
Predicate = Callable[[Row], bool]


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    text = text.strip().rstrip(";")
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise InvalidQueryStatement(f"Unexpected text at position {position}.")
        position = match.end()
        kind = str(match.lastgroup)
        value = match.group(kind)
        if kind == "word" and value.lower() in _KEYWORDS:
            kind, value = "keyword", value.lower()
        found.append((kind, value))
    return found


def field(event: Row, path: str) -> Any:
    """The value at ``path`` in ``event``, matching names case-insensitively."""
    value: Any = event
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        lowered = {str(k).lower(): v for k, v in value.items()}
        value = lowered.get(part.lower())
    return value


@dataclass(frozen=True)
class Column:
    name: str  # how it is shown
    path: str
    key: str | None = None  # element_at(map, key)

    def value(self, event: Row) -> Any:
        found = field(event, self.path)
        if self.key is not None:
            found = found.get(self.key) if isinstance(found, Mapping) else None
        return found


def shown(value: Any, path: str = "") -> str | None:
    """How Lake shows a value in a result row (timestamps as ``YYYY-MM-DD HH:MM:SS.000``; maps
    and nested values as JSON text — an assumption, see docs/sandbox.md)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if path.lower() == "eventtime" and isinstance(value, str):
        return _when(value).strftime("%Y-%m-%d %H:%M:%S.000")
    if isinstance(value, Mapping | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _when(text: str) -> datetime:
    cleaned = text.strip().replace("T", " ").rstrip("Z")
    for pattern in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(cleaned, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise InvalidQueryStatement(f"{text!r} is not a timestamp.")


@dataclass
class Query:
    data_store: str
    columns: list[Column] | None  # None: *
    where: Predicate
    order: list[tuple[Column, bool]]  # (column, descending)
    limit: int | None
    distinct: bool

    def run(self, events: list[dict[str, Any]]) -> list[list[dict[str, str]]]:
        chosen = [e for e in events if self.where(e)]
        for column, descending in reversed(self.order):
            chosen.sort(key=functools.partial(_sortable, column), reverse=descending)
        rows: list[list[dict[str, str]]] = []
        seen: set[str] = set()
        for event in chosen:
            columns = self.columns or [Column(k, k) for k in event]
            row = [
                {c.name: text}
                for c in columns
                if (text := shown(c.value(event), c.path if c.key is None else "")) is not None
            ]
            if self.distinct:
                marker = json.dumps(row, sort_keys=True)
                if marker in seen:
                    continue
                seen.add(marker)
            rows.append(row)
        return rows[: self.limit] if self.limit is not None else rows


def _sortable(column: Column, event: Row) -> tuple[int, str]:
    value = shown(column.value(event), column.path)
    return (0, "") if value is None else (1, value)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self, *values: str) -> bool:
        if self.at >= len(self.tokens):
            return False
        return not values or self.tokens[self.at][1] in values

    def take(self, *values: str) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise InvalidQueryStatement("The query ends too early.")
        token = self.tokens[self.at]
        if values and token[1] not in values:
            raise InvalidQueryStatement(f"Expected {' or '.join(values)}, found {token[1]!r}.")
        self.at += 1
        return token

    def parse(self) -> Query:
        self.take("select")
        distinct = bool(self.peek("distinct") and self.take("distinct"))
        columns: list[Column] | None = None
        if self.peek("*"):
            self.take("*")
        else:
            columns = [self.select_column()]
            while self.peek(","):
                self.take(",")
                columns.append(self.select_column())
        self.take("from")
        kind, data_store = self.take()
        if kind != "word":
            raise InvalidQueryStatement("FROM must name an event data store id.")
        where: Predicate = _always
        if self.peek("where"):
            self.take("where")
            where = self.condition()
        order: list[tuple[Column, bool]] = []
        if self.peek("order"):
            self.take("order")
            self.take("by")
            order.append(self.order_item())
            while self.peek(","):
                self.take(",")
                order.append(self.order_item())
        limit = None
        if self.peek("limit"):
            self.take("limit")
            kind, value = self.take()
            if kind != "number":
                raise InvalidQueryStatement("LIMIT takes a number.")
            limit = int(float(value))
        if self.at != len(self.tokens):
            raise InvalidQueryStatement(f"Unexpected {self.tokens[self.at][1]!r}.")
        return Query(data_store, columns, where, order, limit, distinct)

    def column(self) -> Column:
        kind, word = self.take()
        if kind != "word":
            raise InvalidQueryStatement(f"Expected a column, found {word!r}.")
        if word.lower() == "element_at":
            self.take("(")
            kind, path = self.take()
            if kind != "word" or path.lower() not in MAP_COLUMNS:
                raise InvalidQueryStatement("element_at takes a map column.")
            self.take(",")
            kind, key = self.take()
            if kind != "string":
                raise InvalidQueryStatement("element_at takes a key in quotes.")
            self.take(")")
            text = key[1:-1].replace("''", "'")
            return Column(f"element_at({path}, '{text}')", path, text)
        return Column(word, word)

    def select_column(self) -> Column:
        column = self.column()
        if self.peek("as"):
            self.take("as")
            kind, alias = self.take()
            if kind not in ("word", "string"):
                raise InvalidQueryStatement("AS takes a name.")
            column = Column(alias.strip("'"), column.path, column.key)
        return column

    def order_item(self) -> tuple[Column, bool]:
        column = self.column()
        descending = False
        if self.peek("asc", "desc"):
            descending = self.take()[1] == "desc"
        return column, descending

    def condition(self) -> Predicate:
        left = self.conjunction()
        while self.peek("or"):
            self.take("or")
            left = _either(left, self.conjunction())
        return left

    def conjunction(self) -> Predicate:
        left = self.negation()
        while self.peek("and"):
            self.take("and")
            left = _both(left, self.negation())
        return left

    def negation(self) -> Predicate:
        if self.peek("not"):
            self.take("not")
            inner = self.negation()
            return lambda e: not inner(e)
        if self.peek("("):
            self.take("(")
            inner = self.condition()
            self.take(")")
            return inner
        return self.comparison()

    def literal(self) -> str:
        kind, value = self.take()
        if kind == "string":
            return value[1:-1].replace("''", "'")
        if kind == "number" or value in ("true", "false"):
            return value
        raise InvalidQueryStatement(f"Expected a value, found {value!r}.")

    def comparison(self) -> Predicate:
        column = self.column()
        if self.peek("is"):
            self.take("is")
            negated = bool(self.peek("not") and self.take("not"))
            self.take("null")
            return lambda e: (column.value(e) is None) != negated
        negated = bool(self.peek("not") and self.take("not"))
        if self.peek("in"):
            self.take("in")
            self.take("(")
            values = [self.literal()]
            while self.peek(","):
                self.take(",")
                values.append(self.literal())
            self.take(")")
            wanted = set(values)
            return lambda e: (shown(column.value(e)) in wanted) != negated
        if self.peek("like"):
            self.take("like")
            pattern = re.compile(
                "^" + re.escape(self.literal()).replace("%", ".*").replace("_", ".") + "$", re.S
            )
            return lambda e: bool(pattern.match(shown(column.value(e)) or "")) != negated
        if negated:
            raise InvalidQueryStatement("NOT must be followed by IN or LIKE here.")
        kind, op = self.take()
        if kind != "op" or op not in ("=", "!=", "<>", "<", "<=", ">", ">="):
            raise InvalidQueryStatement(f"Expected a comparison, found {op!r}.")
        value = self.literal()
        return _compare(column, op, value)


def _always(_event: Row) -> bool:
    return True


def _either(first: Predicate, second: Predicate) -> Predicate:
    return lambda event: first(event) or second(event)


def _both(first: Predicate, second: Predicate) -> Predicate:
    return lambda event: first(event) and second(event)


def _compare(column: Column, op: str, value: str) -> Predicate:
    is_time = column.key is None and column.path.lower() == "eventtime"
    target: Any = _when(value) if is_time else value

    def test(event: Row) -> bool:
        found = column.value(event)
        if found is None:
            return False
        mine: Any = _when(str(found)) if is_time else shown(found)
        if op == "=":
            return bool(mine == target)
        if op in ("!=", "<>"):
            return bool(mine != target)
        if op == "<":
            return bool(mine < target)
        if op == "<=":
            return bool(mine <= target)
        if op == ">":
            return bool(mine > target)
        return bool(mine >= target)

    return test


def parse(statement: str) -> Query:
    """Parse a Lake query, or raise ``InvalidQueryStatement``."""
    if len(statement) > 10_000:
        raise InvalidQueryStatement("The query is too long.")
    return _Parser(statement).parse()
