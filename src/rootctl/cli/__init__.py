"""The command-line face: parses flags, calls the engine, renders, maps outcomes to exit codes.

Exit codes: 0 clean · 1 findings or partial failure · 2 usage/input error (nothing done) ·
3 AWS/permission error that prevented the run · 130 interrupted.
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Sequence
from typing import Any

import click

from rootctl._version import __version__
from rootctl.cli.common import error_line, quiet_start_up, settle

# Each command's module is imported when the command runs (or the help lists it), not on
# every start: a run of one command pays for its own imports only.
COMMANDS: dict[str, tuple[str, str]] = {
    "doctor": ("doctor_cmds", "doctor"),
    "policy": ("doctor_cmds", "policy"),
    "status": ("org_cmds", "status"),
    "enable": ("org_cmds", "enable"),
    "disable": ("org_cmds", "disable"),
    "delegate": ("org_cmds", "delegate"),
    "audit": ("credential_cmds", "audit"),
    "compliance": ("credential_cmds", "compliance"),
    "delete-credentials": ("credential_cmds", "delete_credentials"),
    "allow-password-recovery": ("credential_cmds", "allow_password_recovery"),
    "unlock-s3": ("unlock_cmds", "unlock_s3"),
    "unlock-sqs": ("unlock_cmds", "unlock_sqs"),
    "find-lockouts": ("lockout_cmds", "find_lockouts"),
    "scp": ("scp_cmds", "scp"),
    "plan": ("plan_cmds", "plan"),
    "approve": ("plan_cmds", "approve"),
    "apply": ("plan_cmds", "apply_"),
    "recovery": ("recovery_cmd", "recovery"),
    "exec": ("task_cmds", "exec_command"),
    "credential-process": ("task_cmds", "credential_process"),
    "activity": ("activity_cmd", "activity"),
    "journal": ("journal_cmd", "journal"),
    "history": ("history_cmds", "history"),
    "drift": ("history_cmds", "drift"),
    "report": ("history_cmds", "report"),
    "securityhub": ("history_cmds", "securityhub"),
    "check": ("continuous_cmds", "check"),
    "enforce": ("continuous_cmds", "enforce"),
    "watch": ("watch_cmd", "watch"),
    "deploy": ("deploy_cmd", "deploy"),
    "sandbox": ("sandbox_cmd", "sandbox"),
    "ui": ("ui_cmd", "ui"),
    "demo": ("demo_cmd", "demo"),
    "completion": ("completion_cmd", "completion"),
}


class _OneLineErrors(click.Group):
    """Bad flags get one line on stderr and exit 2, like every other input error — not click's
    usage block: scripts and people both read the first line."""

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, standalone_mode: bool = True, **extra: Any
    ) -> Any:
        if not standalone_mode:
            return super().main(args, standalone_mode=False, **extra)
        try:
            result = super().main(args, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as error:
            error.show()  # bare `rootctl`: the help is the answer
            sys.exit(error.exit_code)
        except click.UsageError as error:
            hint = f" (see '{error.ctx.command_path} --help')" if error.ctx else ""
            click.echo(error_line(error.format_message()) + hint, err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            click.echo(error_line(error.format_message()), err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        finally:
            settle()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(f"rootctl.cli.{module}"), name)
        assert isinstance(command, click.Command), f"{module}.{name} is not a command"
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Each command's whole first sentence, wrapped rather than cut at 45 characters."""
        rows = [
            (name, command.get_short_help_str(limit=500))
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None and not command.hidden
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rootctl")
def cli() -> None:
    """Centralized root access management for AWS Organizations."""


def main() -> None:
    quiet_start_up()  # collections are back on once the command is found, whatever it runs
    try:
        cli()
    finally:
        # What the run built lives until the process ends. Freezing it spares the
        # interpreter's last collection (botocore's parsed service models alone are ~60,000
        # objects: a quarter of a second at exit); the operating system frees the memory.
        gc.freeze()
