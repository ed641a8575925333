"""Running ``rootctl …`` in this process, exactly as a person would type it, against the sandbox.

The commands get their connection from the environment (AWS_ENDPOINT_URL, the sandbox's keys,
ROOTCTL_JOURNAL), as they would after the ``export`` lines ``rootctl demo --serve`` prints — so
what the demo shows is what the user can re-run.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click

from rootctl.demo.narrator import Narrator

REGION = "us-east-1"

# Settings of the user's own AWS setup that would otherwise reach past the sandbox.
_CLEARED = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


class DemoFailure(Exception):
    """An observable outcome was not what the story expects."""


@dataclass(frozen=True)
class Identity:
    """Whom the commands run as: an IAM user's long-term keys in the sandbox."""

    description: str  # e.g. "admin in the management account 123456789012"
    arn: str
    access_key_id: str
    secret_access_key: str


def isolated_environment(journal: Path, scratch: Path) -> dict[str, str | None]:
    """Keep the user's own AWS setup (profiles, endpoints, tokens) and journal out of reach.

    Needed before the sandbox is even built: moto reads the AWS configuration too."""
    values: dict[str, str | None] = dict.fromkeys(_CLEARED)
    values.update({name: None for name in os.environ if name.startswith("AWS_ENDPOINT_URL_")})
    values.update(
        {
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            # Empty shared config/credentials files: the user's profiles stay out of the demo.
            "AWS_CONFIG_FILE": str(scratch / "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(scratch / "aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "ROOTCTL_JOURNAL": str(journal),
        }
    )
    return values


def connection_environment(endpoint_url: str, identity: Identity) -> dict[str, str | None]:
    """Point the AWS SDK (and so rootctl) at the sandbox, as ``identity``."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": identity.access_key_id,
        "AWS_SECRET_ACCESS_KEY": identity.secret_access_key,
    }


def export_lines(values: Mapping[str, str | None], unset: Sequence[str] = ()) -> list[str]:
    """Shell lines that reproduce ``values`` (the subset a person needs), and unset the
    user's own settings (``unset``) that would otherwise win over them."""
    wanted = (
        "AWS_ENDPOINT_URL",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",  # what the aws CLI v1 reads
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "ROOTCTL_JOURNAL",
    )
    lines = [f"export {name}={shlex.quote(str(values[name]))}" for name in wanted]
    if unset:
        lines.append(f"unset {' '.join(sorted(unset))}")
    return lines


@contextmanager
def patched_environ(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, for ``None``, remove) environment variables; restore them afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        _apply(values)
        yield
    finally:
        _apply(saved)


def _apply(values: Mapping[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def use_identity(identity: Identity) -> None:
    """Switch the keys every following command (and engine) uses."""
    os.environ["AWS_ACCESS_KEY_ID"] = identity.access_key_id
    os.environ["AWS_SECRET_ACCESS_KEY"] = identity.secret_access_key


class Shell:
    """Types ``rootctl`` commands: shows the command line, runs the real CLI, checks the exit."""

    def __init__(self, narrator: Narrator) -> None:
        self.narrator = narrator

    def run(self, *args: str, expect: int = 0) -> None:
        from rootctl.cli import cli  # here: the CLI registers the demo command itself

        line = shlex.join(("rootctl", *args))
        self.narrator.command(line)
        try:
            cli.main(args=list(args), prog_name="rootctl", standalone_mode=False)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except click.ClickException as exc:
            exc.show()
            code = exc.exit_code
        if code != expect:
            raise DemoFailure(f"`{line}` exited with {code}; the story expects {expect}.")
