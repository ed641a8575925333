"""`rootctl status`, `enable`, `disable`, `delegate`: the organization-level switches."""

from __future__ import annotations

from typing import Any

import click

from rootctl.cli.common import (
    EXIT_AWS,
    command,
    confirm,
    connection_options,
    emit,
    engine,
    output_option,
)
from rootctl.models import Capability, FeatureChange, OrgStatus


def _capabilities(credentials_management: bool, root_sessions: bool) -> tuple[Capability, ...]:
    chosen = []
    if credentials_management:
        chosen.append(Capability.ROOT_CREDENTIALS_MANAGEMENT)
    if root_sessions:
        chosen.append(Capability.ROOT_SESSIONS)
    return tuple(chosen) or tuple(Capability)  # neither flag → both


def _show_change(change: FeatureChange, output: str) -> int:
    emit(change, output)
    # A failed step is an AWS refusal that stopped the change.
    return EXIT_AWS if change.failed else 0


capability_flags = [
    click.option(
        "--credentials-management",
        is_flag=True,
        help="Root credentials management (RootCredentialsManagement).",
    ),
    click.option(
        "--root-sessions",
        is_flag=True,
        help="Privileged root actions in member accounts (RootSessions).",
    ),
]


@click.command()
@connection_options
@output_option(OrgStatus)
@command
def status(output: str, **kwargs: Any) -> int:
    """Organization, caller (management or delegated admin), IAM trusted access,
    the two capabilities and the IAM delegated administrator."""
    with engine(kwargs) as ra:
        emit(ra.status(), output)
    return 0


@click.command()
@capability_flags[0]
@capability_flags[1]
@click.option("--delegate", metavar="ACCOUNT_ID", help="Also register this IAM delegated admin.")
@click.option("--dry-run", is_flag=True, help="Show the steps without doing them.")
@connection_options
@output_option(FeatureChange)
@command
def enable(
    credentials_management: bool,
    root_sessions: bool,
    delegate: str | None,
    dry_run: bool,
    output: str,
    **kwargs: Any,
) -> int:
    """Turn on IAM trusted access (if needed) and the chosen capabilities (both by default);
    optionally register the IAM delegated administrator. Idempotent."""
    with engine(kwargs) as ra:
        if not dry_run:
            ra.prepare_journal()
        change = ra.enable(
            _capabilities(credentials_management, root_sessions),
            delegate=delegate,
            dry_run=dry_run,
        )
    return _show_change(change, output)


@click.command()
@capability_flags[0]
@capability_flags[1]
@click.option(
    "--trusted-access",
    is_flag=True,
    help="Also disable IAM trusted access (the delegate must be deregistered first).",
)
@click.option("--dry-run", is_flag=True, help="Show the steps without doing them.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@connection_options
@output_option(FeatureChange)
@command
def disable(
    credentials_management: bool,
    root_sessions: bool,
    trusted_access: bool,
    dry_run: bool,
    yes: bool,
    output: str,
    **kwargs: Any,
) -> int:
    """Turn off the chosen capabilities (both by default). Existing root credentials are
    not touched; issued root sessions stay valid until they expire."""
    capabilities = _capabilities(credentials_management, root_sessions)
    with engine(kwargs) as ra:
        if not dry_run:
            ra.prepare_journal()
            names = ", ".join(c.value for c in capabilities)
            extra = " and IAM trusted access" if trusted_access else ""
            confirm(f"Disable {names}{extra}?", yes=yes, what="disable root access management")
        change = ra.disable(capabilities, trusted_access=trusted_access, dry_run=dry_run)
    return _show_change(change, output)


@click.command()
@click.option("--register", metavar="ACCOUNT_ID", help="Register this IAM delegated admin.")
@click.option("--deregister", is_flag=True, help="Deregister the IAM delegated admin.")
@click.option("--account", metavar="ACCOUNT_ID", help="With --deregister: which one.")
@click.option("--dry-run", is_flag=True, help="Show the steps without doing them.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@connection_options
@output_option(FeatureChange)
@command
def delegate(
    register: str | None,
    deregister: bool,
    account: str | None,
    dry_run: bool,
    yes: bool,
    output: str,
    **kwargs: Any,
) -> int:
    """Show, register (--register ID) or deregister (--deregister) the IAM delegated
    administrator."""
    if register and deregister:
        raise click.UsageError("--register and --deregister cannot be combined.")
    if account and not deregister:
        raise click.UsageError("--account only goes with --deregister.")
    with engine(kwargs) as ra:
        if (register or deregister) and not dry_run:
            ra.prepare_journal()
        if register:
            return _show_change(ra.enable((), delegate=register, dry_run=dry_run), output)
        if deregister:
            if not dry_run:
                confirm(
                    f"Deregister the IAM delegated administrator {account or ''}?".replace(
                        " ?", "?"
                    ),
                    yes=yes,
                    what="deregister the IAM delegated administrator",
                )
            return _show_change(ra.deregister_delegate(account, dry_run=dry_run), output)
        emit(ra.status(), output)
    return 0
