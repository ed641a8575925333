"""STS: ``AssumeRoot`` (spec §2) and ``GetCallerIdentity`` for root sessions.

Order of checks: regional endpoint → model validation (all "N validation errors" at once) →
target/task validation → caller's identity policy → caller is management or IAM delegate →
target is an active member → IAM trusted access → the task's feature. The relative order of the
last three is unconfirmed (spec §8.2); see docs/sandbox.md.
"""

from __future__ import annotations

import base64
import re
import secrets
import string
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

from moto.core.responses import ActionResult
from moto.iam.models import iam_backends
from moto.sts.responses import TokenResponse

from . import gate, identity
from .exceptions import SandboxError, sts_error
from .keys import KEYS
from .models import CLOCK, RootSession, account_state
from .organizations import IAM_SERVICE_PRINCIPAL, organization_of
from .policies import ROOT_CREDENTIALS_MANAGEMENT, TASK_FEATURE, Decision, task_name

_TARGET = re.compile(r"^(?:(\d{12})|arn:aws:iam::(\d{12}):root)$")
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"
MAX_DURATION = 900
FEATURE_MESSAGES = {
    ROOT_CREDENTIALS_MANAGEMENT: "Root credentials management feature is not enabled for your "
    "AWS Organization.",
    "RootSessions": "Root sessions feature is not enabled for your AWS Organization.",
}


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
    authorization = str(resp.headers.get("Authorization", ""))
    match = re.search(r"Credential=[^/]+/\d{8}/([^/]+)/sts/", authorization)
    return match is not None and match.group(1) == "aws-global"


def new_session_token() -> str:
    # Opaque and unguessable; the sandbox keeps it to recognise forgeries.
    return "IQoJb3JpZ2luX2VjE" + base64.b64encode(secrets.token_bytes(270)).decode()


def new_secret() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


class SandboxTokenResponse(TokenResponse):
    def call_action(self) -> Any:
        try:
            gate.run(self, "sts", self._get_action())
        except SandboxError as error:
            return error.as_response()
        return super().call_action()

    def get_caller_identity(self) -> ActionResult:
        caller = gate.caller_of(self)
        if caller is not None and caller.is_root:
            account = caller.account_id
            return ActionResult(
                {"UserId": account, "Account": account, "Arn": f"arn:aws:iam::{account}:root"}
            )
        return super().get_caller_identity()

    def _validate(self) -> tuple[str, str, int]:
        """Validation before authorization (spec §2.5): (target account, task name, duration)."""
        target = self.querystring.get("TargetPrincipal", [None])[0]
        arn = self.querystring.get("TaskPolicyArn.arn", [None])[0]
        duration_text = self.querystring.get("DurationSeconds", [None])[0]
        problems: list[str] = []
        if target is None:
            problems.append(
                "Value null at 'targetPrincipal' failed to satisfy constraint: "
                "Member must not be null"
            )
        if arn is None:
            problems.append(
                "Value null at 'taskPolicyArn' failed to satisfy constraint: "
                "Member must not be null"
            )
        duration = MAX_DURATION
        if duration_text is not None:
            try:
                duration = int(duration_text)
            except ValueError:
                problems.append(
                    f"Value '{duration_text}' at 'durationSeconds' failed to satisfy "
                    "constraint: Member must be a number"
                )
            else:
                if duration > MAX_DURATION:
                    problems.append(
                        f"Value '{duration}' at 'durationSeconds' failed to satisfy constraint: "
                        f"Member must have value less than or equal to {MAX_DURATION}"
                    )
                elif duration < 0:
                    problems.append(
                        f"Value '{duration}' at 'durationSeconds' failed to satisfy constraint: "
                        "Member must have value greater than or equal to 0"
                    )
        if problems:
            count = len(problems)
            noun = "error" if count == 1 else "errors"
            raise sts_error(
                400,
                "ValidationError",
                f"{count} validation {noun} detected: " + "; ".join(problems),
            )
        match = _TARGET.match(str(target))
        if match is None:
            raise sts_error(400, "ValidationError", "Request must contain a valid target principal")
        task = task_name(str(arn)) if str(arn).startswith("arn:aws:iam::aws:policy/") else None
        if task is None:
            raise sts_error(
                400, "ValidationError", "Request must contain valid AWS managed task policy ARN"
            )
        return match.group(1) or match.group(2), task, duration

    def assume_root(self) -> ActionResult:
        if is_global_endpoint(self):
            raise sts_error(400, "InvalidAction", "Unknown Operation")
        target, task, duration = self._validate()
        caller = gate.caller_of(self)
        assert caller is not None
        target_arn = f"arn:aws:iam::{target}:root"
        denied = sts_error(
            403,
            "AccessDenied",
            f"User: {caller.arn} is not authorized to perform: sts:AssumeRoot on resource: "
            f"{target_arn}",
        )
        if not caller.is_iam_principal:
            raise denied  # root user credentials cannot call AssumeRoot
        task_arn = f"arn:aws:iam::aws:policy/root-task/{task}"
        keys = {"sts:TaskPolicyArn": task_arn}
        if identity.decide(caller, "sts:AssumeRoot", target_arn, keys) is not Decision.ALLOW:
            raise denied
        org = organization_of(caller.account_id)
        if org is None:
            raise denied
        management = org.account_id
        if caller.account_id != management and caller.account_id not in org.delegates(
            IAM_SERVICE_PRINCIPAL
        ):
            raise denied
        member = org.find_account(target)
        if member is None or target == management or member.status != "ACTIVE":
            raise denied
        if not org.service_enabled(IAM_SERVICE_PRINCIPAL):
            raise sts_error(403, "AccessDenied", "Service not enabled for AWS Organizations.")
        feature = TASK_FEATURE[task]
        if feature not in account_state(management).features:
            raise sts_error(403, "AccessDenied", FEATURE_MESSAGES[feature])
        return ActionResult({"Credentials": self._mint(caller, target, task, duration)})

    def _mint(self, caller: gate.Caller, target: str, task: str, duration: int) -> dict[str, Any]:
        """An ``ASIA…`` key minted in the *target* account, so later calls land there."""
        key = iam_backends[target]["global"].create_temp_access_key()
        secret = new_secret()
        key.secret_access_key = secret
        issued = CLOCK.now().replace(microsecond=0)
        session = RootSession(
            access_key_id=key.access_key_id,
            secret_access_key=secret,
            session_token=new_session_token(),
            account_id=target,
            task_policy=task,
            issued_at=issued,
            expires_at=issued + timedelta(seconds=duration),
            caller_arn=caller.arn,
            caller_account=caller.account_id,
        )
        state = account_state(target)
        with state.lock:
            state.sessions[session.access_key_id] = session
        KEYS.register(session.access_key_id, target)
        return {
            "AccessKeyId": session.access_key_id,
            "SecretAccessKey": session.secret_access_key,
            "SessionToken": session.session_token,
            "Expiration": session.expires_at,
        }
