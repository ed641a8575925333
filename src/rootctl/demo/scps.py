"""Step 3: a landing zone's "deny root" SCP blocks the root task sessions in one OU; rootctl
finds it and exempts the sessions (aws:AssumedRoot), before the security team audits."""

from __future__ import annotations

from rootctl.demo.scene import Scene
from rootctl.models import AccountScp, ScpAuditReport, ScpVerdict, TargetSelector


def _scp_audit(scene: Scene) -> ScpAuditReport:
    ra = scene.engine()  # the tree is cached; the SCPs on it are read each time
    return ra.scp_audit(ra.select_targets(TargetSelector(all=True)))


def _names(rows: tuple[AccountScp, ...]) -> str:
    return ", ".join(row.account.name for row in rows)


def scps_in_the_way(scene: Scene) -> None:
    n = scene.narrator
    n.say(
        "Before handing over, one more thing only the management account can check: service "
        "control policies. Landing zones often deny everything to the root user — Control "
        "Tower's “Disallow actions as a root user”, for instance. As many were deployed, such a "
        "policy also denies the short root sessions of centralized root access (AssumeRoot), "
        "and every task in the accounts below it fails with AccessDenied. `rootctl scp audit` "
        "reads the SCPs on each account's path and decides, without opening a session, "
        "whether the five root tasks would pass and whether the long-term root user is "
        "refused."
    )
    scene.shell.run("scp", "audit", expect=1)
    before = _scp_audit(scene)
    blocked = before.verdicts(ScpVerdict.TASKS_BLOCKED)
    policies = sorted({s.policy_name for row in blocked for s in row.statements})
    scene.expect(
        bool(blocked) and bool(policies),
        "the example organization should have accounts whose SCPs block the root tasks; "
        f"rootctl found {[(r.account.id, r.state.value) for r in before.accounts]}.",
    )
    n.answer(
        f"{len(blocked)} accounts: every root task blocked by {', '.join(policies)} — "
        f"{_names(blocked)}.",
        ok=False,
    )
    n.say(
        "The fix is the smallest change to that policy: leave root sessions alone (requests "
        "where aws:AssumedRoot is set) and keep denying the long-term root user. rootctl shows "
        "the change, saves the old document in its journal, then updates the policy."
    )
    scene.shell.run("scp", "guardrail", "--fix-existing", "--yes")
    after = {row.account.id: row for row in _scp_audit(scene).accounts}
    still = [r.account.id for r in blocked if after[r.account.id].state is not ScpVerdict.GUARDED]
    scene.expect(
        not still,
        f"after the fix, {still} should be guarded (tasks pass, long-term root refused); "
        f"rootctl says {[after[a].state.value for a in still]}.",
    )
    n.answer(
        f"{len(blocked)} accounts guarded: the root tasks pass, the long-term root user is "
        "still refused."
    )
    unguarded = [r for r in after.values() if r.state is ScpVerdict.UNGUARDED]
    n.detail(
        f"The other {len(unguarded)} accounts are unguarded: no SCP refuses their long-term "
        "root user. Once their root credentials are gone, `rootctl scp guardrail --apply` "
        "attaches such a policy, one OU at a time."
    )
