"""Who did what as root: the AssumeRoot sessions CloudTrail recorded, tied to rootctl's journal
by their access key ids, with what each did in the member account when an event data store
(CloudTrail Lake, organization-wide) shows it.

Sources, and why each:
- ``LookupEvents`` in the account rootctl runs in, in its Region: AssumeRoot is recorded in
  the caller's account, in the Region of the STS endpoint (rootctl uses the regional one). It
  keeps 90 days and sees neither other callers' accounts (a delegated administrator) nor the
  member accounts' events — the report says so instead of pretending.
- an event data store (``--trail-lake``): every account and Region it collects; the member
  accounts' events of each session are found by its access key id (CloudTrail records it in
  the AssumeRoot answer and in every call of the session).
- the journal's ``root_sessions``: the key ids rootctl opened, so a session it did not open
  stands out.

A caller assuming root into an account for the first time is found by looking ``baseline``
further back than ``since`` (at most the 90 days LookupEvents keeps).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from rootctl.aws import cloudtrail
from rootctl.core.context import Context
from rootctl.errors import InputError, JournalUnavailable
from rootctl.models import SessionRecord
from rootctl.models.activity import (
    ActivityReport,
    RootSessionActivity,
    RootUserUse,
    SessionAction,
)
from rootctl.models.trail import ASSUME_ROOT, AssumeRootCall, EventQuery, TrailEvent

LOOKUP_HISTORY = timedelta(days=90)  # what LookupEvents keeps
# How far before ``since`` first callers are looked for: reading AssumeRoot events costs
# LookupEvents pages (2 a second, 50 events each) — an organization audited daily writes one
# event per account per day.
DEFAULT_BASELINE = timedelta(days=30)
KEYS_PER_QUERY = 200  # access key ids per Lake statement (keeps the SQL short)


def activity(
    ctx: Context,
    *,
    accounts: Sequence[str] | None,
    since: datetime,
    until: datetime | None = None,
    trail_lake: str | None = None,
    baseline: timedelta = DEFAULT_BASELINE,
) -> ActivityReport:
    """The root sessions opened on ``accounts`` (None: any) in ``[since, until]``; a caller's
    first AssumeRoot into an account is looked for ``baseline`` further back."""
    now = datetime.now(UTC)
    if since >= (until or now):
        raise InputError("--since must be before --until (and before now).")
    if trail_lake is not None:
        trail_lake = cloudtrail.data_store_id(trail_lake)  # before any AWS call
    aws = ctx.aws
    sources: list[str] = []
    blind: list[str] = []
    store = cloudtrail.describe_data_store(aws, trail_lake) if trail_lake else None
    history = since - baseline
    events: list[TrailEvent] = []
    if store is None or not store.organization_enabled:
        # An organization event data store holds the management account's events too.
        history = max(history, now - LOOKUP_HISTORY)
        events += _looked_up(ctx, min(history, since), until)
        sources.append(f"LookupEvents in {ctx.caller().account_id}, {aws.region}")
    if store is not None:
        query = EventQuery(names=(ASSUME_ROOT,), start=min(history, since), end=until)
        events += cloudtrail.lake_events(aws, store, query)
        sources.append(f"CloudTrail Lake event data store {store.id} ({store.region})")
        if not store.organization_enabled:
            blind.append(
                f"event data store {store.id} is not organization-wide: member accounts' "
                "events are missing unless it collects them"
            )
    else:
        blind += _without_lake(aws.region, since < now - LOOKUP_HISTORY)
    calls = _calls(events, accounts)
    first_seen = _first_seen(calls)
    in_window = [
        c for c in calls if c.event.time >= since and (until is None or c.event.time <= until)
    ]
    journaled = journaled_sessions(ctx, since - timedelta(hours=1))
    if journaled is None:
        blind.append("which sessions rootctl opened: the journal cannot be read")
    actions = _actions(ctx, store, in_window, since, until) if store is not None else None
    root_use = _root_user_use(ctx, store, accounts, since, until) if store is not None else None
    can_tell_new = history < since
    sessions = tuple(
        session_of(
            ctx,
            c,
            journaled,
            actions,
            new_caller=can_tell_new
            and first_seen.get((c.caller_arn, c.target_account)) == c.event.event_id,
        )
        for c in in_window
    )
    return ActivityReport(
        since=since,
        until=until or now,
        sources=tuple(sources),
        sessions=sessions,
        blind_spots=tuple(blind),
        history_since=history if can_tell_new else None,
        root_user_use=root_use,
    )


def assume_root_calls(ctx: Context, start: datetime) -> list[AssumeRootCall]:
    """The AssumeRoot calls LookupEvents recorded from ``start`` on (in the caller's account,
    in the session's Region), oldest first."""
    return _calls(_looked_up(ctx, start, None), None)


def _looked_up(ctx: Context, start: datetime, end: datetime | None) -> list[TrailEvent]:
    return cloudtrail.lookup_events(ctx.aws, EventQuery(names=(ASSUME_ROOT,), start=start, end=end))


def _without_lake(region: str, too_old: bool) -> list[str]:
    blind = [
        "what each session did in the member account: pass --trail-lake with an "
        "organization event data store (CloudTrail Lake)",
        "AssumeRoot calls made from other accounts (a delegated administrator) or through "
        f"another Region's STS endpoint than {region}",
        "the long-term root users' own sign-ins and calls in the member accounts (they are "
        "recorded there: pass --trail-lake; the audit shows password and key last use)",
    ]
    if too_old:
        blind.append("sessions older than 90 days (LookupEvents keeps 90 days)")
    return blind


def _calls(events: Iterable[TrailEvent], accounts: Sequence[str] | None) -> list[AssumeRootCall]:
    unique: dict[str, TrailEvent] = {}
    for event in events:
        unique.setdefault(event.event_id or f"{event.time.isoformat()}/{len(unique)}", event)
    calls = [AssumeRootCall.of(e) for e in sorted(unique.values(), key=lambda e: e.time)]
    wanted = set(accounts) if accounts is not None else None
    return [c for c in calls if c.target_account and (wanted is None or c.target_account in wanted)]


def _first_seen(calls: Iterable[AssumeRootCall]) -> dict[tuple[str | None, str | None], str]:
    """The event id of each (caller, account) pair's first AssumeRoot."""
    first: dict[tuple[str | None, str | None], str] = {}
    for call in calls:
        first.setdefault((call.caller_arn, call.target_account), call.event.event_id)
    return first


def journaled_sessions(ctx: Context, since: datetime) -> dict[str, SessionRecord] | None:
    """The sessions rootctl recorded, by key id; None when the journal cannot be read."""
    try:
        return {r.access_key_id: r for r in ctx.journal.sessions(since)}
    except JournalUnavailable:
        return None


def _actions(
    ctx: Context,
    store: cloudtrail.DataStore,
    calls: Sequence[AssumeRootCall],
    since: datetime,
    until: datetime | None,
) -> dict[str, list[SessionAction]]:
    keys = sorted({c.session_key_id for c in calls if c.session_key_id})
    found: dict[str, list[SessionAction]] = {k: [] for k in keys}
    for at in range(0, len(keys), KEYS_PER_QUERY):
        chunk = tuple(keys[at : at + KEYS_PER_QUERY])
        # a session outlives its AssumeRoot by up to 15 minutes
        end = until + timedelta(minutes=15) if until is not None else None
        query = EventQuery(access_key_ids=chunk, start=since, end=end)
        for event in cloudtrail.lake_events(ctx.aws, store, query):
            if event.name == ASSUME_ROOT or event.access_key_id not in found:
                continue
            found[event.access_key_id].append(
                SessionAction(
                    time=event.time,
                    name=event.name,
                    source=event.source,
                    region=event.region,
                    read_only=event.read_only,
                    error_code=event.error_code,
                )
            )
    return found


def _root_user_use(
    ctx: Context,
    store: cloudtrail.DataStore,
    accounts: Sequence[str] | None,
    since: datetime,
    until: datetime | None,
) -> tuple[RootUserUse, ...]:
    """The member accounts' long-term root users' own events (type Root, no AssumeRoot
    session): sign-ins, password recovery, calls with a root access key."""
    query = EventQuery(identity_types=("Root",), start=since, end=until)
    wanted = set(accounts) if accounts is not None else None
    found: list[RootUserUse] = []
    for event in cloudtrail.lake_events(ctx.aws, store, query):
        if event.root_session or event.assumed_root:
            continue
        if event.access_key_id and event.access_key_id.startswith("ASIA"):
            continue  # temporary credentials: a session (Lake has no assumedRoot column)
        if wanted is not None and event.account_id not in wanted:
            continue
        found.append(
            RootUserUse(
                time=event.time,
                account_id=event.account_id,
                name=event.name,
                source=event.source,
                region=event.region,
                account_name=ctx.account_names.get(event.account_id),
                access_key_id=event.access_key_id,
                source_ip=event.source_ip,
                succeeded=event.succeeded,
                error=event.error_code or event.error_message,
            )
        )
    return tuple(found)


def session_of(
    ctx: Context,
    call: AssumeRootCall,
    journaled: dict[str, SessionRecord] | None,
    actions: dict[str, list[SessionAction]] | None = None,
    *,
    new_caller: bool = False,
) -> RootSessionActivity:
    """One AssumeRoot call as a session: tied to the journal (``journaled``: by key id; None:
    unreadable), with its member-account ``actions`` when a source shows them."""
    key = call.session_key_id
    record = journaled.get(key) if key and journaled else None
    account = call.target_account or ""
    return RootSessionActivity(
        opened_at=call.event.time,
        account_id=account,
        caller_arn=call.caller_arn,
        task=call.task,
        access_key_id=key,
        account_name=ctx.account_names.get(account),
        source_identity=call.event.source_identity,
        error_code=call.event.error_code,
        journaled=record is not None,
        journal_known=journaled is not None,
        purpose=record.purpose if record else None,
        actions=tuple(actions.get(key, ())) if actions is not None and key else None,
        new_caller=new_caller,
    )
