"""The per-request gate every sandboxed request passes before moto handles it.

In order: who is calling (``callers.py``) → injected latency → forged / expired / inactive
credentials → opt-in Regions the account has not enabled (``regions.py``) → injected
throttling and 5xx → the organization's service control policies along
the caller's path (``organizations/scps.py``) → SCP-like denials → the root session's task
policy as a deny-only ceiling (spec §3) → the Deny statements of the target bucket's or
queue's resource policy. Errors come out in the protocol's dialect. The caller is left on the
response object for the handlers.
"""

from __future__ import annotations

import contextlib
import copy
import time
from typing import Any, ClassVar

import moto.core.responses
from moto.core.responses import BaseResponse

from .caches import BoundedCache
from .callers import Caller, resolve_caller
from .cloudtrail.recorder import record_call
from .exceptions import (
    SandboxError,
    access_denied,
    dialect_for,
    expired_token,
    invalid_token,
    not_emulated,
    protocol_dialect,
    server_error,
    throttled,
)
from .faults import FAULTS
from .models import CLOCK, peek_account_state
from .organizations import organization_of, scps
from .policies import task_policy
from .policyeval import MalformedPolicy, Policy, PolicyType, Request, evaluate
from .regions import REGIONS
from .resources import ROOT_POLICY_EXEMPT, Target, target_of

CALLER_ATTRIBUTE = "sandbox_caller"
_PARAMETERS = BoundedCache[tuple[str, bytes], Any](1024)
SANDBOXED_SERVICES = frozenset(
    {"iam", "sts", "s3", "sqs", "organizations", "securityhub", "cloudtrail"}
)


def _request(caller: Caller, action: str, target: Target, region: str) -> Request:
    keys: dict[str, str] = {"aws:RequestedRegion": region, "aws:SecureTransport": "true"}
    if target.account_id:
        keys["aws:ResourceAccount"] = target.account_id
    if caller.session is not None:
        keys["aws:AssumedRoot"] = "true"
    if caller.role_arn:
        keys["aws:PrincipalArn"] = caller.role_arn  # a role session's is its role's ARN
    org = organization_of(caller.account_id)
    if org is not None:
        keys["aws:PrincipalOrgID"] = org.organization.id
    return Request(action, target.arn, caller.arn, caller.account_id, keys)


def _request_token(resp: Any) -> str | None:
    header = resp.headers.get("X-Amz-Security-Token")
    if header:
        return str(header)
    values = resp.querystring.get("X-Amz-Security-Token")
    return str(values[0]) if values else None


def _check_credentials(caller: Caller, service: str, dialect: str) -> None:
    if caller.problem == "expired":
        raise expired_token(service, dialect)
    if caller.problem is not None:
        raise invalid_token(service, dialect)


def policies_for(caller: Caller, target: Target, action: str) -> list[Policy]:
    """What binds this request besides the caller's identity: SCP-like rules of the caller's
    account, RCP-like rules of the resource's account, the root session's task policy, the
    resource's own policy (which the owning account's root may always override for its
    policy actions)."""
    task = caller.session.task_policy if caller.session is not None else None
    policies = FAULTS.scp_policies(caller.account_id, task)
    if target.account_id:
        policies += FAULTS.rcp_policies(target.account_id)
    if task is not None:
        policies.append(task_policy(task))
    exempt = (
        caller.is_root and target.account_id == caller.account_id and action in ROOT_POLICY_EXEMPT
    )
    if target.policy and not exempt:
        # moto validated it when it was stored: an unreadable one denies nothing.
        with contextlib.suppress(MalformedPolicy):
            resource_policy = Policy.of(PolicyType.RESOURCE, target.policy, target.arn)
            policies.append(resource_policy)
    return policies


