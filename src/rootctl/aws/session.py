"""The connection to AWS: options, one shared boto3 session per run, and the clients built
from it.

botocore clients are thread-safe, and building one costs ~11-25 ms of CPU on the GIL every
worker needs (a fresh ``boto3.Session`` per account ~96 ms): so one client per service serves
every thread of the run. The caller's clients share one adaptive rate limiter, which is right:
their calls all spend the caller's quotas. Root sessions (:mod:`rootctl.aws.root_session`)
share one IAM client that signs with the root session bound to the calling thread; it retries
in standard mode, without adaptive mode's client-wide limiter, because each member account has
a quota of its own and one throttled account must not slow the others.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlparse

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ProfileNotFound

from rootctl._version import __version__
from rootctl.aws.errors import THROTTLING_CODES, translate, translated
from rootctl.aws.redact import SECRETS
from rootctl.aws.root_session import FixedProvider, RootSession, ThreadBoundCredentials
from rootctl.errors import Advice, AdviceCode, InputError
from rootctl.models import TaskPolicy
from rootctl.validation import endpoint_url, region_name

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_organizations import OrganizationsClient
    from mypy_boto3_sts import STSClient

log = logging.getLogger(__name__)

DEFAULT_REGION = "us-east-1"
CallerService = Literal["sts", "iam", "organizations"]


@dataclass(frozen=True, slots=True)
class ConnectionOptions:
    """How to reach AWS. ``None`` leaves the choice to the standard AWS configuration chain
    (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE> …)."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    max_attempts: int = 8  # per AWS call, retried with exponential backoff and jitter
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    # Explicit keys (e.g. an embedded sandbox's) instead of the credential chain; never shown.
    access_key_id: str | None = field(default=None, repr=False)
    secret_access_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # Bad input fails here, in one line, before anything reaches AWS (library and faces).
        if self.region is not None:
            region_name(self.region)
        if self.endpoint_url is not None:
            endpoint_url(self.endpoint_url)
        if not 1 <= self.max_attempts <= 20:
            raise InputError(f"max_attempts must be between 1 and 20, not {self.max_attempts}.")
        if self.connect_timeout <= 0 or self.read_timeout <= 0:
            raise InputError("timeouts must be positive.")


