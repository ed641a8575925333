"""`rootctl ui`: serve the web dashboard on this machine and print the link to open."""

from __future__ import annotations

import contextlib
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

import rootctl
from rootctl.cli import extras
from rootctl.cli.common import command, connection_options, fail, say
from rootctl.errors import InputError


@click.command("ui")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="0: any."
)
@click.option(
    "--sandbox",
    "use_sandbox",
    is_flag=True,
    help="Run on an embedded example sandbox (offline; a temporary journal unless --journal).",
)
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow binding a non-loopback address. Anyone who can reach it and gets the link "
    "can act as root in member accounts; the traffic is plain HTTP.",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="Another Host name the browser will use (e.g. this machine's DNS name). Repeatable.",
)
@click.option(
    "--plans-dir",
    type=click.Path(file_okay=False),
    help="Where the Plans page reads and saves plan files (default: `plans` beside the journal).",
)
@connection_options
@command
def ui(
    host: str,
    port: int,
    use_sandbox: bool,
    allow_remote: bool,
    allowed_hosts: tuple[str, ...],
    plans_dir: str | None,
    **kwargs: Any,
) -> int:
    """Serve the web dashboard (Overview, Organization, account actions, jobs, Journal, History).

    Binds 127.0.0.1 by default. The printed link carries a secret for this run: open it once,
    the browser then keeps a session cookie. Ctrl-C stops the server.
    """
    if use_sandbox:
        extras.require("rootctl ui --sandbox", "web", "sandbox")
    else:
        extras.require("rootctl ui", "web")
    from rootctl.web import DashboardServer, create_app
    from rootctl.web.server import embedded_sandbox, forget_local_aws_config

    _check_bind(host, allow_remote)
    if use_sandbox and (kwargs["profile"] or kwargs["endpoint_url"]):
        fail(InputError("--sandbox cannot be combined with --profile or --endpoint-url."))
    if kwargs.pop("debug"):
        rootctl.enable_debug_logging(sys.stderr)
    with contextlib.ExitStack() as stack:
        note = None
        key_id = secret = None
        if use_sandbox:
            forget_local_aws_config()
            sb = stack.enter_context(embedded_sandbox())
            kwargs["endpoint_url"] = sb.endpoint_url
            kwargs["region"] = kwargs["region"] or "us-east-1"
            key_id, secret = sb.access_key_id, sb.secret_access_key
            if not kwargs["journal_path"]:
                folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="rootctl-ui-"))
                kwargs["journal_path"] = str(Path(folder) / "journal.sqlite3")
            note = (
                f"Sandbox: an emulated organization ({sb.organization_id}) served at "
                f"{sb.endpoint_url}; nothing here touches AWS."
            )
        connection = rootctl.ConnectionOptions(
            profile=kwargs["profile"],
            region=kwargs["region"],
            endpoint_url=kwargs["endpoint_url"],
            max_attempts=kwargs["max_attempts"],
            access_key_id=key_id,
            secret_access_key=secret,
        )
        ra = stack.enter_context(
            rootctl.RootAccess(
                connection, journal=kwargs["journal_path"], concurrency=kwargs["concurrency"]
            )
        )
        app = create_app(
            ra, bind_host=host, extra_hosts=allowed_hosts, sandbox_note=note, plans_dir=plans_dir
        )
        try:
            server = stack.enter_context(DashboardServer(app, host, port))
        except (OSError, RuntimeError) as exc:
            fail(InputError(f"cannot serve on {host}:{port}: {exc}"))
        if note:
            say(note)
        say(f"Journal: {ra.journal.location}")
        say(f"Plans: {app.state.plans.directory}")
        say("Open this link in your browser (it carries this run's secret; keep it private):")
        click.echo(server.login_url())
        say("Press Ctrl-C to stop.")
        server.wait()
    logging.getLogger().setLevel(logging.WARNING)
    return 0


def _check_bind(host: str, allow_remote: bool) -> None:
    from rootctl.web.server import is_loopback

    if is_loopback(host):
        return
    if not allow_remote:
        fail(
            InputError(
                f"refusing to serve the dashboard on {host}: it is not a loopback address.",
                rootctl.Advice(rootctl.AdviceCode.ALLOW_REMOTE),
            )
        )
    say(
        f"WARNING: serving on {host}, reachable from other machines. Whoever gets the link "
        "can take root-level actions in member accounts; traffic is unencrypted HTTP."
    )
