"""Fault test 3: a property-based corpus of bad input — malformed and foreign account ids, OU
ids, target files, flag combinations, sandbox seed files — always ends in exit 2 with a
one-line error, and the sandbox's state stays byte-for-byte the same."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rootctl.cli import cli as rootctl_cli
from rootctl.sandbox import Sandbox
from tests.conftest import AwsEnv

pytestmark = pytest.mark.slow
EXAMPLES = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Commands that take TARGETS, with what makes them run without a prompt.
TARGETED = [
    ("audit",),
    ("delete-credentials", "--yes"),
    ("allow-password-recovery", "--yes"),
]


def run(journal: Path, *args: str) -> Result:
    return CliRunner().invoke(rootctl_cli, list(args), env={"ROOTCTL_JOURNAL": str(journal)})


def assert_refused(result: Result) -> None:
    """Exit 2; exactly one line on stderr, an `Error:` line; no output."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines
    assert not result.stdout.strip(), result.stdout


@pytest.fixture
def enabled(aws_env: AwsEnv, sandbox: Sandbox, tmp_path: Path) -> Sandbox:
    """The example organization with root access management on, so that a command that let
    bad input through would really act (and change the snapshot)."""
    result = run(tmp_path / "journal.sqlite3", "enable")
    assert result.exit_code == 0, result.output
    return sandbox


def not_an_account_id(value: str) -> bool:
    return not re.search(r"\d{12}", value) and "\x00" not in value


malformed_ids = st.one_of(
    st.from_regex(r"\d{1,11}|\d{13,20}", fullmatch=True),
    st.from_regex(r"[0-9]{5}[a-zA-Z_.-][0-9]{6}", fullmatch=True),
    st.text(max_size=30).filter(not_an_account_id),
)
foreign_ids = st.from_regex(r"[1-9]\d{11}", fullmatch=True)
malformed_ous = st.one_of(
    st.from_regex(r"ou-[A-Z]{4}-[a-z0-9]{8}|ou-[a-z0-9]{1,3}-[a-z0-9]{8}|r_[a-z0-9]{4}",
                  fullmatch=True),
    st.text(max_size=30).filter(lambda v: not v.strip().startswith(("ou-", "r-"))
                                and "\x00" not in v),
)  # fmt: skip
foreign_ous = st.from_regex(r"ou-[a-z0-9]{4}-[a-z0-9]{8}|r-[a-z0-9]{4}", fullmatch=True)


def is_foreign(sandbox: Sandbox, value: str) -> bool:
    known = {a.account_id for a in sandbox.accounts()} | {sandbox.root_id}
    return value not in known


@EXAMPLES
@given(command=st.sampled_from(TARGETED), value=malformed_ids)
def test_malformed_account_ids(
    enabled: Sandbox, tmp_path: Path, command: tuple[str, ...], value: str
) -> None:
    before = enabled.snapshot()
    assert_refused(run(tmp_path / "j.sqlite3", *command, f"--account={value}"))
    assert enabled.snapshot() == before


@EXAMPLES
@given(
    command=st.sampled_from(TARGETED), value=foreign_ids, ou=st.one_of(malformed_ous, foreign_ous)
)
def test_foreign_accounts_and_bad_ous(
    enabled: Sandbox, tmp_path: Path, command: tuple[str, ...], value: str, ou: str
) -> None:  # fmt: skip
    before = enabled.snapshot()
    if is_foreign(enabled, value):
        assert_refused(run(tmp_path / "j.sqlite3", *command, "--account", value))
    if is_foreign(enabled, ou.strip()):
        assert_refused(run(tmp_path / "j.sqlite3", *command, f"--ou={ou}"))
    assert enabled.snapshot() == before


@EXAMPLES
@given(
    command=st.sampled_from(TARGETED),
    good=st.lists(st.sampled_from(["418273645501", "418273645502", "741506978801"]), max_size=3),
    bad=st.one_of(malformed_ids.filter(lambda v: v.strip() and not re.search(r"[\s,;#]", v)),
                  foreign_ids),
    separator=st.sampled_from(["\n", ",", " ", "\t", ";"]),
)  # fmt: skip
def test_target_files(
    enabled: Sandbox,
    tmp_path: Path,
    command: tuple[str, ...],
    good: list[str],
    bad: str,
    separator: str,
) -> None:
    """A file naming one bad account among good ones does nothing at all."""
    if not is_foreign(enabled, bad):
        return
    path = tmp_path / "targets.txt"
    path.write_text("# accounts\n" + separator.join([*good, bad, *good]) + "\n")
    before = enabled.snapshot()
    assert_refused(run(tmp_path / "j.sqlite3", *command, "--accounts-file", str(path)))
    assert enabled.snapshot() == before


