"""Security Hub on the wire: moto's responses behind the gate (faults, SCP-like denials, root
sessions refused), with the sandbox's import checks and GetFindings filters."""

from __future__ import annotations

import json
from typing import Any

from moto.securityhub.responses import SecurityHubResponse

from ..gate import GatedResponse
from .exceptions import invalid_input, not_subscribed
from .models import filtered, import_findings

PAGE = 100


class SandboxSecurityHubResponse(GatedResponse, SecurityHubResponse):
    gated_service = "securityhub"

    def _require_hub(self) -> None:
        if not self.securityhub_backend.enabled:
            raise not_subscribed(self.current_account)

    def batch_import_findings(self) -> str:
        self._require_hub()
        try:
            body = json.loads(self.body or "{}")
        except ValueError:
            raise invalid_input("The request body is not JSON") from None
        findings = body.get("Findings")
        if not isinstance(findings, list):
            raise invalid_input("Findings is required")
        failed_count, success_count, failed = import_findings(
            self.securityhub_backend, findings, self.current_account, self.region
        )
        return json.dumps(
            {"FailedCount": failed_count, "SuccessCount": success_count, "FailedFindings": failed}
        )

    def get_findings(self) -> str:
        self._require_hub()
        params: dict[str, Any] = json.loads(self.body or "{}")
        size = int(params.get("MaxResults") or PAGE)
        if not 1 <= size <= PAGE:
            raise invalid_input("MaxResults must be a number between 1 and 100")
        chosen = filtered(
            [f.as_dict() for f in self.securityhub_backend.findings], params.get("Filters")
        )
        start = int(params.get("NextToken") or 0)
        page = chosen[start : start + size]
        answer: dict[str, Any] = {"Findings": page}
        if start + size < len(chosen):
            answer["NextToken"] = str(start + size)
        return json.dumps(answer)
