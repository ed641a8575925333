"""What every command shares: connection/target/output options, the engine, consoles,
confirmation, progress, and the mapping of outcomes and errors to exit codes.

The output helpers here are the last line of defence for outside text (names, AWS messages,
journal fields): consoles never parse markup or emoji codes, and whatever a command prints
through ``show``/``say``/``fail``/``confirm`` or an ``Error:`` line shows control and bidi
characters as visible escapes (rootctl.render.text).
"""

from __future__ import annotations

import functools
import gc
import io
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any, NoReturn, ParamSpec, TypeVar

import click
from rich.console import Console, RenderableType
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

import rootctl
from rootctl.cli import inputs
from rootctl.cli.wording import advice_text, describe
from rootctl.models import ProgressCallback, ProgressEvent, RowStatus, TargetSelector
from rootctl.render.registry import RenderContext, formats, render
from rootctl.render.text import inert, inert_lines, json_text

P = ParamSpec("P")
R = TypeVar("R")

# Exit codes (docs/cli.md).
EXIT_OK = 0
EXIT_FINDINGS = 1  # findings, or some accounts/items failed
EXIT_USAGE = 2  # bad flags or input; nothing was done
EXIT_AWS = 3  # an AWS/permission error prevented the run
EXIT_INTERRUPTED = 130


