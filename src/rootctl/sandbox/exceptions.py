"""Errors on the wire, in each protocol's own dialect.

boto3 only raises its modeled exception classes (``iam.exceptions.NoSuchEntityException``,
``organizations.exceptions.ConstraintViolationException`` …) when the code, HTTP status and
envelope are exactly what the protocol uses, so every error the sandbox emits goes through
``SandboxError``, which renders Query XML (IAM, STS, SQS-query), JSON 1.1 (Organizations),
JSON 1.0 with the query-compatible header (SQS) or REST-XML (S3).

It is a werkzeug ``HTTPException`` because that is what moto's dispatchers (in-process stubber
and Flask app) turn into a response, headers and all.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from xml.sax.saxutils import escape

from werkzeug.exceptions import HTTPException

QUERY_NAMESPACES = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "sqs": "http://queue.amazonaws.com/doc/2012-11-05/",
}

DIALECTS = ("query", "json", "sqs-json", "rest-xml", "rest-json", "ec2")


class SandboxError(HTTPException):
    """One AWS error response: ``code`` is the wire error code, ``status`` the HTTP status."""

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
        self.request_id = str(uuid.uuid4())
        # moto's dispatchers send ``description`` as the body of a raised HTTPException.
        self.description = self.get_body()

    def __str__(self) -> str:
        return f"{self.error_code}: {self.message}"

    def get_body(self, *args: Any, **kwargs: Any) -> str:
        kind = "Sender" if self.sender else "Receiver"
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
                f"<Response><Errors><Error><Code>{escape(self.error_code)}</Code>"
                f"<Message>{escape(self.message)}</Message></Error></Errors>"
                f"<RequestID>{self.request_id}</RequestID></Response>"
            )
        extra = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in self.extra.items())
        if self.dialect == "rest-xml":
            return (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f"<Error><Code>{escape(self.error_code)}</Code>"
                f"<Message>{escape(self.message)}</Message>{extra}"
                f"<RequestId>{self.request_id}</RequestId>"
                f"<HostId>{self.request_id}</HostId></Error>"
            )
        namespace = QUERY_NAMESPACES.get(self.service, "")
        xmlns = f' xmlns="{namespace}"' if namespace else ""
        return (
            f"<ErrorResponse{xmlns}><Error><Type>{kind}</Type>"
            f"<Code>{escape(self.error_code)}</Code>"
            f"<Message>{escape(self.message)}</Message>{extra}</Error>"
            f"<RequestId>{self.request_id}</RequestId></ErrorResponse>"
        )

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        if self.dialect in ("json", "rest-json"):
            content_type = (
                "application/x-amz-json-1.1" if self.dialect == "json" else "application/json"
            )
        elif self.dialect == "sqs-json":
            content_type = "application/x-amz-json-1.0"
        else:
            content_type = "text/xml" if self.dialect == "query" else "application/xml"
        headers = [
            ("Content-Type", content_type),
            ("x-amzn-RequestId", self.request_id),
        ]
        if self.dialect in ("json", "sqs-json", "rest-json"):
            headers.append(("X-Amzn-ErrorType", self.error_code))
        if self.dialect == "sqs-json":
            kind = "Sender" if self.sender else "Receiver"
            headers.append(("x-amzn-query-error", f"{self.error_code};{kind}"))
        if self.dialect == "rest-xml":
            headers.append(("x-amz-request-id", self.request_id))
        headers.extend(self.extra_headers.items())
        return headers

    def as_response(self) -> tuple[int, dict[str, str], str]:
        """The (status, headers, body) triple moto's response methods return."""
        return self.code or 500, dict(self.get_headers()), self.get_body()


def dialect_for(service: str, content_type: str | None) -> str:
    """The error dialect of a request to ``service`` sent with ``content_type``."""
    if service == "organizations":
        return "json"
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


# --- The errors the sandbox raises, by service ----------------------------------------------