def test_unreadable_target_files(enabled: Sandbox, tmp_path: Path) -> None:
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe\x00\x81 418273645501")
    empty = tmp_path / "empty"
    empty.write_text("# nothing but a comment\n\n")
    before = enabled.snapshot()
    for path in (tmp_path / "missing", tmp_path, binary, empty):
        for command in TARGETED:
            assert_refused(run(tmp_path / "j.sqlite3", *command, "--accounts-file", str(path)))
    assert enabled.snapshot() == before


BAD_FLAGS = [
    ("--all", "--account", "418273645501"),
    ("--all", "--ou", "r-k3v9"),
    ("--concurrency", "0"),
    ("--concurrency", "100000"),
    ("--max-attempts", "0"),
    ("--max-attempts", "many"),
    ("-o", "yaml"),
    ("--no-such-flag",),
    ("--account",),
    ("--region", "aws-global", "--all"),
]


@EXAMPLES
@given(
    command=st.sampled_from(TARGETED),
    flags=st.lists(st.sampled_from(BAD_FLAGS), min_size=1, max_size=2),
)
def test_bad_flag_combinations(
    enabled: Sandbox, tmp_path: Path, command: tuple[str, ...], flags: list[tuple[str, ...]]
) -> None:
    before = enabled.snapshot()
    args = [arg for flag in flags for arg in flag]
    assert_refused(run(tmp_path / "j.sqlite3", *command, *args))
    assert enabled.snapshot() == before


@EXAMPLES
@given(
    only=st.text(min_size=1, max_size=20).filter(
        lambda v: (
            "\x00" not in v
            and any(
                w.strip() not in {"password", "access-keys", "mfa", "certificates"}
                for w in v.split(",")
            )
        )
    )
)
def test_bad_credential_kinds(enabled: Sandbox, tmp_path: Path, only: str) -> None:  # fmt: skip
    before = enabled.snapshot()
    assert_refused(run(tmp_path / "j.sqlite3", "delete-credentials", "--all", "--yes",
                       f"--only={only}"))  # fmt: skip
    assert enabled.snapshot() == before


VALID_SEED = {
    "management_account": {"id": "111111111111", "name": "m", "email": "m@example.com"},
    "accounts": [{"id": "222222222222", "name": "a", "email": "a@example.com"}],
}
SEED_BREAKERS = [
    ("accounts", 0, "id", "2222"),
    ("accounts", 0, "email", "not-an-email"),
    ("accounts", 0, "root", {"mfa": [{"type": "sms"}]}),
    ("accounts", 0, "root", {"access_keys": [{}, {}, {}]}),
    ("accounts", 0, "ou", "No/Such/Unit"),
    ("accounts", 0, "status", "GONE"),
    ("accounts", 0, "surprise", 1),
    ("management_account", None, "id", 111111111111),
    ("management_account", None, "email", "a@example.com"),
    ("organization", None, "feature_set", "SOME"),
    ("organization", None, "features", ["RootEverything"]),
]


def broken_seed_text(breaker: tuple[object, ...]) -> str:
    import copy

    import yaml

    seed: dict[str, object] = copy.deepcopy(VALID_SEED)  # type: ignore[arg-type]
    part, index, field, value = breaker
    target = seed.setdefault(str(part), {})
    if index is not None:
        target = target[index]  # type: ignore[index]
    target[field] = value  # type: ignore[index]
    return yaml.safe_dump(seed)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    text=st.one_of(
        st.sampled_from(SEED_BREAKERS).map(broken_seed_text),
        st.text(max_size=80).filter(lambda t: "management_account" not in t),
        st.sampled_from(
            [
                "accounts: [1, 2\n",
                ":\n  - ]",
                "\t- x",
                "a: !!python/object {}",
                "a: \x01\n",
                "\udcff\udcfe: 1\n",
            ]
        ),  # control character, not UTF-8
    )
)
def test_bad_sandbox_seed_files(enabled: Sandbox, tmp_path: Path, text: str) -> None:
    """`rootctl sandbox serve --seed FILE` refuses a bad seed before touching the live state."""
    path = tmp_path / "seed.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    before = enabled.snapshot()
    result = run(tmp_path / "j.sqlite3", "sandbox", "serve", "--seed", str(path), "--port", "0")
    assert_refused(result)
    assert enabled.snapshot() == before


