"""The dashboard's shelf of plan files: a directory the dashboard saves plans into ("Save as
plan") and lists (the Plans page). The files are ordinary plan files — the CLI's `approve` and
`apply` take them as they are, and plans the CLI wrote into the directory show up here.

Only names the shelf could have written are accepted from a URL (no path, no dot-dot)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rootctl.core.engine import RootAccess
from rootctl.errors import InputError, NotFound, RootctlError
from rootctl.models import ChangePlan, PlanCheck, PlanDocument

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.json")
MAX_LISTED = 500


def file_name(plan: ChangePlan) -> str:
    """``20261202-192601-delete-credentials-6f1c4a52.json``: sorts by time, says what."""
    return f"{plan.created_at:%Y%m%d-%H%M%S}-{plan.operation.value}-{plan.id[:8]}.json"


@dataclass(frozen=True, slots=True)
class ShelvedPlan:
    """One file of the shelf, checked now; ``problem`` when it is not a readable plan."""

    name: str
    check: PlanCheck | None = None
    problem: str | None = None


class PlanShelf:
    def __init__(self, engine: RootAccess, directory: Path) -> None:
        self.engine = engine
        self.directory = directory

    def path(self, name: str) -> Path:
        if not NAME.fullmatch(name):
            raise NotFound(f"there is no plan named {name[:80]!r}.")
        path = self.directory / name
        if not path.is_file():
            raise NotFound(f"there is no plan named {name!r} in {self.directory}.")
        return path

    def save(self, document: PlanDocument) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = file_name(document.plan)
        self.engine.write_plan(document, self.directory / name)
        return name

    def read(self, name: str) -> PlanDocument:
        return self.engine.read_plan(self.path(name))

    def write(self, name: str, document: PlanDocument) -> None:
        self.engine.write_plan(document, self.path(name))

    def check(self, name: str) -> PlanCheck:
        return self.engine.check_plan(self.read(name))

    def listing(self) -> list[ShelvedPlan]:
        """The newest plans first, each checked (the organization too)."""
        if not self.directory.is_dir():
            return []
        names = sorted(
            (p.name for p in self.directory.iterdir() if NAME.fullmatch(p.name) and p.is_file()),
            reverse=True,
        )[:MAX_LISTED]
        shelved: list[ShelvedPlan] = []
        for name in names:
            try:
                shelved.append(ShelvedPlan(name, check=self.check(name)))
            except InputError as exc:  # not a plan (or not readable): say so, list the rest
                shelved.append(ShelvedPlan(name, problem=exc.message))
            except RootctlError as exc:
                shelved.append(ShelvedPlan(name, problem=str(exc)))
        return shelved
