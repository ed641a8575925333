"""rootctl.render.text: the one place outside text is made literal and inert."""

from __future__ import annotations

import csv
import io
import json
import unicodedata

import pytest
from markupsafe import Markup

from rootctl.render.text import (
    BIDI_CONTROLS,
    csv_cell,
    finalize,
    inert,
    inert_lines,
    json_text,
    literal,
    pretty_policy,
)
from tests.hostile.org import unsafe_characters


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("prod[/]payments", "prod[/]payments"),
        ("\x1b[2J\x1b]0;pwned\x07", r"\x1b[2J\x1b]0;pwned\x07"),
        ("a\x00b\x08c\x7fd", r"a\x00b\x08c\x7fd"),
        ("\x9b2J\x85\x90", r"\x9b2J\x85\x90"),
        ("cr\rlf\ntab\t", r"cr\rlf\ntab\t"),
        ("invoice\u202efdp.exe", r"invoice\u202efdp.exe"),
        ("\u2066x\u2069\u200e\u200f\u061c", r"\u2066x\u2069\u200e\u200f\u061c"),
        ("line\u2028para\u2029", r"line\u2028para\u2029"),
        ("zero\u200bwidth\ufeff", r"zero\u200bwidth\ufeff"),
        ("tag\U000e0041", r"tag\U000e0041"),
        ("lone\ud800", r"lone\ud800"),
        ("本番-決済", "本番-決済"),
        ("👩\u200d💻 café", "👩\u200d💻 café"),  # the joiner emoji need stays
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        ('=HYPERLINK("x")', '=HYPERLINK("x")'),
    ],
)
def test_inert_shows_what_would_act(raw: str, shown: str) -> None:
    assert inert(raw) == shown
    assert inert(shown) == shown  # idempotent: visible escapes are plain text


def test_every_bidi_control_and_every_control_character_is_made_visible() -> None:
    for char in BIDI_CONTROLS:
        assert inert(char) == f"\\u{ord(char):04x}"
    every = "".join(chr(c) for c in range(0x110000))
    assert unsafe_characters(inert(every), allow="") == []
    categories = {"Cc", "Zl", "Zp", "Cs"}
    for code in range(0x110000):
        if unicodedata.category(chr(code)) in categories:
            assert inert(chr(code)).startswith("\\"), hex(code)


def test_inert_lines_keeps_only_line_feeds() -> None:
    assert inert_lines("a\nb\r\n\x1b[2J\u202e") == "a\nb\\r\n\\x1b[2J\\u202e"
    assert inert("a\nb") == "a\\nb"


def test_literal_is_never_markup() -> None:
    text = literal("[bold]x[/] [link=https://evil.example]y[/link]", style="red")
    assert text.plain == "[bold]x[/] [link=https://evil.example]y[/link]"
    assert not text.spans  # only the style given, no markup spans
    assert str(text.style) == "red"


def test_json_text_is_exact_and_safe_on_a_terminal() -> None:
    value = {"name": "本番\x1b[2J\x07\x00\x7f\x9b\u202e\u2028\ud800\U000e0041", "n": 1}
    encoded = json_text(value)
    assert json.loads(encoded) == value
    assert "本番" in encoded  # readable, not \u672c\u756a
    assert unsafe_characters(encoded) == []
    assert r"\u202e" in encoded
    assert r"\udb40\udc41" in encoded  # astral format characters as a surrogate pair


def test_pretty_policy_is_valid_json_to_reapply_or_inert_text() -> None:
    policy = json.dumps({"Statement": [{"Sid": "[/]\x1b]0;t\x07\u202e"}]})
    pretty = pretty_policy(policy)
    assert json.loads(pretty) == json.loads(policy)
    assert unsafe_characters(pretty) == []
    assert pretty_policy("not json \x1b[2J\nline 2") == "not json \\x1b[2J\nline 2"


@pytest.mark.parametrize(
    ("raw", "cell"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\tTAB", "'\\tTAB"),
        ("\rCR", "'\\rCR"),
        ("prod-payments", "prod-payments"),
        ("a=b", "a=b"),
        ("\u202e=1", "\\u202e=1"),  # shown as text: starts with a backslash
    ],
)
def test_csv_cells_never_start_a_formula(raw: str, cell: str) -> None:
    assert csv_cell(raw) == cell


def test_csv_cells_survive_a_csv_round_trip() -> None:
    out = io.StringIO()
    csv.writer(out).writerow([csv_cell('=HYPERLINK("x","y"), a\nb')])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ['\'=HYPERLINK("x","y"), a\\nb']


def test_finalize_passes_markup_and_numbers_and_shows_everything_else() -> None:
    made = Markup("<span>ok</span>")
    assert finalize(made) is made
    assert finalize(3) == 3
    assert finalize(None) is None
    assert finalize("a\u202eb\n") == "a\\u202eb\\n"
    assert finalize(ValueError("AWS said \x1b[2J")) == "AWS said \\x1b[2J"
