"""An AssumeRoot session and the root user's operations inside it, as typed records.

The credentials live in memory only, in this object, until the session closes; they are bound
to the threads that use them (:class:`ThreadBoundCredentials`) so a reused client can never
sign with a closed session or another thread's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.credentials import Credentials, ReadOnlyCredentials

from rootctl.aws import root_user
from rootctl.aws.errors import translated
from rootctl.aws.redact import SECRETS
from rootctl.aws.resource_policies import BucketPolicies, PolicyStore, QueuePolicies
from rootctl.models import (
    AccessKey,
    LoginProfile,
    MfaDevice,
    ResourceKind,
    RootCredentials,
    SigningCertificate,
    TaskPolicy,
)

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

    from rootctl.aws.session import AwsSession

T = TypeVar("T")
_READING = threading.local()  # set while a reader thread runs a session's call


class ThreadBoundCredentials(Credentials):
    """Credentials that sign with the root session bound to the calling thread, and refuse to
    sign when none is bound."""

    def __init__(self) -> None:
        super().__init__("unbound", "unbound")
        self._local = threading.local()

    def bind(self, owner: object, frozen: ReadOnlyCredentials) -> bool:
        """Bind ``owner``'s credentials to this thread. Binding over another session is
        refused (False): a nested session then gets clients of its own."""
        if getattr(self._local, "owner", None) is not None:
            return False
        self._local.owner, self._local.frozen = owner, frozen
        return True

    def unbind(self, owner: object) -> None:
        if getattr(self._local, "owner", None) is owner:
            self._local.owner = self._local.frozen = None

    def bound_to(self, owner: object) -> bool:
        return getattr(self._local, "owner", None) is owner

    def get_frozen_credentials(self) -> ReadOnlyCredentials:
        frozen: ReadOnlyCredentials | None = getattr(self._local, "frozen", None)
        if frozen is None:
            raise RuntimeError("no root session is open in this thread")
        return frozen


@dataclass(frozen=True)
class FixedProvider:
    """A botocore credential provider component that always answers ``credentials``."""

    credentials: Credentials

    def load_credentials(self) -> Credentials:
        return self.credentials


class RootSession:
    """One AssumeRoot session on a member account: the root user's credentials (IAM without
    ``UserName``) and the account's resource policies. Never printed: see ``__repr__``."""

    __slots__ = ("_aws", "_clients", "_frozen", "account_id", "expiration", "task")

    def __init__(
        self,
        aws: AwsSession,
        account_id: str,
        task: TaskPolicy,
        access_key_id: str,
        secret_access_key: str,
        session_token: str,
        expiration: datetime | None,
    ) -> None:
        self._aws = aws
        self.account_id = account_id
        self.task = task
        self.expiration = expiration
        self._frozen: ReadOnlyCredentials | None = ReadOnlyCredentials(
            access_key_id, secret_access_key, session_token
        )
        self._clients: dict[tuple[str, str | None], Any] = {}
        aws.root_credentials.bind(self, self._frozen)

    def __repr__(self) -> str:
        return (
            f"RootSession(account_id={self.account_id!r}, task={self.task.value!r}, "
            "credentials=<redacted>)"
        )

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("root sessions cannot be pickled")

    @property
    def task_policy_arn(self) -> str:
        return self.task.arn

    @property
    def access_key_id(self) -> str:
        """The session's access key id: not a secret; CloudTrail records it in the AssumeRoot
        event and in every event of the session (spec §2.8)."""
        return str(self._creds().access_key)

    def export(self) -> tuple[str, str, str]:
        """The session's (access key id, secret access key, session token), for handing to
        another tool (``rootctl exec``, ``credential-process``) and nothing else."""
        creds = self._creds()
        return str(creds.access_key), str(creds.secret_key), str(creds.token)

    # -- clients ----------------------------------------------------------------------------

    def _creds(self) -> ReadOnlyCredentials:
        if self._frozen is None:
            raise RuntimeError("root session already closed")
        return self._frozen

    def _own_client(self, service: str, region: str | None = None) -> Any:
        creds = self._creds()
        key = (service, region)
        if key not in self._clients:
            extra = {"region_name": region} if region else {}
            self._clients[key] = self._aws.client(
                service,
                aws_access_key_id=str(creds.access_key),
                aws_secret_access_key=str(creds.secret_key),
                aws_session_token=str(creds.token),
                **extra,
            )
        return self._clients[key]

    def _client(self, service: str, region: str | None = None) -> Any:
        """The run's shared root client when this thread is bound to this session (the
        worker's and its readers'), else a client of this session's own."""
        self._creds()
        region = None if region in (None, self._aws.region) else region
        if self._aws.root_credentials.bound_to(self):
            return self._aws.root_client(service, region)
        return self._own_client(service, region)

    def _iam(self) -> IAMClient:
        return self._client("iam")  # type: ignore[no-any-return]

    def _s3(self, region: str | None = None) -> S3Client:
        return self._client("s3", region)  # type: ignore[no-any-return]

    def _sqs(self, region: str | None) -> SQSClient:
        return self._client("sqs", region)  # type: ignore[no-any-return]

    def parallel(self, calls: Sequence[Callable[[], Any]]) -> list[Any]:
        """Run independent calls side by side in this session (each reader thread binds the
        session while it works); results in order. Waits for every call before raising the
        first error, so no call outlives the session. Called from a reader thread, the calls
        run in turn: readers waiting on readers could take the whole pool."""
        if not calls:
            return []
        if getattr(_READING, "active", False):
            return [call() for call in calls]
        creds = self._creds()
        futures: list[Future[Any]] = [
            self._aws.readers().submit(self._bound, creds, call) for call in calls[1:]
        ]
        first: list[Any] = []
        error: BaseException | None = None
        try:
            first.append(calls[0]())
        except BaseException as exc:
            error = exc
        rest: list[Any] = []
        for future in futures:
            try:
                rest.append(future.result())
            except BaseException as exc:
                error = error or exc
        if error is not None:
            raise error
        return first + rest

    def _bound(self, creds: ReadOnlyCredentials, call: Callable[[], T]) -> T:
        bound = self._aws.root_credentials.bind(self, creds)
        _READING.active = True
        try:
            return call()
        finally:
            _READING.active = False
            if bound:
                self._aws.root_credentials.unbind(self)

    # -- the root user ------------------------------------------------------------------------

    def login_profile(self) -> LoginProfile | None:
        return root_user.login_profile(self._iam())

    def password_last_used(self) -> datetime | None:
        return root_user.password_last_used(self._iam())

    def access_keys(self, *, with_last_used: bool = True) -> tuple[AccessKey, ...]:
        listed = root_user.listed_access_keys(self._iam())
        if not with_last_used:
            return tuple(root_user.access_key(self._iam(), raw, False) for raw in listed)
        # A root user has up to two keys: their last-use reads go side by side.
        return tuple(self.parallel([partial(self._access_key_used, raw) for raw in listed]))

    def _access_key_used(self, raw: dict[str, Any]) -> AccessKey:
        return root_user.access_key(self._iam(), raw, True)

    def mfa_devices(self) -> tuple[MfaDevice, ...]:
        return root_user.mfa_devices(self._iam())

    def signing_certificates(self) -> tuple[SigningCertificate, ...]:
        return root_user.signing_certificates(self._iam())

    def credentials(self, *, with_last_used: bool = True) -> RootCredentials:
        """All four kinds, read concurrently (the reads are independent); ``with_last_used``
        adds when each key and the password were last used."""
        calls: list[Callable[[], Any]] = [
            # First, so it runs in this thread: the longest chain (the keys, then each key's
            # last use) and the only one that fans out again.
            partial(self.access_keys, with_last_used=with_last_used),
            self.login_profile,
            self.mfa_devices,
            self.signing_certificates,
        ]
        if with_last_used:
            calls.append(self.password_last_used)
        keys, profile, devices, certificates, *used = self.parallel(calls)
        if profile is not None and used:
            profile = replace(profile, password_last_used=used[0])
        return RootCredentials(profile, keys, devices, certificates)

    def delete_login_profile(self) -> str | None:
        return root_user.delete_login_profile(self._iam())

    def delete_access_key(self, key_id: str) -> str | None:
        return root_user.delete_access_key(self._iam(), key_id)

    def delete_signing_certificate(self, certificate_id: str) -> str | None:
        return root_user.delete_signing_certificate(self._iam(), certificate_id)

    def deactivate_mfa_device(self, serial: str) -> str | None:
        return root_user.deactivate_mfa_device(self._iam(), serial)

    def delete_virtual_mfa_device(self, serial: str) -> str | None:
        return root_user.delete_virtual_mfa_device(self._iam(), serial)

    def create_login_profile(self) -> str | None:
        return root_user.create_login_profile(self._iam())

    # -- a probe --------------------------------------------------------------------------------

    def harmless_read(self) -> str:
        """One read this session's task policy allows and its command makes first — so a
        denial can only come from elsewhere (an SCP, an RCP). Returns the IAM action."""
        action, read = HARMLESS_READS[self.task]
        with translated(f"{action.split(':')[1]}({self.account_id})"):
            read(self)
        return action

    # -- resource policies --------------------------------------------------------------------

    def policies(self, kind: ResourceKind) -> PolicyStore:
        if kind is ResourceKind.S3_BUCKET:
            return BucketPolicies(self.account_id, self._s3)
        return QueuePolicies(self.account_id, self._aws.region, self._sqs)

    def close(self) -> None:
        if self._frozen is not None:
            SECRETS.discard(str(self._frozen.secret_key))
        self._aws.root_credentials.unbind(self)
        self._frozen = None
        self._clients.clear()


