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
    FeatureChange,
    JournalEntry,
    OrgStatus,
    PolicyListing,
    RecoveryReport,
    UnlockResult,
)
from rootctl.render import activity, flat, human, serialize
from rootctl.render.registry import RenderContext, register, register_in_context


def _tree(report: AuditReport, context: RenderContext) -> RenderableType:
    if context.organization is None:
        raise ValueError("the audit tree needs the organization")
    return human.audit_tree(report, context.organization)


register(AuditReport, "table", human.audit_table)
register_in_context(AuditReport, "tree", _tree)
register(AuditReport, "json", serialize.audit_report)
register(AuditReport, "csv", lambda report: flat.audit_csv(report.accounts))

register(DeletionPlan, "table", human.deletion_plan)
register(DeletionPlan, "json", serialize.deletion_plan)
register(DeletionPlan, "csv", flat.plan_csv)

register(DeletionReport, "table", human.deletion_report)
register(DeletionReport, "json", serialize.deletion_report)
register(DeletionReport, "csv", flat.deletion_csv)

register(RecoveryReport, "table", human.recovery_report)
register(RecoveryReport, "json", serialize.recovery_report)
register(RecoveryReport, "csv", flat.recovery_csv)

register(ComplianceReport, "table", human.compliance_table)
register(ComplianceReport, "json", serialize.compliance_report)

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
