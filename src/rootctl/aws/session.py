"""One shared boto3 session per run, and the clients built from it.

Clients for the caller are cached per thread (each worker gets its own retry quota and
connection pool). Clients for AssumeRoot sessions are built from the same shared session with
explicit credentials — building a fresh ``boto3.Session`` per account costs ~96 ms of CPU —
except IAM, the client every account needs: each worker thread reuses one IAM client that
signs with the root session open in that thread (``ThreadBoundCredentials``). Even from a
shared session a client costs ~11 ms of CPU, half of an audit's client-side CPU per account.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlparse

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import Credentials, ReadOnlyCredentials
from botocore.exceptions import BotoCoreError, ProfileNotFound

from rootctl._version import __version__
from rootctl.aws.errors import translate, translated
from rootctl.aws.redact import SECRETS
from rootctl.errors import InputError
from rootctl.validation import region_name

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_organizations import OrganizationsClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sts import STSClient

log = logging.getLogger(__name__)

DEFAULT_REGION = "us-east-1"
ENDPOINT_ADVICE = "Check AWS_ENDPOINT_URL[_<SERVICE>] and the profile's endpoint_url."
CallerService = Literal["sts", "iam", "organizations"]


@dataclass(frozen=True, slots=True)
class ConnectionOptions:
    """How to reach AWS. ``None`` leaves the choice to the standard AWS configuration chain
    (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE> …)."""

    profile: str | None = None
    region: str | None = None
    # Explicit keys (e.g. an embedded sandbox's); None = the credential chain.
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None
    endpoint_url: str | None = None
    concurrency: int = 16
    max_attempts: int = 8
    connect_timeout: float = 5.0
    read_timeout: float = 30.0


class AwsSession:
    """The shared session and client factory for one run."""

    def __init__(self, options: ConnectionOptions) -> None:
        try:
            self._session = boto3.Session(
                aws_access_key_id=options.access_key_id,
                aws_secret_access_key=options.secret_access_key,
                aws_session_token=options.session_token,
                profile_name=options.profile,
                region_name=options.region,
            )
        except ProfileNotFound as exc:
            raise InputError(f"{exc}.", "Check --profile / AWS_PROFILE.") from None
        region = region_name(self._session.region_name or DEFAULT_REGION)
        # AssumeRoot only exists on Regional STS endpoints; never let config pick the global one.
        self._session._session.set_config_variable("sts_regional_endpoints", "regional")
        self.region = region
        self.options = options
        self._config = Config(
            region_name=region,
            retries={"mode": "adaptive", "max_attempts": options.max_attempts},
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
            max_pool_connections=max(10, options.concurrency + 2),
            user_agent_extra=f"rootctl/{__version__}",
        )
        self._lock = threading.Lock()  # boto3.Session is not thread-safe for client creation
        self._local = threading.local()
        self.root_credentials = ThreadBoundCredentials()
        self._root_session: boto3.Session | None = None

    # -- caller-side clients ------------------------------------------------------------

    def _client(self, service: str, **credentials: str) -> Any:
        with self._lock:
            try:
                client = self._session.client(
                    service,  # type: ignore[call-overload]
                    config=self._config,
                    endpoint_url=self.options.endpoint_url,
                    **credentials,
                )
            except BotoCoreError as exc:
                raise translate(exc, f"create {service} client") from None
            except ValueError as exc:  # e.g. "Invalid endpoint: notaurl" from the environment
                raise InputError(f"cannot reach {service}: {exc}.", ENDPOINT_ADVICE) from None
        if service == "sts":
            _refuse_global_sts(client.meta.endpoint_url)
        return client

    def thread_root_client(self, service: str) -> Any:
        """The calling thread's reusable client for root sessions: it signs with the root
        session bound in this thread and refuses to be used from any other thread."""
        cache: dict[str, Any] = self._local.__dict__.setdefault("root_clients", {})
        if service not in cache:
            with self._lock:
                if self._root_session is None:
                    # Its own botocore session: the caller's cached credentials stay out of it.
                    core = botocore.session.Session(profile=self.options.profile)
                    core.register_component(
                        "credential_provider", _FixedProvider(self.root_credentials)
                    )
                    self._root_session = boto3.Session(botocore_session=core)
                try:
                    client = self._root_session.client(
                        service,  # type: ignore[call-overload]
                        config=self._config,
                        endpoint_url=self.options.endpoint_url,
                    )
                except BotoCoreError as exc:
                    raise translate(exc, f"create {service} client") from None
            client.meta.events.register("before-sign", _OwnerThread(threading.get_ident()))
            cache[service] = client
        return cache[service]

    def _cached(self, service: CallerService) -> Any:
        cache: dict[str, Any] = self._local.__dict__.setdefault("clients", {})
        if service not in cache:
            cache[service] = self._client(service)
        return cache[service]

    def sts(self) -> STSClient:
        return self._cached("sts")  # type: ignore[no-any-return]

    def iam(self) -> IAMClient:
        return self._cached("iam")  # type: ignore[no-any-return]

    def organizations(self) -> OrganizationsClient:
        return self._cached("organizations")  # type: ignore[no-any-return]

    # -- AssumeRoot ---------------------------------------------------------------------

    @contextmanager
    def assume_root(
        self, account_id: str, task_policy_arn: str, duration_seconds: int
    ) -> Iterator[RootSession]:
        """Open a root session on ``account_id``; its secrets are dropped when the block ends."""
        with translated(f"AssumeRoot({account_id})"):
            response = self.sts().assume_root(
                TargetPrincipal=account_id,
                TaskPolicyArn={"arn": task_policy_arn},
                DurationSeconds=duration_seconds,
            )
        creds = response["Credentials"]
        token = creds["SessionToken"]
        SECRETS.add(creds["SecretAccessKey"], token)
        session = RootSession(
            self,
            account_id,
            task_policy_arn,
            creds["AccessKeyId"],
            creds["SecretAccessKey"],
            token,
            creds.get("Expiration"),
        )
        del response, creds  # keep the secrets in one place only
        try:
            yield session
        finally:
            session.close()
            SECRETS.discard(token)


class ThreadBoundCredentials(Credentials):
    """Credentials that sign with the root session bound to the calling thread, and refuse to
    sign when none is bound — a reused client can never act with a closed or another
    thread's session."""

    def __init__(self) -> None:
        super().__init__("unbound", "unbound")
        self._local = threading.local()

    def bind(self, frozen: ReadOnlyCredentials | None) -> bool:
        """Bind ``frozen`` to this thread (None unbinds). Binding over another session is
        refused (False): a nested session gets clients of its own."""
        if frozen is not None and self.is_bound():
            return False
        self._local.frozen = frozen
        return True

    def is_bound(self) -> bool:
        return getattr(self._local, "frozen", None) is not None

    def get_frozen_credentials(self) -> ReadOnlyCredentials:
        frozen: ReadOnlyCredentials | None = getattr(self._local, "frozen", None)
        if frozen is None:
            raise RuntimeError("no root session is open in this thread")
        return frozen


