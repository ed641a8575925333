"""The command-line face: parses flags, calls the engine, renders, maps outcomes to exit codes."""

from __future__ import annotations

import click

from rootctl import __version__
from rootctl.cli.sandbox_cmd import sandbox


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rootctl")
def cli() -> None:
    """Centralized root access management for AWS Organizations."""


cli.add_command(sandbox)


def main() -> None:
    cli()
