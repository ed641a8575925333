"""Who is behind a request: an IAM user or role session, the root user's own keys, a root
session AssumeRoot issued, moto's default principal (unknown keys), or nobody valid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moto.iam.models import iam_backends

from .keys import decode_account
from .models import CLOCK, RootAccessKey, RootSession, peek_account_state


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


def iam_key(account_id: str, access_key_id: str) -> tuple[Any, Any] | None:
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


def _root_caller(account_id: str, access_key_id: str, token: str | None) -> Caller | None:
    """A root session the sandbox issued, or the root user's own long-term key."""
    state = peek_account_state(account_id)
    if state is None:
        return None
    session = state.sessions.get(access_key_id)
    if session is not None:
        problem = None
        if token != session.session_token:
            problem = "forged"
        elif CLOCK.now() >= session.expires_at:
            problem = "expired"
        return Caller(
            "root-session", account_id, session.arn, access_key_id, session=session, problem=problem
        )
    root = state.root
    root_key = root.key(access_key_id) if root is not None else None
    if root is None or root_key is None:
        return None
    problem = None if root_key.status == "Active" else "inactive"
    return Caller("root", account_id, root.arn, access_key_id, root_key=root_key, problem=problem)


def _iam_caller(account_id: str, access_key_id: str) -> Caller | None:
    """An IAM user's key, or a role session moto's AssumeRole issued."""
    found = iam_key(account_id, access_key_id)
    if found is None:
        return None
    backend, key = found
    if key.user_name:
        user = backend.users.get(key.user_name)
        arn = user.arn if user is not None else f"arn:aws:iam::{account_id}:user/{key.user_name}"
        problem = None if key.status == "Active" else "inactive"
        return Caller("user", account_id, arn, access_key_id, key.user_name, problem=problem)
    if key.role_arn:
        arn = _assumed_role_arn(account_id, access_key_id, key.role_arn)
        return Caller("role", account_id, arn, access_key_id, role_arn=key.role_arn)
    # A temporary key we minted whose session is gone (e.g. after a reset).
    return Caller("invalid", account_id, "", access_key_id, problem="forged")


def resolve_caller(account_id: str, access_key_id: str, session_token: str | None) -> Caller:
    """Identify the caller from the (already resolved) account and the request's keys."""
    found = _root_caller(account_id, access_key_id, session_token) or _iam_caller(
        account_id, access_key_id
    )
    if found is not None:
        return found
    if access_key_id.startswith("ASIA") or decode_account(access_key_id) is not None:
        # Temporary credentials nobody issued, or a key in the minted format that no account
        # holds (deleted, or from an organization since replaced): refused like AWS does.
        return Caller("invalid", account_id, "", access_key_id, problem="forged")
    # Unknown long-term keys (``testing``, ``FOOBARKEY``…) act like moto's default principal.
    return Caller("unknown", account_id, f"arn:aws:sts::{account_id}:user/moto", access_key_id)