@dataclass(frozen=True)
class _FixedProvider:
    """A botocore credential provider component that always answers ``credentials``."""

    credentials: Credentials

    def load_credentials(self) -> Credentials:
        return self.credentials


@dataclass(frozen=True)
class _OwnerThread:
    """``before-sign`` hook of a per-thread client: refuse use from another thread."""

    ident: int

    def __call__(self, **_kwargs: Any) -> None:
        if threading.get_ident() != self.ident:
            raise RuntimeError("a root session client was used outside its thread")


class RootSession:
    """Credentials of one AssumeRoot session, in memory only. Never printed: see ``__repr__``.

    Its clients belong to the thread that opened it."""

    __slots__ = (
        "_aws",
        "_bound",
        "_clients",
        "_creds",
        "_thread",
        "account_id",
        "expiration",
        "task_policy_arn",
    )

    def __init__(
        self,
        aws: AwsSession,
        account_id: str,
        task_policy_arn: str,
        access_key_id: str,
        secret_access_key: str,
        session_token: str,
        expiration: datetime | None,
    ) -> None:
        self._aws = aws
        self.account_id = account_id
        self.task_policy_arn = task_policy_arn
        self.expiration = expiration
        self._creds: dict[str, str] | None = {
            "aws_access_key_id": access_key_id,
            "aws_secret_access_key": secret_access_key,
            "aws_session_token": session_token,
        }
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._thread = threading.get_ident()
        self._bound = aws.root_credentials.bind(
            ReadOnlyCredentials(access_key_id, secret_access_key, session_token)
        )

    def __repr__(self) -> str:
        return (
            f"RootSession(account_id={self.account_id!r}, "
            f"task_policy_arn={self.task_policy_arn!r}, credentials=<redacted>)"
        )

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("root sessions cannot be pickled")

    def _client(self, service: str, region: str | None = None) -> Any:
        if self._creds is None:
            raise RuntimeError("root session already closed")
        if service == "iam" and self._bound and threading.get_ident() == self._thread:
            return self._aws.thread_root_client(service)
        key = (service, region)
        if key not in self._clients:
            extra = {"region_name": region} if region else {}
            self._clients[key] = self._aws._client(service, **extra, **self._creds)
        return self._clients[key]

    def iam(self) -> IAMClient:
        return self._client("iam")  # type: ignore[no-any-return]

    def s3(self) -> S3Client:
        return self._client("s3")  # type: ignore[no-any-return]

    def sqs(self, region: str | None = None) -> SQSClient:
        return self._client("sqs", region)  # type: ignore[no-any-return]

    def close(self) -> None:
        if self._creds is not None:
            SECRETS.discard(self._creds["aws_secret_access_key"])
        if self._bound and threading.get_ident() == self._thread:
            self._aws.root_credentials.bind(None)
            self._bound = False
        self._creds = None
        self._clients.clear()


def _refuse_global_sts(endpoint_url: str) -> None:
    host = urlparse(endpoint_url).hostname or ""
    if host in ("sts.amazonaws.com", "sts.global.amazonaws.com"):
        raise InputError(
            f"STS resolved to the global endpoint {endpoint_url}; AssumeRoot needs a Regional one.",
            "Pass --region (not aws-global) or set AWS_STS_REGIONAL_ENDPOINTS=regional.",
        )
