"""`rootctl journal` and `rootctl journal show ID`: the record of privileged actions."""

from __future__ import annotations

from datetime import datetime

import click

from rootctl import validation
from rootctl.cli.common import command, emit_json, emit_text, output_option, say, show
from rootctl.cli.unlock_cmds import pretty_policy
from rootctl.core.targets import check_account_id
from rootctl.errors import InputError
from rootctl.journal import Journal
from rootctl.render import flat, human, serialize


def parse_since(value: str) -> datetime:
    """``30m``, ``12h``, ``7d``, ``2w`` ago, or an ISO date/time (UTC when no zone)."""
    return validation.since(value)


journal_option = click.option(
    "--journal",
    "journal_path",
    envvar="ROOTCTL_JOURNAL",
    type=click.Path(dir_okay=False),
    help="Journal file (default ~/.local/state/rootctl/journal.sqlite3).",
)


@click.group(invoke_without_command=True)
@click.option("--since", help="Only entries since then: 12h, 7d, or an ISO date/time.")
@click.option("--limit", type=click.IntRange(1), help="At most this many (newest first).")
@click.option("--account", metavar="ID", help="Only actions on this account.")
@journal_option
@output_option("table", "json", "csv")
@click.pass_context
def journal(
    ctx: click.Context,
    since: str | None,
    limit: int | None,
    account: str | None,
    journal_path: str | None,
    output: str,
) -> None:
    """Every privileged action rootctl took: intent, outcome, request id, caller, target.

    An action whose outcome is "unknown" was started but never completed (the process was
    killed): check the target in AWS.
    """
    if ctx.invoked_subcommand is None:
        _list(since, limit, account, journal_path, output)


@command
def _list(
    since: str | None, limit: int | None, account: str | None, journal_path: str | None, output: str
) -> int:
    store = Journal(journal_path)
    entries = store.entries(
        since=parse_since(since) if since else None,
        limit=limit,
        target=check_account_id(account) if account else None,
    )
    if output == "json":
        emit_json(serialize.journal(entries))
    elif output == "csv":
        emit_text(flat.journal_csv(entries))
    else:
        show(human.journal_table(entries))
    return 0


@journal.command("show")
@click.argument("entry_id", type=int)
@journal_option
@output_option("text", "json")
@command
def journal_show(entry_id: int, journal_path: str | None, output: str) -> int:
    """Print entry ID. For an unlock entry, print the saved policy ready to re-apply."""
    if journal_path is None:
        journal_path = click.get_current_context().find_root().params.get("journal_path")
    entry = Journal(journal_path).entry(entry_id)
    if entry is None:
        raise InputError(f"journal entry {entry_id} does not exist.")
    if output == "json":
        emit_json(serialize.envelope("journal-entry", serialize.journal_entry(entry)))
        return 0
    saved = entry.saved_policy
    if saved is None:
        show(human.journal_entry(entry))
        return 0
    click.echo(pretty_policy(saved.policy or ""))
    if saved.kind.value == "s3-bucket":
        hint = f"aws s3api put-bucket-policy --bucket {saved.resource} --policy file://policy.json"
    else:
        hint = (
            f"aws sqs set-queue-attributes --queue-url {saved.resource} "
            '--attributes file://attributes.json  (with {"Policy": <the policy as a string>})'
        )
    say(
        f"Saved {saved.kind.value} policy of {saved.resource} (account {saved.account_id}), "
        f"removed by entry {entry.id} ({entry.outcome}). To re-apply it, save it as policy.json "
        f"and run as the account's owner:\n  {hint}"
    )
    return 0
