"""The short way to the sandbox's Query/JSON services, over HTTP and in-process.

moto's server finds each request's service by parsing its signature, then runs it through one
Flask app per service (request context, URL map, CORS, and — because moto runs Flask in debug
mode — a new class built per request): about as much CPU as the operation itself. IAM, STS,
Organizations and SQS (JSON) requests that SDKs send — ``POST /``, SigV4-signed, no browser
``Origin`` — go straight to the sandbox's response class instead, exactly as the Flask view
would call it. Everything else (S3, other services, browsers' CORS) takes moto's way.

In-process (``mock_aws``), moto's botocore hook tries every service's URL patterns, then the
service's own, for each request; the same calls go straight to the same response classes,
with the hook's own error handling (``install_in_process``).
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import ClientError
from moto.core.request import EnvironHeaders, Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequestKeyError, HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from .caches import BoundedCache

_SCOPE = re.compile(r"Credential=[^/,]+/\d{8}/[^/,]+/([a-z0-9-]+)/aws4_request")


@functools.lru_cache(maxsize=512)
def _environ_key(name: str) -> str:
    key = name.upper().replace("-", "_")
    return key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"


class _Headers(EnvironHeaders):
    """moto's view of the environ's headers, a name's environ key computed once per name
    (moto reads a request's headers some twenty times)."""

    def _get_key(self, key: str) -> str:
        if not isinstance(key, str):
            raise BadRequestKeyError(key)
        return self.environ[_environ_key(key)]  # type: ignore[no-any-return]


FORM = "application/x-www-form-urlencoded"
_FORMS = BoundedCache[bytes, Any](1024)


class ServerRequest(Request):
    """A request as moto's server builds it (``from_wsgi_server``), without Flask.

    SDKs send the same small form bodies over and over (``Action=ListMFADevices&Version=…``
    for every root session): a body's parsed form — immutable — is kept, and ``form_body``
    lets the response reuse its parsed parameters too."""

    from_wsgi_server = True
    form_body: bytes | None = None

    def __init__(self, environ: dict[str, Any]) -> None:
        super().__init__(environ)
        self.headers = _Headers(self.environ)

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        environ = self.environ
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if not environ.get("CONTENT_TYPE", "").startswith(FORM) or not 0 < length <= 16384:
            super()._load_form_data()
            return
        body = environ["wsgi.input"].read(length)
        form = _FORMS.get(body)
        if form is None:
            parsed = self.make_form_data_parser().parse(
                io.BytesIO(body), self.mimetype, length, self.mimetype_params
            )
            form = _FORMS.put(body, parsed[1])
        self.__dict__.update(stream=io.BytesIO(b""), form=form, files=ImmutableMultiDict())
        self.form_body = body


def _handlers() -> dict[str, Callable[..., Any]]:
    from .iam.responses import SandboxIamResponse
    from .organizations.responses import SandboxOrganizationsResponse
    from .s3 import SandboxSQSResponse
    from .sts.responses import SandboxTokenResponse

    return {
        "iam": SandboxIamResponse.dispatch,
        "sts": SandboxTokenResponse.dispatch,
        "organizations": SandboxOrganizationsResponse.dispatch,
        "sqs": SandboxSQSResponse.dispatch,
    }


class DirectDispatch:
    """Answers the requests it can (``__call__`` returns None for the others)."""

    def __init__(self) -> None:
        self.handlers = _handlers()

    def handler_for(self, environ: dict[str, Any]) -> Callable[..., Any] | None:
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != "/":
            return None
        if "HTTP_ORIGIN" in environ:  # a browser: moto's Flask app does CORS
            return None
        match = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        return self.handlers.get(match.group(1)) if match is not None else None

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes] | None:
        handler = self.handler_for(environ)
        if handler is None:
            return None
        from moto.moto_api import recorder

        request = ServerRequest(environ)
        recorder._record_request(request)
        # moto's raw_url, without werkzeug's IRI round trip: a POST to "/" has no query.
        url = f"{environ['wsgi.url_scheme']}://{environ.get('HTTP_HOST', '')}/"
        try:
            result = handler(request, url, None)  # None: moto reads request.headers itself
        except ClientError as exc:  # what moto's Flask view does with them
            result = 400, {}, exc.response["Error"]["Message"]
        if len(result) == 3:
            status, headers, content = result
        else:
            status, headers, content = 200, {}, result
        return _answer(start_response, status, headers, content)


def _answer(
    start_response: Callable[..., Any], status: Any, headers: Any, content: Any
) -> list[bytes]:
    """What the Flask view's Response would send (its default type, werkzeug's status line),
    without building one."""
    code = int(status)
    body = content.encode() if isinstance(content, str) else bytes(content or b"")
    pairs = [(str(k), str(v)) for k, v in dict(headers).items() if k.lower() != "content-length"]
    if not any(k.lower() == "content-type" for k, _ in pairs):
        pairs.append(("Content-Type", "text/html; charset=utf-8"))
    pairs.append(("Content-Length", str(len(body))))
    start_response(f"{code} {HTTP_STATUS_CODES.get(code, 'UNKNOWN').upper()}", pairs)
    return [body]


def _in_process_handler(
    request: Any, handlers: dict[str, Callable[..., Any]]
) -> tuple[str, Callable[..., Any]] | None:
    """The service and handler of a botocore request moto would give to that service's
    response class: ``POST https://<service>.[<region>.]amazonaws.com/``, signed for it."""
    if request.method != "POST":
        return None
    url = urlsplit(request.url)
    host = url.hostname or ""
    if url.path != "/" or url.query or not host.endswith(".amazonaws.com"):
        return None
    match = _SCOPE.search(str(request.headers.get("Authorization") or ""))
    service = match.group(1) if match is not None else None
    if service is None or service not in handlers or host.split(".", 1)[0] != service:
        return None
    return service, handlers[service]


def install_in_process() -> None:
    """moto's botocore hook (``mock_aws``) hands IAM, STS, Organizations and SQS calls
    straight to the sandbox's response classes; everything else takes its usual way."""
    from moto.core.botocore_stubber import BotocoreStubber

    original = BotocoreStubber.process_request
    if getattr(original, "_sandbox", False):
        return
    handlers: dict[str, Callable[..., Any]] = {}

    def process_request(self: Any, request: Any) -> Any:
        if not handlers:
            handlers.update(_handlers())
        found = _in_process_handler(request, handlers)
        if found is None:
            return original(self, request)
        from moto.core.config import passthrough_service, passthrough_url, service_whitelisted

        service, handler = found
        if passthrough_url(request.url) or passthrough_service(service):
            return original(self, request)
        if not service_whitelisted(service):
            return original(self, request)  # moto raises ServiceNotWhitelisted
        from moto.core.request import normalize_request
        from moto.moto_api import recorder

        normalized = normalize_request(request)
        try:  # what moto's hook does
            recorder._record_request(normalized)
            return handler(normalized, normalized.raw_url, normalized.headers)
        except HTTPException as error:
            return error.code, error.get_headers(), error.get_body()

    setattr(process_request, "_sandbox", True)  # noqa: B010
    setattr(process_request, "__wrapped__", original)  # noqa: B010
    setattr(BotocoreStubber, "process_request", process_request)  # noqa: B010
