"""rootctl.validation: what each validator accepts and refuses, and that it never fails in any
other way than one line of InputError."""

from __future__ import annotations

import contextlib
import functools
import io
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rootctl import validation
from rootctl.errors import InputError
from rootctl.models import CredentialKind

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def refused(call: Callable[[], Any], *fragments: str) -> str:
    with pytest.raises(InputError) as caught:
        call()
    message = str(caught.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message
    return message


def botocore_regions() -> list[str]:
    partitions = botocore.session.get_session().get_data("endpoints")["partitions"]
    return sorted({name for partition in partitions for name in partition["regions"]})


@pytest.mark.parametrize("region", botocore_regions())
def test_every_region_botocore_knows_is_accepted(region: str) -> None:
    assert validation.region_name(region) == region


@pytest.mark.parametrize(
    "value",
    ["", "us-east", "east-1", "us_east_1", "US-EAST-1", " us-east-1", "us-east-1\n", "local",
     "us-east-1.amazonaws.com", "https://sts.us-east-1.amazonaws.com", "us-east-123"],
)  # fmt: skip
def test_what_is_not_a_region_name(value: str) -> None:
    refused(lambda: validation.region_name(value, "--region"), "--region", "us-east-1")


def test_aws_global_is_refused_with_the_reason() -> None:
    refused(lambda: validation.region_name("aws-global"), "Regional STS endpoint")


@pytest.mark.parametrize(
    "value",
    ["http://127.0.0.1:4566", "https://sts.eu-west-1.amazonaws.com", "http://localhost:1/",
     "http://[::1]:4566", "https://vpce-1.sts.us-east-1.vpce.amazonaws.com/prefix"],
)  # fmt: skip
def test_endpoint_urls(value: str) -> None:
    assert validation.endpoint_url(value) == value


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("notaurl", "http:// or https://"),
        ("127.0.0.1:4566", "http:// or https://"),
        ("ftp://example.com", "http:// or https://"),
        ("http://", "no host"),
        ("http://host:99999", "out of range"),
        ("http://host:port", "port"),
        ("http://[::1", "IPv6"),
        ("http://user:pw@host", "credentials"),
        ("http://host/?a=b", "query"),
        ("http://ho st", "spaces"),
        ("http://host\x1b[2J", "control"),
        ("", "empty"),
    ],
)
def test_what_is_not_an_endpoint_url(value: str, why: str) -> None:
    refused(lambda: validation.endpoint_url(value, "--endpoint-url"), "--endpoint-url", why)


@pytest.mark.parametrize(
    "name",
    ["abc", "prod-payments-receipts", "a.b.c", "logs-2026.11", "x" * 63,
     # legacy us-east-1 names (before March 2018)
     "My_Old_Bucket", "UPPER", "a" * 64 + "_legacy", "B" * 255],
)  # fmt: skip
def test_bucket_names_that_can_exist(name: str) -> None:
    assert validation.bucket_name(name) == name


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("ab", "2 characters"),
        ("x" * 64, "longer than 63"),
        ("B" * 256, "256 characters"),
        ("-abc", "begin and end"),
        ("abc.", "begin and end"),
        ("a..b", "adjacent dots"),
        ("192.168.5.4", "IP address"),
        ("xn--abc", "reserves"),
        ("sthree-bucket", "reserves"),
        ("my-bucket-s3alias", "reserves"),
        ("my-bucket--ol-s3", "reserves"),
        ("with space", "character"),
        ("slash/inside", "character"),
        ("s3://bucket", "name only"),
        ("arn:aws:s3:::bucket", "name only"),
        ("émoji-bucket", "character"),
    ],
)
def test_bucket_names_that_break_the_rules(name: str, why: str) -> None:
    refused(lambda: validation.bucket_name(name), why)


@pytest.mark.parametrize(
    "queue",
    ["q", "locked-queue", "Orders_v2", "orders.fifo", "x" * 80, "x" * 75 + ".fifo",
     "https://sqs.eu-west-1.amazonaws.com/418273645505/locked-queue",
     "http://127.0.0.1:4566/418273645505/orders.fifo"],
)  # fmt: skip
def test_queue_names_and_urls(queue: str) -> None:
    assert validation.queue_name(queue) == queue


@pytest.mark.parametrize(
    ("queue", "why"),
    [
        ("", "1-80"),
        ("x" * 81, "1-80"),
        ("x" * 76 + ".fifo", "1-80"),
        ("bad/queue", "1-80"),
        ("bad queue", "1-80"),
        ("q.txt", "1-80"),
        ("https://sqs.us-east-1.amazonaws.com/locked-queue", "/<account id>/<queue name>"),
        ("https://sqs.us-east-1.amazonaws.com/1234/q", "/<account id>/<queue name>"),
        ("https://sqs.us-east-1.amazonaws.com/418273645505/bad!name", "1-80"),
        ("ftp://host/418273645505/q", "http:// or https://"),
    ],
)
def test_queue_names_that_break_the_rules(queue: str, why: str) -> None:
    refused(lambda: validation.queue_name(queue), why)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30m", NOW - timedelta(minutes=30)),
        ("12h", NOW - timedelta(hours=12)),
        (" 7d ", NOW - timedelta(days=7)),
        ("2w", NOW - timedelta(weeks=2)),
        ("0s", NOW),
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T10:00+02:00", datetime(2026, 11, 1, 8, tzinfo=UTC)),
    ],
)
def test_since(value: str, expected: datetime) -> None:
    assert validation.since(value, now=NOW) == expected