def harmless_action(task: TaskPolicy) -> str:
    """The IAM action of ``task``'s harmless read (:meth:`RootSession.harmless_read`)."""
    return HARMLESS_READS[task][0]


def _key_list(session: RootSession) -> None:
    session.access_keys(with_last_used=False)


def _login_profile_read(session: RootSession) -> None:
    session.login_profile()  # "none yet" (NoSuchEntity) is an answer too


def _bucket_list(session: RootSession) -> None:
    session._s3().list_buckets()


def _queue_list(session: RootSession) -> None:
    session._sqs(None).list_queues(MaxResults=1)


# Per task: the IAM action of its harmless read, and the read.
HARMLESS_READS: dict[TaskPolicy, tuple[str, Callable[[RootSession], object]]] = {
    TaskPolicy.AUDIT: (
        "iam:ListAccessKeys",
        partial(RootSession.access_keys, with_last_used=False),
    ),
    TaskPolicy.DELETE: (
        "iam:ListAccessKeys",
        partial(RootSession.access_keys, with_last_used=False),
    ),
    TaskPolicy.CREATE_PASSWORD: ("iam:GetLoginProfile", _login_profile_read),
    TaskPolicy.S3_UNLOCK: ("s3:ListAllMyBuckets", _bucket_list),
    TaskPolicy.SQS_UNLOCK: ("sqs:ListQueues", _queue_list),
}