class Exit(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


def is_interactive() -> bool:
    """Whether a person can answer a prompt (stdin is a terminal)."""
    return sys.stdin.isatty()


# Output that is not a terminal has no width to guess: without $COLUMNS every row is one line
# as long as it needs (tables take their natural width), so a pipe never depends on a guess.
UNBOUNDED = 10_000


def _pipe_width() -> int:
    """Width for output that is not a terminal: $COLUMNS when set, else unbounded."""
    try:
        return max(40, int(os.environ.get("COLUMNS", "")))
    except ValueError:
        return UNBOUNDED


def new_console(file: IO[str], **options: Any) -> Console:
    """A console that prints text as given: no markup, no emoji codes, no highlighting."""
    return Console(file=file, markup=False, emoji=False, highlight=False, **options)


def show(renderable: RenderableType, *, to_stderr: bool = False) -> None:
    """Print for people: colour on a terminal; plain, bounded, no trailing blanks on a pipe."""
    stream = sys.stderr if to_stderr else sys.stdout
    if isinstance(renderable, str):
        renderable = Text(inert_lines(renderable))
    if stream.isatty():
        new_console(stream).print(renderable)
    else:
        buffer = io.StringIO()
        new_console(buffer, width=_pipe_width(), no_color=True).print(renderable)
        stream.write("\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n")
    # Flushed now, so what is shown comes before a prompt or a later click.echo on the other
    # stream, and a captured stream (click 8.2.0's CliRunner reads the bytes) holds it.
    stream.flush()


def say(message: str) -> None:
    """A message for the person, on stderr, so stdout stays parseable. Its line breaks stay;
    any other control or bidi character shows as an escape."""
    click.echo(inert_lines(message), err=True)


def emit_json(document: dict[str, Any]) -> None:
    """Exact JSON; characters a terminal would act on are written as ``\\uXXXX`` escapes."""
    click.echo(json_text(document))


def emit_text(text: str) -> None:
    click.echo(text, nl=False)


def exit_code(report: rootctl.AccountReport[Any], *, clean: bool) -> int:
    """Exit code of a fan-out: interrupted 130; every account worked on failed 3 (AWS
    stopped the run itself: no sts:AssumeRoot, an SCP on everything, throttled out); then 0
    when ``clean``, else 1."""
    if report.interrupted:
        return EXIT_INTERRUPTED
    if report.all_failed:
        return EXIT_AWS
    return EXIT_OK if clean else EXIT_FINDINGS


def error_line(error: BaseException | str) -> str:
    """``Error: …`` on one line, whatever AWS or the input put in the message; a rootctl
    error with its advice in the CLI's words."""
    text = describe(error) if isinstance(error, rootctl.RootctlError) else str(error)
    return f"Error: {inert(text)}"


def fail(error: rootctl.RootctlError) -> NoReturn:
    click.echo(error_line(error), err=True)
    raise Exit(error.exit_code)


def emit(
    value: object,
    fmt: str,
    *,
    organization: rootctl.Organization | None = None,
    statuses: Iterable[str] = (),
    to_stderr: bool = False,
) -> None:
    """Render ``value`` as ``fmt`` through the renderer registry and print it: JSON and CSV
    as text on stdout, tables and trees for people (stderr when ``to_stderr``). ``statuses``
    (``--status``) keeps only those rows."""
    chosen = frozenset(RowStatus(s) for s in statuses)
    rendered = render(value, fmt, RenderContext(organization, advice_text, chosen))
    if isinstance(rendered, dict):
        emit_json(rendered)
    elif isinstance(rendered, str):
        emit_text(rendered)
    else:
        show(rendered, to_stderr=to_stderr)


# -- options ---------------------------------------------------------------------------------


def connection_options(f: Callable[P, R]) -> Callable[P, R]:
    options = [
        click.option("--profile", help="AWS profile (default: the standard chain, AWS_PROFILE)."),
        click.option(
            "--region", callback=inputs.region, help="AWS region for STS/SQS (never aws-global)."
        ),
        click.option(
            "--endpoint-url",
            callback=inputs.endpoint_url,
            help="Send every AWS call here (e.g. the sandbox). AWS_ENDPOINT_URL also works.",
        ),
        click.option(
            "--journal",
            "journal_path",
            envvar="ROOTCTL_JOURNAL",
            type=click.Path(dir_okay=False),
            help="Journal file (default ~/.local/state/rootctl/journal.sqlite3).",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(1, 256),
            default=rootctl.DEFAULT_CONCURRENCY,
            show_default=True,
            help="Accounts worked on at once.",
        ),
        click.option(
            "--max-attempts",
            type=click.IntRange(1, 20),
            default=8,
            show_default=True,
            help="Attempts per AWS call, the first included (backoff with jitter between them).",
        ),
        click.option("--debug", is_flag=True, help="Debug logs on stderr (secrets scrubbed)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def target_options(f: Callable[P, R]) -> Callable[P, R]:
    options = [
        click.option("--all", "all_accounts", is_flag=True, help="Every member account."),
        click.option("--account", "accounts", multiple=True, metavar="ID", help="Repeatable."),
        click.option("--ou", "ous", multiple=True, metavar="OU_ID", help="Recursive; repeatable."),
        click.option(
            "--tag",
            "tags",
            multiple=True,
            metavar="KEY=VALUE",
            callback=inputs.tags,
            help="Accounts tagged so, or in an OU tagged so; repeatable.",
        ),
        click.option("--exclude", multiple=True, metavar="ID", help="Leave out; repeatable."),
        click.option(
            "--exclude-tag",
            "exclude_tags",
            multiple=True,
            metavar="KEY=VALUE",
            callback=inputs.tags,
            help="Leave out accounts tagged so (or in an OU tagged so); repeatable.",
        ),
        click.option(
            "--accounts-file",
            type=click.Path(dir_okay=False, allow_dash=True),
            help="File of account ids (whitespace/comma separated, # comments); - reads stdin.",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def output_option(model: type | str, *more: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """``-o/--output``: every format the renderer registry has for ``model`` (or the formats
    named, for output that is not one model)."""
    choices = formats(model) if isinstance(model, type) else (model, *more)
    return click.option(
        "-o",
        "--output",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


def status_option(f: Callable[P, R]) -> Callable[P, R]:
    """``--status``: show only the rows in these states (every format; JSON and CSV keep every
    row without it)."""
    return click.option(
        "--status",
        "statuses",
        multiple=True,
        type=click.Choice([s.value for s in RowStatus]),
        help="Show only these rows; repeatable (JSON/CSV keep every row without it).",
    )(f)


def selector(kwargs: dict[str, Any]) -> TargetSelector:
    return TargetSelector(
        all=kwargs.pop("all_accounts"),
        accounts=tuple(kwargs.pop("accounts")),
        ous=tuple(kwargs.pop("ous")),
        exclude=tuple(kwargs.pop("exclude")),
        accounts_file=kwargs.pop("accounts_file"),
        tags=tuple(kwargs.pop("tags")),
        exclude_tags=tuple(kwargs.pop("exclude_tags")),
    )


# Start-up builds objects that live until the process ends (modules, boto3, the engine):
# collecting while they are built only costs time (~10% of an audit's start-up). Only in the
# rootctl process itself (cli.main), never in a library's or a test's.
_START_UP = {"quiet": False}


def quiet_start_up() -> None:
    """No collections until the command is found (:func:`settle`)."""
    _START_UP["quiet"] = True
    gc.disable()


def settle() -> None:
    """Start-up is over: keep what it built out of every later collection, and collect."""
    if _START_UP["quiet"]:
        gc.freeze()
        gc.enable()


@contextmanager
def building() -> Iterator[None]:
    """A second start-up (the engine loads boto3 and itself): as quiet as the first."""
    if _START_UP["quiet"]:
        gc.disable()
    try:
        yield
    finally:
        settle()


@contextmanager
def engine(kwargs: dict[str, Any]) -> Iterator[rootctl.RootAccess]:
    """Build the engine from the connection options (popped from ``kwargs``)."""
    debug = kwargs.pop("debug")
    handler = rootctl.enable_debug_logging(sys.stderr) if debug else None
    try:
        connection = rootctl.ConnectionOptions(
            profile=kwargs.pop("profile"),
            region=kwargs.pop("region"),
            endpoint_url=kwargs.pop("endpoint_url"),
            max_attempts=kwargs.pop("max_attempts"),
        )
        with building():
            built = rootctl.RootAccess(
                connection,
                journal=kwargs.pop("journal_path"),
                concurrency=kwargs.pop("concurrency"),
                source=rootctl.AuditSource.CLI,
            )
        with built as ra:
            try:
                yield ra
            finally:
                if ra.throttled_calls:
                    # A run that usually takes seconds and took minutes: say why.
                    say(f"AWS throttled {ra.throttled_calls} calls; retried.")
    finally:
        if handler is not None:
            logging.getLogger().removeHandler(handler)
            logging.getLogger().setLevel(logging.WARNING)


def command(f: Callable[P, int | None]) -> Callable[P, None]:
    """Run a command body; map its return value and rootctl errors to exit codes."""

    @functools.wraps(f)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            code = f(*args, **kwargs) or EXIT_OK
        except Exit as exc:
            code = exc.code
        except rootctl.RootctlError as exc:
            click.echo(error_line(exc), err=True)
            code = exc.exit_code
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            code = EXIT_INTERRUPTED
        sys.exit(code)

    return wrapper


def confirm(question: str, *, yes: bool, what: str) -> None:
    """Ask once; ``--yes`` answers for CI; no terminal and no ``--yes`` → refuse (exit 2)."""
    if yes:
        return
    if not is_interactive():
        fail(
            rootctl.InputError(
                f"refusing to {what} without a terminal to confirm on.",
                rootctl.Advice(rootctl.AdviceCode.CONFIRM_WITH_YES),
            )
        )
    try:
        # Lines stay lines (the plan's warnings, the accounts named); nothing else acts.
        answer = click.confirm(inert_lines(question), default=False, err=True)
    except click.Abort:  # Ctrl-C or end of input at the prompt
        say("\nNothing done.")
        raise Exit(EXIT_INTERRUPTED) from None
    if not answer:
        say("Nothing done.")
        raise Exit(EXIT_OK)


@contextmanager
def progress_bar(label: str) -> Iterator[ProgressCallback | None]:
    """A progress bar on stderr when it is a terminal; otherwise no callback at all."""
    if not sys.stderr.isatty():
        yield None
        return
    bar = Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=new_console(sys.stderr),
        transient=True,
    )
    task = bar.add_task(inert(label), total=None)

    def update(event: ProgressEvent) -> None:
        bar.update(task, total=event.total, completed=event.done)

    with bar:
        yield update
