"""`scp audit` and `scp guardrail` in every format: a table per account (verdict, blocked tasks,
the policies behind it), the statements quoted once each, the JSON documents ``rootctl/scp-audit``
and ``rootctl/scp-guardrail`` (docs/json-schema/v1.json), CSV rows, and the diff of a fixed SCP.

Policy names and statements are outside text: ``inert``/``literal`` in tables, exact in JSON.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rootctl.models import (
    COUNTED_VERDICTS,
    AccountScp,
    DelegateCheck,
    GuardrailChange,
    GuardrailStage,
    ScpAuditReport,
    ScpDecision,
    ScpFix,
    ScpStatement,
    ScpVerdict,
    StepState,
    TaskCheck,
)
from rootctl.render.flat import JOIN, csv_rows
from rootctl.render.serialize import Json, envelope
from rootctl.render.text import inert, inert_lines, literal

VERDICT_STYLES = {
    ScpVerdict.TASKS_BLOCKED: "bold red",
    ScpVerdict.UNGUARDED: "yellow",
    ScpVerdict.GUARDED: "green",
    ScpVerdict.UNDECIDABLE: "magenta",
    ScpVerdict.FAILED: "bold red",
    ScpVerdict.SKIPPED: "dim",
    ScpVerdict.NOT_RUN: "yellow",
}
STEP_STYLES = {StepState.DONE: "green", StepState.FAILED: "bold red"}


def _statement_label(ref: ScpStatement) -> str:
    where = f"statement {ref.index + 1}" if ref.index is not None else "the whole policy"
    if ref.sid:
        where += f" ({ref.sid})"
    return f"{ref.policy_name} [{ref.policy_id}] {where}"


def _why(row: AccountScp) -> str:
    if row.state is ScpVerdict.TASKS_BLOCKED:
        blocked = row.blocked_tasks
        tasks = (
            f"all {len(blocked)} task sessions"
            if len(blocked) == len(row.tasks)
            else ", ".join(t.task.value for t in blocked)
        )
        levels = {a.level for t in row.blocked_tasks for a in t.blocking if a.level}
        by = "; ".join(_statement_label(s) for s in row.statements)
        text = f"blocks {tasks}"
        if by:
            text += f" — by {by}"
        if levels:
            text += f" — nothing allows at {', '.join(sorted(levels))}"
        return text
    if row.state is ScpVerdict.UNDECIDABLE:
        depends = sorted({d for s in row.statements for d in s.depends_on})
        return f"{row.reason}: {', '.join(depends)}" if depends else (row.reason or "")
    return row.reason or ""


def _statements_block(rows: tuple[AccountScp, ...]) -> list[RenderableType]:
    seen: dict[tuple[str, int | None], tuple[ScpStatement, list[str]]] = {}
    for row in rows:
        for ref in row.statements:
            entry = seen.setdefault((ref.policy_id, ref.index), (ref, []))
            if row.account.id not in entry[1]:
                entry[1].append(row.account.id)
    parts: list[RenderableType] = []
    for ref, accounts in seen.values():
        parts.append(Text(inert(_statement_label(ref)), style="bold"))
        parts.append(Text(f"  in {len(accounts)} account(s): {', '.join(accounts[:5])}"
                          + (" …" if len(accounts) > 5 else "")))  # fmt: skip
        quoted = json.dumps(ref.statement, indent=2, ensure_ascii=False) if ref.statement else ""
        if quoted:
            parts.append(Text(inert_lines("\n".join("    " + ln for ln in quoted.splitlines())),
                              style="dim"))  # fmt: skip
    return parts


def _delegate_text(delegate: DelegateCheck | None, problem: str | None) -> Text | None:
    if problem:
        return Text(f"Delegated administrator not checked: {inert(problem)}", style="yellow")
    if delegate is None:
        return None
    name = f"{delegate.account.id} ({inert(delegate.account.name)})"
    if delegate.decision is ScpDecision.ALLOWED:
        return Text(f"Delegated administrator {name}: its SCPs allow sts:AssumeRoot in "
                    f"{delegate.region}.", style="green")  # fmt: skip
    refused = [t.task.value for t in delegate.tasks if t.decision is not ScpDecision.ALLOWED]
    return Text(
        f"Delegated administrator {name}: sts:AssumeRoot in {delegate.region} is "
        f"{delegate.decision.value} by its own SCPs for {', '.join(refused)}.",
        style="bold red",
    )


def audit_table(report: ScpAuditReport) -> RenderableType:
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("Account", no_wrap=True)
    table.add_column("Name", overflow="fold", max_width=24)
    table.add_column("Verdict", no_wrap=True)
    table.add_column("Why", overflow="fold")
    for row in report.accounts:
        table.add_row(
            literal(row.account.id), literal(row.account.name),
            Text(row.state.value, style=VERDICT_STYLES[row.state]), literal(_why(row)),
        )  # fmt: skip
    parts: list[RenderableType] = [table, Text("")]
    behind = [
        r for r in report.accounts if r.state in (ScpVerdict.TASKS_BLOCKED, ScpVerdict.UNDECIDABLE)
    ]
    if behind:
        parts += [
            Text("Statements behind the verdicts", style="bold underline"),
            *_statements_block(tuple(behind)),
            Text(""),
        ]
    delegate = _delegate_text(report.delegate, report.delegate_problem)
    if delegate is not None:
        parts.append(delegate)
    if not report.scps_enabled:
        parts.append(Text("SCPs are not enabled in this organization: nothing guards the "
                          "long-term root users.", style="yellow"))  # fmt: skip
    counts = ", ".join(
        f"{sum(1 for a in report.accounts if a.state is v)} {v.value}" for v in COUNTED_VERDICTS
    )
    parts.append(Text(f"{len(report.worked_on)} account(s) audited: {counts}."))
    return Group(*parts)


def _ref_json(ref: ScpStatement) -> Json:
    return {
        "id": ref.policy_id,
        "name": ref.policy_name,
        "target_id": ref.target_id,
        "index": ref.index,
        "sid": ref.sid,
        "statement": dict(ref.statement) if ref.statement is not None else None,
        "depends_on": list(ref.depends_on),
    }


def _task_json(task: TaskCheck) -> Json:
    return {
        "task": task.task.value,
        "decision": task.decision.value,
        "blocking": [
            {
                "action": a.action,
                "resource": a.resource,
                "decision": a.decision.value,
                "level": a.level,
            }
            for a in task.actions
            if a.decision is not ScpDecision.ALLOWED
        ],
    }


def _account_json(row: AccountScp) -> Json:
    return {
        "account_id": row.account.id,
        "account_name": row.account.name,
        "ou_path": list(row.account.ou_path),
        "verdict": row.state.value,
        "reason": row.reason,
        "blocked_tasks": [t.task.value for t in row.blocked_tasks],
        "tasks": [_task_json(t) for t in row.tasks],
        "root_user": row.root_user.decision.value if row.root_user else None,
        "policies": [_ref_json(s) for s in row.statements],
        "path": [
            {
                "target_id": level.target_id,
                "name": level.name,
                "policies": [{"id": p.policy_id, "name": p.name} for p in level.policies],
            }
            for level in row.path
        ],
    }


def _delegate_json(delegate: DelegateCheck | None) -> Json | None:
    if delegate is None:
        return None
    refs = {
        (s.policy_id, s.index): s for t in delegate.tasks for a in t.actions for s in a.statements
    }
    return {
        "account_id": delegate.account.id,
        "account_name": delegate.account.name,
        "region": delegate.region,
        "decision": delegate.decision.value,
        "tasks": [{"task": t.task.value, "decision": t.decision.value} for t in delegate.tasks],
        "policies": [_ref_json(s) for s in refs.values()],
    }


def audit_document(report: ScpAuditReport) -> Json:
    return envelope(
        "scp-audit",
        {
            "organization_id": report.organization_id,
            "interrupted": report.interrupted,
            "scps_enabled": report.scps_enabled,
            "summary": {
                "accounts": len(report.accounts),
                **{v.value.replace("-", "_"): len(report.verdicts(v)) for v in ScpVerdict},
            },
            "accounts": [_account_json(a) for a in report.accounts],
            "delegate": _delegate_json(report.delegate),
            "delegate_problem": report.delegate_problem,
        },
    )


def audit_csv(report: ScpAuditReport) -> str:
    header = ["account_id", "account_name", "ou_path", "verdict", "blocked_tasks", "policies",
              "reason"]  # fmt: skip
    return csv_rows(
        header,
        (
            [
                a.account.id,
                a.account.name,
                "/".join(a.account.ou_path),
                a.state.value,
                JOIN.join(t.task.value for t in a.blocked_tasks),
                JOIN.join(_statement_label(s) for s in a.statements),
                _why(a),
            ]
            for a in report.accounts
        ),
    )


# -- the guardrail ---------------------------------------------------------------------------------


def fix_diff(fix: ScpFix) -> Text:
    lines = difflib.unified_diff(
        fix.before.splitlines(), fix.after.splitlines(),
        f"{fix.name} [{fix.policy_id}] (now)", f"{fix.name} [{fix.policy_id}] (fixed)", lineterm="",
    )  # fmt: skip
    text = Text()
    for line in lines:
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else ""
        text.append(inert(line) + "\n", style=style)
    return text


def change_table(change: GuardrailChange) -> RenderableType:
    parts: list[RenderableType] = []
    for fix in change.fixes:
        parts += [Text(inert(fix.summary), style="bold"), fix_diff(fix)]
    for why in change.unfixable:
        parts.append(Text(f"not fixed: {inert(why)}", style="yellow"))
    for step in change.steps:
        line = Text(f"{step.state.value:<8} ", style=STEP_STYLES.get(step.state, "yellow"))
        line.append(inert(step.description))
        if step.reason:
            line.append(f" — {inert(step.reason)}", style="dim")
        parts.append(line)
    if change.dry_run:
        parts.append(Text("Dry run: nothing was changed.", style="yellow"))
    return Group(*parts)


def change_document(change: GuardrailChange) -> Json:
    return envelope(
        "scp-guardrail",
        {
            "operation": change.operation.value,
            "dry_run": change.dry_run,
            "policy_id": change.policy_id,
            "steps": [
                {
                    "description": s.description,
                    "state": s.state.value,
                    "reason": s.reason,
                    "journal_id": s.journal_id,
                }
                for s in change.steps
            ],
            "fixes": [
                {
                    "policy_id": f.policy_id,
                    "name": f.name,
                    "targets": list(f.targets),
                    "before": f.before,
                    "after": f.after,
                    "statements": list(f.statements),
                    "accounts": list(f.accounts),
                    "summary": f.summary,
                }
                for f in change.fixes
            ],
            "unfixable": list(change.unfixable),
        },
    )


def stage_table(stage: GuardrailStage) -> RenderableType:
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("OU", overflow="fold")
    table.add_column("Guardrail", no_wrap=True)
    table.add_column("Accounts", overflow="fold")
    table.add_column("Next step", overflow="fold")
    for unit in stage.units:
        counts = ", ".join(f"{n} {v}" for v, n in unit.verdicts.items() if n)
        table.add_row(
            literal("/".join(unit.path)), unit.guardrail, counts or "none", literal(unit.next_step)
        )
    policy = stage.policy_id or "not created yet"
    return Group(Text(f"rootctl's guardrail: {policy}"), table)


def stage_document(stage: GuardrailStage) -> Json:
    return envelope(
        "scp-guardrail-stage",
        {
            "policy_id": stage.policy_id,
            "units": [
                {
                    "target_id": u.target_id,
                    "path": list(u.path),
                    "guardrail": u.guardrail,
                    "verdicts": dict(u.verdicts),
                    "next_step": u.next_step,
                }
                for u in stage.units
            ],
            "audit": audit_document(stage.report),
        },
    )


def guardrail_text(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2)
