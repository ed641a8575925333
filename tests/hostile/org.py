"""The hostile organization and the checks every face must pass on it.

``HOSTILE_SEED`` (src/rootctl/sandbox/seeds/hostile-org.yaml) is the example organization's
twin: same account ids, credentials, locked bucket and queue, but hostile names. One OU gets a
name with ``[/]`` through the Organizations API (``rename_security_ou``): seed paths split on
"/", AWS OU names do not.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import Any

import boto3

from rootctl.sandbox import Sandbox
from rootctl.sandbox import seed as seed_module

HOSTILE_SEED = Path(__file__).parents[2] / "src/rootctl/sandbox/seeds/hostile-org.yaml"

# Accounts of the hostile organization (the example organization's ids).
MANAGEMENT = "123456789012"
LINK = "210987654321"  # [link=https://evil.example]Click me[/link]; the delegate
LOG = "210987654322"  # clear screen, cursor home, window title
BLINK = "304958671234"  # blink, colours; password + hardware MFA with a bidi serial
NUL = "304958671299"  # NUL, backspace, DEL, C1 CSI, NEL
PAYMENTS = "418273645501"  # prod[/]payments: password, MFA, key; the locked bucket
HYPERLINK = "418273645502"  # =HYPERLINK(...): password, key
CMD = "418273645503"  # +cmd|' /C calc'!A0: no root credentials
SUM = "418273645504"  # @SUM(...): password, MFA, a hostile certificate id
MINUS = "418273645505"  # -2+3: password, MFA; the locked queue
SCRIPT = "418273645506"  # <script>alert(1)</script>
IMG = "529384756601"  # <img src=x onerror=alert(1)>
CRLF = "529384756602"  # CR first, LF, TAB, BEL, backspace: password, MFA, key
RLO = "529384756603"  # invoice<U+202E>fdp.exe
BIDI = "529384756604"  # every bidi control: password, two keys
JAPANESE = "630495867701"  # 本番-決済
WIDE = "630495867702"  # 43 Japanese characters (86 cells): password
FIFTY = "630495867703"  # 50 characters, recovery only
OSC8 = "630495867704"  # an OSC 8 hyperlink; SUSPENDED
ALT_SCREEN = "741506978801"  # alternate screen, hidden cursor, U+2028/9, DCS
TAB_FIRST = "741506978802"  # TAB first: password, MFA, key; a policy with bidi

SECURITY_OU = "[bold red]Security\x1b[41m"
RENAMED_SECURITY_OU = "[bold red]Sec[/]urity[/bold red] [link=https://evil.example]x[/link]\x1b[41m"

# The visible forms, written out by hand (not computed by the code under test).
VISIBLE = {
    PAYMENTS: "prod[/]payments",
    LINK: "[link=https://evil.example]Click me[/link]",
    LOG: r"log\x1b[2J\x1b[H\x1b]0;pwned\x07-archive",
    BLINK: r"sec\x1b[5mblink\x1b[0m-audit\x1b[31m",
    NUL: r"backup\x00nul\x08bs\x7fdel\x9bc1\x85nel",
    HYPERLINK: '=HYPERLINK("http://evil.example","x")',
    CMD: "+cmd|' /C calc'!A0",
    SUM: "@SUM(1+1)*cmd|' /C calc'!A0",
    MINUS: "-2+3",
    SCRIPT: "<script>alert(1)</script>",
    IMG: "<img src=x onerror=alert(1)>",
    CRLF: r"\rcr\nlf\ttab\x07bell\x08bs",
    RLO: r"invoice\u202efdp.exe",
    BIDI: r"\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061cbidi",
    JAPANESE: "本番-決済",
    WIDE: "本番環境-決済システム-東京リージョン-共有サービス-監査ログ保管-ネットワーク-開発",
    FIFTY: "fifty-character-account-name-for-tables-0123456789",
    OSC8: r"\x1b]8;;https://evil.example\x1b\link\x1b]8;;\x1b" "\\",
    ALT_SCREEN: r"\x1b[?1049halt\x1b[?25l\u2028ls\u2029ps\x90dcs\x1b" "\\",
    TAB_FIRST: r"\tTAB-first",
    MANAGEMENT: r"acme[/]management\x1b]0;pwned\x07",
}
VISIBLE_RENAMED_OU = r"[bold red]Sec[/]urity[/bold red] [link=https://evil.example]x[/link]\x1b[41m"


@functools.cache
def hostile_seed() -> seed_module.Seed:
    return seed_module.load(HOSTILE_SEED)


def names() -> dict[str, str]:
    """Account id → exact name, as the seed has it."""
    return {a.account_id: a.name for a in hostile_seed().all_accounts()}


def seeded_policy(account_id: str, bucket: str) -> Any:
    """The policy document of ``bucket`` as the seed has it."""
    account = next(a for a in hostile_seed().accounts if a.account_id == account_id)
    return next(b.policy for b in account.buckets if b.name == bucket)


def build() -> Sandbox:
    """A fresh hostile organization (moto reset and re-seeded)."""
    return Sandbox.from_seed(hostile_seed())


def rename_security_ou() -> str:
    """Give the Security OU a name the seed format cannot: AWS allows "/" in OU names. Needs
    the environment pointed at the sandbox as the management account (``aws_env``)."""
    organizations = boto3.client("organizations")
    root = organizations.list_roots()["Roots"][0]["Id"]
    units = organizations.list_organizational_units_for_parent(ParentId=root)
    unit = next(u for u in units["OrganizationalUnits"] if u["Name"] == SECURITY_OU)
    organizations.update_organizational_unit(
        OrganizationalUnitId=unit["Id"], Name=RENAMED_SECURITY_OU
    )
    return str(unit["Id"])


# -- what must never reach a terminal -----------------------------------------------------------

# What the renderers may keep: ZWNJ/ZWJ and the prepended concatenation marks (they show).
_ALLOWED_FORMAT = {0x200C, 0x200D, 0x600, 0x601, 0x602, 0x603, 0x604, 0x605, 0x6DD, 0x70F}
_ALLOWED_FORMAT |= {0x890, 0x891, 0x8E2, 0x110BD, 0x110CD}


def unsafe_characters(text: str, *, allow: str = "\n") -> list[str]:
    """Every character of ``text`` a terminal or a browser could act on instead of showing:
    controls (C0, DEL, C1), bidi and other invisible format characters, line/paragraph
    separators, lone surrogates — except those in ``allow``."""
    found = []
    for char in text:
        if char in allow or ord(char) in _ALLOWED_FORMAT:
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            found.append(f"U+{ord(char):04X}")
    return found


def assert_inert_bytes(data: bytes, what: str) -> None:
    """Scan every byte: only LF among the C0 controls, no DEL, and — decoded — no C1, bidi or
    other invisible format character."""
    bad = sorted({b for b in data if (b < 0x20 and b != 0x0A) or b == 0x7F})
    assert not bad, f"{what}: control bytes {[hex(b) for b in bad]} in {data[:2000]!r}"
    text = data.decode("utf-8")  # must be valid UTF-8 too (no lone surrogates)
    found = unsafe_characters(text)
    assert not found, f"{what}: {sorted(set(found))} in {text[:2000]!r}"


_SGR = re.compile(r"\x1b\[[0-9;]*m")


def without_colours(text: str) -> str:
    """A terminal's output minus rootctl's own colour sequences (SGR), which must be all."""
    return _SGR.sub("", text)
