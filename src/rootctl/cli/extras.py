"""The optional parts of rootctl and what to install for them.

``pip install rootctl`` is the CLI and the library; the dashboard (``rootctl[web]``) and the
sandbox (``rootctl[sandbox]``) are extras, imported only inside the commands that need them.
A command whose extra is missing says which ``pip install`` to run, in one line, exit 2.
"""

from __future__ import annotations

from importlib.util import find_spec

import click

# The modules rootctl imports (directly or through moto's server) from each extra.
EXTRAS: dict[str, tuple[str, ...]] = {
    "web": (
        "fastapi",
        "starlette",
        "pydantic",
        "anyio",
        "uvicorn",
        "jinja2",
        "markupsafe",
        "python_multipart",
    ),
    "sandbox": ("moto", "werkzeug", "flask", "flask_cors"),
}


def installed(extra: str) -> bool:
    return all(_importable(module) for module in EXTRAS[extra])


def _importable(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except (ImportError, ValueError):  # a finder that refuses it, a broken half-install
        return False


class MissingExtra(click.ClickException):
    exit_code = 2  # the installation lacks a part: like bad input, nothing was done


def require(feature: str, *extras: str) -> None:
    """Refuse (one line, exit 2) when one of ``extras`` is not installed."""
    missing = [extra for extra in extras if not installed(extra)]
    if not missing:
        return
    if len(missing) > 1:
        needs, name = f"the {' and '.join(missing)} extras", "all"
    else:
        needs, name = f"the {missing[0]} extra", missing[0]
    raise MissingExtra(f"{feature} needs rootctl's {needs}: pip install 'rootctl[{name}]'")
