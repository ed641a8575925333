"""`rootctl demo`: the field report's story, end to end, on the offline sandbox."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from rootctl.cli import extras


@click.command()
@click.option("--step", is_flag=True, help="Pause before each step (press Enter to go on).")
@click.option(
    "--serve",
    is_flag=True,
    help="Afterwards keep the sandbox running and print how to point rootctl at it (Ctrl-C).",
)
@click.option(
    "--journal",
    "journal_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep the demo's journal here (default: a temporary file, deleted at the end).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Sandbox address.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Sandbox port (0: any free port).",
)
def demo(step: bool, serve: bool, journal_path: Path | None, host: str, port: int) -> None:
    """Replay the story of centralizing root access on a seeded offline organization:
    enable and delegate, audit, a root sign-in before and after deleting its credentials,
    password recovery, unlocking a bucket and a queue, an org-wide clean-up and what it
    means for Security Hub and CIS. Exits 0 when every step turned out as expected."""
    extras.require("rootctl demo", "sandbox")
    from rootctl.demo import run  # the sandbox (moto) loads only when the demo runs

    root = click.get_current_context().find_root().command
    sys.exit(run(cli=root, step=step, serve=serve, journal=journal_path, host=host, port=port))
