"""Errors on the wire, in each protocol's own dialect.

boto3 only raises its modeled exception classes (``iam.exceptions.NoSuchEntityException``,
``organizations.exceptions.ConstraintViolationException`` …) when the code, HTTP status and
envelope are exactly what the protocol uses, so every error the sandbox emits is a
``SandboxError``, which renders Query XML (IAM, STS, SQS-query), JSON 1.1 (Organizations),
JSON 1.0 with the query-compatible header (SQS), REST-XML (S3), REST-JSON or EC2 XML.

It is a werkzeug ``HTTPException`` because that is what moto's dispatchers (in-process stubber
and Flask app) turn into a response, headers and all.

The errors of one service live with it, as in moto (``iam/exceptions.py`` …); this module has
the base class and the errors every protocol has in its own words (denied, expired or invalid
token, throttled, internal failure), chosen from one table.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from collections.abc import MutableMapping
from typing import Any
from xml.sax.saxutils import escape

from werkzeug.exceptions import HTTPException

QUERY_NAMESPACES = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "sqs": "http://queue.amazonaws.com/doc/2012-11-05/",
}

DIALECTS = ("query", "json", "sqs-json", "rest-xml", "rest-json", "ec2")
_CONTENT_TYPES = {
    "json": "application/x-amz-json-1.1",
    "rest-json": "application/json",
    "sqs-json": "application/x-amz-json-1.0",
    "query": "text/xml",
}


REQUEST_ID_HEADER = "x-amzn-RequestId"


def take_request_id(headers: MutableMapping[str, Any] | None = None) -> str:
    """The response's request id: the one its headers carry (in any spelling), else a new
    UUID; left in ``headers`` once, as AWS spells it."""
    found = [name for name in headers or {} if name.lower() == REQUEST_ID_HEADER.lower()]
    request_id = str(headers[found[0]]) if headers is not None and found else str(uuid.uuid4())
    if headers is not None:
        for name in found:
            del headers[name]
        headers[REQUEST_ID_HEADER] = request_id
    return request_id


def s3_request_ids() -> tuple[str, str]:
    """S3's own pair: ``x-amz-request-id`` (16 hex digits) and ``x-amz-id-2``."""
    return secrets.token_hex(8).upper(), base64.b64encode(secrets.token_bytes(57)).decode()


class SandboxError(HTTPException):
    """One AWS error response: ``error_code`` is the wire error code, ``code`` the HTTP status."""

    def __init__(
        self,
        status: int,
        error_code: str,
        message: str,
        *,
        service: str,
        dialect: str,
        sender: bool = True,
        extra: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description=message)
        self.code = status
        self.error_code = error_code
        self.message = message
        self.service = service
        self.dialect = dialect
        self.sender = sender
        self.extra = extra or {}
        self.extra_headers = headers or {}
        self.request_id, self.host_id = (
            s3_request_ids() if dialect == "rest-xml" else (str(uuid.uuid4()), "")
        )
        # moto's dispatchers send ``description`` as the body of a raised HTTPException.
        self.description = self.get_body()

    def __str__(self) -> str:
        return f"{self.error_code}: {self.message}"

    def get_body(self, *args: Any, **kwargs: Any) -> str:
        code, message = escape(self.error_code), escape(self.message)
        if self.dialect == "json":
            return json.dumps({"__type": self.error_code, "Message": self.message, **self.extra})
        if self.dialect == "sqs-json":
            return json.dumps(
                {"__type": f"com.amazonaws.sqs#{self.error_code}", "message": self.message}
            )
        if self.dialect == "rest-json":
            return json.dumps({"__type": self.error_code, "message": self.message})
        if self.dialect == "ec2":
            return (
                f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
                f"</Error></Errors><RequestID>{self.request_id}</RequestID></Response>"
            )
        extra = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in self.extra.items())
        if self.dialect == "rest-xml":
            return (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f"<Error><Code>{code}</Code><Message>{message}</Message>{extra}"
                f"<RequestId>{self.request_id}</RequestId>"
                f"<HostId>{self.host_id}</HostId></Error>"
            )
        namespace = QUERY_NAMESPACES.get(self.service, "")
        xmlns = f' xmlns="{namespace}"' if namespace else ""
        kind = "Sender" if self.sender else "Receiver"
        return (
            f"<ErrorResponse{xmlns}><Error><Type>{kind}</Type><Code>{code}</Code>"
            f"<Message>{message}</Message>{extra}</Error>"
            f"<RequestId>{self.request_id}</RequestId></ErrorResponse>"
        )

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        headers = [("Content-Type", _CONTENT_TYPES.get(self.dialect, "application/xml"))]
        if self.dialect == "rest-xml":
            headers += [("x-amz-request-id", self.request_id), ("x-amz-id-2", self.host_id)]
        else:
            headers.append((REQUEST_ID_HEADER, self.request_id))
        if self.dialect in ("json", "sqs-json", "rest-json"):
            headers.append(("X-Amzn-ErrorType", self.error_code))
        if self.dialect == "sqs-json":
            kind = "Sender" if self.sender else "Receiver"
            headers.append(("x-amzn-query-error", f"{self.error_code};{kind}"))
        headers.extend(self.extra_headers.items())
        return headers

    def as_response(self) -> tuple[int, dict[str, str], str]:
        """The (status, headers, body) triple moto's response methods return."""
        return self.code or 500, dict(self.get_headers()), self.get_body()


