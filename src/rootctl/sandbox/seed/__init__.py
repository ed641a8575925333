"""Seed files: an organization described in YAML (or a mapping), validated with errors that
name the file, line, column and field, then applied by ``builder.py``.

The format is documented in docs/sandbox.md ("Seed files"). Anything not given is derived
deterministically from the account id, so the same seed always yields the same keys, serials
and secrets. Modules: ``model`` (the validated dataclasses), ``reading`` (YAML with
positions), ``fields`` (single fields; what text may hold), ``accounts`` and ``organization``
(the structure), ``derived`` (defaults).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from .derived import derived_mfa_secret, derived_principal_keys
from .model import (
    Seed,
    SeedAccessKey,
    SeedAccount,
    SeedCertificate,
    SeedError,
    SeedMfa,
    SeedPolicy,
    SeedPrincipal,
    SeedResource,
    SeedRoot,
)
from .organization import validate
from .reading import parse_yaml


def load(source: str | Path | Mapping[str, Any], *, now: datetime | None = None) -> Seed:
    """A ``Seed`` from a YAML file path, YAML text (when it contains a newline) or a mapping."""
    if isinstance(source, Mapping):
        return validate(source, now=now)
    if isinstance(source, Path) or "\n" not in source:
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SeedError(f"cannot read the seed file: {exc.strerror}", source=str(path)) from exc
        except UnicodeDecodeError as exc:
            raise SeedError(f"not UTF-8 text: {exc.reason}", source=str(path)) from exc
        data, marks = parse_yaml(text, str(path))
    else:
        data, marks = parse_yaml(source)
    return validate(data, marks, now=now)


__all__ = [
    "Seed",
    "SeedAccessKey",
    "SeedAccount",
    "SeedCertificate",
    "SeedError",
    "SeedMfa",
    "SeedPolicy",
    "SeedPrincipal",
    "SeedResource",
    "SeedRoot",
    "derived_mfa_secret",
    "derived_principal_keys",
    "load",
    "parse_yaml",
    "validate",
]
