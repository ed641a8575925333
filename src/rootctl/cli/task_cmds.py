"""`rootctl exec` and `rootctl credential-process`: a task session for any tool."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from typing import Any

import click

from rootctl import validation
from rootctl.cli import inputs
from rootctl.cli.common import command, connection_options, engine, say
from rootctl.core.engine import TASKS, check_duration, task_named
from rootctl.errors import InputError

account_argument = click.argument("account", callback=inputs.argument(validation.account_id))
task_option = click.option(
    "--task",
    "task_name",
    required=True,
    type=click.Choice(list(TASKS)),
    help="The task policy that fences the session.",
)
duration_option = click.option(
    "--duration",
    default="15m",
    show_default=True,
    callback=inputs.option(validation.duration_seconds),
    help="How long the session (exec: the command) needs: 90s, 5m, 15m; AWS allows 15m at most.",
)
_NESTED = "ROOTCTL_CREDENTIAL_PROCESS"
reason_option = click.option("--reason", help="Why: kept in the journal with the session.")


def _rootctl() -> list[str]:
    found = shutil.which("rootctl")
    return [found] if found else [sys.executable, "-m", "rootctl"]


def profile_snippet(
    account: str, task: str, seconds: int, reason: str | None, profile: str | None, region: str
) -> str:
    """The ``~/.aws/config`` profile that gets its credentials from ``credential-process``."""
    argv = [*_rootctl(), "credential-process", account, "--task", task, "--duration", f"{seconds}s"]
    if reason:
        argv += ["--reason", reason]
    if profile:
        argv += ["--profile", profile]  # the caller's own profile, never the root one
    if any(c in arg for arg in argv for c in "\r\n"):
        raise InputError("--print profile: a line break in --reason or --profile would break "
                         "the ~/.aws/config line.")  # fmt: skip
    return (
        f"# A {TASKS[task].value} root session of {account}, opened by rootctl for each use\n"
        f"[profile root-{account}-{task}]\n"
        f"credential_process = {shlex.join(argv)}\n"
        f"region = {region}\n"
    )


@click.command("exec")
@account_argument
@task_option
@reason_option
@duration_option
@click.option(
    "--renew",
    is_flag=True,
    help="Let the command run longer than one session: a fresh session per expiry, journaled.",
)
@click.option(
    "--print",
    "print_what",
    type=click.Choice(["profile"]),
    help="Print the ~/.aws/config profile that uses credential-process instead of running.",
)
@connection_options
@click.argument("argv", nargs=-1, type=click.UNPROCESSED, metavar="-- COMMAND…")
@command
def exec_command(
    account: str,
    task_name: str,
    reason: str | None,
    duration: int,
    renew: bool,
    print_what: str | None,
    argv: tuple[str, ...],
    **kwargs: Any,
) -> int:
    """Run COMMAND with a root session of ACCOUNT, fenced by a task policy, in its environment
    only (AWS_ACCESS_KEY_ID/SECRET_ACCESS_KEY/SESSION_TOKEN and the region; AWS_PROFILE
    removed). The credentials are never printed; the run is journaled. Exits with COMMAND's
    exit code."""
    task = task_named(task_name)
    if print_what == "profile":
        check_duration(duration, renew=False)
        if argv:
            raise click.UsageError("--print profile runs no command: leave out -- COMMAND.")
        caller_profile = kwargs.get("profile")
        with engine(kwargs) as ra:
            region = ra.region
        snippet = profile_snippet(account, task_name, duration, reason, caller_profile, region)
        click.echo(snippet, nl=False)
        return 0
    if not argv:
        raise click.UsageError("give the command to run after --, e.g. -- aws s3 ls.")
    check_duration(duration, renew)
    with engine(kwargs) as ra:
        result = ra.exec(
            account,
            task,
            argv,
            duration_seconds=duration,
            renew=renew,
            reason=reason,
            notify=lambda message: say(f"rootctl: {message}"),
        )
    if result.exit_code != 0:
        say(f"rootctl: the command exited {result.exit_code} (journal entry {result.journal_id}).")
    return result.exit_code


@click.command("credential-process")
@account_argument
@task_option
@duration_option
@reason_option
@connection_options
@command
def credential_process(
    account: str, task_name: str, duration: int, reason: str | None, **kwargs: Any
) -> int:
    """Print one journaled root session of ACCOUNT in the credential_process format (Version 1,
    with Expiration), for a profile in ~/.aws/config (see `rootctl exec --print profile`)."""
    check_duration(duration, renew=False)
    if os.environ.get(_NESTED):
        raise InputError(
            "rootctl credential-process was started to get rootctl's own credentials: the "
            "profile in use runs rootctl credential-process itself. Name the caller's own "
            "profile with --profile in the credential_process line."
        )
    os.environ[_NESTED] = "1"  # a credential_process of ours started from here refuses
    with engine(kwargs) as ra:
        credentials = ra.process_credentials(
            account, task_named(task_name), duration_seconds=duration, reason=reason
        )
    click.echo(json.dumps(credentials.document()))
    return 0
