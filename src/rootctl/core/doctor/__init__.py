"""`rootctl doctor`: find what will block the chosen commands before anything is touched.

It changes nothing. In order: gather the organization-level facts (each read observed:
:mod:`.facts`), the target accounts, the caller's permissions from IAM's policy simulator
(:mod:`.permissions`), then a short AssumeRoot and one harmless read per task in every targeted
member account (:mod:`.accounts`, through the engine's fan-out); then every registered check
turns the facts into findings (:mod:`.registry` — add a check with ``register``; the built-in
ones are :mod:`.setup`, :mod:`.permissions` and :mod:`.accounts`, run in that order, then
:mod:`.scps`, the static SCP evaluation `rootctl scp audit` makes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rootctl.core.context import Context
from rootctl.core.doctor import (
    accounts,
    permissions,
    scps,  # noqa: F401 - importing a check module registers it
    setup,  # noqa: F401
)
from rootctl.core.doctor.facts import Facts, gather_organization, gather_targets
from rootctl.core.doctor.registry import Check, Stage, catalogue, check, checks, register
from rootctl.core.fanout import Run
from rootctl.core.requirements import actions_of, tasks_of
from rootctl.models import DoctorReport, Operation, Organization, TargetSelector

__all__ = ["Check", "Facts", "Stage", "catalogue", "check", "checks", "diagnose", "register"]


def diagnose(
    ctx: Context,
    operations: Iterable[Operation],
    selector: TargetSelector,
    read_tree: Callable[[], Organization],
    run: Run,
) -> DoctorReport:
    chosen = tuple(dict.fromkeys(operations))
    facts = Facts(ctx, chosen, tasks_of(chosen), actions_of(chosen), run=run)
    gather_organization(facts)
    if facts.sts_problem is None:
        gather_targets(facts, selector, read_tree)
        permissions.gather_simulation(facts)
        accounts.probe_accounts(facts, run)
    findings = tuple(finding for c in checks() if c.applies(chosen) for finding in c.run(facts))
    probes = facts.probes
    worked_on = probes.worked_on if probes is not None else ()
    return DoctorReport(
        operations=chosen,
        region=facts.region,
        caller_arn=facts.caller.arn if facts.caller else None,
        organization_id=facts.organization.id if facts.organization else None,
        findings=findings,
        groups=accounts.groups(facts),
        probes=probes,
        prevented=bool(worked_on) and all(row.is_("failed") for row in worked_on),
    )
