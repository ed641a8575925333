"""The sandbox's CloudTrail: every management event, kept per account, as AWS records it.

An event is the CloudTrail record (``eventVersion`` 1.09) as a plain dict, stored in the
account that owns it (``recipientAccountId``): the caller's account for ``AssumeRoot`` (in the
Region of the STS endpoint used), the member account for every call made in a root session
(``userIdentity.type`` Root, ``sessionContext.assumedRoot`` "true"), the member account in
us-east-1 for root sign-ins and password recovery. ``LookupEvents`` (``lookup.py``) reads one
account's events, CloudTrail Lake (``lake.py``) the organization's.

The store is a moto ``BackendDict``: ``mock_aws`` exit and ``POST /moto-api/reset`` clear it
with the rest of moto.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from moto.core.base_backend import BackendDict, BaseBackend

from ..callers import Caller, iam_key
from ..models import CLOCK

EVENT_VERSION = "1.09"
HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
# Request fields AWS never records in clear (passwords, private keys).
SECRET_PARAMETERS = frozenset(
    {"password", "newPassword", "oldPassword", "privateKey", "secretAccessKey"}
)
# Data events: not recorded by default (no trail data-event selectors in the sandbox).
DATA_EVENTS = frozenset(
    {
        "SendMessage",
        "SendMessageBatch",
        "ReceiveMessage",
        "DeleteMessage",
        "DeleteMessageBatch",
        "ChangeMessageVisibility",
        "ChangeMessageVisibilityBatch",
    }
)
_READ_ONLY_PREFIXES = ("Get", "List", "Describe", "Lookup", "Head", "Simulate", "Search")
_READ_ONLY_EXTRA = frozenset({"GenerateCredentialReport"})
GLOBAL_SERVICES = frozenset({"iam", "organizations", "signin"})


def is_read_only(event_name: str) -> bool:
    return event_name.startswith(_READ_ONLY_PREFIXES) or event_name in _READ_ONLY_EXTRA


def event_time(moment: datetime | None = None) -> str:
    return (moment or CLOCK.now()).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def console_expiration(moment: datetime) -> str:
    """The ``Mon D, YYYY, h:mm:ss AM`` style of ``responseElements.credentials.expiration``."""
    utc = moment.astimezone(UTC)
    hour = utc.hour % 12 or 12
    return f"{utc:%b} {utc.day}, {utc.year}, {hour}:{utc:%M:%S} {'AM' if utc.hour < 12 else 'PM'}"


class AccountTrail(BaseBackend):
    """One account's event history (every Region), oldest first."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.events: list[dict[str, Any]] = []
        self.lock = threading.Lock()


trail_backends: BackendDict[AccountTrail] = BackendDict(
    AccountTrail, "cloudtrailevents", use_boto3_regions=False, additional_regions=["aws"]
)


def _trail(account_id: str, *, create: bool) -> AccountTrail | None:
    existing = dict.get(trail_backends, account_id)
    if existing is not None and dict.__contains__(existing, "aws"):
        found: AccountTrail = existing["aws"]
        return found
    if not create:
        return None
    created: AccountTrail = trail_backends[account_id]["aws"]
    return created


def record(event: dict[str, Any]) -> None:
    """Keep ``event`` in the history of its ``recipientAccountId``."""
    trail = _trail(str(event["recipientAccountId"]), create=True)
    assert trail is not None
    with trail.lock:
        trail.events.append(event)


def events_of(account_id: str) -> list[dict[str, Any]]:
    """A copy of one account's events, oldest first."""
    trail = _trail(account_id, create=False)
    if trail is None:
        return []
    with trail.lock:
        return list(trail.events)


def all_events() -> Iterator[dict[str, Any]]:
    """Every account's events (the organization's, for CloudTrail Lake)."""
    for account_id in list(trail_backends.keys()):
        yield from events_of(str(account_id))


# --- userIdentity -------------------------------------------------------------------------


def _attributes(created: datetime | None) -> dict[str, str]:
    return {"creationDate": event_time(created), "mfaAuthenticated": "false"}


def user_identity(caller: Caller, source_identity: str | None = None) -> dict[str, Any]:
    """The ``userIdentity`` element of a request made by ``caller`` (CloudTrail user guide,
    "CloudTrail userIdentity element"; spec §2.8)."""
    account = caller.account_id
    if caller.kind == "root-session" and caller.session is not None:
        return {
            "type": "Root",
            "principalId": account,
            "arn": f"arn:aws:iam::{account}:root",
            "accountId": account,
            "accessKeyId": caller.access_key_id,
            "sessionContext": {
                "attributes": _attributes(caller.session.issued_at),
                "assumedRoot": "true",
            },
        }
    if caller.kind == "root":
        return {
            "type": "Root",
            "principalId": account,
            "arn": f"arn:aws:iam::{account}:root",
            "accountId": account,
            "accessKeyId": caller.access_key_id,
        }
    if caller.kind == "role":
        return _role_identity(caller, source_identity)
    principal_id = account
    found = iam_key(account, caller.access_key_id)
    if found is not None and caller.user_name:
        user = found[0].users.get(caller.user_name)
        principal_id = str(getattr(user, "id", account))
    return {
        "type": "IAMUser",
        "principalId": principal_id,
        "arn": caller.arn,
        "accountId": account,
        "accessKeyId": caller.access_key_id,
        "userName": caller.user_name or caller.arn.rsplit("/", 1)[-1],
    }


