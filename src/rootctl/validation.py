"""Validators for input from people: pure functions that return the value to use or raise
:class:`InputError` with one line that says what is wrong and what would be right.

The CLI calls them as it parses options, the library where input enters (connection options,
target selection, unlock), so both refuse the same input the same way — before any AWS call.
"""

from __future__ import annotations

import ipaddress
import os
import re
import stat
import sys
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import BinaryIO
from urllib.parse import urlsplit

from rootctl.errors import Advice, AdviceCode, InputError
from rootctl.models import CredentialKind

# -- tags -------------------------------------------------------------------------------------

MAX_TAG_KEY, MAX_TAG_VALUE = 128, 256  # Organizations' limits


def tag(value: str, what: str = "--tag") -> tuple[str, str]:
    """``KEY=VALUE`` (the value may be empty: ``KEY=``; the key ends at the first ``=``)."""
    key, equals, tag_value = value.partition("=")
    if not equals:
        raise InputError(f"invalid {what} {_shown(value)}: expected KEY=VALUE, e.g. team=payments.")
    return tag_pair(key, tag_value, what)


def tag_pair(key: str, value: str, what: str = "--tag") -> tuple[str, str]:
    """A tag key and value as Organizations allows them."""
    shown = _shown(f"{key}={value}")
    if not key.strip():
        raise InputError(f"invalid {what} {shown}: the tag key is empty.")
    if len(key) > MAX_TAG_KEY or len(value) > MAX_TAG_VALUE:
        raise InputError(
            f"invalid {what} {shown}: a tag key is at most {MAX_TAG_KEY} characters "
            f"and a value at most {MAX_TAG_VALUE}."
        )
    if _has_control(key) or _has_control(value):
        raise InputError(f"invalid {what} {shown}: a tag has no control characters.")
    return key, value


# -- regions and endpoints -------------------------------------------------------------------

# us-east-1, eu-central-2, us-gov-west-1, cn-north-1, us-isob-east-1, eusc-de-east-1 …
REGION = re.compile(r"^[a-z]{2,4}(-[a-z]{2,5})?-[a-z]+-[0-9]{1,2}$")
REGION_EXAMPLES = "us-east-1, eu-west-2 or us-gov-west-1"


def region_name(value: str, what: str = "region") -> str:
    """A Regional AWS region name. ``aws-global`` is refused: AssumeRoot only exists on
    Regional STS endpoints."""
    if value == "aws-global":
        raise InputError(
            f"{what} aws-global is not supported: AssumeRoot needs a Regional STS endpoint.",
            Advice(AdviceCode.USE_REGIONAL_STS),
        )
    if not REGION.fullmatch(value):
        raise InputError(
            f"invalid {what} {_shown(value)}: an AWS region name looks like {REGION_EXAMPLES}."
        )
    return value


def endpoint_url(value: str, what: str = "endpoint URL") -> str:
    """An http(s) URL with a host, as botocore accepts for ``endpoint_url``."""
    problem = _endpoint_problem(value)
    if problem:
        raise InputError(
            f"invalid {what} {_shown(value)}: {problem}.",
            Advice(AdviceCode.GIVE_ENDPOINT_URL),
        )
    return value


def _endpoint_problem(value: str) -> str | None:
    if not value or _has_control_or_space(value):
        return "a URL has no spaces or control characters" if value else "it is empty"
    try:
        parts = urlsplit(value)
        port = parts.port  # raises on a port that is not a number in 0–65535
    except ValueError as exc:
        return str(exc)
    if parts.scheme not in ("http", "https"):
        return "it must start with http:// or https://"
    if not parts.hostname:
        return "it names no host"
    if port == 0:
        return "port 0 is not a port to connect to"
    if parts.username is not None or parts.password is not None:
        return "credentials do not belong in an endpoint URL"
    if parts.query or parts.fragment:
        return "an endpoint URL has no query or fragment"
    return None


# -- S3 buckets and SQS queues ---------------------------------------------------------------

