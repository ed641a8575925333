"""Outside text, shown literally and inertly in every face.

Account and OU names, root e-mails, bucket and queue names, policy documents, AWS error
messages, caller ARNs and anything read back from the journal come from people rootctl does not
control. Before any of it reaches a terminal, a spreadsheet or a web page it goes through
:func:`inert`: characters that could act instead of being read are replaced by a visible escape,

- control characters (C0, DEL, C1 — so ESC/CSI/OSC sequences, BEL, NUL, backspace, CR, LF,
  TAB) as ``\\x1b``, ``\\x07``, ``\\n``, ``\\t`` …;
- bidirectional overrides, embeddings, isolates and marks (U+202A–U+202E, U+2066–U+2069,
  U+200E, U+200F, U+061C), the line and paragraph separators, lone surrogates and the other
  invisible format characters as ``\\u202e`` …

Everything else — Japanese, accents, emoji (and the joiners emoji need) — stays as it is.
Backslashes are not doubled, so a name stays legible; the visible form is for reading, the
exact value is in ``-o json``. Rich markup is a separate matter: the human renderers build
``rich.text.Text`` objects (:func:`literal`), which rich never parses as markup.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rich.text import Text

# Invisible format characters (Unicode category Cf) except ZWNJ/ZWJ (U+200C/U+200D: part of
# words and emoji) and the Arabic/Syriac/Kaithi "prepended concatenation marks", which show.
_FORMAT = (
    "\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
# Control characters (Cc), line/paragraph separators (Zl, Zp), lone surrogates (Cs).
_CONTROL = "\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff"
_UNSAFE = re.compile(f"[\n{_CONTROL}{_FORMAT}]")
_UNSAFE_BUT_NEWLINE = re.compile(f"[{_CONTROL}{_FORMAT}]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def escape_char(char: str) -> str:
    """The visible form of one character: ``\\t``, ``\\x1b``, ``\\u202e``, ``\\U000e0041``."""
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _escape(match: re.Match[str]) -> str:
    return escape_char(match.group())


def inert(value: object) -> str:
    """Outside text as one line that only shows itself: every control, bidi and invisible
    format character replaced by its visible escape (LF too)."""
    text = value if isinstance(value, str) else str(value)
    return _UNSAFE.sub(_escape, text)


def inert_lines(value: object) -> str:
    """Like :func:`inert`, but line feeds stay line breaks (policy documents, long text)."""
    text = value if isinstance(value, str) else str(value)
    return _UNSAFE_BUT_NEWLINE.sub(_escape, text)


def literal(value: object, style: str = "") -> Text:
    """Outside text as a rich ``Text``: never parsed as markup, never a control character."""
    return Text(inert(value), style=style)


# -- JSON and policy documents -------------------------------------------------------------------

# json.dumps(ensure_ascii=False) already writes C0 controls as \u00XX; these it leaves raw.
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f\u2028\u2029\ud800-\udfff{_FORMAT}]")


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    high, low = divmod(code - 0x10000, 0x400)
    return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"


def json_text(document: Any, *, indent: int | None = 2) -> str:
    """JSON that decodes to exactly ``document``, readable (Japanese stays Japanese) and safe on
    a terminal: the characters a terminal would act on are written as JSON ``\\uXXXX``
    escapes. Outside strings, such characters cannot occur in JSON text, so replacing them in
    the encoded text only ever touches string contents."""
    return _JSON_UNSAFE.sub(_json_escape, json.dumps(document, indent=indent, ensure_ascii=False))


def pretty_policy(policy: str) -> str:
    """A policy document indented for reading and still valid JSON to re-apply; text that is not
    JSON is shown line by line, inertly."""
    try:
        parsed = json.loads(policy)
    except ValueError:
        return inert_lines(policy)
    return json_text(parsed)


# -- spreadsheets and web pages ------------------------------------------------------------------

# OWASP "CSV Injection": a cell a spreadsheet could read as a formula or a DDE call.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A CSV cell from outside text: a leading ``'`` when it would start a formula (OWASP),
    then :func:`inert`."""
    return inert(f"'{value}" if value.startswith(FORMULA_STARTS) else value)


def finalize(value: Any) -> Any:
    """Jinja's ``finalize`` hook: every ``{{ … }}`` of the dashboard shows outside text inertly
    (autoescaping then takes care of HTML). Markup the templates made themselves (macros,
    anything with ``__html__``), numbers and ``None`` pass unchanged."""
    if value is None or isinstance(value, bool | int | float) or hasattr(value, "__html__"):
        return value
    return inert(value)
