"""Prompts on a terminal, connection options, and the progress bar."""

from __future__ import annotations

import pytest

from rootctl.cli import common
from tests.cli.conftest import (
    CHECKOUT,
    CHECKOUT_PASSWORD,
    NETWORKING,
    PAYMENTS,
    Cli,
    signed_in_days_ago,
)


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


@pytest.mark.usefixtures("terminal")
def test_prompt_names_a_recently_used_root_password(enabled: Cli) -> None:
    signed_in_days_ago(enabled.sandbox, CHECKOUT, CHECKOUT_PASSWORD, 3)
    result = enabled("delete-credentials", "--account", CHECKOUT, input="n\n")
    assert result.exit_code == 0
    question = " ".join(result.stderr.split())
    assert (
        "Warning: 1 root password used in the last 30 days will be deleted: prod-checkout "
        "(418273645502), password used 3 days ago." in question
    )
    assert question.index("password used 3 days ago") < question.index("Delete 2 items")
    assert "Nothing done." in result.stderr
    assert enabled.sandbox.root_user(CHECKOUT).login_profile
