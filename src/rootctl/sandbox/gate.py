"""The per-request gate every sandboxed request passes before moto handles it.

In order: who is calling (IAM user or role, root user, root session, or an unknown key) →
injected latency → forged / expired / inactive credentials → injected throttling and 5xx →
SCP-like denials → the root session's task policy as a deny-only ceiling (spec §3) → the Deny
statements of the target bucket's or queue's resource policy. Errors come out in the
protocol's dialect. The caller is left on the response object for the handlers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from moto.iam.models import iam_backends

from .exceptions import (
    SandboxError,
    access_denied,
    dialect_for,
    expired_token,
    invalid_token,
    protocol_dialect,
    server_error,
    throttled,
)
from .faults import FAULTS
from .keys import decode_account
from .models import CLOCK, RootAccessKey, RootSession, peek_account_state
from .policies import RequestContext, denies, task_policy_document

CALLER_ATTRIBUTE = "sandbox_caller"


@dataclass(frozen=True)
class Caller:
    """The principal behind a request."""

    kind: str  # "user" | "role" | "root" | "root-session" | "unknown" | "invalid"
    account_id: str
    arn: str
    access_key_id: str
    user_name: str | None = None
    role_arn: str | None = None
    session: RootSession | None = None
    root_key: RootAccessKey | None = None
    problem: str | None = None  # "forged" | "expired" | "inactive"

    @property
    def is_root(self) -> bool:
        return self.kind in ("root", "root-session")

    @property
    def is_iam_principal(self) -> bool:
        return self.kind in ("user", "role", "unknown")


def _iam_key(account_id: str, access_key_id: str) -> tuple[Any, Any] | None:
    """(IAM backend, moto AccessKey) for a key of ``account_id``, without creating backends."""
    per_account = dict.get(iam_backends, account_id)
    if per_account is None:
        return None
    for backend in list(per_account.values()):
        key = backend.access_keys.get(access_key_id)
        if key is not None:
            return backend, key
    return None


def _assumed_role_arn(account_id: str, access_key_id: str, role_arn: str) -> str:
    """The ``assumed-role/<role>/<session>`` ARN of a moto AssumeRole key. moto keeps the
    session in the *caller's* STS backend: look in the role's account first, then the others
    (only role sessions pay for this)."""
    from moto.sts.models import sts_backends

    first = dict.get(sts_backends, account_id)
    candidates = [first] if first is not None else []
    candidates += [b for a, b in list(sts_backends.items()) if a != account_id]
    for per_account in candidates:
        for backend in list(per_account.values()):
            assumed = backend.get_assumed_role_from_access_key(access_key_id)
            if assumed is not None:
                return str(assumed.arn)
    return f"arn:aws:sts::{account_id}:assumed-role/{role_arn.rsplit('/', 1)[-1]}/unknown"


def resolve_caller(account_id: str, access_key_id: str, session_token: str | None) -> Caller:
    """Identify the caller from the (already resolved) account and the request's keys."""
    state = peek_account_state(account_id)
    if state is not None:
        session = state.sessions.get(access_key_id)
        if session is not None:
            problem = None
            if session_token != session.session_token:
                problem = "forged"
            elif CLOCK.now() >= session.expires_at:
                problem = "expired"
            return Caller(
                "root-session",
                account_id,
                session.arn,
                access_key_id,
                session=session,
                problem=problem,
            )
        root = state.root
        root_key = root.key(access_key_id) if root is not None else None
        if root is not None and root_key is not None:
            return Caller(
                "root",
                account_id,
                root.arn,
                access_key_id,
                root_key=root_key,
                problem=None if root_key.status == "Active" else "inactive",
            )
    found = _iam_key(account_id, access_key_id)
    if found is not None:
        backend, key = found
        problem = None if key.status == "Active" else "inactive"
        if key.user_name:
            user = backend.users.get(key.user_name)
            arn = (
                user.arn if user is not None else f"arn:aws:iam::{account_id}:user/{key.user_name}"
            )
            return Caller("user", account_id, arn, access_key_id, key.user_name, problem=problem)
        if key.role_arn:
            arn = _assumed_role_arn(account_id, access_key_id, key.role_arn)
            return Caller("role", account_id, arn, access_key_id, role_arn=key.role_arn)
        # A temporary key we minted whose session is gone (e.g. after a reset).
        return Caller("invalid", account_id, "", access_key_id, problem="forged")
    if access_key_id.startswith("ASIA") or decode_account(access_key_id) is not None:
        # Temporary credentials nobody issued, or a key in the minted format that no account
        # holds (deleted, or from an organization since replaced): refused like AWS does.
        return Caller("invalid", account_id, "", access_key_id, problem="forged")
    # Unknown long-term keys (``testing``, ``FOOBARKEY``…) act like moto's default principal.
    return Caller("unknown", account_id, f"arn:aws:sts::{account_id}:user/moto", access_key_id)


