"""``rootctl completion bash|zsh|fish``: the shell script that completes rootctl's commands,
options and choices (click's own completion, driven by ``_ROOTCTL_COMPLETE``)."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

SHELLS = ("bash", "zsh", "fish")
HOW_TO_LOAD = {
    "bash": 'eval "$(rootctl completion bash)"   # in ~/.bashrc',
    "zsh": 'eval "$(rootctl completion zsh)"    # in ~/.zshrc',
    "fish": "rootctl completion fish > ~/.config/fish/completions/rootctl.fish",
}


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the shell completion script for bash, zsh or fish (see docs/cli.md).

    \b
    bash:  eval "$(rootctl completion bash)"   # in ~/.bashrc
    zsh:   eval "$(rootctl completion zsh)"    # in ~/.zshrc
    fish:  rootctl completion fish > ~/.config/fish/completions/rootctl.fish
    """
    completer = get_completion_class(shell)
    if completer is None:  # pragma: no cover - click ships all three
        raise click.UsageError(f"no completion for {shell}")
    root = ctx.find_root().command
    click.echo(completer(root, {}, "rootctl", "_ROOTCTL_COMPLETE").source())