_BUCKET_CHARS = re.compile(r"^[A-Za-z0-9._-]+$")
_RESERVED_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
BUCKET_RULES = (
    "S3 bucket names are 3-63 lowercase letters, digits, dots and hyphens, beginning and "
    "ending with a letter or digit"
)


def bucket_name(value: str) -> str:
    """The name of a bucket that can exist. Besides today's rules this accepts the legacy
    us-east-1 names (before March 2018: up to 255 characters, uppercase letters and
    underscores), so that an old locked-out bucket can still be unlocked."""
    if value.startswith(("s3://", "arn:")):
        raise InputError(f"invalid bucket name {_shown(value)}: give the bucket's name only.")
    problem = _bucket_problem(value)
    if problem:
        raise InputError(f"invalid bucket name {_shown(value)}: {problem} ({BUCKET_RULES}).")
    return value


def _bucket_problem(value: str) -> str | None:
    if not 3 <= len(value) <= 255:
        return f"{len(value)} characters"
    if not _BUCKET_CHARS.fullmatch(value):
        return "a character S3 does not allow"
    legacy = value != value.lower() or "_" in value
    if len(value) > 63 and not legacy:
        return "longer than 63 characters"
    if not (value[0].isalnum() and value[-1].isalnum()):
        return "it must begin and end with a letter or digit"
    if ".." in value:
        return "two adjacent dots"
    if _is_ipv4(value):
        return "formatted as an IP address"
    if value.startswith(_RESERVED_BUCKET_PREFIXES) or value.endswith(_RESERVED_BUCKET_SUFFIXES):
        return "a prefix or suffix S3 reserves"
    return None


_QUEUE = re.compile(r"^[A-Za-z0-9_-]{1,80}$|^[A-Za-z0-9_-]{1,75}\.fifo$")
QUEUE_RULES = "SQS queue names are 1-80 letters, digits, hyphens and underscores (FIFO: .fifo)"


def queue_name(value: str) -> str:
    """A queue name, or a queue URL ``http(s)://host/<account id>/<name>``."""
    if "://" not in value:
        if not _QUEUE.fullmatch(value):
            raise InputError(f"invalid queue name {_shown(value)}: {QUEUE_RULES}.")
        return value
    problem = _endpoint_problem(value)
    path = urlsplit(value).path.split("/") if problem is None else []
    if problem is None and (len(path) != 3 or not ACCOUNT_ID.fullmatch(path[1])):
        problem = "the path of a queue URL is /<account id>/<queue name>"
    elif problem is None and not _QUEUE.fullmatch(path[2]):
        problem = QUEUE_RULES
    if problem:
        raise InputError(f"invalid queue URL {_shown(value)}: {problem}.")
    return value


# -- durations -------------------------------------------------------------------------------