# --- resources and condition keys ------------------------------------------------------------

_ROOT_SCOPED_IAM = {
    "GetUser",
    "GetLoginProfile",
    "CreateLoginProfile",
    "DeleteLoginProfile",
    "UpdateLoginProfile",
    "ListAccessKeys",
    "CreateAccessKey",
    "ListSigningCertificates",
    "UploadSigningCertificate",
    "DeleteSigningCertificate",
    "ListMFADevices",
    "DeactivateMFADevice",
    "EnableMFADevice",
    "ResyncMFADevice",
}


def iam_resource(resp: Any, action: str, account_id: str) -> str:
    """The resource an IAM call acts on, as IAM's authorization sees it."""
    user_name = resp._get_param("UserName")
    if user_name:
        return f"arn:aws:iam::{account_id}:user/{user_name}"
    if action in ("GetAccessKeyLastUsed", "DeleteAccessKey", "UpdateAccessKey"):
        found = _iam_key(account_id, resp._get_param("AccessKeyId") or "")
        if found is not None and found[1].user_name:
            return f"arn:aws:iam::{account_id}:user/{found[1].user_name}"
        return f"arn:aws:iam::{account_id}:root"
    if action == "DeleteVirtualMFADevice":
        return str(resp._get_param("SerialNumber") or "*")
    if action in _ROOT_SCOPED_IAM:
        return f"arn:aws:iam::{account_id}:root"
    return "*"


def queue_coordinates(resp: Any) -> tuple[str, str] | None:
    """(owner account, queue name) of the queue an SQS call names, if it names one."""
    url = resp._get_param("QueueUrl")
    if url:
        parts = [p for p in urlparse(url).path.split("/") if p]
        if len(parts) >= 2 and parts[-2].isdigit():
            return parts[-2], parts[-1]
        return None
    name = resp._get_param("QueueName")
    if name and resp._get_action() == "GetQueueUrl":
        owner = resp._get_param("QueueOwnerAWSAccountId") or resp.current_account
        return str(owner), str(name)
    return None


def _context(
    caller: Caller, action: str, resource: str, resource_account: str | None, region: str
) -> RequestContext:
    keys: dict[str, str] = {"aws:RequestedRegion": region, "aws:SecureTransport": "true"}
    if resource_account:
        keys["aws:ResourceAccount"] = resource_account
    if caller.session is not None:
        keys["aws:AssumedRoot"] = "true"
    return RequestContext(action, resource, caller.arn, caller.account_id, keys)


def denial_message(caller: Caller, action: str, resource: str, why: str, service: str) -> str:
    shown = f'"{resource}"' if service == "s3" else resource
    return f"User: {caller.arn} is not authorized to perform: {action} on resource: {shown} {why}"


# Root can always manage the policy of its own bucket / queue, whatever that policy says
# (S3 API reference; the SQS equivalent is assumed — see docs/sandbox.md).
_ROOT_POLICY_EXEMPT = {
    "s3:GetBucketPolicy",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "sqs:GetQueueAttributes",
    "sqs:SetQueueAttributes",
    "sqs:GetQueueUrl",
}


def _bucket_policy(account_id: str, bucket_name: str) -> tuple[str, str] | None:
    from moto.s3.models import s3_backends

    located = s3_backends.bucket_accounts.get(bucket_name)
    if located is None:
        return None
    partition, owner = located
    bucket = s3_backends[owner][partition].buckets.get(bucket_name)
    if bucket is None or not bucket.policy:
        return (owner, "") if bucket is not None else None
    policy = bucket.policy.decode() if isinstance(bucket.policy, bytes) else str(bucket.policy)
    return owner, policy


def _queue_policy(owner: str, name: str, region: str) -> str | None:
    from moto.sqs.models import sqs_backends

    per_account = dict.get(sqs_backends, owner)
    if per_account is None or not dict.__contains__(per_account, region):
        return None
    queue = per_account[region].queues.get(name)
    policy = queue.policy if queue is not None else None
    return str(policy) if policy else None


# --- the gate ------------------------------------------------------------------------------


