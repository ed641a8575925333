"""The command-line face: parses flags, calls the engine, renders, maps outcomes to exit codes.

Exit codes: 0 clean · 1 findings or partial failure · 2 usage/input error (nothing done) ·
3 AWS/permission error that prevented the run · 130 interrupted.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from typing import Any

import click

from rootctl._version import __version__
from rootctl.cli.activity_cmd import activity
from rootctl.cli.common import error_line
from rootctl.cli.completion_cmd import completion
from rootctl.cli.continuous_cmds import check, enforce
from rootctl.cli.credential_cmds import (
    allow_password_recovery,
    audit,
    compliance,
    delete_credentials,
)
from rootctl.cli.demo_cmd import demo
from rootctl.cli.deploy_cmd import deploy
from rootctl.cli.doctor_cmds import doctor, policy
from rootctl.cli.history_cmds import drift, history, report, securityhub
from rootctl.cli.journal_cmd import journal
from rootctl.cli.lockout_cmds import find_lockouts
from rootctl.cli.org_cmds import delegate, disable, enable, status
from rootctl.cli.plan_cmds import apply_, approve, plan
from rootctl.cli.recovery_cmd import recovery
from rootctl.cli.sandbox_cmd import sandbox
from rootctl.cli.scp_cmds import scp
from rootctl.cli.task_cmds import credential_process, exec_command
from rootctl.cli.ui_cmd import ui
from rootctl.cli.unlock_cmds import unlock_s3, unlock_sqs
from rootctl.cli.watch_cmd import watch


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


for _command in (
    doctor,
    policy,
    status,
    enable,
    disable,
    delegate,
    audit,
    compliance,
    delete_credentials,
    allow_password_recovery,
    unlock_s3,
    unlock_sqs,
    find_lockouts,
    scp,
    plan,
    approve,
    apply_,
    recovery,
    exec_command,
    credential_process,
    activity,
    journal,
    history,
    drift,
    report,
    securityhub,
    check,
    enforce,
    watch,
    deploy,
):
    cli.add_command(_command)
cli.add_command(sandbox)
cli.add_command(ui)
cli.add_command(demo)
cli.add_command(completion)


def main() -> None:
    try:
        cli()
    finally:
        # What the run built lives until the process ends. Freezing it spares the
        # interpreter's last collection (botocore's parsed service models alone are ~60,000
        # objects: a quarter of a second at exit); the operating system frees the memory.
        gc.freeze()
