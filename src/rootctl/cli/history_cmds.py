"""`rootctl history`, `drift`, `report` and `securityhub export`: the audits remembered, what
changed between them, the evidence for auditors, and its findings in Security Hub.

`history`, `drift` and `report` read the history and the journal only (no AWS configuration
needed; nothing is created by reading). `securityhub export` calls BatchImportFindings with the
credentials of the account rootctl runs in.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

import rootctl
from rootctl import validation
from rootctl.cli import inputs
from rootctl.cli.common import (
    EXIT_AWS,
    EXIT_FINDINGS,
    command,
    confirm,
    connection_options,
    emit,
    engine,
    output_option,
    say,
)
from rootctl.cli.journal_cmd import journal_option
from rootctl.models import DriftReport, EvidenceReport, History, SecurityHubExport
from rootctl.render.registry import formats, render
from rootctl.render.text import inert, json_text

audit_ref = inputs.option(validation.audit_ref)
F = TypeVar("F", bound=Callable[..., Any])


def audit_option(help: str) -> Callable[[F], F]:
    """``--audit ID|latest`` (an id, latest, or an age or date), default the latest audit."""
    return click.option(
        "--audit", "audit", default="latest", show_default=True, metavar="ID|latest",
        callback=audit_ref, help=help,
    )  # fmt: skip


@click.command()
@click.option(
    "--prune-older-than",
    metavar="AGE",
    help="Delete stored audits started before then: 400d, 52w, or a date (UTC).",
)
@click.option("--yes", is_flag=True, help="Prune without asking.")
@journal_option
@output_option(History)
@command
def history(prune_older_than: str | None, yes: bool, journal_path: str | None, output: str) -> int:
    """The stored audits, newest first: when, who, scope and counts.

    Every audit (CLI, dashboard, library) is kept in the journal's file unless it was run
    with --no-history. --prune-older-than deletes old audits (never the journal of
    privileged actions).
    """
    cutoff = validation.since(prune_older_than, "--prune-older-than") if prune_older_than else None
    with rootctl.RootAccess(journal=journal_path) as ra:
        if cutoff is None:
            emit(ra.history.audits(), output)
            return 0
        older = ra.history.audits(rootctl.HistoryQuery(until=cutoff)).audits
        if older:
            confirm(
                f"Delete {len(older)} stored audit(s) started before "
                f"{cutoff:%Y-%m-%d %H:%M} UTC from {ra.journal.location}?",
                yes=yes,
                what="prune the audit history",
            )
        pruned = ra.history.prune(cutoff)
    emit(pruned, "json" if output == "json" else "table")
    return 0


@click.command()
@click.option(
    "--from",
    "from_",
    metavar="AUDIT|DATE",
    callback=audit_ref,
    help="The earlier audit: an id, or the latest audit at or before an age (7d) or date. "
    "Default: the audit before --to.",
)
@click.option(
    "--to",
    metavar="AUDIT|latest",
    default="latest",
    show_default=True,
    callback=audit_ref,
    help="The later audit: an id, latest, or an age or date.",
)
@journal_option
@output_option(DriftReport)
@command
def drift(from_: int | Any | None, to: int | Any, journal_path: str | None, output: str) -> int:
    """What changed between two stored audits, per account: root credentials that appeared
    (kind and id) or went away, recovery allowed or withdrawn, accounts that joined, left,
    were suspended or moved OU.

    Only accounts audited in both runs are compared; the others are listed as not
    comparable. Exit 1 when root credentials appeared (for a scheduled job to alert on).
    """
    with rootctl.RootAccess(journal=journal_path) as ra:
        report = ra.history.drift(from_, to)
    emit(report, output)
    return EXIT_FINDINGS if report.credentials_appeared else 0


@click.command()
@audit_option("The stored audit to report on (or an age or date: the latest audit by then).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(formats(EvidenceReport)),
    default=formats(EvidenceReport)[0],
    show_default=True,
    help="html for people, json/csv for scripts, sarif for code scanning, asff for Security "
    "Hub, ocsf for a SIEM.",
)
@click.option(
    "-o",
    "--output",
    "output_file",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write the report to FILE (default: standard output).",
)
@click.option(
    "--region",
    callback=inputs.region,
    help="asff: the Security Hub region the findings name (default: the audit's).",
)
@journal_option
@command
def report(
    audit: Any, fmt: str, output_file: str | None, region: str | None, journal_path: str | None
) -> int:
    """The evidence of one stored audit for auditors and their tools: summary, posture over
    time, the compliance controls (Security Hub IAM.4/IAM.6/IAM.9, CIS AWS Foundations v7.0
    2.1.1/2.4/2.5/2.6) with evidence, per-OU and per-account tables, drift since the previous
    audit, and the privileged actions of the period."""
    with rootctl.RootAccess(journal=journal_path) as ra:
        evidence = ra.history.report(audit, region=region)
    rendered = render(evidence, fmt)
    text = rendered if isinstance(rendered, str) else json_text(rendered) + "\n"
    if output_file is None or output_file == "-":
        click.echo(text, nl=False)
        return 0
    _write(Path(output_file), text)
    say(f"Wrote the {fmt} report of audit {evidence.audit.id} to {output_file}.")
    return 0


def _write(path: Path, text: str) -> None:
    """All or nothing: a temporary file next to ``path``, then renamed over it."""
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent or Path("."), prefix=".rootctl-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        raise rootctl.InputError(f"cannot write {inert(str(path))}: {exc.strerror}.") from None


@click.group()
def securityhub() -> None:
    """AWS Security Hub: import the findings of a stored audit."""


@securityhub.command("export")
@audit_option("The stored audit whose findings to import.")
@click.option("--dry-run", is_flag=True, help="Show what would be imported; import nothing.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@connection_options
@output_option(SecurityHubExport)
@command
def securityhub_export(audit: Any, dry_run: bool, yes: bool, output: str, **kwargs: Any) -> int:
    """BatchImportFindings of the audit's ASFF findings into Security Hub, in the account
    rootctl runs in (typically the delegated administrator) and its region (--region):
    controls failing now, and findings that failed before and are resolved now (archived).
    Batches of 100; refused findings are listed one by one; throttling is retried."""
    with engine(kwargs) as ra:
        if not dry_run:
            ra.prepare_journal()
        evidence = ra.security_hub_report(audit)
        rendered = render(evidence, "asff")
        assert isinstance(rendered, dict)
        findings = rendered["Findings"]
        if findings and not dry_run:
            confirm(
                f"Import {len(findings)} finding(s) of audit {evidence.audit.id} into Security "
                f"Hub in account {evidence.account_id}, {evidence.region}?",
                yes=yes,
                what="import findings into Security Hub",
            )
        result = ra.export_to_security_hub(evidence, findings, dry_run=dry_run)
    emit(result, output)
    if result.clean:
        return 0
    return EXIT_AWS if result.imported == 0 else EXIT_FINDINGS


__all__ = ["drift", "history", "report", "securityhub"]