_AMOUNT = re.compile(r"^(\d{1,12})\s*([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
SINCE_EXAMPLES = "e.g. 12h, 7d or 2026-11-27T10:00"
DURATION_EXAMPLES = "a number and a unit: 90s, 30m, 2h, 1d or 1w"


def _amount(text: str) -> timedelta | None:
    """``90s``, ``30m``, ``2h``, ``1d``, ``2w`` as a timedelta (None: not that form)."""
    match = _AMOUNT.fullmatch(text.strip())
    if match is None:
        return None
    amount, unit = match.groups()
    try:
        return timedelta(**{_UNITS[unit]: int(amount)})
    except OverflowError:
        return timedelta.max


def duration(
    value: str,
    what: str = "duration",
    *,
    minimum: timedelta = timedelta(seconds=1),
    maximum: timedelta | None = None,
) -> timedelta:
    """A length of time written as one number and a unit: ``90s``, ``30m``, ``2h``, ``1d``,
    ``1w``; between ``minimum`` and ``maximum`` (both inclusive)."""
    length = _amount(value)
    if length is None:
        raise InputError(f"invalid {what} {_shown(value)}: use {DURATION_EXAMPLES}.")
    if length < minimum:
        raise InputError(f"invalid {what} {_shown(value)}: at least {_length(minimum)}.")
    if maximum is not None and length > maximum:
        raise InputError(f"invalid {what} {_shown(value)}: at most {_length(maximum)}.")
    return length


def _length(length: timedelta) -> str:
    """``2h``, ``7d``, ``90s``: a length in its largest whole unit."""
    seconds = int(length.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def since(value: str, what: str = "--since", *, now: datetime | None = None) -> datetime:
    """``30m``, ``12h``, ``7d``, ``2w`` ago, or an ISO date/time (UTC when it has no zone)."""
    text = value.strip()
    if (ago := _amount(text)) is not None:
        try:
            return (now or datetime.now(UTC)) - ago
        except OverflowError:
            raise InputError(
                f"invalid {what} {_shown(value)}: that is before the year 1; use {SINCE_EXAMPLES}."
            ) from None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"invalid {what} {_shown(value)}: use {SINCE_EXAMPLES}.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def audit_ref(value: str, what: str = "--audit") -> int | datetime | str:
    """A stored audit: its id (``rootctl history``), ``latest``, or the latest audit at or
    before an age (``7d``) or a date/time (UTC when it has no zone)."""
    text = value.strip()
    if text == "latest":
        return text
    if text.isdigit():
        if int(text) < 1 or len(text) > 18:
            raise InputError(f"invalid {what} {_shown(value)}: audit ids start at 1.")
        return int(text)
    try:
        return since(text, what)
    except InputError:
        raise InputError(
            f"invalid {what} {_shown(value)}: give an audit id (see rootctl history), 'latest', "
            f"an age or a date ({SINCE_EXAMPLES})."
        ) from None


def account_id(value: str, what: str = "account id") -> str:
    """A 12-digit AWS account id."""
    text = value.strip()
    if not ACCOUNT_ID.match(text):
        raise InputError(f"invalid {what} {_shown(value)}: an AWS account id is 12 digits.")
    return text


def duration_seconds(value: str, what: str = "--duration") -> int:
    """``90s``, ``5m``, ``2h``, ``1d`` as whole seconds, at least 1."""
    return int(duration(value, what).total_seconds())


_EDS_ARN = re.compile(r"^arn:aws[\w-]*:cloudtrail:[a-z0-9-]+:\d{12}:eventdatastore/[\w-]+$")
_EDS_ID = re.compile(r"^[A-Za-z0-9-]{3,128}$")


def event_data_store(value: str, what: str = "--trail-lake") -> str:
    """A CloudTrail Lake event data store: its ARN or its id."""
    text = value.strip()
    if _EDS_ARN.match(text) or _EDS_ID.match(text):
        return text
    raise InputError(
        f"invalid {what} {_shown(value)}: give the event data store's ARN "
        "(arn:aws:cloudtrail:REGION:ACCOUNT:eventdatastore/ID) or its id."
    )


# -- credential kinds ------------------------------------------------------------------------


def credential_kinds(value: str, what: str = "--only") -> tuple[CredentialKind, ...]:
    """A comma list of credential kinds; every item must name one (an empty one is an error,
    never "all")."""
    valid = ",".join(kind.value for kind in CredentialKind)
    kinds: list[CredentialKind] = []
    for word in value.split(","):
        try:
            kind = CredentialKind(word.strip())
        except ValueError:
            shown = (
                f"unknown credential kind {_shown(word.strip())}"
                if word.strip()
                else ("an empty credential kind")
            )
            raise InputError(f"{shown} in {what} {_shown(value)} (valid: {valid}).") from None
        if kind not in kinds:
            kinds.append(kind)
    return tuple(kinds)


# -- account-id files ------------------------------------------------------------------------

ACCOUNT_ID = re.compile(r"^\d{12}$")
# 13 bytes per account and line: 1 MiB names ~80,000 accounts, far beyond any organization.
MAX_ACCOUNTS_FILE_BYTES = 1024 * 1024
STDIN = "-"


def account_ids_file(
    path: str, *, limit: int = MAX_ACCOUNTS_FILE_BYTES, stdin: BinaryIO | None = None
) -> tuple[str, ...]:
    """Account ids from a file (``-``: standard input): whitespace, comma or semicolon
    separated, ``#`` starts a comment. At most ``limit`` bytes are read; a device or other
    file that never ends is refused without reading it."""
    name = "standard input" if path == STDIN else f"accounts file {path}"
    if path == STDIN:
        data = _read_capped(stdin or sys.stdin.buffer, name, limit)
    else:
        data = _read_file(path, name, limit)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read {name}: it is not UTF-8 text ({exc.reason}).") from None
    ids = account_ids(text.splitlines(), "<stdin>" if path == STDIN else path)
    if not ids:
        raise InputError(f"{name} names no account.")
    return ids


def account_ids(lines: Iterable[str], source: str) -> tuple[str, ...]:
    ids: list[str] = []
    for number, line in enumerate(lines, start=1):
        for token in re.split(r"[\s,;]+", line.split("#", 1)[0]):
            if token and not ACCOUNT_ID.fullmatch(token):
                raise InputError(
                    f"{source}:{number}: invalid account id {_shown(token)}: "
                    "an AWS account id is 12 digits."
                )
            if token:
                ids.append(token)
    return tuple(ids)


def read_capped_file(path: str, name: str, limit: int, kind: str) -> bytes:
    """A regular file (or pipe) of at most ``limit`` bytes; ``name`` words it in errors, and
    ``kind`` says what a larger one cannot be."""
    return _read_file(path, name, limit, kind=kind)


def _read_file(path: str, name: str, limit: int, *, kind: str = "list of account ids") -> bytes:
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below, after the type check
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror}.") from None
    with stream:
        mode = os.fstat(stream.fileno()).st_mode
        # A pipe ends when its writer does (`--accounts-file <(jq …)`); a device may never.
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            raise InputError(f"cannot read {name}: it is not a regular file or a pipe.")
        return _read_capped(stream, name, limit, kind)


def _read_capped(
    stream: BinaryIO, name: str, limit: int, kind: str = "list of account ids"
) -> bytes:
    try:
        data = stream.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}.") from None
    if len(data) > limit:
        raise InputError(f"{name} is larger than {_size(limit)}: that is not a {kind}.")
    return data


