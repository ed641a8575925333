"""Which retry mode the clients use: adaptive for the caller's clients (they share the
caller's quotas) unless the AWS configuration names one; standard for root sessions always."""

from __future__ import annotations

from pathlib import Path

import pytest

from rootctl.aws.session import AwsSession, ConnectionOptions
from rootctl.errors import InputError


def options(**given: object) -> ConnectionOptions:
    keys = {"access_key_id": "AKIAEXAMPLEEXAMPLE00", "secret_access_key": "x" * 40}
    return ConnectionOptions(**keys, **given)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def no_user_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("AWS_RETRY_MODE", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "config"
    config.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    return config


def modes(session: AwsSession) -> tuple[str, str]:
    caller = session.client("organizations").meta.config.retries
    root = session.root_client("iam").meta.config.retries
    assert caller["total_max_attempts"] == root["total_max_attempts"] == 5
    return caller["mode"], root["mode"]


def test_caller_clients_adapt_and_root_sessions_do_not_by_default() -> None:
    session = AwsSession(options(max_attempts=5))
    assert modes(session) == ("adaptive", "standard")


def test_the_environment_names_the_callers_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")
    assert modes(AwsSession(options(max_attempts=5))) == ("standard", "standard")


def test_a_profile_names_it_too(no_user_configuration: Path) -> None:
    no_user_configuration.write_text("[profile ops]\nregion = eu-west-1\nretry_mode = legacy\n")
    assert modes(AwsSession(options(profile="ops", max_attempts=5))) == ("legacy", "standard")


def test_a_mode_botocore_does_not_know_is_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_RETRY_MODE", "turbo")
    wanted = "AWS_RETRY_MODE must be one of standard, adaptive, legacy"
    with pytest.raises(InputError, match=wanted):
        AwsSession(options())
