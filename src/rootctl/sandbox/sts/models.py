"""``AssumeRoot`` (spec §2): validating a request, deciding whether the caller gets a root
session, and issuing it.

Order of checks: model validation (every "N validation errors" at once) → target and task
validation, all before authorization → root-user credentials refused → the caller's identity
policy → caller is management or IAM delegate → target is an active member → IAM trusted
access → the task's feature. The relative order of the last three is unconfirmed (spec §8.2);
see docs/sandbox.md.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from moto.iam.models import iam_backends

from .. import identity
from ..callers import Caller
from ..keys import KEYS
from ..models import CLOCK, RootSession, account_state
from ..organizations import IAM_SERVICE_PRINCIPAL, SandboxOrganizationsBackend, organization_of
from ..policies import TASK_FEATURE, TASK_POLICY_PREFIX, task_name
from .exceptions import (
    AssumeRootDenied,
    FeatureNotEnabled,
    InvalidTargetPrincipal,
    InvalidTaskPolicy,
    ModelValidationError,
    TrustedAccessNotEnabled,
)

MAX_DURATION = 900
_TARGET = re.compile(r"^(?:(\d{12})|arn:aws:iam::(\d{12}):root)$")


def _null(member: str) -> str:
    return f"Value null at '{member}' failed to satisfy constraint: Member must not be null"


def _duration_problem(text: str) -> str | None:
    """What is wrong with ``DurationSeconds`` by the model (0–900), if anything."""
    prefix = f"Value '{text}' at 'durationSeconds' failed to satisfy constraint: Member must"
    try:
        duration = int(text)
    except ValueError:
        return f"{prefix} be a number"
    if duration > MAX_DURATION:
        return f"{prefix} have value less than or equal to {MAX_DURATION}"
    if duration < 0:
        return f"{prefix} have value greater than or equal to 0"
    return None


@dataclass(frozen=True)
class AssumeRootRequest:
    """A validated request: the target account, the task policy's name, the duration."""

    target_account: str
    task: str
    duration: int = MAX_DURATION

    @property
    def target_arn(self) -> str:
        return f"arn:aws:iam::{self.target_account}:root"

    @property
    def task_policy_arn(self) -> str:
        return TASK_POLICY_PREFIX + self.task

    @classmethod
    def parse(
        cls, target: str | None, task_policy_arn: str | None, duration: str | None
    ) -> AssumeRootRequest:
        """Validate the wire parameters (spec §2.5), before any authorization."""
        required = (("targetPrincipal", target), ("taskPolicyArn", task_policy_arn))
        problems = [_null(member) for member, value in required if value is None]
        duration_problem = _duration_problem(duration) if duration is not None else None
        if duration_problem is not None:
            problems.append(duration_problem)
        if problems:
            raise ModelValidationError(problems)
        match = _TARGET.match(str(target))
        if match is None:
            raise InvalidTargetPrincipal()
        arn = str(task_policy_arn)
        task = task_name(arn) if arn.startswith("arn:aws:iam::aws:policy/") else None
        if task is None:
            raise InvalidTaskPolicy()
        account = match.group(1) or match.group(2)
        return cls(account, task, MAX_DURATION if duration is None else int(duration))


def _eligible(caller: Caller, request: AssumeRootRequest) -> SandboxOrganizationsBackend | None:
    """The caller's organization, if the checks that all answer with the same AccessDenied
    pass: an IAM principal (not root) whose identity policy allows the call, in the management
    or IAM delegate account, on an active member account."""
    if not caller.is_iam_principal:
        return None  # root user credentials cannot call AssumeRoot
    keys = {"sts:TaskPolicyArn": request.task_policy_arn}
    if not identity.evaluate_identity(caller, "sts:AssumeRoot", request.target_arn, keys).allowed:
        return None
    org = organization_of(caller.account_id)
    if org is None:
        return None
    # Revocations reach AssumeRoot only after the propagation delay (0 by default).
    state = account_state(org.account_id)
    delegate_lingers = state.lingers(f"delegate:{caller.account_id}")
    if not (org.administers_iam(caller.account_id) or delegate_lingers):
        return None
    member = org.find_account(request.target_account)
    if member is None or member.id == org.account_id or member.status != "ACTIVE":
        return None
    return org


def _authorize(caller: Caller, request: AssumeRootRequest) -> None:
    """Raise unless ``caller`` may open this root session now."""
    org = _eligible(caller, request)
    if org is None:
        raise AssumeRootDenied(caller.arn, request.target_account)
    state = account_state(org.account_id)
    if not (org.service_enabled(IAM_SERVICE_PRINCIPAL) or state.lingers("trusted-access")):
        raise TrustedAccessNotEnabled()
    feature = TASK_FEATURE[request.task]
    if not (feature in state.features or state.lingers(f"feature:{feature}")):
        raise FeatureNotEnabled(feature)


def _new_session_token() -> str:
    # Opaque and unguessable; the sandbox keeps it to recognise forgeries.
    return "IQoJb3JpZ2luX2VjE" + base64.b64encode(secrets.token_bytes(270)).decode()


def _new_secret() -> str:
    """40 characters of base64's alphabet, from one read of the system's random source."""
    return base64.b64encode(secrets.token_bytes(30)).decode()


def _issue(caller: Caller, request: AssumeRootRequest) -> RootSession:
    """An ``ASIA…`` key minted in the *target* account, so later calls land there."""
    target = request.target_account
    key = iam_backends[target]["global"].create_temp_access_key()
    key.secret_access_key = _new_secret()
    issued = CLOCK.now().replace(microsecond=0)
    session = RootSession(
        access_key_id=key.access_key_id,
        secret_access_key=key.secret_access_key,
        session_token=_new_session_token(),
        account_id=target,
        task_policy=request.task,
        issued_at=issued,
        expires_at=issued + timedelta(seconds=request.duration),
        caller_arn=caller.arn,
        caller_account=caller.account_id,
    )
    state = account_state(target)
    with state.lock:
        state.sessions[session.access_key_id] = session
    KEYS.register(session.access_key_id, target)
    return session


def assume_root(caller: Caller, request: AssumeRootRequest) -> RootSession:
    """Open a root session for ``caller`` as ``request`` asks, or raise why not."""
    _authorize(caller, request)
    return _issue(caller, request)
