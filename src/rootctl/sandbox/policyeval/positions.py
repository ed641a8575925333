"""Where a statement stands in its policy's JSON text: the ``StartPosition``/``EndPosition``
(1-based line and column) a simulation reports for each matched statement."""

from __future__ import annotations

import json
import re

Position = tuple[int, int]
_DECODER = json.JSONDecoder()
_STATEMENT_KEY = re.compile(r'"Statement"\s*:\s*')
_SEPARATOR = re.compile(r"\s*,?\s*")


def _line_column(text: str, offset: int) -> Position:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def statement_span(text: str, index: int) -> tuple[Position, Position] | None:
    """Start and end of statement ``index`` in ``text`` (a JSON policy), or None."""
    found = _STATEMENT_KEY.search(text)
    if found is None:
        return None
    offset = found.end()
    if text[offset : offset + 1] != "[":
        if index != 0:
            return None
        try:
            _, end = _DECODER.raw_decode(text, offset)
        except ValueError:
            return None
        return _line_column(text, offset), _line_column(text, end)
    offset += 1
    for current in range(index + 1):
        offset = _SEPARATOR.match(text, offset).end()  # type: ignore[union-attr]
        try:
            _, end = _DECODER.raw_decode(text, offset)
        except ValueError:
            return None
        if current == index:
            return _line_column(text, offset), _line_column(text, end)
        offset = end
    return None
