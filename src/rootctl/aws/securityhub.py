"""Security Hub calls made with the caller's credentials: importing findings (ASFF)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rootctl.aws.errors import request_id_of, translated
from rootctl.models import FailedFinding

if TYPE_CHECKING:
    from rootctl.aws.session import AwsSession

BATCH_SIZE = 100  # BatchImportFindings takes at most 100 findings per call


def batch_import(
    client: Any, findings: Sequence[Mapping[str, Any]]
) -> tuple[int, tuple[FailedFinding, ...], str | None]:
    """One BatchImportFindings call (≤ 100 findings; throttling is retried by the client):
    how many were imported, the ones refused with their errors, and the request id."""
    with translated(f"BatchImportFindings({len(findings)} findings)"):
        response = client.batch_import_findings(Findings=list(findings))
    failed = tuple(
        FailedFinding(
            str(f.get("Id", "")), str(f.get("ErrorCode", "")), str(f.get("ErrorMessage", ""))
        )
        for f in response.get("FailedFindings", [])
    )
    return int(response.get("SuccessCount", 0)), failed, request_id_of(response)


def client_for(aws: AwsSession) -> Any:
    """A Security Hub client of the run's session (its region, retries and endpoint)."""
    return aws.client("securityhub")
