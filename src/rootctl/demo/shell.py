"""Running ``rootctl …`` in this process, exactly as a person would type it, against the sandbox.

The commands get their connection from the environment (AWS_ENDPOINT_URL, the sandbox's keys,
ROOTCTL_JOURNAL), as they would after the ``export`` lines ``rootctl demo --serve`` prints — so
what the demo shows is what the user can re-run.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from rootctl.demo.narrator import Narrator
from rootctl.sandbox.clientenv import client_environment, shell_exports

REGION = "us-east-1"


class DemoFailure(Exception):
    """An observable outcome was not what the story expects."""


@dataclass(frozen=True)
class Identity:
    """Whom the commands run as: an IAM user's long-term keys in the sandbox."""

    description: str  # e.g. "admin in the management account 123456789012"
    arn: str
    access_key_id: str
    secret_access_key: str


def isolated_environment(journal: Path) -> dict[str, str | None]:
    """Keep the user's own AWS setup (profiles, endpoints, tokens, config files) and journal
    out of reach; the sandbox's keys and endpoint come with ``connection_environment``."""
    return {**client_environment(region=REGION), "ROOTCTL_JOURNAL": str(journal)}


def connection_environment(endpoint_url: str, identity: Identity) -> dict[str, str | None]:
    """Point the AWS SDK (and so rootctl) at the sandbox, as ``identity``."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": identity.access_key_id,
        "AWS_SECRET_ACCESS_KEY": identity.secret_access_key,
    }


def export_lines(values: Mapping[str, str | None], unset: Sequence[str] = ()) -> list[str]:
    """Shell lines that reproduce ``values`` (the subset a person needs, the journal too), and
    unset the user's own settings (``unset``) that would otherwise win over them."""
    return shell_exports(values, "ROOTCTL_JOURNAL", unset=unset)


def use_identity(identity: Identity) -> None:
    """Switch the keys every following command (and engine) uses."""
    os.environ["AWS_ACCESS_KEY_ID"] = identity.access_key_id
    os.environ["AWS_SECRET_ACCESS_KEY"] = identity.secret_access_key


class Shell:
    """Types ``rootctl`` commands: shows the command line, runs the real CLI (given by the
    caller: the demo is one of its commands, so it cannot import it), checks the exit."""

    def __init__(self, narrator: Narrator, cli: click.Command) -> None:
        self.narrator = narrator
        self.cli = cli

    def run(self, *args: str, expect: int = 0) -> None:
        line = shlex.join(("rootctl", *args))
        self.narrator.command(line)
        try:
            self.cli.main(args=list(args), prog_name="rootctl", standalone_mode=False)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except click.ClickException as exc:
            exc.show()
            code = exc.exit_code
        if code != expect:
            raise DemoFailure(f"`{line}` exited with {code}; the story expects {expect}.")
