"""`rootctl sandbox …`: run the offline emulator of the AWS side."""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING

import click

from rootctl.cli import extras

if TYPE_CHECKING:
    from rootctl.sandbox import Sandbox


class BadSeed(click.ClickException):
    """A seed the sandbox refuses: bad input, so exit 2 with one line (docs/cli.md)."""

    exit_code = 2


@click.group()
def sandbox() -> None:
    """Run the offline AWS sandbox (Organizations, IAM, STS, S3, SQS on moto)."""


def _deny_rule(value: str) -> tuple[str, str]:
    account, sep, action = value.partition(":")
    if not sep or not action:
        raise click.BadParameter(f"expected ACCOUNT:ACTION or ACCOUNT:TASK_POLICY, got {value!r}")
    return account, action


@sandbox.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=4566, show_default=True, type=int, help="Port (0: any free one).")
@click.option(
    "--seed",
    "seed_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Seed file (YAML) describing the organization. Default: the built-in example.",
)
@click.option(
    "--accounts", type=click.IntRange(min=1), help="Generate an organization of N accounts."
)
@click.option(
    "--random-seed",
    default=0,
    show_default=True,
    type=int,
    help="Seed for the generator (--accounts) and for fault decisions.",
)
@click.option("--latency-ms", default=0.0, type=click.FloatRange(min=0), help="Added per call.")
@click.option("--jitter-ms", default=0.0, type=click.FloatRange(min=0), help="± random latency.")
@click.option(
    "--throttle-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Share of calls answered with the service's throttling error.",
)
@click.option(
    "--error-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Share of calls answered with a 5xx error.",
)
@click.option(
    "--deny",
    "deny",
    multiple=True,
    metavar="ACCOUNT:ACTION",
    help="Deny an action (iam:DeleteLoginProfile) or a task policy "
    "(IAMDeleteRootUserCredentials) in an account, like an SCP. Repeatable; ACCOUNT "
    "may be '*'.",
)
@click.option(
    "--propagation-delay",
    default=0.0,
    type=click.FloatRange(min=0),
    metavar="S",
    help="Keep issuing AssumeRoot for S seconds after trusted access, a feature or the "
    "delegate is removed, as AWS does while the change propagates. Default 0: at once.",
)
@click.option(
    "--deny-resource",
    "deny_resource",
    multiple=True,
    metavar="ACCOUNT:ACTION",
    help="Deny an action (s3:PutBucketPolicy, sqs:*) on an account's resources, like a "
    "resource control policy. Repeatable; ACCOUNT may be '*'.",
)
@click.option(
    "--allow-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="Another name clients reach the server by (e.g. a container's service name); its "
    "address and localhost are always answered, other Host headers are refused. Repeatable.",
)
@click.option("--verbose", is_flag=True, help="Log every request.")
def serve(
    host: str,
    port: int,
    seed_file: str | None,
    accounts: int | None,
    random_seed: int,
    latency_ms: float,
    jitter_ms: float,
    throttle_rate: float,
    error_rate: float,
    deny: tuple[str, ...],
    propagation_delay: float,
    deny_resource: tuple[str, ...],
    allowed_hosts: tuple[str, ...],
    verbose: bool,
) -> None:
    """Serve the sandbox over HTTP in the foreground until Ctrl-C."""
    extras.require("rootctl sandbox serve", "sandbox")
    from rootctl.sandbox import Sandbox, SeedError
    from rootctl.sandbox.server import SandboxServer, is_loopback

    if seed_file and accounts:
        raise click.UsageError("give --seed or --accounts, not both")
    rules = [(*_deny_rule(value), "scp") for value in deny]
    rules += [(*_deny_rule(value), "rcp") for value in deny_resource]
    try:
        if accounts:
            sb = Sandbox.generated(accounts, random_seed, propagation_delay=propagation_delay)
        elif seed_file:
            sb = Sandbox.from_seed(seed_file, propagation_delay=propagation_delay)
        else:
            sb = Sandbox.example(propagation_delay=propagation_delay)
    except SeedError as error:
        raise BadSeed(str(error)) from error
    try:
        sb.faults.update(
            latency_ms=latency_ms,
            jitter_ms=jitter_ms,
            throttle_rate=throttle_rate,
            error_rate=error_rate,
            seed=random_seed,
        )
        for account, action, policy in rules:
            sb.faults.deny(account, action, policy)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error

    if not is_loopback(host):
        click.secho(
            f"warning: binding {host} exposes the sandbox (and its /_sandbox/ API, which hands "
            "out credentials) beyond this machine",
            fg="yellow",
            err=True,
        )
    try:
        server = SandboxServer(host, port, quiet=not verbose, allowed_hosts=allowed_hosts)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror}") from error

    def terminate(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops as cleanly as Ctrl-C

    signal.signal(signal.SIGTERM, terminate)
    try:
        _announce(sb, server.endpoint_url)
        server.serve_forever()  # werkzeug returns from here on Ctrl-C
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        click.echo("\nsandbox stopped", err=True)


def _announce(sb: Sandbox, endpoint_url: str) -> None:
    from rootctl.sandbox.clientenv import client_environment, shell_exports

    admin = sb.admin_credentials()
    click.echo(
        f"rootctl sandbox: organization {sb.organization_id}, {len(sb.accounts())} accounts, "
        f"management account {sb.management_account_id}"
    )
    click.echo(f"endpoint: {endpoint_url}  (sandbox API: {endpoint_url}/_sandbox/)")
    click.echo("\n# talk to it as the management account's admin:")
    env = client_environment(admin, endpoint_url, region=admin.region)
    for line in shell_exports(env):
        click.echo(line)
    click.echo("\nPress Ctrl-C to stop.", err=True)
