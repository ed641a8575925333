"""The XML body of Query-protocol responses (IAM, STS, SQS), written directly.

moto renders each response's dict with ``xmltodict.unparse`` through a SAX generator — a sixth
of the server's CPU per request. This writes the same text for the dicts moto builds (elements,
``@attributes``, ``#text``, lists as repeated elements, ``None`` as an empty element, booleans
as ``true``/``false``, short empty elements) and hands anything else (comments, namespace
maps, bytes, odd names) back to xmltodict, so the output never differs
(``tests/sandbox/test_fastxml.py`` compares the two).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape, quoteattr

_TEXT, _ATTRIBUTE, _COMMENT = "#text", "@", "#comment"
_BINARY = (bytes, bytearray, memoryview)


class Unsupported(Exception):
    """A structure only xmltodict handles."""


@lru_cache(maxsize=4096)
def _valid(name: str) -> bool:
    """xmltodict's name rules (it raises on the others: let it)."""
    return not (
        name.startswith(("?", "!"))
        or any(ch in name for ch in "<>/\"'=")
        or any(ch.isspace() for ch in name)
    )


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _BINARY):
        raise Unsupported
    return str(value)


class _Writer:
    """XMLGenerator with short empty elements: a start tag stays open until content comes."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pending = False

    def start(self, name: str, attributes: list[tuple[str, str]]) -> None:
        if self.pending:
            self.parts.append(">")
        self.parts.append("<" + name)
        for key, value in attributes:
            self.parts.append(f" {key}={quoteattr(value)}")
        self.pending = True

    def characters(self, content: str) -> None:
        if content:
            if self.pending:
                self.parts.append(">")
                self.pending = False
            self.parts.append(escape(content))

    def end(self, name: str) -> None:
        if self.pending:
            self.parts.append("/>")
            self.pending = False
        else:
            self.parts.append(f"</{name}>")


def _element(out: _Writer, key: Any, value: Any) -> None:
    if not isinstance(key, str) or key == _COMMENT or not _valid(key):
        raise Unsupported
    repeated = hasattr(value, "__iter__") and not isinstance(value, (str, *_BINARY, dict))
    for item in value if repeated else [value]:
        if item is None:
            item = {}
        elif not isinstance(item, (dict, str)):
            item = _text(item)
        if isinstance(item, str):
            item = {_TEXT: item}
        cdata: str | None = None
        attributes: list[tuple[str, str]] = []
        children: list[tuple[Any, Any]] = []
        for child_key, child in item.items():
            if child_key == _TEXT:
                cdata = None if child is None else _text(child)
            elif isinstance(child_key, str) and child_key.startswith(_ATTRIBUTE):
                name = child_key[1:]
                if isinstance(child, dict) or not _valid(name):
                    raise Unsupported
                attributes.append((name, "" if child is None else _text(child)))
            elif not (isinstance(child, list) and not child):
                children.append((child_key, child))
        out.start(key, attributes)
        for child_key, child in children:
            _element(out, child_key, child)
        if cdata is not None:
            out.characters(cdata)
        out.end(key)


def unparse(body: Mapping[str, Any]) -> str | None:
    """``xmltodict.unparse(body, full_document=False, short_empty_elements=True)``, or None
    when the body needs xmltodict itself."""
    out = _Writer()
    try:
        for key, value in body.items():
            _element(out, key, value)
    except Unsupported:
        return None
    return "".join(out.parts)
