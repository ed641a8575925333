"""What a closed recovery window leaves behind: one sentence a person reads, one JSON record the
journal keeps, and the root sign-in and password-recovery events CloudTrail has for it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from rootctl.core.clock import aware
from rootctl.core.context import Context
from rootctl.models import (
    Gains,
    RecoveryWindow,
    TrailLookup,
    WindowClosure,
    WindowEvent,
    WindowState,
)

RESET_EVENTS = ("PasswordRecoveryRequested", "PasswordRecoveryCompleted")


def utc(moment: datetime | None) -> str:
    return "—" if moment is None else f"{aware(moment):%Y-%m-%d %H:%M:%S} UTC"


def length(span: timedelta) -> str:
    """``2h``, ``90m``, ``1d 4h``: a window's length in its own words."""
    seconds = int(span.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
    if seconds or not parts:
        parts.append(f"{seconds}s")
    return " ".join(parts)


def not_ours(window: RecoveryWindow) -> str:
    """Why a closer did not get a window it wanted to close."""
    if window.state is WindowState.CLOSED:
        return f"already closed by {window.closed_by} at {utc(window.closed_at)}"
    if window.state is WindowState.CLOSING:
        return f"another run is closing it (since {utc(window.claimed_at)})"
    return f"it is {window.state.value}"


def trail(ctx: Context, window: RecoveryWindow, until: datetime) -> TrailLookup:
    """The root ConsoleLogin and password-recovery events of the window's account between its
    opening and ``until``, or why they could not be read."""
    return TrailLookup(
        looked=False,
        reason="this rootctl does not read CloudTrail yet",
    )


def _first(events: tuple[WindowEvent, ...], names: tuple[str, ...]) -> WindowEvent | None:
    return next((e for e in sorted(events, key=lambda e: e.time) if e.name in names), None)


def summary(closure: WindowClosure) -> str:
    """``window 2h on … (reason; ticket): password reset at …, signed in at …, closed by … at
    …, 2 credentials removed``."""
    window = closure.window
    if window is None:
        return closure.reason or closure.state.value
    facts: list[str] = []
    events = closure.trail.events if closure.trail else ()
    if reset := _first(events, ("PasswordRecoveryCompleted",)):
        facts.append(f"password reset at {utc(reset.time)}")
    elif asked := _first(events, ("PasswordRecoveryRequested",)):
        facts.append(f"password reset asked for at {utc(asked.time)}")
    login = _first(events, ("ConsoleLogin",))
    signed_in = login.time if login else (closure.gains.signed_in_at if closure.gains else None)
    if signed_in is not None:
        facts.append(f"signed in at {utc(signed_in)}")
    elif closure.gains is not None:
        facts.append("no sign-in with the password seen")
    facts.append(f"closed by {closure.closed_by} at {utc(closure.closed_at)}")
    removed = closure.removed_count
    facts.append(f"{removed} credential{'s' if removed != 1 else ''} removed")
    if closure.reason:
        facts.append(f"NOT removed: {closure.reason}")
    if closure.trail is not None and not closure.trail.looked:
        facts.append(f"CloudTrail not read ({closure.trail.reason})")
    ticket = f"; ticket {window.ticket}" if window.ticket else ""
    return (
        f"window {length(window.length)} on {window.account_id} opened by {window.opened_by} at "
        f"{utc(window.opened_at)} ({window.reason}{ticket}): " + ", ".join(facts)
    )


def encode(closure: WindowClosure) -> str:
    """The closure as the JSON the journal keeps (docs/json-schema: ``window_evidence``)."""
    return json.dumps(_evidence(closure), ensure_ascii=True, sort_keys=True)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else aware(moment).isoformat().replace("+00:00", "Z")


def _evidence(closure: WindowClosure) -> dict[str, Any]:
    trail = closure.trail
    return {
        "state": closure.state.value,
        "reason": closure.reason,
        "closed_by": closure.closed_by,
        "closed_at": _iso(closure.closed_at),
        "gained": _gains(closure.gains),
        "removed": [
            {
                "kind": r.item.kind.value,
                "id": r.item.id,
                "outcome": r.outcome.value,
                "reason": r.reason,
                "request_id": r.request_id,
                "note": r.note,
            }
            for r in closure.removed
        ],
        "cloudtrail": None
        if trail is None
        else {
            "looked": trail.looked,
            "reason": trail.reason,
            "source": trail.source,
            "events": [
                {
                    "name": e.name,
                    "time": _iso(e.time),
                    "account_id": e.account_id,
                    "outcome": e.outcome,
                    "source_ip": e.source_ip,
                    "event_id": e.event_id,
                }
                for e in trail.events
            ],
        },
        "summary": summary(closure),
    }


def _gains(gains: Gains | None) -> dict[str, Any] | None:
    if gains is None:
        return None
    profile = gains.login_profile
    return {
        "login_profile_created_at": None if profile is None else _iso(profile.created),
        "signed_in_at": _iso(gains.signed_in_at),
        "access_keys": [k.id for k in gains.access_keys],
        "mfa_devices": [d.serial for d in gains.mfa_devices],
        "signing_certificates": [c.id for c in gains.signing_certificates],
    }
