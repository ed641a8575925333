"""`rootctl deploy`: print the CloudFormation stack or build the Lambda package (docs/deploy.md)."""

from __future__ import annotations

import click

from rootctl.cli import inputs
from rootctl.cli.common import command, say
from rootctl.core import deploy as deploy_mod


@click.command()
@click.option(
    "--print",
    "print_what",
    type=click.Choice(["cloudformation"]),
    help="Print the stack's template (YAML) on stdout.",
)
@click.option(
    "--package",
    "package_dir",
    type=click.Path(file_okay=False),
    help=f"Write {deploy_mod.PACKAGE_NAME} (the function's code) into this directory.",
)
@click.option(
    "--schedule",
    default="rate(1 hour)",
    show_default=True,
    callback=inputs.argument(deploy_mod.check_schedule),
    help="EventBridge schedule expression (the template's default).",
)
@click.option(
    "--enforce",
    is_flag=True,
    help="The function may remove auto_apply violations (its role may AssumeRoot for delete).",
)
@command
def deploy(print_what: str | None, package_dir: str | None, schedule: str, enforce: bool) -> int:
    """Run rootctl in the security (delegated administrator) account: a scheduled Lambda
    function with a DynamoDB journal and an SNS topic for alerts."""
    if not print_what and not package_dir:
        raise click.UsageError("say what to do: --print cloudformation and/or --package DIR.")
    if package_dir:
        path = deploy_mod.package(package_dir)
        say(f"Wrote {path}: upload it to S3 and pass its bucket and key to the stack.")
    if print_what:
        click.echo(deploy_mod.template_text(schedule=schedule, enforce=enforce), nl=False)
    return 0