def dialect_for(service: str, content_type: str | None) -> str:
    """The error dialect of a request to ``service`` sent with ``content_type``."""
    if service in ("organizations", "cloudtrail"):
        return "json"
    if service == "securityhub":
        return "rest-json"
    if service == "s3":
        return "rest-xml"
    if service == "sqs":
        return "sqs-json" if "json" in (content_type or "") else "query"
    return "query"


def protocol_dialect(service: str) -> str:
    """The error dialect of any other AWS service, from its botocore model's protocol."""
    try:
        protocol = _models().get_service_model(service).protocol
    except Exception:
        return "query"
    return {"json": "json", "rest-json": "rest-json", "rest-xml": "rest-xml", "ec2": "ec2"}.get(
        str(protocol), "query"
    )


def _models() -> Any:
    from .install import offline_botocore_session

    return offline_botocore_session()


# --- The errors every protocol has, each in its own words -------------------------------------

_EXPIRED = "The security token included in the request is expired"
_INVALID = "The security token included in the request is invalid."
_ORGANIZATIONS_THROTTLED = (
    "You have sent too many requests in too short a period of time. The quota helps protect "
    "against denial-of-service attacks. Try again later."
)
_INTERNAL = "request processing has failed because of an unknown error, exception or failure."

# kind -> rows of (where, HTTP status, code, message); the first row whose ``where`` fits the
# request wins. ``where``: "service:<name>", "dialect:<name>" or "*"; a message of None means
# the caller's own text (access denied).
_Row = tuple[tuple[str, ...], int, str, str | None]
_COMMON_ERRORS: dict[str, tuple[_Row, ...]] = {
    "denied": (
        (("service:organizations", "dialect:json"), 400, "AccessDeniedException", None),
        (("dialect:rest-json",), 403, "AccessDeniedException", None),
        (("dialect:ec2",), 403, "UnauthorizedOperation", None),
        (("*",), 403, "AccessDenied", None),
    ),
    "expired": (
        (("service:organizations", "dialect:json", "dialect:rest-json"), 400,
         "ExpiredTokenException", _EXPIRED),
        (("service:s3",), 400, "ExpiredToken", "The provided token has expired."),
        (("*",), 403, "ExpiredToken", _EXPIRED),
    ),
    "invalid": (
        (("dialect:ec2",), 401, "AuthFailure",
         "AWS was not able to validate the provided access credentials"),
        (("service:organizations", "dialect:json", "dialect:rest-json"), 400,
         "UnrecognizedClientException", _INVALID),
        (("service:s3",), 400, "InvalidToken",
         "The provided token is malformed or otherwise invalid."),
        (("*",), 403, "InvalidClientTokenId", _INVALID),
    ),
    "throttled": (
        (("service:organizations",), 400, "TooManyRequestsException", _ORGANIZATIONS_THROTTLED),
        (("service:s3",), 503, "SlowDown", "Please reduce your request rate."),
        (("service:securityhub",), 429, "LimitExceededException", "Rate exceeded"),
        (("dialect:sqs-json",), 400, "ThrottlingException", "Rate exceeded"),
        (("service:sqs",), 403, "RequestThrottled", "Rate exceeded"),
        (("service:cloudtrail",), 400, "ThrottlingException", "Rate exceeded"),
        (("*",), 400, "Throttling", "Rate exceeded"),
    ),
    "internal": (
        (("service:organizations",), 500, "ServiceException",
         "AWS Organizations can't complete your request because of an internal service error. "
         "Try again later."),
        (("service:s3",), 500, "InternalError",
         "We encountered an internal error. Please try again."),
        (("service:iam",), 500, "ServiceFailure", "Request " + _INTERNAL),
        (("*",), 500, "InternalFailure", "The request " + _INTERNAL),
    ),
}  # fmt: skip


def common_error(kind: str, service: str, dialect: str, message: str = "") -> SandboxError:
    """The ``kind`` error (a key of the table above) as ``service`` says it in ``dialect``."""
    fits = {"*", f"service:{service}", f"dialect:{dialect}"}
    _where, status, code, text = next(row for row in _COMMON_ERRORS[kind] if fits & set(row[0]))
    extra = {"Type": "TooManyRequests"} if code == "TooManyRequestsException" else None
    return SandboxError(
        status,
        code,
        message if text is None else text,
        service=service,
        dialect=dialect,
        sender=status < 500,
        extra=extra,
    )


def access_denied(service: str, dialect: str, message: str) -> SandboxError:
    return common_error("denied", service, dialect, message)


def expired_token(service: str, dialect: str) -> SandboxError:
    return common_error("expired", service, dialect)


def invalid_token(service: str, dialect: str) -> SandboxError:
    return common_error("invalid", service, dialect)


def throttled(service: str, dialect: str) -> SandboxError:
    """Throttling in each service's own words, all recognised by botocore's retry handlers."""
    return common_error("throttled", service, dialect)


def server_error(service: str, dialect: str) -> SandboxError:
    return common_error("internal", service, dialect)


def not_emulated(service: str, dialect: str, action: str) -> SandboxError:
    """An operation botocore knows but neither moto nor the sandbox answers: a clear error in
    the service's dialect (501, not retried by SDKs) rather than an HTML page."""
    message = f"The sandbox does not emulate {service}:{action}."
    return SandboxError(501, "NotImplemented", message, service=service, dialect=dialect)