@pytest.mark.parametrize(
    "value", ["99999999d", "999999999999w", "800000d", "1000000000000d", "7 days", "", "-1d", "d"]
)
def test_since_that_cannot_be(value: str) -> None:
    refused(lambda: validation.since(value, "--since", now=NOW), "--since", "12h")


def test_credential_kinds() -> None:
    assert validation.credential_kinds("password, mfa,password") == (
        CredentialKind.PASSWORD,
        CredentialKind.MFA,
    )
    for value in ("", " ", ",", "password,", "password,,mfa", "passwords"):
        refused(functools.partial(validation.credential_kinds, value, "--only"), "--only")


# -- account-id files ------------------------------------------------------------------------


def test_an_accounts_file(tmp_path: Path) -> None:
    path = tmp_path / "ids"
    path.write_text("# prod\n418273645501, 418273645502;741506978801  # networking\n\n")
    assert validation.account_ids_file(str(path)) == (
        "418273645501",
        "418273645502",
        "741506978801",
    )
    path.write_text("418273645501\n12345\n")
    refused(lambda: validation.account_ids_file(str(path)), f"{path}:2", "'12345'", "12 digits")


def test_the_size_cap_is_exact(tmp_path: Path) -> None:
    line = b"418273645501\n"
    path = tmp_path / "ids"
    path.write_bytes(line * 10)
    assert len(validation.account_ids_file(str(path), limit=len(line) * 10)) == 10
    refused(
        lambda: validation.account_ids_file(str(path), limit=len(line) * 10 - 1),
        "is larger than 129 bytes",
    )
    big = tmp_path / "big"
    big.write_bytes(line * (validation.MAX_ACCOUNTS_FILE_BYTES // len(line) + 1))
    refused(lambda: validation.account_ids_file(str(big)), "larger than 1 MiB")


@pytest.mark.timeout(10)
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_are_refused_without_reading_them(device: str) -> None:
    refused(lambda: validation.account_ids_file(device), "not a regular file or a pipe")


def test_directories_missing_and_binary_files(tmp_path: Path) -> None:
    refused(lambda: validation.account_ids_file(str(tmp_path)), "cannot read")
    refused(lambda: validation.account_ids_file(str(tmp_path / "missing")), "No such file")
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe 418273645501")
    refused(lambda: validation.account_ids_file(str(binary)), "not UTF-8")
    empty = tmp_path / "empty"
    empty.write_text("# nobody\n")
    refused(lambda: validation.account_ids_file(str(empty)), "names no account")


@pytest.mark.timeout(10)
def test_a_pipe_is_read_to_its_end(tmp_path: Path) -> None:
    """`--accounts-file <(jq …)` is a pipe: read, not refused; an endless one hits the cap."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    def write(data: bytes) -> None:
        # BrokenPipeError: the reader stopped at the cap, as it should.
        with contextlib.suppress(BrokenPipeError), open(fifo, "wb") as stream:
            stream.write(data)

    writer = threading.Thread(target=write, args=(b"418273645501\n418273645502\n",))
    writer.start()
    assert validation.account_ids_file(str(fifo)) == ("418273645501", "418273645502")
    writer.join()
    endless = threading.Thread(target=write, args=(b"418273645501\n" * 200_000,))
    endless.start()
    refused(lambda: validation.account_ids_file(str(fifo)), "larger than 1 MiB")
    endless.join()


def test_standard_input() -> None:
    stdin = io.BytesIO(b"418273645501\n418273645505\n")
    assert validation.account_ids_file("-", stdin=stdin) == ("418273645501", "418273645505")
    refused(
        lambda: validation.account_ids_file("-", stdin=io.BytesIO(b"1" * 2_000_000)),
        "standard input is larger than 1 MiB",
    )
    refused(lambda: validation.account_ids_file("-", stdin=io.BytesIO(b"x\n")), "<stdin>:1")


# -- any input at all: a value or one line of InputError, never anything else -------------

VALIDATORS: list[Callable[[str], object]] = [
    validation.region_name,
    validation.endpoint_url,
    validation.bucket_name,
    validation.queue_name,
    validation.since,
    validation.credential_kinds,
]


@given(validator=st.sampled_from(VALIDATORS), value=st.text(max_size=300))
def test_any_text_is_a_value_or_one_line_of_input_error(
    validator: Callable[[str], object], value: str
) -> None:
    try:
        validator(value)
    except InputError as error:
        message = str(error)
        assert "\n" not in message
        assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in message)
        assert "\u202e" not in message
        assert len(message) < 400


def test_connection_options_validate_like_the_cli() -> None:
    import rootctl

    for bad in ({"region": "notaregion"}, {"region": "aws-global"}, {"endpoint_url": "notaurl"}):
        with pytest.raises(rootctl.InputError):
            rootctl.ConnectionOptions(**bad)  # type: ignore[arg-type]
    assert rootctl.ConnectionOptions(region="eu-west-1", endpoint_url="http://127.0.0.1:4566")
