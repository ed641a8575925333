"""The stage the story plays on: the sandbox, the cast, the shell, and the checks it counts."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import rootctl
from rootctl.core.compliance import evaluate
from rootctl.demo.cast import Cast
from rootctl.demo.narrator import Narrator
from rootctl.demo.shell import DemoFailure, Identity, Shell
from rootctl.models import AuditReport, ComplianceReport, TargetSelector

if TYPE_CHECKING:
    from rootctl.sandbox import Sandbox


T = TypeVar("T")


@dataclass
class Scene:
    sandbox: Sandbox
    endpoint_url: str
    journal: Path
    cast: Cast
    narrator: Narrator
    shell: Shell
    management: Identity
    delegate: Identity
    checks: int = 0
    audit_before: AuditReport | None = None
    compliance_before: ComplianceReport | None = None
    _engines: dict[str, rootctl.RootAccess] = field(default_factory=dict)

    def engine(self) -> rootctl.RootAccess:
        """The library, connected like the commands are (the environment), for the checks;
        one per identity, so the organization is read once."""
        key = os.environ.get("AWS_ACCESS_KEY_ID", "")
        if key not in self._engines:
            self._engines[key] = rootctl.RootAccess(journal=self.journal)
        return self._engines[key]

    def close(self) -> None:
        for engine in self._engines.values():
            engine.close()
        self._engines.clear()

    def expect(self, condition: bool, failure: str) -> None:
        self.checks += 1
        if not condition:
            raise DemoFailure(failure)

    def found(self, value: T | None, failure: str) -> T:
        """``value``, which the story needs; a DemoFailure when AWS did not give it."""
        self.expect(value is not None, failure)
        if value is None:  # for the type checker: expect() raised already
            raise DemoFailure(failure)
        return value

    def compliance(self) -> tuple[AuditReport, ComplianceReport]:
        ra = self.engine()
        report = ra.audit(ra.select_targets(TargetSelector(all=True)))
        return report, evaluate(report, ra.status())


Step = Callable[[Scene], None]