def _role_identity(caller: Caller, source_identity: str | None) -> dict[str, Any]:
    account = caller.account_id
    role_arn = caller.role_arn or ""
    role_name = role_arn.rsplit("/", 1)[-1]
    session_name = caller.arn.rsplit("/", 1)[-1]
    role_id = role_name
    found = iam_key(account, caller.access_key_id)
    if found is not None:
        role = next((r for r in found[0].roles.values() if r.arn == role_arn), None)
        role_id = str(getattr(role, "id", role_name))
    context: dict[str, Any] = {
        "sessionIssuer": {
            "type": "Role",
            "principalId": role_id,
            "arn": role_arn,
            "accountId": account,
            "userName": role_name,
        },
        "attributes": _attributes(None),
    }
    if source_identity:
        context["sourceIdentity"] = source_identity
    return {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{session_name}",
        "arn": caller.arn,
        "accountId": account,
        "accessKeyId": caller.access_key_id,
        "sessionContext": context,
    }


# --- records ------------------------------------------------------------------------------


def hide_secrets(value: Any) -> Any:
    """``value`` with every secret-bearing field replaced as AWS does."""
    if isinstance(value, Mapping):
        return {k: HIDDEN if k in SECRET_PARAMETERS else hide_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [hide_secrets(v) for v in value]
    return value


def api_call(
    caller: Caller,
    *,
    service: str,
    event_name: str,
    region: str,
    request_parameters: dict[str, Any] | None,
    response_elements: dict[str, Any] | None = None,
    error_code: str | None = None,
    error_message: str | None = None,
    request_id: str | None = None,
    user_agent: str = "",
    source_ip: str = "127.0.0.1",
    source_identity: str | None = None,
) -> dict[str, Any]:
    """The record of one API call (``eventType`` AwsApiCall), owned by the caller's account."""
    event: dict[str, Any] = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": user_identity(caller, source_identity),
        "eventTime": event_time(),
        "eventSource": f"{service}.amazonaws.com",
        "eventName": event_name,
        "awsRegion": "us-east-1" if service in GLOBAL_SERVICES else region,
        "sourceIPAddress": source_ip,
        "userAgent": user_agent,
        "requestParameters": hide_secrets(request_parameters) if request_parameters else None,
        "responseElements": response_elements,
    }
    if error_code:
        event["errorCode"] = error_code
        event["errorMessage"] = error_message or ""
    event.update(
        {
            "requestID": request_id or str(uuid.uuid4()),
            "eventID": str(uuid.uuid4()),
            "readOnly": is_read_only(event_name),
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": caller.account_id,
            "eventCategory": "Management",
        }
    )
    return event


def sign_in_event(
    account_id: str,
    event_name: str,
    *,
    success: bool,
    error_message: str | None = None,
    mfa_used: bool | None = None,
) -> dict[str, Any]:
    """A root ``ConsoleLogin``, ``PasswordRecoveryRequested`` or ``PasswordRecoveryCompleted``
    (``eventType`` AwsConsoleSignIn, signin.amazonaws.com, always us-east-1 for the root)."""
    identity = {
        "type": "Root",
        "principalId": account_id,
        "arn": f"arn:aws:iam::{account_id}:root",
        "accountId": account_id,
        "accessKeyId": "",
    }
    event: dict[str, Any] = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": identity,
        "eventTime": event_time(),
        "eventSource": "signin.amazonaws.com",
        "eventName": event_name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "192.0.2.10",
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64) rootctl-sandbox-browser",
        "requestParameters": None,
        "responseElements": {event_name: "Success" if success else "Failure"},
    }
    if event_name == "ConsoleLogin":
        event["additionalEventData"] = {
            "LoginTo": "https://console.aws.amazon.com/console/home",
            "MobileVersion": "No",
            "MFAUsed": "Yes" if mfa_used else "No",
        }
    if not success:
        event["errorMessage"] = error_message or "Failed authentication"
    event.update(
        {
            "eventID": str(uuid.uuid4()),
            "readOnly": False,
            "eventType": "AwsConsoleSignIn",
            "managementEvent": True,
            "recipientAccountId": account_id,
            "eventCategory": "Management",
        }
    )
    return event
