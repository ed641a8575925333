"""Click callbacks that run rootctl's validators (rootctl.validation) as options are parsed:
bad input is one `Error:` line and exit 2 before anything else happens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from rootctl import validation
from rootctl.errors import Advice, AdviceCode, InputError
from rootctl.models import TargetSelector

T = TypeVar("T")
Callback = Callable[[click.Context, click.Parameter, Any], Any]


def _usage_error(ctx: click.Context, error: InputError) -> click.UsageError:
    return click.UsageError(str(error), ctx)


def option(validate: Callable[[str, str], T]) -> Callback:
    """A callback that passes the value and the option's name (``--region``) to ``validate``."""

    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> T | None:
        if value is None:
            return None
        try:
            return validate(value, param.opts[0])
        except InputError as error:
            raise _usage_error(ctx, error) from None

    return callback


def argument(validate: Callable[[str], T]) -> Callback:
    def callback(ctx: click.Context, _param: click.Parameter, value: str | None) -> T | None:
        if value is None:
            return None
        try:
            return validate(value)
        except InputError as error:
            raise _usage_error(ctx, error) from None

    return callback


region = option(validation.region_name)
endpoint_url = option(validation.endpoint_url)
credential_kinds = option(validation.credential_kinds)


def tags(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[Any, ...]:
    """Repeatable ``KEY=VALUE`` options, each checked."""
    try:
        return tuple(dict.fromkeys(validation.tag(v, param.opts[0]) for v in values))
    except InputError as error:
        raise _usage_error(ctx, error) from None


def require_yes_for_stdin(chosen: TargetSelector, *, yes: bool) -> None:
    """With ``--accounts-file -`` standard input carries the accounts, so there is no terminal
    left to confirm on: refuse up front, before any AWS call, unless ``--yes``."""
    if chosen.accounts_file == validation.STDIN and not yes:
        raise InputError(
            "--accounts-file - reads the accounts from standard input, which leaves no "
            "terminal to confirm on.",
            Advice(AdviceCode.CONFIRM_WITH_YES),
        )
