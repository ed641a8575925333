"""Every (model, format) rootctl can render: the registrations, in one place.

The order of a model's registrations is the order of the CLI's ``-o`` choices; the first is
the default.
"""

from __future__ import annotations

from rich.console import RenderableType

from rootctl.models import (
    ActivityReport,
    AuditReport,
    ComplianceReport,
    DeletionPlan,
    DeletionReport,
    DoctorCheckList,
    DoctorReport,
    FeatureChange,
    JournalEntry,
    OrgStatus,
    PolicyDocument,
    PolicyListing,
    RecoveryReport,
    UnlockResult,
)
from rootctl.render import activity, audit_view, changes, controls, doctor, flat, human, serialize
from rootctl.render.registry import RenderContext, register, register_in_context


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

register(ActivityReport, "table", activity.activity_table)
register(ActivityReport, "json", activity.activity_document)
register(ActivityReport, "csv", activity.activity_csv)
register_in_context(DoctorReport, "table", doctor.doctor_table)
register_in_context(DoctorReport, "json", doctor.doctor_document)

register(PolicyDocument, "json", doctor.policy_document)
register(DoctorCheckList, "table", doctor.checks_table)
register(DoctorCheckList, "json", doctor.checks_document)