# -- helpers ---------------------------------------------------------------------------------


def _size(count: int) -> str:
    for unit, size in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count} bytes"


def _is_ipv4(value: str) -> bool:
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


def _has_control_or_space(value: str) -> bool:
    return any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in value)


def _shown(value: str, limit: int = 60) -> str:
    """The user's input quoted for an error line: escapes instead of control characters,
    shortened when long (an error is one line)."""
    shown = value if len(value) <= limit else value[: limit - 1] + "…"
    return repr(shown)


# -- free text -------------------------------------------------------------------------------


def note(value: str, what: str, *, limit: int = 1000) -> str:
    """A reason, ticket or comment a person types: not empty, at most ``limit`` characters
    (outside text: every face shows it inertly)."""
    text = value.strip()
    if not text:
        raise InputError(f"{what} is empty: say it in a few words.")
    if len(text) > limit:
        raise InputError(f"{what} is {len(text)} characters long; at most {limit}.")
    return text


# -- alert targets ---------------------------------------------------------------------------

SNS_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")


def notify_target(value: str, what: str = "--notify") -> tuple[str, str]:
    """``webhook:https://…`` or ``sns:arn:aws:sns:REGION:ACCOUNT:TOPIC`` as (kind, target)."""
    kind, _, target = value.partition(":")
    if kind == "webhook":
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(f"invalid {what} {_shown(value)}: webhook:https://host/path.")
        return kind, target
    if kind == "sns":
        if not SNS_TOPIC_ARN.fullmatch(target):
            raise InputError(
                f"invalid {what} {_shown(value)}: sns:arn:aws:sns:REGION:ACCOUNT:TOPIC."
            )
        return kind, target
    raise InputError(f"invalid {what} {_shown(value)}: use webhook:URL or sns:TOPIC_ARN.")


def _has_control(value: str) -> bool:
    return any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in value)
