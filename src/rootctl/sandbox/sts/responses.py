"""STS on the wire: ``AssumeRoot`` (logic in ``models.py``) and ``GetCallerIdentity`` for root
sessions; everything else is moto's STS."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from moto.core.responses import ActionResult
from moto.sts.responses import TokenResponse

from ..gate import GatedResponse
from .exceptions import UnknownOperation
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
        session = assume_root(self.caller, request)
        credentials = {
            "AccessKeyId": session.access_key_id,
            "SecretAccessKey": session.secret_access_key,
            "SessionToken": session.session_token,
            "Expiration": session.expires_at,
        }
        return ActionResult({"Credentials": credentials})
