"""New root callers, for ``watch``: a caller's first ``AssumeRoot`` into an account since the
previous round (the ``new-caller-account`` finding of ``activity``, as it happens).

The source is the one ``activity`` reads without an event data store: LookupEvents in the
account rootctl runs in, in its Region. The caller/account pairs already seen persist in the
journal's watch state (``STATE_NAME``, a key/value record the SQLite and DynamoDB journals both
keep) with the time of the last look, so a restart neither forgets them nor re-reads 30 days:
the first round ever learns the pairs of the last ``FIRST_LOOKBACK`` (no alert: there is no
previous round), each later one reads from the last look minus ``DELIVERY_LAG``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rootctl.core.activity import (
    DEFAULT_BASELINE,
    assume_root_calls,
    journaled_sessions,
    session_of,
)
from rootctl.core.context import Context
from rootctl.models.activity import RootSessionActivity
from rootctl.models.trail import AssumeRootCall

STATE_NAME = "watch-root-callers"
FIRST_LOOKBACK = DEFAULT_BASELINE
# CloudTrail delivers an event within about 15 minutes: each look overlaps the last by as much
# (a pair already known is not new again, so the overlap costs reads, never alerts).
DELIVERY_LAG = timedelta(minutes=15)

Pairs = dict[str, set[str]]  # caller ARN -> account ids it assumed root into


@dataclass(frozen=True)
class CallerRound:
    new: tuple[RootSessionActivity, ...]  # each new pair's first call, oldest first
    state: str  # what to save for the next round
    learned: bool  # the first round: pairs learned, none reported


def new_root_callers(ctx: Context, saved: str | None, now: datetime | None = None) -> CallerRound:
    """The pairs first seen since the look ``saved`` records (None: the first round)."""
    now = now or datetime.now(UTC)
    last = _load(saved)
    start = now - FIRST_LOOKBACK if last is None else last[0] - DELIVERY_LAG
    pairs: Pairs = {} if last is None else last[1]
    first_calls: list[AssumeRootCall] = []
    for call in assume_root_calls(ctx, start):
        accounts = pairs.setdefault(call.caller_arn or "", set())
        if call.target_account and call.target_account not in accounts:
            accounts.add(call.target_account)
            first_calls.append(call)
    new: tuple[RootSessionActivity, ...] = ()
    if last is not None and first_calls:
        journaled = journaled_sessions(ctx, start - timedelta(hours=1))
        new = tuple(session_of(ctx, c, journaled, new_caller=True) for c in first_calls)
    return CallerRound(new, _dump(now, pairs), learned=last is None)


def _dump(now: datetime, pairs: Pairs) -> str:
    return json.dumps(
        {
            "looked_at": now.isoformat(),
            "pairs": {caller: sorted(accounts) for caller, accounts in sorted(pairs.items())},
        }
    )


def _load(text: str | None) -> tuple[datetime, Pairs] | None:
    """The last look and the pairs known then; None when there is none (or it is unreadable:
    the round then learns again rather than alerting on every pair)."""
    try:
        raw: Any = json.loads(text) if text else None
        looked_at = datetime.fromisoformat(raw["looked_at"])
        pairs = {str(c): {str(a) for a in accounts} for c, accounts in raw["pairs"].items()}
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return looked_at, pairs
