"""Every (model, format) rootctl can render: the registrations, in one place.

The order of a model's registrations is the order of the CLI's ``-o`` choices; the first is
the default.
"""

from __future__ import annotations

from rich.console import RenderableType

from rootctl.models import (
    ActivityReport,
    ApplyReport,
    AuditReport,
    CheckReport,
    ComplianceReport,
    DeletionPlan,
    DeletionReport,
    DoctorCheckList,
    DoctorReport,
    DriftReport,
    EvidenceReport,
    FeatureChange,
    GuardrailChange,
    GuardrailStage,
    History,
    JournalEntry,
    LockoutFixReport,
    LockoutReport,
    OrgStatus,
    PlanCheck,
    PolicyDocument,
    PolicyListing,
    PruneResult,
    RecoveryReport,
    ScpAuditReport,
    SecurityHubExport,
    SweepReport,
    UnlockResult,
    WindowClosure,
    WindowOpening,
    WindowStatusReport,
)
from rootctl.render import (
    activity,
    asff,
    audit_view,
    changes,
    controls,
    desired,
    desired_sarif,
    doctor,
    flat,
    governance,
    governance_json,
    history_docs,
    history_views,
    html_report,
    human,
    lockouts,
    ocsf,
    sarif,
    scp,
    serialize,
)
from rootctl.render.registry import RenderContext, register, register_in_context
from rootctl.render.text import json_text


def _tree(report: AuditReport, context: RenderContext) -> RenderableType:
    if context.organization is None:
        raise ValueError("the audit tree needs the organization")
    return audit_view.audit_tree(report, context.organization, context.statuses)


# Reports of accounts: every format honours a --status filter (context.statuses).
register_in_context(AuditReport, "table", lambda r, c: audit_view.audit_table(r, c.statuses))
register_in_context(AuditReport, "tree", _tree)
register_in_context(AuditReport, "json", lambda r, c: serialize.audit_report(r, c.statuses))
register_in_context(AuditReport, "csv", lambda r, c: flat.audit_csv(r.shown(c.statuses)))

register_in_context(DeletionPlan, "table", lambda p, c: changes.deletion_plan(p, c.statuses))
register_in_context(DeletionPlan, "json", lambda p, c: serialize.deletion_plan(p, c.statuses))
register_in_context(DeletionPlan, "csv", lambda p, c: flat.plan_csv(p, c.statuses))

register_in_context(DeletionReport, "table", lambda r, c: changes.deletion_report(r, c.statuses))
register_in_context(DeletionReport, "json", lambda r, c: serialize.deletion_report(r, c.statuses))
register_in_context(DeletionReport, "csv", lambda r, c: flat.deletion_csv(r, c.statuses))

register_in_context(RecoveryReport, "table", lambda r, c: changes.recovery_report(r, c.statuses))
register_in_context(RecoveryReport, "json", lambda r, c: serialize.recovery_report(r, c.statuses))
register_in_context(RecoveryReport, "csv", lambda r, c: flat.recovery_csv(r, c.statuses))

register_in_context(
    ComplianceReport,
    "table",
    lambda r, c: controls.compliance_table(r, c.advice_text, c.statuses),
)
register_in_context(
    ComplianceReport, "json", lambda r, c: serialize.compliance_report(r, c.statuses)
)
register_in_context(ComplianceReport, "csv", lambda r, c: flat.compliance_csv(r, c.statuses))

register_in_context(OrgStatus, "table", lambda s, c: human.status(s, c.advice_text))
register(OrgStatus, "json", serialize.status_document)

register(FeatureChange, "table", human.feature_change)
register(FeatureChange, "json", serialize.feature_change)

register(PolicyListing, "table", lambda listing: human.resource_policies(listing.resources))
register(PolicyListing, "json", lambda listing: serialize.resource_policies(listing.resources))

register(UnlockResult, "table", human.unlock_result)
register(UnlockResult, "json", serialize.unlock_result)

register(JournalEntry, "table", human.journal_entry)
register(
    JournalEntry, "json", lambda e: serialize.envelope("journal-entry", serialize.journal_entry(e))
)

register(History, "table", history_views.history_table)
register(History, "json", history_docs.history)
register(History, "csv", history_views.history_csv)

register(DriftReport, "table", history_views.drift_table)
register(DriftReport, "json", history_docs.drift)
register(DriftReport, "csv", history_views.drift_csv)

register(PruneResult, "table", history_views.prune_table)
register(PruneResult, "json", history_docs.prune)

# `rootctl report --format`: html first (the default).
register(EvidenceReport, "html", html_report.render)
register(EvidenceReport, "json", history_docs.evidence)
register(EvidenceReport, "csv", history_views.evidence_csv)
register(EvidenceReport, "sarif", sarif.document)
register(EvidenceReport, "asff", asff.document)
register(EvidenceReport, "ocsf", lambda report: json_text(ocsf.document(report)) + "\n")

register(SecurityHubExport, "table", history_views.export_table)
register(SecurityHubExport, "json", history_docs.security_hub_export)
# Governed changes: plans and recovery windows (render/governance*.py).
register(PlanCheck, "table", governance.plan_check)
register(PlanCheck, "json", governance_json.plan_check)
register(ApplyReport, "table", governance.apply_report)
register(ApplyReport, "json", governance_json.apply_report)
register(WindowOpening, "table", governance.window_opening)
register(WindowOpening, "json", governance_json.window_opening)
register(WindowStatusReport, "table", governance.window_status)
register(WindowStatusReport, "json", governance_json.window_status)
register(WindowClosure, "table", governance.window_closure)
register(WindowClosure, "json", governance_json.window_closure)
register(SweepReport, "table", governance.sweep_report)
register(SweepReport, "json", governance_json.sweep_report)

register(CheckReport, "table", desired.check_table)
register(CheckReport, "json", desired.check_report)
register(CheckReport, "sarif", desired_sarif.document)
register(ActivityReport, "table", activity.activity_table)
register(ActivityReport, "json", activity.activity_document)
register(ActivityReport, "csv", activity.activity_csv)
register_in_context(DoctorReport, "table", doctor.doctor_table)
register_in_context(DoctorReport, "json", doctor.doctor_document)

register(PolicyDocument, "json", doctor.policy_document)
register(DoctorCheckList, "table", doctor.checks_table)
register(DoctorCheckList, "json", doctor.checks_document)
register(LockoutReport, "table", lockouts.lockout_report)
register(LockoutReport, "json", lockouts.lockout_document)
register(LockoutReport, "csv", lockouts.lockout_csv)

register(LockoutFixReport, "table", lockouts.fix_table)
register(LockoutFixReport, "json", lockouts.fix_document)
register(LockoutFixReport, "csv", lockouts.fix_csv)

register(ScpAuditReport, "table", scp.audit_table)
register(ScpAuditReport, "json", scp.audit_document)
register(ScpAuditReport, "csv", scp.audit_csv)

register(GuardrailChange, "table", scp.change_table)
register(GuardrailChange, "json", scp.change_document)

register(GuardrailStage, "table", scp.stage_table)
register(GuardrailStage, "json", scp.stage_document)
