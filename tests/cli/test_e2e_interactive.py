"""Prompts on a terminal, connection options, and the progress bar."""

from __future__ import annotations

import pytest

from rootctl.cli import common
from tests.cli.conftest import NETWORKING, PAYMENTS, Cli


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "is_interactive", lambda: True)


@pytest.mark.usefixtures("terminal")
def test_prompt_shows_counts_and_no_means_nothing_done(enabled: Cli) -> None:
    before = enabled.sandbox.snapshot()
    result = enabled("delete-credentials", "--account", PAYMENTS, "--account", NETWORKING,
                     input="n\n")  # fmt: skip
    assert result.exit_code == 0
    assert "Delete 7 items in 2 accounts" in result.stderr
    assert "2 password, 1 access-keys, 2 certificates, 2 mfa" in result.stderr
    assert "Nothing done." in result.stderr
    assert enabled.sandbox.snapshot() == before
    yes = enabled("delete-credentials", "--account", PAYMENTS, input="y\n")
    assert yes.exit_code == 0
    assert not enabled.sandbox.root_user(PAYMENTS).has_credentials


def test_explicit_endpoint_and_bad_profile(enabled: Cli) -> None:
    endpoint = enabled.aws.endpoint_url
    no_env: dict[str, str | None] = {"AWS_ENDPOINT_URL": None}  # unset: only the flag
    result = enabled("status", "--endpoint-url", endpoint, env=no_env)
    assert result.exit_code == 0, result.output
    assert enabled.sandbox.organization_id in result.stdout
    bad = enabled("status", "--profile", "no-such-profile")
    assert bad.exit_code == 2
    assert "no-such-profile" in bad.stderr
