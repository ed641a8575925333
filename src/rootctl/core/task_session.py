"""Task sessions for any tool: ``rootctl exec`` runs a command with one root session's
credentials, ``rootctl credential-process`` hands a session to an AWS SDK.

The credentials go to the command's environment only (never to rootctl's output, logs or
journal); the journal records who, which account, task, reason, the command line (secret-
looking values masked), start, end, exit code and each session's access key id, so CloudTrail's
events can be tied back to the run (``rootctl activity``).

Sessions never outlive AWS's 900 s. A command that needs longer runs only with ``renew``: it
then reads its credentials from a local endpoint (the container credentials provider every AWS
SDK and the AWS CLI support: ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` on 127.0.0.1 with a random
authorization token), and rootctl opens a fresh session — journaled — whenever the current
one is about to expire. Environment keys cannot be renewed inside a running process; a
``credential_process`` profile could, but it would re-run rootctl (and re-read the caller's
credentials) for every refresh; the endpoint keeps the caller's credentials in this process.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import re
import secrets
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rootctl.aws.root_session import RootSession
from rootctl.core.context import Context
from rootctl.errors import InputError, RootctlError
from rootctl.models import Account, JournalStatus, TaskPolicy

MAX_SESSION_SECONDS = 900  # AssumeRoot's limit (spec §2.1)
RENEW_MARGIN = timedelta(seconds=60)  # a fresh session when less than this is left
TASKS: Mapping[str, TaskPolicy] = {
    "audit": TaskPolicy.AUDIT,
    "delete": TaskPolicy.DELETE,
    "recovery": TaskPolicy.CREATE_PASSWORD,
    "s3-unlock": TaskPolicy.S3_UNLOCK,
    "sqs-unlock": TaskPolicy.SQS_UNLOCK,
}
# What must not reach the command: another identity's credentials or profile.
CLEARED = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
)
_SECRET_WORDS = r"(?:secret|token|password|passwd|credential|private[-_]?key)"  # noqa: S105
_SECRET_ASSIGNMENT = re.compile(rf"^([^=]*{_SECRET_WORDS}[^=]*=)(.+)$", re.IGNORECASE)
_SECRET_FLAG = re.compile(rf"^--?[\w-]*{_SECRET_WORDS}[\w-]*$", re.IGNORECASE)
MASK = "<redacted>"


def task_named(name: str) -> TaskPolicy:
    try:
        return TASKS[name]
    except KeyError:
        raise InputError(f"unknown task {name!r}: use one of {', '.join(TASKS)}.") from None


def redacted_command(argv: Sequence[str]) -> str:
    """The command line for the journal: values that look secret (``--password X``,
    ``TOKEN=…``) masked."""
    shown: list[str] = []
    mask_next = False
    for arg in argv:
        if mask_next:
            shown.append(MASK)
            mask_next = False
            continue
        if match := _SECRET_ASSIGNMENT.match(arg):
            shown.append(match.group(1) + MASK)
            continue
        shown.append(arg)
        mask_next = bool(_SECRET_FLAG.match(arg))
    return " ".join(_quoted(a) for a in shown)


def _quoted(arg: str) -> str:
    return arg if arg and re.fullmatch(r"[\w@%+=:,./<>-]+", arg) else json.dumps(arg)


def check_duration(seconds: int, renew: bool) -> int:
    """The length of each session: refuses a command needing longer than one session can
    last unless ``renew``."""
    if seconds > MAX_SESSION_SECONDS and not renew:
        raise InputError(
            f"a root session lasts at most {MAX_SESSION_SECONDS // 60} minutes (AWS's limit), "
            f"and --duration asks for {_minutes(seconds)}: pass --renew to run it with a fresh "
            "session per expiry, or ask for less."
        )
    return min(seconds, MAX_SESSION_SECONDS)


def _minutes(seconds: int) -> str:
    return f"{seconds // 60} min {seconds % 60} s" if seconds % 60 else f"{seconds // 60} min"


@dataclass(frozen=True, slots=True)
class ExecResult:
    """How an ``exec`` went (no secret in it)."""

    account: Account
    task: TaskPolicy
    command: str  # as journaled
    exit_code: int
    started_at: datetime
    finished_at: datetime
    session_keys: tuple[str, ...]  # access key ids, in the order the sessions were opened
    journal_id: int
    outlived_session: bool = False  # the command ran on after its (unrenewed) session ended


@dataclass(frozen=True)
class ProcessCredentials:
    """One session's credentials in the ``credential_process`` format. Never printed by
    accident: ``repr`` shows only the key id."""

    access_key_id: str
    expiration: datetime | None
    journal_id: int
    _secret: str = field(repr=False)
    _token: str = field(repr=False)

    def document(self) -> dict[str, Any]:
        """``{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}``."""
        found: dict[str, Any] = {
            "Version": 1,
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self._secret,
            "SessionToken": self._token,
        }
        if self.expiration is not None:
            found["Expiration"] = self.expiration.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return found


# --- credential_process ---------------------------------------------------------------------


def process_credentials(
    ctx: Context, account: Account, task: TaskPolicy, seconds: int, reason: str | None
) -> ProcessCredentials:
    seconds = check_duration(seconds, renew=False)
    ctx.journal.prepare_for_writing()
    ctx.require(task.capability)
    run_id = ctx.new_run_id()
    entry = _begin(ctx, run_id, "credential-process", account, task, [], reason)
    try:
        with ctx.aws.assume_root(account.id, task, seconds) as session:
            ctx.opened(session, run_id=run_id, purpose="credential-process", durable=True,
                       action_id=entry)  # fmt: skip
            key, secret, token = session.export()
            expiration = session.expiration
    except BaseException as exc:
        _failed(ctx, entry, exc)
        raise
    ctx.journal.finish(entry, JournalStatus.SUCCEEDED, session_key_id=key)
    return ProcessCredentials(key, expiration, entry, secret, token)


# --- exec -------------------------------------------------------------------------------------


def _begin(
    ctx: Context,
    run_id: str,
    action: str,
    account: Account,
    task: TaskPolicy,
    items: list[str],
    reason: str | None,
) -> int:
    return ctx.journal.begin(
        run_id=run_id,
        action=action,
        target=account.id,
        task_policy=task.arn,
        caller_arn=ctx.caller().arn,
        items=items,
        account_name=account.name,
        reason=reason,
    )


def _failed(ctx: Context, entry: int, exc: BaseException) -> None:
    if isinstance(exc, RootctlError):
        ctx.journal.finish(entry, JournalStatus.FAILED, error=str(exc))
    else:
        ctx.journal.finish(entry, JournalStatus.INTERRUPTED, error=type(exc).__name__)


class _Sessions:
    """The root sessions of one exec: the current one, renewed (and journaled) on demand."""

    def __init__(
        self,
        ctx: Context,
        run_id: str,
        account: Account,
        task: TaskPolicy,
        seconds: int,
        reason: str | None,
        entry: int,
    ) -> None:
        self.ctx, self.run_id, self.account, self.task = ctx, run_id, account, task
        self.seconds, self.reason, self.entry = seconds, reason, entry
        self.stack = contextlib.ExitStack()
        self.current: RootSession | None = None
        self.keys: list[str] = []
        self.lock = threading.Lock()

    def open(self, *, renewal: bool) -> RootSession:
        ctx = self.ctx
        entry = self.entry
        if renewal:
            entry = _begin(ctx, self.run_id, "exec-renew", self.account, self.task, [],
                           self.reason)  # fmt: skip
        try:
            session = self.stack.enter_context(
                ctx.aws.assume_root(self.account.id, self.task, self.seconds)
            )
            ctx.opened(session, run_id=self.run_id, purpose="exec", durable=True, action_id=entry)
        except BaseException as exc:
            if renewal:
                _failed(ctx, entry, exc)
            raise
        if renewal:
            ctx.journal.finish(entry, JournalStatus.SUCCEEDED, session_key_id=session.access_key_id)
        self.current = session
        self.keys.append(session.access_key_id)
        return session

    def fresh(self) -> RootSession:
        """The current session, or a new one when it ends within the renewal margin."""
        with self.lock:
            session = self.current
            expires = session.expiration if session is not None else None
            if session is None or (
                expires is not None and expires - datetime.now(UTC) < RENEW_MARGIN
            ):
                session = self.open(renewal=session is not None)
            return session

    def close(self) -> None:
        self.stack.close()


def run_command(
    ctx: Context,
    account: Account,
    task: TaskPolicy,
    argv: Sequence[str],
    *,
    seconds: int,
    renew: bool,
    reason: str | None,
    environment: Mapping[str, str] | None = None,
    notify: Callable[[str], None] = lambda _message: None,
) -> ExecResult:
    """Run ``argv`` with a ``task`` root session on ``account``; returns its exit code."""
    if not argv:
        raise InputError("give the command to run after --, e.g. rootctl exec ID -- aws sts "
                         "get-caller-identity.")  # fmt: skip
    session_seconds = check_duration(seconds, renew)
    ctx.journal.prepare_for_writing()
    ctx.require(task.capability)
    run_id = ctx.new_run_id()
    command = redacted_command(argv)
    entry = _begin(ctx, run_id, "exec", account, task, [command], reason)
    started = datetime.now(UTC)
    sessions = _Sessions(ctx, run_id, account, task, session_seconds, reason, entry)
    base = dict(os.environ if environment is None else environment)
    try:
        first = sessions.open(renewal=False)
        if renew:
            code, outlived = _run_renewed(ctx, sessions, argv, base, notify)
        else:
            code, outlived = _run_once(ctx, first, argv, base, notify)
    except BaseException as exc:
        sessions.close()
        _failed(ctx, entry, exc)
        raise
    sessions.close()
    status = JournalStatus.SUCCEEDED if code == 0 else JournalStatus.FAILED
    ctx.journal.finish(entry, status, error=None if code == 0 else f"exit code {code}",
                       session_key_id=sessions.keys[0])  # fmt: skip
    return ExecResult(account, task, command, code, started, datetime.now(UTC),
                      tuple(sessions.keys), entry, outlived)  # fmt: skip


def _environment(base: Mapping[str, str], ctx: Context, session: RootSession) -> dict[str, str]:
    env = {k: v for k, v in base.items() if k not in CLEARED}
    env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = ctx.aws.region
    env["ROOTCTL_EXEC_ACCOUNT"] = session.account_id
    env["ROOTCTL_EXEC_TASK"] = session.task.value
    return env


def _run_once(
    ctx: Context,
    session: RootSession,
    argv: Sequence[str],
    base: Mapping[str, str],
    notify: Callable[[str], None],
) -> tuple[int, bool]:
    env = _environment(base, ctx, session)
    key, secret, token = session.export()
    env.update(AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret, AWS_SESSION_TOKEN=token)
    if session.expiration is not None:
        env["AWS_CREDENTIAL_EXPIRATION"] = session.expiration.astimezone(UTC).isoformat()
    child = _spawn(argv, env)
    del env, secret, token
    outlived = False
    expires = session.expiration
    while True:
        timeout = None
        if expires is not None and not outlived:
            timeout = max(0.1, (expires - datetime.now(UTC)).total_seconds())
        try:
            code = _wait(child, timeout)
        except subprocess.TimeoutExpired:
            outlived = True
            notify("the root session expired while the command runs: its AWS calls fail from "
                   "now on (use --renew for commands that need longer).")  # fmt: skip
            continue
        return code, outlived


def _spawn(argv: Sequence[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(list(argv), env=env)  # noqa: S603 - the user's own command
    except OSError as exc:
        raise InputError(f"cannot run {argv[0]!r}: {exc.strerror or exc}.") from None


def _wait(child: subprocess.Popen[bytes], timeout: float | None) -> int:
    """The child's exit code (128 + N when a signal N ended it); Ctrl-C reaches the child
    (same process group), so rootctl waits for it to end rather than leaving it behind."""
    while True:
        try:
            code = child.wait(timeout)
        except KeyboardInterrupt:
            continue
        return 128 - code if code < 0 else code


def _run_renewed(
    ctx: Context,
    sessions: _Sessions,
    argv: Sequence[str],
    base: Mapping[str, str],
    notify: Callable[[str], None],
) -> tuple[int, bool]:
    token = secrets.token_urlsafe(32)
    server = _CredentialServer(sessions, token)
    first = sessions.current
    assert first is not None
    env = _environment(base, ctx, first)
    with tempfile.TemporaryDirectory(prefix="rootctl-exec-") as scratch:
        # No profile may outrank the endpoint in the SDKs' credential chains.
        config = Path(scratch) / "config"
        config.write_text(f"[default]\nregion = {ctx.aws.region}\n")
        env.update(
            AWS_CONTAINER_CREDENTIALS_FULL_URI=server.url,
            AWS_CONTAINER_AUTHORIZATION_TOKEN=token,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
            AWS_CONFIG_FILE=str(config),
        )
        try:
            child = _spawn(argv, env)
            del env
            code = _wait(child, None)
        finally:
            server.stop()
    if server.failure is not None:
        notify(f"a fresh session could not be opened: {server.failure}")
    return code, False


class _CredentialServer:
    """The container-credentials endpoint of one exec, on 127.0.0.1 (botocore accepts only
    loopback for ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` over HTTP)."""

    def __init__(self, sessions: _Sessions, token: str) -> None:
        # Imported here: only `exec` serves credentials, and http.server is slow to import
        # (~35 ms of every other command's start-up).
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.sessions = sessions
        self.failure: str | None = None
        self.path = "/" + secrets.token_urlsafe(16)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                given = self.headers.get("Authorization", "")
                if self.path != outer.path or not hmac.compare_digest(given, token):
                    self.send_error(403)
                    return
                try:
                    body = outer.document()
                except RootctlError as exc:
                    outer.failure = str(exc)
                    self.send_error(503)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return  # never log requests (nor their headers)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{self.path}"

    def document(self) -> dict[str, str]:
        session = self.sessions.fresh()
        key, secret, token = session.export()
        found = {"AccessKeyId": key, "SecretAccessKey": secret, "Token": token}
        if session.expiration is not None:
            found["Expiration"] = session.expiration.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return found

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
