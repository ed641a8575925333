"""Turning a request the gate let through (or refused) into its CloudTrail record.

Called once per request by ``GatedResponse`` (IAM, STS, SQS, Organizations, CloudTrail) and by
the S3 response for bucket-level calls, after the answer is known, so failed calls carry their
``errorCode`` as AWS records them. Requests whose credentials were forged or unknown are not
recorded (AWS cannot attribute them either).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..callers import Caller
from . import events

# What a handler leaves on the response for its record (e.g. AssumeRoot's credentials).
RESPONSE_ELEMENTS = "sandbox_trail_response"
_QUERY_SKIP = frozenset({"Action", "Version"})
_XML_CODE = re.compile(r"<Code>([^<]*)</Code>")
_XML_MESSAGE = re.compile(r"<Message>([^<]*)</Message>", re.S)


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _camel(value: Any) -> Any:
    if isinstance(value, dict):
        return {_lower_first(str(k)): _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _query_parameters(querystring: dict[str, list[str]]) -> dict[str, Any]:
    """``TaskPolicyArn.arn=…`` → ``{"taskPolicyArn": {"arn": …}}``; ``X.member.N`` → lists."""
    result: dict[str, Any] = {}
    for key in sorted(querystring):
        if key in _QUERY_SKIP or key.startswith("X-Amz-"):
            continue
        values = querystring[key]
        value = values[0] if values else ""
        parts = [p for p in key.split(".") if p != "member" and not p.isdigit()]
        target = result
        for part in parts[:-1]:
            nested = target.setdefault(_lower_first(part), {})
            if not isinstance(nested, dict):
                break
            target = nested
        else:
            leaf = _lower_first(parts[-1]) if parts else key
            if ".member." in key or key.split(".")[-1].isdigit():
                existing = target.setdefault(leaf, [])
                if isinstance(existing, list):
                    existing.append(value)
            else:
                target[leaf] = value
    return result


def request_parameters(resp: Any, service: str) -> dict[str, Any] | None:
    """The request's parameters as CloudTrail shows them (lowerCamelCase names)."""
    content_type = str(resp.headers.get("Content-Type", ""))
    if "json" in content_type:
        body = resp.body
        try:
            parsed = json.loads(body or "{}") if body else {}
        except (TypeError, ValueError):
            return None
        return _camel(parsed) if isinstance(parsed, dict) and parsed else None
    querystring = getattr(resp, "querystring", None) or {}
    parameters = _query_parameters(querystring)
    return parameters or None


def _error(status: int, headers: dict[str, Any], body: Any) -> tuple[str | None, str | None]:
    if status < 400:
        return None, None
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    code = headers.get("X-Amzn-ErrorType") or headers.get("x-amzn-ErrorType")
    message: str | None = None
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = {}
        code = code or str(parsed.get("__type", "")).rsplit("#", 1)[-1]
        message = parsed.get("Message") or parsed.get("message")
    else:
        found = _XML_CODE.search(text)
        code = code or (found.group(1) if found else None)
        found_message = _XML_MESSAGE.search(text)
        message = found_message.group(1) if found_message else None
    return (str(code).split(":", 1)[0] if code else f"HTTP{status}"), message


def _request_id(headers: dict[str, Any]) -> str | None:
    for name, value in headers.items():
        if name.lower() in ("x-amzn-requestid", "x-amz-request-id"):
            return str(value)
    return None


def record_call(
    resp: Any,
    caller: Caller | None,
    service: str,
    action: str,
    outcome: tuple[int, dict[str, Any], Any],
    *,
    parameters: dict[str, Any] | None = None,
) -> None:
    """Record the call ``resp`` made, with its outcome ``(status, headers, body)``."""
    if caller is None or caller.kind == "invalid" or caller.problem is not None:
        return
    if not action or action in events.DATA_EVENTS:
        return
    status, headers, body = outcome
    code, message = _error(status, headers, body)
    response = getattr(resp, RESPONSE_ELEMENTS, None) if code is None else None
    event = events.api_call(
        caller,
        service=service,
        event_name=action,
        region=str(getattr(resp, "region", "us-east-1") or "us-east-1"),
        request_parameters=parameters
        if parameters is not None
        else request_parameters(resp, service),
        response_elements=response,
        error_code=code,
        error_message=message,
        request_id=_request_id(headers),
        user_agent=str(resp.headers.get("User-Agent", "")),
        source_ip=_source_ip(resp),
        source_identity=_source_identity(caller),
    )
    events.record(event)


def _source_identity(caller: Caller) -> str | None:
    if caller.kind != "role":
        return None
    from ..sts import source_identity

    return source_identity.of(caller.account_id, caller.access_key_id)


def _source_ip(resp: Any) -> str:
    forwarded = str(resp.headers.get("X-Forwarded-For", "")).split(",")[0].strip()
    if forwarded:
        return forwarded
    request = getattr(resp, "request", None)
    environ = getattr(request, "environ", None) or {}
    return str(environ.get("REMOTE_ADDR") or "127.0.0.1")
