"""What ``rootctl securityhub export`` did: findings sent with BatchImportFindings, and the ones
Security Hub refused, each with its error."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FailedFinding:
    """A finding Security Hub did not import (``error_code`` as AWS gave it)."""

    id: str
    error_code: str
    error_message: str


@dataclass(frozen=True, slots=True)
class SecurityHubExport:
    """``active``/``archived``: how many findings the export holds in each record state;
    ``imported``: how many Security Hub accepted (0 in a dry run); ``batches``: calls made."""

    audit_id: int
    account_id: str
    region: str
    product_arn: str
    dry_run: bool
    active: int
    archived: int
    imported: int = 0
    batches: int = 0
    failed: tuple[FailedFinding, ...] = ()
    error: str | None = None  # a batch that failed whole (its findings are in ``failed``)

    @property
    def total(self) -> int:
        return self.active + self.archived

    @property
    def clean(self) -> bool:
        return not self.failed and self.error is None
