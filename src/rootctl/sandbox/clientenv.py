"""The environment a client needs to talk to the sandbox — and to nothing else.

A developer's own AWS setup (a profile, a session token, per-service endpoints, container or
web-identity credentials) would otherwise win over the sandbox's keys or send calls past it.
One definition serves the in-process mode, the ``export`` lines of ``rootctl sandbox serve``,
and every face or test that points a client at the sandbox.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Protocol

DEFAULT_REGION = "us-east-1"

# Settings of the user's own AWS setup that would win over, or reach past, the sandbox's.
USER_SETTINGS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "MOTO_ACCOUNT_ID",  # would put every caller in one account
)

# What a person pastes into a shell, in this order (AWS_DEFAULT_REGION: the aws CLI v1 reads it).
_EXPORTED = (
    "AWS_ENDPOINT_URL",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
)


class Keys(Protocol):
    @property
    def access_key_id(self) -> str: ...
    @property
    def secret_access_key(self) -> str: ...


def client_environment(
    keys: Keys | None = None,
    endpoint_url: str | None = None,
    *,
    region: str = DEFAULT_REGION,
) -> dict[str, str | None]:
    """Variables to set (``None``: to unset) so that an AWS SDK in this environment reaches
    the sandbox at ``endpoint_url`` (``None``: in-process, no endpoint override) as ``keys``,
    with no shared config or credentials file and none of the user's own settings."""
    env: dict[str, str | None] = dict.fromkeys(USER_SETTINGS)
    env.update(dict.fromkeys(n for n in os.environ if n.startswith("AWS_ENDPOINT_URL_")))
    env.update(
        {
            "AWS_ENDPOINT_URL": endpoint_url,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    if keys is not None:
        env["AWS_ACCESS_KEY_ID"] = keys.access_key_id
        env["AWS_SECRET_ACCESS_KEY"] = keys.secret_access_key
    return env


def shell_exports(
    env: Mapping[str, str | None], *extra: str, unset: Iterable[str] = ()
) -> list[str]:
    """``export`` lines for what a person needs of ``env`` (plus the ``extra`` names), then one
    ``unset`` line: the settings in ``unset`` (those the user has) and the two that most often
    win over the sandbox's keys."""
    names = [n for n in (*_EXPORTED, *extra) if env.get(n) is not None]
    lines = [f"export {name}={shlex.quote(str(env[name]))}" for name in names]
    lines.append("unset " + " ".join(sorted({*unset, "AWS_PROFILE", "AWS_SESSION_TOKEN"})))
    return lines


def apply_environment(values: Mapping[str, str | None]) -> None:
    """Set each variable, or remove it where the value is ``None``."""
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@contextmanager
def patched_environment(values: Mapping[str, str | None]) -> Iterator[None]:
    """``apply_environment`` for the duration of the block; the old values come back after."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        apply_environment(values)
        yield
    finally:
        apply_environment(saved)