# -- issue 9: input that used to mean something else, crash or exhaust memory -------------------

PAYMENTS = "418273645501"  # password, MFA, access key; locked bucket
ORDERS = "418273645505"  # locked queue
BAD_INPUT = [
    ("delete-credentials", "--all", "--yes", "--only", ""),  # used to mean "everything"
    ("delete-credentials", "--all", "--yes", "--only", " , "),
    ("delete-credentials", "--all", "--yes", "--only", "password,"),
    ("audit", "--endpoint-url", "notaurl"),  # used to be a 72-line traceback
    ("delete-credentials", "--all", "--yes", "--endpoint-url", "localhost:4566"),
    ("status", "--endpoint-url", "http://"),
    ("enable", "--endpoint-url", "http://[::1"),
    ("audit", "--region", "eu-west"),
    ("allow-password-recovery", "--all", "--yes", "--region", "US-EAST-1"),
    ("delete-credentials", "--all", "--yes", "--region", "us-east-1; rm -rf /"),
    ("journal", "--since", "99999999d"),  # used to be an OverflowError
    ("journal", "--since", "999999999999w"),
    ("journal", "--since", "yesterday"),
    ("unlock-s3", "--yes", "--", PAYMENTS, "Prod..Receipts"),  # used to be exit 3
    ("unlock-s3", "--yes", "--", PAYMENTS, "s3://prod-payments-receipts"),
    ("unlock-s3", "--yes", "--", PAYMENTS, "ab"),
    ("unlock-s3", "--show", "--", PAYMENTS, "192.168.1.1"),
    ("unlock-sqs", "--yes", "--", ORDERS, "locked/queue"),
    ("unlock-sqs", "--yes", "--", ORDERS, "https://sqs.us-east-1.amazonaws.com/locked-queue"),
]


def run_with(journal: Path, *args: str, env: dict[str, str], stdin: str | None = None) -> Result:
    return CliRunner().invoke(
        rootctl_cli, list(args), env={"ROOTCTL_JOURNAL": str(journal), **env}, input=stdin
    )


@pytest.mark.parametrize("args", BAD_INPUT, ids=lambda args: " ".join(args)[:60])
def test_bad_input_is_one_line_and_changes_nothing(
    enabled: Sandbox, tmp_path: Path, args: tuple[str, ...]
) -> None:
    before = enabled.snapshot()
    journal = tmp_path / "j.sqlite3"
    assert_refused(run(journal, *args))
    assert enabled.snapshot() == before
    assert not journal.exists()  # refused while parsing: not even the journal was opened


@pytest.mark.parametrize(
    "env",
    [
        {"AWS_ENDPOINT_URL": "notaurl"},
        {"AWS_REGION": "bogus", "AWS_DEFAULT_REGION": "bogus"},
        {"AWS_REGION": "aws-global", "AWS_DEFAULT_REGION": "aws-global"},
    ],
    ids=lambda env: ",".join(f"{k}={v}" for k, v in env.items()),
)
def test_bad_environment_is_one_line_and_changes_nothing(
    enabled: Sandbox, tmp_path: Path, env: dict[str, str]
) -> None:
    before = enabled.snapshot()
    for command in TARGETED:
        assert_refused(run_with(tmp_path / "j.sqlite3", *command, "--all", env=env))
    assert enabled.snapshot() == before


bucket_breakers = st.text(min_size=1, max_size=70).filter(
    lambda v: any(not (ch.isascii() and (ch.isalnum() or ch in "._-")) for ch in v)
)


@EXAMPLES
@given(name=st.one_of(bucket_breakers, st.text("ab.-", max_size=2), st.just("x" * 256)))
def test_bucket_names_s3_could_not_have(enabled: Sandbox, tmp_path: Path, name: str) -> None:
    before = enabled.snapshot()
    assert_refused(run(tmp_path / "j.sqlite3", "unlock-s3", "--yes", "--", PAYMENTS, name))
    assert enabled.snapshot() == before


