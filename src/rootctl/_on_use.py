"""Modules imported on first use. The engine is a facade over every operation, and a CLI run
of one command should not pay for importing all the others (start-up time counts on every
invocation, ``credential-process`` included)."""

from __future__ import annotations

import importlib
from typing import Any


class OnUse:
    """Stands for module ``name`` and imports it at the first attribute read (the import
    system's lock makes that safe from any thread)."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"