def run(resp: Any, service: str, action_name: str, resource: str | None = None) -> Caller:
    """Check one request; raise ``SandboxError`` to refuse it. Returns the caller."""
    dialect = dialect_for(service, resp.headers.get("Content-Type"))
    action = f"{service}:{action_name}"
    token = resp.headers.get("X-Amz-Security-Token") or _query_token(resp)
    caller = resolve_caller(resp.current_account, resp.get_access_key(), token)
    setattr(resp, CALLER_ATTRIBUTE, caller)

    decision = FAULTS.decide(action)
    if decision.delay_s:
        time.sleep(decision.delay_s)
    if caller.problem == "expired":
        raise expired_token(service, dialect)
    if caller.problem is not None:
        raise invalid_token(service, dialect)
    if decision.throttle:
        raise throttled(service, dialect)
    if decision.error:
        raise server_error(service, dialect)
    if service == "sts" and action_name == "GetCallerIdentity":
        return caller  # never subject to authorization, in AWS either

    resource_account: str | None = caller.account_id
    queue: tuple[str, str] | None = None
    if resource is None:
        if service == "iam":
            resource = iam_resource(resp, action_name, caller.account_id)
        elif service == "sqs":
            queue = queue_coordinates(resp)
            if queue is not None:
                resource_account = queue[0]
                resource = f"arn:aws:sqs:{resp.region}:{queue[0]}:{queue[1]}"
    resource = resource or "*"

    task = caller.session.task_policy if caller.session is not None else None
    if FAULTS.denied(caller.account_id, action, task):
        why = "with an explicit deny in a service control policy"
        raise access_denied(
            service, dialect, denial_message(caller, action, resource, why, service)
        )

    bucket_policy: tuple[str, str] | None = None
    if service == "s3" and resource.startswith("arn:aws:s3:::"):
        bucket_policy = _bucket_policy(caller.account_id, resource[13:].split("/", 1)[0])
        if bucket_policy is not None:
            resource_account = bucket_policy[0]

    ctx = _context(caller, action, resource, resource_account, resp.region)
    if caller.session is not None and denies(
        [task_policy_document(caller.session.task_policy)], ctx
    ):
        why = "with an explicit deny in a session policy"
        raise access_denied(
            service, dialect, denial_message(caller, action, resource, why, service)
        )

    policy: str | None = None
    owner: str | None = None
    if bucket_policy is not None:
        owner, policy = bucket_policy
    elif queue is not None:
        owner = queue[0]
        policy = _queue_policy(queue[0], queue[1], resp.region)
    if policy:
        exempt = caller.is_root and owner == caller.account_id and action in _ROOT_POLICY_EXEMPT
        if not exempt and denies([policy], ctx, resource_policy=True):
            why = "with an explicit deny in a resource-based policy"
            raise access_denied(
                service, dialect, denial_message(caller, action, resource, why, service)
            )

    if caller.root_key is not None:
        key = caller.root_key
        key.last_used_at = CLOCK.now()
        key.last_used_service = service
        key.last_used_region = resp.region
    return caller


SANDBOXED_SERVICES = frozenset({"iam", "sts", "s3", "sqs", "organizations"})


def foreign(resp: Any) -> None:
    """Any other moto service (EC2, Lambda …): statement 1 of every task policy denies it to
    root sessions. Everyone else passes untouched (a dict lookup)."""
    state = peek_account_state(resp.current_account)
    access_key_id = resp.get_access_key()
    if state is None or access_key_id not in state.sessions:
        return
    token = resp.headers.get("X-Amz-Security-Token") or _query_token(resp)
    caller = resolve_caller(resp.current_account, access_key_id, token)
    service = resp.boto3_service_name or str(resp.service_name)
    dialect = protocol_dialect(service)
    if caller.problem == "expired":
        raise expired_token(service, dialect)
    if caller.problem is not None:
        raise invalid_token(service, dialect)
    try:
        action = f"{service}:{resp._get_action() or '*'}"
    except Exception:
        action = f"{service}:*"
    why = "with an explicit deny in a session policy"
    raise access_denied(service, dialect, denial_message(caller, action, "*", why, service))


def _query_token(resp: Any) -> str | None:
    values = resp.querystring.get("X-Amz-Security-Token")
    return str(values[0]) if values else None


def caller_of(resp: Any) -> Caller | None:
    found: Caller | None = getattr(resp, CALLER_ATTRIBUTE, None)
    return found


__all__ = ["Caller", "SandboxError", "caller_of", "resolve_caller", "run"]