def access_denied(service: str, dialect: str, message: str) -> SandboxError:
    if service == "organizations" or dialect == "json":
        return SandboxError(400, "AccessDeniedException", message, service=service, dialect=dialect)
    if dialect == "rest-json":
        return SandboxError(403, "AccessDeniedException", message, service=service, dialect=dialect)
    if dialect == "ec2":
        return SandboxError(403, "UnauthorizedOperation", message, service=service, dialect=dialect)
    return SandboxError(403, "AccessDenied", message, service=service, dialect=dialect)


def expired_token(service: str, dialect: str) -> SandboxError:
    if service == "organizations" or dialect in ("json", "rest-json"):
        return SandboxError(
            400,
            "ExpiredTokenException",
            "The security token included in the request is expired",
            service=service,
            dialect=dialect,
        )
    if service == "s3":
        return SandboxError(
            400, "ExpiredToken", "The provided token has expired.", service=service, dialect=dialect
        )
    return SandboxError(
        403,
        "ExpiredToken",
        "The security token included in the request is expired",
        service=service,
        dialect=dialect,
    )


def invalid_token(service: str, dialect: str) -> SandboxError:
    if dialect == "ec2":
        return SandboxError(
            401,
            "AuthFailure",
            "AWS was not able to validate the provided access credentials",
            service=service,
            dialect=dialect,
        )
    if service == "organizations" or dialect in ("json", "rest-json"):
        return SandboxError(
            400,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
            service=service,
            dialect=dialect,
        )
    if service == "s3":
        return SandboxError(
            400,
            "InvalidToken",
            "The provided token is malformed or otherwise invalid.",
            service=service,
            dialect=dialect,
        )
    return SandboxError(
        403,
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
        service=service,
        dialect=dialect,
    )


def throttled(service: str, dialect: str) -> SandboxError:
    """Throttling in each service's own words, all recognised by botocore's retry handlers."""
    if service == "organizations":
        return SandboxError(
            400,
            "TooManyRequestsException",
            "You have sent too many requests in too short a period of time. The quota helps "
            "protect against denial-of-service attacks. Try again later.",
            service=service,
            dialect=dialect,
            extra={"Type": "TooManyRequests"},
        )
    if service == "s3":
        return SandboxError(
            503, "SlowDown", "Please reduce your request rate.", service=service, dialect=dialect
        )
    if service == "sqs":
        if dialect == "sqs-json":
            return SandboxError(
                400, "ThrottlingException", "Rate exceeded", service=service, dialect=dialect
            )
        return SandboxError(
            403, "RequestThrottled", "Rate exceeded", service=service, dialect=dialect
        )
    return SandboxError(400, "Throttling", "Rate exceeded", service=service, dialect=dialect)


def server_error(service: str, dialect: str) -> SandboxError:
    if service == "organizations":
        code, message = (
            "ServiceException",
            "AWS Organizations can't complete your request because of an internal service "
            "error. Try again later.",
        )
    elif service == "s3":
        code, message = "InternalError", "We encountered an internal error. Please try again."
    elif service == "iam":
        code, message = (
            "ServiceFailure",
            "Request processing has failed because of an unknown error, exception or failure.",
        )
    else:
        code, message = (
            "InternalFailure",
            "The request processing has failed because of an unknown error, exception or failure.",
        )
    return SandboxError(500, code, message, service=service, dialect=dialect, sender=False)


def iam_error(status: int, code: str, message: str) -> SandboxError:
    return SandboxError(status, code, message, service="iam", dialect="query")


def sts_error(status: int, code: str, message: str) -> SandboxError:
    return SandboxError(status, code, message, service="sts", dialect="query")


def organizations_error(code: str, message: str, reason: str | None = None) -> SandboxError:
    return SandboxError(
        400,
        code,
        message,
        service="organizations",
        dialect="json",
        extra={"Reason": reason} if reason else None,
    )
