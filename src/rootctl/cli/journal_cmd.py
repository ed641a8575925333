"""`rootctl journal` and `rootctl journal show ID`: the record of privileged actions.

Both read through the engine (as the dashboard does), which needs no AWS configuration for
this: nothing here calls AWS, and reading never creates or changes the journal.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

import rootctl
from rootctl import validation
from rootctl.cli.common import (
    EXIT_FINDINGS,
    command,
    emit_json,
    emit_text,
    output_option,
    say,
    show,
)
from rootctl.core.targets import check_account_id
from rootctl.models import JournalEntry, JournalOutcome, JournalQuery, JournalRow
from rootctl.render import flat, human, serialize
from rootctl.render.text import pretty_policy


def parse_since(value: str, option: str = "--since") -> datetime:
    """``30m``, ``12h``, ``7d``, ``2w`` ago, or an ISO date/time (UTC when no zone)."""
    return validation.since(value, option)


journal_option = click.option(
    "--journal",
    "journal_path",
    envvar="ROOTCTL_JOURNAL",
    type=click.Path(dir_okay=False),
    help="Journal file (default ~/.local/state/rootctl/journal.sqlite3).",
)


@click.group(invoke_without_command=True)
@click.option("--since", help="Only entries since then: 12h, 7d, or an ISO date/time (UTC).")
@click.option("--until", help="Only entries up to then: 12h, 7d, or an ISO date/time (UTC).")
@click.option("--limit", type=click.IntRange(1), help="At most this many (newest first).")
@click.option("--account", "accounts", multiple=True, metavar="ID", help="Repeatable.")
@click.option("--action", "actions", multiple=True, metavar="ACTION", help="Repeatable.")
@click.option(
    "--outcome",
    "outcomes",
    multiple=True,
    type=click.Choice([o.value for o in JournalOutcome]),
    help="Repeatable.",
)
@journal_option
@output_option("table", "json", "csv")
@click.pass_context
def journal(ctx: click.Context, /, **_filters: Any) -> None:
    """Every privileged action rootctl took: intent, outcome, request id, caller, target.

    An action whose outcome is "unknown" was started but never completed (the process was
    killed): check the target in AWS. "skipped" is a refusal rootctl expects (say, a task
    policy that does not allow a step); "failed" is a real failure. Times are in UTC.
    """
    if ctx.invoked_subcommand is None:
        _list(**ctx.params)


@command
def _list(journal_path: str | None, output: str, **filters: Any) -> int:
    query = JournalQuery(
        since=parse_since(filters["since"]) if filters["since"] else None,
        until=parse_since(filters["until"], "--until") if filters["until"] else None,
        accounts=tuple(check_account_id(a) for a in filters["accounts"]),
        actions=tuple(a.strip() for a in filters["actions"]),
        outcomes=tuple(JournalOutcome(o) for o in filters["outcomes"]),
        limit=filters["limit"],
    )
    with rootctl.RootAccess(journal=journal_path) as ra:
        rows = ra.journal_entries(query)
    if output == "json":
        emit_json(serialize.journal(rows))
    elif output == "csv":
        emit_text(flat.journal_csv(rows))
    else:
        show(human.journal_table(rows))
    _warn_unreadable(rows)
    return 0


def _warn_unreadable(rows: list[JournalRow]) -> None:
    unreadable = [str(row.id) for row in rows if not isinstance(row, JournalEntry)]
    if unreadable:
        say(
            f"{len(unreadable)} journal entr{'y' if len(unreadable) == 1 else 'ies'} could not "
            f"be read (id {', '.join(unreadable)}); the others are listed."
        )


if TYPE_CHECKING:
    _Choice = click.Choice[str]
else:
    _Choice = click.Choice  # generic only from click 8.2


class _ShowFormat(_Choice):
    """table|json; the first release's ``text`` still means ``table``."""

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        return str(super().convert("table" if value == "text" else value, param, ctx))


@journal.command("show")
@click.argument("entry_id", type=click.IntRange(1))
@journal_option
@click.option(
    "-o",
    "--output",
    type=_ShowFormat(("table", "json")),
    default="table",
    show_default=True,
    help="Output format.",
)
@command
def journal_show(entry_id: int, journal_path: str | None, output: str) -> int:
    """Print entry ID. For an unlock entry, print the saved policy ready to re-apply."""
    parent = click.get_current_context().parent  # `rootctl journal --journal X show ID`
    if journal_path is None and parent is not None:
        journal_path = parent.params.get("journal_path")
    with rootctl.RootAccess(journal=journal_path) as ra:
        entry = ra.journal_entry(entry_id)
    if not isinstance(entry, JournalEntry):
        say(f"Error: journal entry {entry.id} cannot be read: {entry.problem}.")
        return EXIT_FINDINGS
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
    elif saved.kind.value == "sqs-queue":
        hint = (
            f"aws sqs set-queue-attributes --queue-url {saved.resource} "
            '--attributes file://attributes.json  (with {"Policy": <the policy as a string>})'
        )
    else:
        hint = (
            f"aws organizations update-policy --policy-id {saved.resource} "
            "--content file://policy.json"
        )
    owner = (
        "the management account"
        if saved.kind.value == "service-control-policy"
        else ("the account's owner")
    )
    done = "removed" if entry.replacement_policy is None else "replaced"
    say(
        f"Saved {saved.kind.value} policy of {saved.resource} (account {saved.account_id}), "
        f"{done} by entry {entry.id} ({entry.outcome}). To re-apply it, save it as policy.json "
        f"and run as {owner}:\n  {hint}"
    )
    if entry.replacement_policy is not None:
        say(f"The document put in its place is in `rootctl journal show {entry.id} -o json`.")
    return 0