class ThrottleCounter:
    """Counts the answers in which AWS throttled a call (each is retried, or fails once the
    attempts run out), so a run slowed by throttling can say why."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def observe(self, response: Any = None, **_kwargs: Any) -> None:
        """A ``needs-retry`` handler, registered first; it never answers, only looks."""
        parsed = response[1] if isinstance(response, tuple) and len(response) > 1 else None
        code = parsed.get("Error", {}).get("Code") if isinstance(parsed, dict) else None
        if code in THROTTLING_CODES:
            with self._lock:
                self.count += 1


RetryMode = Literal["standard", "adaptive", "legacy"]
RETRY_MODES: tuple[RetryMode, ...] = ("standard", "adaptive", "legacy")


def configured_retry_mode(session: boto3.Session) -> RetryMode | None:
    """The retry mode the standard AWS configuration names (AWS_RETRY_MODE, then the profile's
    ``retry_mode``), or None when it names none (botocore's own default would be legacy)."""
    named = os.environ.get("AWS_RETRY_MODE")
    where = "AWS_RETRY_MODE"
    if not named:
        named = session._session.get_scoped_config().get("retry_mode")
        where = "retry_mode in the AWS profile"
    if named is None:
        return None
    for mode in RETRY_MODES:
        if named == mode:
            return mode
    raise InputError(f"{where} must be one of {', '.join(RETRY_MODES)}, not {named!r}.")


class AwsSession:
    """The shared session and client factory for one run.

    ``session`` injects a ready ``boto3.Session`` (explicit keys, a custom credential
    provider …); its profile and region are used unless the options name others. rootctl sets
    ``sts_regional_endpoints=regional`` on it: AssumeRoot exists only on Regional endpoints.
    """

    def __init__(
        self,
        options: ConnectionOptions,
        *,
        concurrency: int = 16,
        session: boto3.Session | None = None,
    ) -> None:
        if session is None:
            try:
                session = boto3.Session(
                    aws_access_key_id=options.access_key_id,
                    aws_secret_access_key=options.secret_access_key,
                    aws_session_token=options.session_token,
                    profile_name=options.profile,
                    region_name=options.region,
                )
            except ProfileNotFound as exc:
                raise InputError(f"{exc}.", Advice(AdviceCode.CHECK_PROFILE)) from None
        self._session = session
        # Wherever it came from (options, AWS_REGION, the profile), a region name or exit 2;
        # aws-global is refused: AssumeRoot needs a Regional STS endpoint.
        region = region_name(options.region or session.region_name or DEFAULT_REGION)
        # What the configuration asked for (doctor warns about "legacy": other tools follow it).
        self.configured_sts_endpoints: str | None = session._session.get_config_variable(
            "sts_regional_endpoints"
        )
        # AssumeRoot only exists on Regional STS endpoints; never let config pick the global one.
        session._session.set_config_variable("sts_regional_endpoints", "regional")
        self.region = region
        self.options = options
        self.concurrency = concurrency
        self.retry_mode: RetryMode = configured_retry_mode(session) or "adaptive"
        self._config = Config(
            region_name=region,
            retries={"mode": self.retry_mode, "total_max_attempts": options.max_attempts},
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
            # every worker and its four readers may hold a connection at once (a request
            # over the pool's size gets a connection of its own, dropped after one use)
            max_pool_connections=max(10, 5 * concurrency + 2),
            user_agent_extra=f"rootctl/{__version__}",
        )
        self._root_config = self._config.merge(
            Config(retries={"mode": "standard", "total_max_attempts": options.max_attempts})
        )
        self._lock = threading.Lock()  # boto3.Session is not thread-safe for client creation
        self._clients: dict[str, Any] = {}
        self._root_clients: dict[tuple[str, str | None], Any] = {}
        self.root_credentials = ThreadBoundCredentials()
        self.throttled = ThrottleCounter()
        self._root_session: boto3.Session | None = None
        self._readers: ThreadPoolExecutor | None = None

    def close(self) -> None:
        with self._lock:
            if self._readers is not None:
                self._readers.shutdown(wait=True)
                self._readers = None

    # -- clients ------------------------------------------------------------------------

    def client(self, service: str, **overrides: str) -> Any:
        """A new client of the shared session (``overrides``: region_name, explicit keys)."""
        with self._lock:
            return self._build(self._session, service, overrides=overrides)

    def root_client(self, service: str, region: str | None = None) -> Any:
        """The run's client of ``service`` (in ``region``, default the run's) for root
        sessions: it signs with the root session bound to the calling thread and refuses to
        sign in a thread with none. One per run, not per session: building a client costs
        ~10 ms of CPU, more than the calls an account's session makes with it."""
        key = (service, region)
        with self._lock:
            if key not in self._root_clients:
                if self._root_session is None:
                    # Its own botocore session: the caller's cached credentials stay out of it.
                    caller = self._session._session
                    core = botocore.session.Session(profile=caller.profile)
                    # The same service models (the loader holds data files, no credentials):
                    # parsing IAM's again would hold every worker's first AssumeRoot.
                    core.register_component("data_loader", caller.get_component("data_loader"))
                    core.register_component(
                        "credential_provider", FixedProvider(self.root_credentials)
                    )
                    self._root_session = boto3.Session(botocore_session=core)
                self._root_clients[key] = self._build(
                    self._root_session,
                    service,
                    config=self._root_config,
                    overrides={"region_name": region} if region else None,
                )
            return self._root_clients[key]

    def _build(
        self,
        session: boto3.Session,
        service: str,
        config: Config | None = None,
        overrides: dict[str, str] | None = None,
    ) -> Any:
        """A client of ``session`` with rootctl's config, endpoint and throttling count
        (called under the lock: boto3 sessions are not thread-safe for client creation)."""
        try:
            client = session.client(
                service,  # type: ignore[call-overload]
                config=config or self._config,
                endpoint_url=self.options.endpoint_url,
                **(overrides or {}),
            )
        except BotoCoreError as exc:
            raise translate(exc, f"create {service} client") from None
        except ValueError as exc:  # e.g. "Invalid endpoint: notaurl" from the environment
            raise InputError(
                f"cannot reach {service}: {exc}.", Advice(AdviceCode.CHECK_ENDPOINT_SETTING)
            ) from None
        if service == "sts":
            _refuse_global_sts(client.meta.endpoint_url)
        client.meta.events.register_first("needs-retry", self.throttled.observe)
        return client

    def regions_of(self, service: str) -> tuple[str, ...]:
        """The Regions of this session's partition that botocore's data lists for
        ``service`` (no AWS call)."""
        with self._lock:
            core = self._session._session
            partition = core.get_partition_for_region(self.region)
            return tuple(sorted(core.get_available_regions(service, partition_name=partition)))

    def readers(self) -> ThreadPoolExecutor:
        """Threads that run a root session's independent reads side by side. Four per
        account worker: an audit's five reads then cost one round trip, not five."""
        with self._lock:
            if self._readers is None:
                self._readers = ThreadPoolExecutor(
                    max_workers=4 * self.concurrency, thread_name_prefix="rootctl-read"
                )
            return self._readers

    def _cached(self, service: CallerService) -> Any:
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self._build(self._session, service)
            return self._clients[service]

    def sts(self) -> STSClient:
        return self._cached("sts")  # type: ignore[no-any-return]

    def sts_endpoint(self) -> str:
        """Where this run's STS calls go (refused at client creation when it is global)."""
        return str(self.sts().meta.endpoint_url)

    def iam(self) -> IAMClient:
        return self._cached("iam")  # type: ignore[no-any-return]

    def organizations(self) -> OrganizationsClient:
        return self._cached("organizations")  # type: ignore[no-any-return]

    # -- AssumeRoot ---------------------------------------------------------------------

    @contextmanager
    def assume_root(
        self, account_id: str, task: TaskPolicy, duration_seconds: int
    ) -> Iterator[RootSession]:
        """Open a root session on ``account_id``; its secrets are dropped when the block ends."""
        with translated(f"AssumeRoot({account_id})"):
            response = self.sts().assume_root(
                TargetPrincipal=account_id,
                TaskPolicyArn={"arn": task.arn},
                DurationSeconds=duration_seconds,
            )
        creds = response["Credentials"]
        token = creds["SessionToken"]
        SECRETS.add(creds["SecretAccessKey"], token)
        session = RootSession(
            self,
            account_id,
            task,
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


def _refuse_global_sts(endpoint_url: str) -> None:
    host = urlparse(endpoint_url).hostname or ""
    if host in ("sts.amazonaws.com", "sts.global.amazonaws.com"):
        raise InputError(
            f"STS resolved to the global endpoint {endpoint_url}; AssumeRoot needs a Regional one.",
            Advice(AdviceCode.USE_REGIONAL_STS),
        )
