"""The sandbox-only HTTP API under ``/_sandbox/`` — the in-process ``Sandbox`` methods for
tests and tools in another process (docs/sandbox.md, "The /_sandbox/ HTTP API").

Plain JSON in and out. Unauthenticated, like the emulated AWS endpoints next to it: the server
binds loopback by default.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from . import sandbox as sandbox_module
from .seed import SeedError

Handler = Callable[["Sandbox_", Request, dict[str, str]], Any]
Sandbox_ = sandbox_module.Sandbox


class ApiError(Exception):
    def __init__(self, status: int, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.details = details


def _json_body(request: Request) -> dict[str, Any]:
    data = request.get_data(cache=True)  # whatever the Content-Type (curl -d sends a form's)
    if not data:
        return {}
    try:
        body = json.loads(data)
    except ValueError as exc:
        raise ApiError(400, "the body must be JSON") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body


def _health(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    return {
        "ok": True,
        "organization_id": sb.organization_id,
        "management_account_id": sb.management_account_id,
        "accounts": len(sb.accounts()),
    }


def _organization(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    return {
        "organization_id": sb.organization_id,
        "root_id": sb.root_id,
        "management_account_id": sb.management_account_id,
        "delegated_administrator_id": sb.delegated_administrator_id,
        "features": sb.features(),
    }


def _accounts(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    return {"accounts": [a.to_dict() for a in sb.accounts()]}


def _admin(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    return sb.admin_credentials().to_dict()


def _principal(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    body = _json_body(request) if request.method == "POST" else {}
    policy = body.get("policy", "admin")
    return sb.principal_credentials(args["account"], args["name"], policy=policy).to_dict()


def _root_user(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    return sb.root_user(args["account"]).to_dict()


def _sign_in(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    body = _json_body(request)
    return sb.sign_in(
        args["account"], str(body.get("password", "")), body.get("mfa_code")
    ).to_dict()


def _reset_request(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    return sb.request_password_reset(args["account"]).to_dict()


def _reset_complete(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    body = _json_body(request)
    result = sb.complete_password_reset(
        args["account"], str(body.get("token", "")), str(body.get("new_password", ""))
    )
    return result.to_dict()


def _add_access_key(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    return sb.add_root_access_key(args["account"]).to_dict()


def _add_mfa_device(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    kind = str(_json_body(request).get("kind", "virtual"))
    return {"serial_number": sb.add_root_mfa_device(args["account"], kind), "kind": kind}


def _add_certificate(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    return {"certificate_id": sb.add_root_signing_certificate(args["account"])}


def _mfa_code(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    serial = request.args.get("serial")
    return {"code": sb.mfa_code(args["account"], serial)}


def _mailbox(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    return {"messages": [m.to_dict() for m in sb.mailbox(request.args.get("to"))]}


def _faults(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    if request.method == "DELETE":
        sb.faults.clear()
    elif request.method in ("PUT", "PATCH", "POST"):
        body = _json_body(request)
        allowed = {"latency_ms", "jitter_ms", "throttle_rate", "error_rate", "match", "seed"}
        unknown = set(body) - allowed - {"deny"}
        if unknown:
            raise ApiError(400, f"unknown fault settings: {', '.join(sorted(unknown))}")
        sb.faults.update(**{k: v for k, v in body.items() if k in allowed})
        for rule in body.get("deny", []):
            action = str(rule.get("action") or rule.get("task"))
            sb.faults.deny(str(rule["account"]), action, str(rule.get("policy", "scp")))
    return sb.faults.to_dict()


def _deny(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    body = _json_body(request)
    account = str(body.get("account", ""))
    action = str(body.get("action") or body.get("task") or "")
    if not account or not action:
        raise ApiError(400, "give 'account' and 'action' (or 'task')")
    policy = str(body.get("policy", "scp"))
    if request.method == "DELETE":
        sb.faults.allow(account, action, policy)
    else:
        sb.faults.deny(account, action, policy)
    return sb.faults.to_dict()


def _root_sessions(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    sessions = sb.issued_root_sessions(request.args.get("account"))
    return {"sessions": [s.to_dict() for s in sessions]}


def _cloudtrail_events(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    found = sb.cloudtrail_events(request.args.get("account"))
    name = request.args.get("name")
    return {"events": [e for e in found if name is None or e.get("eventName") == name]}


def _event_data_store(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    body = _json_body(request)
    arn = sb.create_event_data_store(str(body.get("name") or "organization-events"))
    return {"event_data_store_arn": arn, "event_data_store_id": arn.rsplit("/", 1)[-1]}


def _clock(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    body = _json_body(request)
    sb.advance_clock(float(body.get("advance", 0)))
    from .models import CLOCK

    return {"now": CLOCK.now().isoformat(), "offset_seconds": CLOCK.offset.total_seconds()}


def _propagation(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    if request.method in ("PUT", "PATCH", "POST"):
        body = _json_body(request)
        sb.propagation_delay = float(body.get("delay_seconds", 0))
    return {"delay_seconds": sb.propagation_delay}


def _snapshot(sb: Sandbox_, request: Request, args: dict[str, str]) -> Any:
    return Response(sb.snapshot(), mimetype="application/json")


def _reset(sb: Sandbox_ | None, request: Request, args: dict[str, str]) -> Any:
    body = _json_body(request)
    delay = float(body.get("propagation_delay", sb.propagation_delay if sb else 0))
    Sandbox = sandbox_module.Sandbox
    if body.get("example") or (sb is None and not {"accounts", "seed"} & set(body)):
        built = Sandbox.example(propagation_delay=delay, scps=body.get("scps", True) is not False)
    elif "accounts" in body:
        accounts, random_seed = int(body["accounts"]), int(body.get("random_seed", 0))
        built = Sandbox.generated(accounts, random_seed, propagation_delay=delay)
    elif "seed" in body:
        seed = body["seed"]
        source = seed if isinstance(seed, dict) else str(seed)
        built = Sandbox.from_seed(source, propagation_delay=delay)
    else:
        built = sb.reset() if sb is not None else Sandbox.example()
        built.propagation_delay = delay
    return _organization(built, request, args)


_ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", r"/_sandbox/health", _health),
    ("GET", r"/_sandbox/organization", _organization),
    ("GET", r"/_sandbox/accounts", _accounts),
    ("GET", r"/_sandbox/credentials/admin", _admin),
    ("GET|POST", r"/_sandbox/credentials/(?P<account>\d{12})/(?P<name>[\w+=,.@-]+)", _principal),
    ("GET", r"/_sandbox/accounts/(?P<account>\d{12})/root-user", _root_user),
    ("POST", r"/_sandbox/accounts/(?P<account>\d{12})/sign-in", _sign_in),
    ("POST", r"/_sandbox/accounts/(?P<account>\d{12})/password-reset", _reset_request),
    ("POST", r"/_sandbox/accounts/(?P<account>\d{12})/password-reset/complete", _reset_complete),
    ("GET", r"/_sandbox/accounts/(?P<account>\d{12})/mfa-code", _mfa_code),
    ("POST", r"/_sandbox/accounts/(?P<account>\d{12})/root-user/access-keys", _add_access_key),
    ("POST", r"/_sandbox/accounts/(?P<account>\d{12})/root-user/mfa-devices", _add_mfa_device),
    (
        "POST",
        r"/_sandbox/accounts/(?P<account>\d{12})/root-user/signing-certificates",
        _add_certificate,
    ),
    ("GET", r"/_sandbox/mailbox", _mailbox),
    ("GET", r"/_sandbox/root-sessions", _root_sessions),
    ("GET|PUT|PATCH|POST|DELETE", r"/_sandbox/faults", _faults),
    ("POST|DELETE", r"/_sandbox/faults/deny", _deny),
    ("GET", r"/_sandbox/cloudtrail/events", _cloudtrail_events),
    ("POST", r"/_sandbox/cloudtrail/event-data-store", _event_data_store),
    ("POST", r"/_sandbox/clock", _clock),
    ("GET|PUT|PATCH|POST", r"/_sandbox/propagation-delay", _propagation),
    ("GET", r"/_sandbox/snapshot", _snapshot),
]
_COMPILED = [(methods.split("|"), re.compile(f"^{path}/?$"), h) for methods, path, h in _ROUTES]
_RESET = re.compile(r"^/_sandbox/reset/?$")


def _dispatch(request: Request) -> Response:
    path = request.path
    if _RESET.match(path):
        if request.method != "POST":
            raise ApiError(405, "use POST")
        return _respond(_reset(sandbox_module.current(), request, {}))
    for methods, pattern, handler in _COMPILED:
        match = pattern.match(path)
        if match is None:
            continue
        if request.method not in methods:
            raise ApiError(405, f"use {' or '.join(methods)}")
        sb = sandbox_module.current()
        if sb is None:
            raise ApiError(409, "no organization is loaded; POST /_sandbox/reset first")
        return _respond(handler(sb, request, match.groupdict()))
    raise ApiError(404, f"no sandbox API at {path}")


def _respond(result: Any) -> Response:
    if isinstance(result, Response):
        return result
    return Response(json.dumps(result, default=str), mimetype="application/json")


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The WSGI app serving ``/_sandbox/…``."""
    request = Request(environ)
    try:
        response = _dispatch(request)
    except ApiError as error:
        response = Response(
            json.dumps({"error": str(error), **error.details}),
            status=error.status,
            mimetype="application/json",
        )
    except SeedError as error:
        response = Response(
            json.dumps(
                {
                    "error": str(error),
                    "field": error.field,
                    "line": error.line,
                    "column": error.column,
                }
            ),
            status=400,
            mimetype="application/json",
        )
    except KeyError as error:
        response = Response(
            json.dumps({"error": str(error.args[0]) if error.args else "not found"}),
            status=404,
            mimetype="application/json",
        )
    except (ValueError, TypeError) as error:
        response = Response(
            json.dumps({"error": str(error)}), status=400, mimetype="application/json"
        )
    except HTTPException as error:  # pragma: no cover - werkzeug's own
        return error(environ, start_response)
    return response(environ, start_response)