def run(resp: Any, service: str, action_name: str, resource: str | None = None) -> Caller:
    """Check one request; raise ``SandboxError`` to refuse it. Returns the caller."""
    dialect = dialect_for(service, resp.headers.get("Content-Type"))
    action = f"{service}:{action_name}"
    caller = resolve_caller(resp.current_account, resp.get_access_key(), _request_token(resp))
    setattr(resp, CALLER_ATTRIBUTE, caller)

    decision = FAULTS.decide(action)
    if decision.delay_s:
        time.sleep(decision.delay_s)
    _check_credentials(caller, service, dialect)
    if REGIONS.refuses(caller.account_id, service, resp.region):
        raise invalid_token(service, dialect)  # an opt-in Region the account has not enabled
    if decision.throttle:
        raise throttled(service, dialect)
    if decision.error:
        raise server_error(service, dialect)
    if service == "sts" and action_name == "GetCallerIdentity":
        return caller  # never subject to authorization, in AWS either

    target = target_of(resp, service, action_name, caller.account_id, resource)
    request = _request(caller, action, target, resp.region)
    # The organization's SCPs first: AWS names them when several policy types deny.
    outcome = scps.refusal(caller.account_id, request)
    if outcome is None:
        policies = policies_for(caller, target, action)
        outcome = evaluate(request, policies, identity_required=False) if policies else None
    if outcome is not None and not outcome.allowed:
        message = outcome.message(request, quote_resource=service == "s3")
        raise access_denied(service, dialect, message)
    if caller.root_key is not None:
        key = caller.root_key
        key.last_used_at = CLOCK.now()
        key.last_used_service = service
        key.last_used_region = resp.region
    return caller


def foreign(resp: Any) -> None:
    """Any other moto service (EC2, Lambda …): the SCPs of a member account bind its
    principals, and statement 1 of every task policy denies these services to root sessions.
    Everyone else passes untouched (dict lookups)."""
    account = resp.current_account
    state = peek_account_state(account)
    access_key_id = resp.get_access_key()
    in_session = state is not None and access_key_id in state.sessions
    if not in_session and not scps.binds(account):
        return
    caller = resolve_caller(account, access_key_id, _request_token(resp))
    service = resp.boto3_service_name or str(resp.service_name)
    dialect = protocol_dialect(service)
    _check_credentials(caller, service, dialect)
    try:
        action = f"{service}:{resp._get_action() or '*'}"
    except Exception:
        action = f"{service}:*"
    request = _request(caller, action, Target("*", account), resp.region)
    outcome = scps.refusal(caller.account_id, request)
    if outcome is None:
        task = caller.session.task_policy if caller.session is not None else None
        outcome = evaluate(request, [task_policy(task)] if task else [], identity_required=False)
    if not outcome.allowed:
        raise access_denied(service, dialect, outcome.message(request))


def caller_of(resp: Any) -> Caller | None:
    found: Caller | None = getattr(resp, CALLER_ATTRIBUTE, None)
    return found


class GatedResponse(BaseResponse):  # moto is untyped: BaseResponse is Any
    """A moto response class whose every request passes the gate before its handler runs;
    put it first among the bases (``class X(GatedResponse, IamResponse)``). Errors of the gate
    and of the handlers come out as the sandbox's wire errors."""

    gated_service: ClassVar[str]

    def after_gate(self) -> None:
        """Further checks of the service, once the caller is known."""

    def parse_parameters(self, request: Any) -> None:
        # The same form body always parses to the same parameters (moto walks the operation's
        # input model for them): reuse them for the bodies SDKs send again and again.
        body = getattr(request, "form_body", None)
        if body is None:
            super().parse_parameters(request)
            return
        key = (self.gated_service, body)
        cached = _PARAMETERS.get(key)
        if cached is None:
            super().parse_parameters(request)
            cached = _PARAMETERS.put(key, copy.deepcopy(self.params))
        self.params = copy.deepcopy(cached)

    def get_access_key(self) -> str:
        # moto parses the Authorization header for it several times a request.
        found: str | None = self.__dict__.get("_sandbox_access_key")
        if found is None:
            found = str(super().get_access_key())
            self.__dict__["_sandbox_access_key"] = found
        return found

    def call_action(self) -> Any:
        action = self._get_action()
        try:
            run(self, self.gated_service, action)
            self.after_gate()
            handlers = vars(moto.core.responses)["method_names_from_class"](type(self))
            handler_name = vars(moto.core.responses)["camelcase_to_underscores"](action)
            if action and handler_name not in handlers:
                dialect = dialect_for(self.gated_service, self.headers.get("Content-Type"))
                raise not_emulated(self.gated_service, dialect, action)
            outcome = super().call_action()
        except SandboxError as error:
            outcome = error.as_response()
        # CloudTrail: every call, allowed or refused, once its answer is known.
        record_call(self, caller_of(self), self.gated_service, action, outcome)
        return outcome

    @property
    def caller(self) -> Caller:
        """The caller the gate identified (handlers run only after it)."""
        found = caller_of(self)
        if found is None:
            raise RuntimeError(f"{type(self).__name__}: a handler ran before the gate")
        return found


__all__ = ["Caller", "GatedResponse", "SandboxError", "caller_of", "resolve_caller", "run"]
