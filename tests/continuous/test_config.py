"""rootctl.yaml: the docs' example reads as written; every mistake is one line with its place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from rootctl.core.desired_state import load, parse
from rootctl.errors import ConfigError
from rootctl.models import CredentialKind, NewAccountsAction, RuleName

DOCS = Path(__file__).parents[2] / "docs" / "config.md"

ISSUE_EXAMPLE = """\
version: 1
scope: {all: true}              # or {ous: [ou-…], accounts: ["…"]}
exclude: ["111122223333"]
rules:
  root_credentials: none
exceptions:
  - account: "444455556666"
    allow: [password, mfa]      # credential kinds that may stay
    owner: alice@example.com
    reason: legacy payment provider needs root MFA
    expires: 2027-01-31
"""


def test_the_issue_example_reads_as_written() -> None:
    state = parse(ISSUE_EXAMPLE, "rootctl.yaml")
    assert state.scope.all
    assert state.exclude == ("111122223333",)
    (exception,) = state.exceptions
    assert exception.account_id == "444455556666"
    assert exception.allow == (CredentialKind.PASSWORD, CredentialKind.MFA)
    # A date means "through that day" (UTC): the first instant it no longer holds is the next.
    assert exception.expires_at == datetime(2027, 2, 1, tzinfo=UTC)
    assert not exception.expired(datetime(2027, 1, 31, 23, 59, tzinfo=UTC))
    assert exception.expired(datetime(2027, 2, 1, tzinfo=UTC))
    assert state.place_of(RuleName.ROOT_CREDENTIALS) is not None


def test_every_yaml_example_in_the_docs_is_valid(tmp_path: Path) -> None:
    text = DOCS.read_text()
    blocks = [b.split("```", 1)[0] for b in text.split("```yaml\n")[1:]]
    assert len(blocks) >= 2
    assert ISSUE_EXAMPLE in blocks[0]  # the first example is the issue's, verbatim
    for i, block in enumerate(blocks):
        path = tmp_path / f"example{i}.yaml"
        path.write_text(block)
        load(path)


def test_full_form() -> None:
    state = parse(
        """\
version: 1
scope:
  ous: [ou-abcd-12345678]
  accounts: [210987654321]
  tags: {team: payments, year: 2024, note: ""}
rules:
  recovery_window_max: 4h
  new_accounts: clean-after 24h
exceptions:
  - account: 210987654321
    allow: [access-keys]
    owner: bob@example.com
    reason: vendor integration
    ticket: SEC-12
    expires: 2027-01-31T18:00Z
enforce:
  approvals: 2
  auto_apply:
    - rule: new_accounts
      kinds: [password]
"""
    )
    assert state.scope.accounts == ("210987654321",)  # unquoted: still the id's digits
    assert state.scope.tags == (("team", "payments"), ("year", "2024"), ("note", ""))
    assert state.recovery_window_max == timedelta(hours=4)
    assert state.new_accounts.action is NewAccountsAction.CLEAN_AFTER
    assert state.new_accounts.after == timedelta(hours=24)
    assert state.approvals == 2
    assert state.auto_applies(RuleName.NEW_ACCOUNTS, CredentialKind.PASSWORD)
    assert not state.auto_applies(RuleName.NEW_ACCOUNTS, CredentialKind.MFA)
    assert state.exceptions[0].ticket == "SEC-12"


BASE = "version: 1\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "x.yaml: the file is empty; it starts with version: 1"),
        ("scope: {all: true}\n", "x.yaml:1:1: version is missing; add version: 1"),
        ("version: 2\n", "x.yaml:1:10: version: this rootctl reads version 1 of the file, not '2'"),
        (BASE + "scop: {all: true}\n", "x.yaml:2:1: unknown key 'scop' (did you mean 'scope'?)"),
        (BASE + "version: 1\n", "x.yaml:2:1: version: given twice (first on line 1)"),
        (BASE + "rules: {root_credentials: some}\n", "x.yaml:2:27: rules.root_credentials: "),
        (BASE + "exclude: [12345]\n", "x.yaml:2:11: exclude[0]: expected a 12-digit account id"),
        (
            BASE + "scope: {all: true, ous: [ou-ab12-abcd1234]}\n",
            "x.yaml:2:25: scope.ous: all: true already covers",
        ),
        (BASE + "scope: {}\n", "x.yaml:2:8: scope: names no account"),
        (BASE + "scope: {tags: [env]}\n", "x.yaml:2:15: scope.tags: expected a mapping of tag"),
        (BASE + "scope: {tags: {}}\n", "x.yaml:2:15: scope.tags: expected a mapping of tag"),
        (BASE + "scope: {tags: {env: }}\n", "x.yaml:2:20: scope.tags.env: expected a tag value"),
        (
            BASE + "scope: {tags: {env: [a, b]}}\n",
            "x.yaml:2:21: scope.tags.env: expected a tag value, got a list",
        ),
        (
            BASE + "scope:\n  tags: {env: prod, env: dev}\n",
            "x.yaml:3:21: scope.tags: tag 'env' given twice",
        ),
        (
            BASE + 'scope: {tags: {env: "a\\u0007"}}\n',
            "x.yaml:2:21: scope.tags.env: invalid tag",
        ),
        (
            BASE + "scope: {all: true, tags: {env: prod}}\n",
            "x.yaml:2:26: scope.tags: all: true already covers",
        ),
        (BASE + "scope: {ous: [ou-x]}\n", "x.yaml:2:15: scope.ous[0]: invalid OU id 'ou-x'"),
        (
            BASE + "rules:\n  recovery_window_max: 4 hours\n",
            "x.yaml:3:24: rules.recovery_window_max",
        ),
        (BASE + "rules:\n  new_accounts: clean-after 8d\n", "x.yaml:3:17: rules.new_accounts"),
        (
            BASE + "rules:\n  new_accounts: delete\n",
            "x.yaml:3:17: rules.new_accounts: expected alert-only",
        ),
        (
            BASE + "exceptions:\n  - {account: '444455556666', allow: [pasword], owner: a,"
            " reason: b, expires: 2027-01-31}\n",
            "x.yaml:3:39: exceptions[0].allow[0]: unknown credential kind 'pasword' (did you "
            "mean 'password'?)",
        ),
        (
            BASE + "exceptions:\n  - {account: '444455556666', allow: [mfa], owner: a,"
            " reason: b, expires: soon}\n",
            "x.yaml:3:75: exceptions[0].expires: expected a date like 2027-01-31",
        ),
        (
            BASE + "exceptions:\n  - {account: '444455556666', allow: [mfa]}\n",
            "x.yaml:3:5: exceptions[0]: owner is missing",
        ),
        (BASE + "enforce: {approvals: 0}\n", "x.yaml:2:22: enforce.approvals: expected a number"),
        (
            BASE + "enforce:\n  auto_apply: [{rule: new_accounts}]\n",
            "x.yaml:3:23: enforce.auto_apply[0].rule: new_accounts violations exist only",
        ),
        (BASE + "exclude: [\n", "x.yaml:3:1: not valid YAML"),
        ("version: 1\x07\n", "x.yaml: not valid YAML"),
    ],
)
def test_errors_name_line_column_and_field(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(text, "x.yaml")
    message = str(caught.value)
    assert message.startswith(expected), message
    assert "\n" not in message
    assert caught.value.exit_code == 2


def test_unreadable_and_huge_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the desired-state file"):
        load(tmp_path / "missing.yaml")
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"#" * (1024 * 1024 + 1))
    with pytest.raises(ConfigError, match="larger than 1 MiB"):
        load(huge)
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"version: 1\n\xff\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load(binary)
