"""STS on the wire: ``AssumeRoot`` (logic in ``models.py``) and ``GetCallerIdentity`` for root
sessions; everything else is moto's STS."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from moto.core.responses import ActionResult
from moto.sts.responses import TokenResponse

from ..cloudtrail.events import console_expiration
from ..cloudtrail.recorder import RESPONSE_ELEMENTS
from ..gate import GatedResponse
from . import source_identity
from .exceptions import InvalidSourceIdentity, UnknownOperation
from .models import AssumeRootRequest, assume_root

_SCOPE_REGION = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/sts/")


def is_global_endpoint(resp: Any) -> bool:
    """Was the request made for ``sts.amazonaws.com`` rather than a Regional endpoint?

    In-process the URL says so. Over HTTP with an endpoint override the host is the sandbox's,
    so the client's intent shows in the Host header (behind a proxy) or in the SigV4 credential
    scope: botocore signs for region ``aws-global`` exactly when it targets the global endpoint.
    """
    host = (urlparse(resp.uri).hostname or "").lower()
    header_host = str(resp.headers.get("Host", "")).split(":")[0].lower()
    if "sts.amazonaws.com" in (host, header_host):
        return True
    match = _SCOPE_REGION.search(str(resp.headers.get("Authorization", "")))
    return match is not None and match.group(1) == "aws-global"


class SandboxTokenResponse(GatedResponse, TokenResponse):
    gated_service = "sts"

    def get_caller_identity(self) -> ActionResult:
        caller = self.caller
        if caller.is_root:
            account = caller.account_id
            return ActionResult(
                {"UserId": account, "Account": account, "Arn": f"arn:aws:iam::{account}:root"}
            )
        return super().get_caller_identity()

    def assume_root(self) -> ActionResult:
        if is_global_endpoint(self):
            raise UnknownOperation()
        request = AssumeRootRequest.parse(
            self.querystring.get("TargetPrincipal", [None])[0],
            self.querystring.get("TaskPolicyArn.arn", [None])[0],
            self.querystring.get("DurationSeconds", [None])[0],
        )
        caller = self.caller
        session = assume_root(caller, request)
        credentials = {
            "AccessKeyId": session.access_key_id,
            "SecretAccessKey": session.secret_access_key,
            "SessionToken": session.session_token,
            "Expiration": session.expires_at,
        }
        result: dict[str, Any] = {"Credentials": credentials}
        # The caller's source identity, if its session carries one, is propagated (spec §2.2).
        source = source_identity.of(caller.account_id, caller.access_key_id)
        trail: dict[str, Any] = {
            "credentials": {
                "accessKeyId": session.access_key_id,
                "sessionToken": session.session_token,
                "expiration": console_expiration(session.expires_at),
            }
        }
        if source:
            result["SourceIdentity"] = source
            trail["sourceIdentity"] = source
        setattr(self, RESPONSE_ELEMENTS, trail)
        return ActionResult(result)

    def assume_role(self) -> ActionResult:
        given = self._get_param("SourceIdentity")
        if given is not None and not source_identity.VALID.match(str(given)):
            raise InvalidSourceIdentity()
        result: ActionResult = super().assume_role()
        body: dict[str, Any] = result.result  # type: ignore[assignment]
        if given:
            role = body["Credentials"]
            source_identity.remember(role.account_id, role.access_key_id, str(given))
            body["SourceIdentity"] = str(given)
        return result
