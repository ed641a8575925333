"""IAM's wildcards — ``*`` any run of characters, ``?`` exactly one — on strings and on sets.

Besides matching one value (:func:`matches`) a static analysis asks about *sets* of values,
themselves written as patterns ("some bucket": ``arn:aws:s3:::*``):

- :func:`intersects` — does some string match both patterns?
- :func:`covers` — does every string ``inner`` matches also match ``outer``?

Both are exact (patterns are regular languages: a product of the two automata, with the subset
construction for ``covers``), so a YES or NO built on them is never a guess. With
``segment=True`` a ``*`` of the *second* pattern never spans a colon: the value-side pattern is an
ARN whose stars stand for text within one segment (``arn:aws:iam::1:user/*`` is a user, never
``…:user/x:root``).
"""

from __future__ import annotations

import re
from collections import deque
from functools import lru_cache

WILDCARDS = frozenset("*?")


@lru_cache(maxsize=8192)
def _regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """Does the literal ``value`` match ``pattern``?"""
    return _regex(pattern, ignore_case).match(value) is not None


def is_literal(pattern: str) -> bool:
    return not any(ch in WILDCARDS for ch in pattern)


def _closure(pattern: str, states: set[int]) -> frozenset[int]:
    """States reachable without consuming a character (a ``*`` may match nothing)."""
    todo = list(states)
    seen = set(states)
    while todo:
        i = todo.pop()
        if i < len(pattern) and pattern[i] == "*" and i + 1 not in seen:
            seen.add(i + 1)
            todo.append(i + 1)
    return frozenset(seen)


def _step(
    pattern: str, states: frozenset[int], char: str | None, *, segment: bool = False
) -> frozenset[int]:
    """States after consuming ``char`` (None: a character that appears in neither pattern);
    ``segment``: a ``*`` does not consume a colon."""
    after: set[int] = set()
    for i in states:
        if i >= len(pattern):
            continue
        symbol = pattern[i]
        if symbol == "*":
            if not (segment and char == ":"):
                after.add(i)
        elif symbol == "?" or (char is not None and symbol == char):
            after.add(i + 1)
    return _closure(pattern, after)


def _alphabet(*patterns: str) -> list[str | None]:
    """Every literal character of the patterns, and None for "any other character"."""
    chars = sorted({ch for p in patterns for ch in p if ch not in WILDCARDS})
    return [*chars, None]


def _fold(pattern: str, ignore_case: bool) -> str:
    return pattern.lower() if ignore_case else pattern


@lru_cache(maxsize=8192)
def intersects(
    first: str, second: str, *, ignore_case: bool = False, segment: bool = False
) -> bool:
    """Is there a string matching both patterns?"""
    a, b = _fold(first, ignore_case), _fold(second, ignore_case)
    start = (_closure(a, {0}), _closure(b, {0}))
    seen = {start}
    todo = deque([start])
    alphabet = _alphabet(a, b)
    while todo:
        sa, sb = todo.popleft()
        if len(a) in sa and len(b) in sb:
            return True
        for char in alphabet:
            nxt = (_step(a, sa, char), _step(b, sb, char, segment=segment))
            if nxt[0] and nxt[1] and nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


@lru_cache(maxsize=8192)
def covers(outer: str, inner: str, *, ignore_case: bool = False, segment: bool = False) -> bool:
    """Does every string matching ``inner`` also match ``outer``? (``inner`` ⊆ ``outer``)"""
    a, b = _fold(outer, ignore_case), _fold(inner, ignore_case)
    if a == b or a == "*":
        return True
    start = (_closure(a, {0}), _closure(b, {0}))
    seen = {start}
    todo = deque([start])
    alphabet = _alphabet(a, b)
    while todo:
        sa, sb = todo.popleft()
        if len(b) in sb and len(a) not in sa:
            return False  # a string of inner that outer refuses
        for char in alphabet:
            nb = _step(b, sb, char, segment=segment)
            if not nb:
                continue
            nxt = (_step(a, sa, char), nb)
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return True