@pytest.mark.timeout(60)
@pytest.mark.parametrize("command", TARGETED)
def test_an_endless_or_huge_accounts_file_is_refused_without_reading_it_all(
    enabled: Sandbox, tmp_path: Path, command: tuple[str, ...]
) -> None:
    """/dev/zero used to grow the process to 24 GB until the OOM killer came."""
    huge = tmp_path / "huge.txt"
    huge.write_text(f"{PAYMENTS}\n" * 100_000)  # 1.3 MB of valid ids: over the 1 MiB cap
    before = enabled.snapshot()
    for path in ("/dev/zero", "/dev/urandom", str(huge)):
        assert_refused(run(tmp_path / "j.sqlite3", *command, "--accounts-file", path))
    endless = run_with(
        tmp_path / "j.sqlite3", *command, "--accounts-file", "-", env={}, stdin="1" * 2_000_000
    )
    assert_refused(endless)
    assert "larger than 1 MiB" in endless.stderr
    assert enabled.snapshot() == before


def test_accounts_from_standard_input(enabled: Sandbox, tmp_path: Path) -> None:
    """`jq … | rootctl audit --accounts-file -` audits exactly the accounts piped in."""
    result = run_with(
        tmp_path / "j.sqlite3",
        *("audit", "--accounts-file", "-", "-o", "json"),
        env={},
        stdin=f"# from jq\n{PAYMENTS}\n{ORDERS}\n",
    )
    assert result.exit_code == 1, result.output  # both have root credentials
    rows = json.loads(result.stdout)["accounts"]
    audited = {row["account_id"] for row in rows if row["state"] != "skipped"}
    assert audited == {PAYMENTS, ORDERS}


def test_a_change_from_standard_input_needs_yes(enabled: Sandbox, tmp_path: Path) -> None:
    """Standard input carries the accounts, so no terminal is left to confirm on: refused up
    front without --yes (no audit, nothing changed); with --yes it goes ahead."""
    journal = tmp_path / "j.sqlite3"
    before = enabled.snapshot()
    for command in (("delete-credentials",), ("allow-password-recovery",)):
        refusal = run_with(journal, *command, "--accounts-file", "-", env={}, stdin=PAYMENTS)
        assert_refused(refusal)
        assert "--yes" in refusal.stderr
    assert enabled.snapshot() == before
    assert not journal.exists()
    dry = run_with(journal, "delete-credentials", "--accounts-file", "-", "--dry-run",
                   env={}, stdin=PAYMENTS)  # fmt: skip
    assert dry.exit_code == 0, dry.output
    assert enabled.snapshot() == before
    done = run_with(
        journal,
        *("delete-credentials", "--accounts-file", "-", "--only", "password", "--yes"),
        env={},
        stdin=f"{PAYMENTS}\n",
    )
    assert done.exit_code == 0, done.output
    assert not enabled.root_user(PAYMENTS).login_profile
    assert enabled.root_user(ORDERS).login_profile  # only what was piped in


@pytest.mark.timeout(120)
def test_a_real_pipe_into_rootctl(enabled: Sandbox, aws_env: AwsEnv, tmp_path: Path) -> None:
    """The shell's view: a pipe, a subprocess, no terminal anywhere."""
    import subprocess
    import sys

    producer = subprocess.Popen(["printf", f"{PAYMENTS}\\n"], stdout=subprocess.PIPE)
    consumer = subprocess.run(
        [sys.executable, "-m", "rootctl", "audit", "--accounts-file", "-", "-o", "json"],
        stdin=producer.stdout,
        capture_output=True,
        text=True,
        env={**aws_env.env, "ROOTCTL_JOURNAL": str(tmp_path / "j.sqlite3"),
             "PATH": os.environ["PATH"]},
        timeout=100,
        check=False,
    )  # fmt: skip
    producer.wait()
    assert consumer.returncode == 1, consumer.stderr
    rows = json.loads(consumer.stdout)["accounts"]
    assert [row["account_id"] for row in rows if row["state"] != "skipped"] == [PAYMENTS]
