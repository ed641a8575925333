"""One registry of renderers: ``(model type, format) -> renderer``, and one :func:`render`.

Faces never choose a renderer by hand: the CLI's ``-o`` choices and its ``emit`` come from
here, and so do the web's JSON documents and exports. A new format or a new model is one
:func:`register` call (see docs/architecture.md).

A renderer returns a JSON-ready ``dict`` (format ``json``), text (``csv`` …) or a rich
renderable (``table``, ``tree``, ``text``): the face decides where each goes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from rich.console import RenderableType

from rootctl.errors import Advice
from rootctl.models import Organization, RowStatus

M = TypeVar("M")
Rendered = dict[str, Any] | str | RenderableType


def neutral(advice: Advice) -> str:
    return advice.text


@dataclass(frozen=True, slots=True)
class RenderContext:
    """What some renderers need besides the model: the organization (for the tree), the
    face's words for advice (the CLI names commands, the dashboard buttons), and the rows a
    ``--status`` filter keeps (empty: every row)."""

    organization: Organization | None = None
    advice_text: Callable[[Advice], str] = neutral
    statuses: frozenset[RowStatus] = frozenset()


Renderer = Callable[[Any, RenderContext], Rendered]
_RENDERERS: dict[tuple[type, str], Renderer] = {}


class NoRenderer(LookupError):
    """No renderer for this model type and format."""


def register(model: type[M], fmt: str, renderer: Callable[[M], Rendered]) -> None:
    """Render ``model`` instances as ``fmt`` with ``renderer(instance)``."""
    _RENDERERS[(model, fmt)] = lambda value, _context: renderer(value)


def register_in_context(
    model: type[M], fmt: str, renderer: Callable[[M, RenderContext], Rendered]
) -> None:
    """Like :func:`register`, for renderers that need the :class:`RenderContext`."""
    _RENDERERS[(model, fmt)] = renderer


def formats(model: type) -> tuple[str, ...]:
    """The formats ``model`` can be rendered in, in registration order."""
    _load()
    return tuple(fmt for kind, fmt in _RENDERERS if kind is model)


def render(value: object, fmt: str, context: RenderContext | None = None) -> Rendered:
    _load()
    renderer = _RENDERERS.get((type(value), fmt))
    if renderer is None:
        raise NoRenderer(f"no {fmt} renderer for {type(value).__name__}")
    return renderer(value, context or RenderContext())


def _load() -> None:
    # The registrations live with the renderers (rootctl.render.catalog); importing it here,
    # late, keeps this module free of every renderer's imports.
    from rootctl.render import catalog  # noqa: F401
