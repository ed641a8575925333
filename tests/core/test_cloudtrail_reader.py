"""rootctl.aws.cloudtrail: typed events out of LookupEvents and CloudTrail Lake, paginated,
throttling-aware, and never holding a session token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3

from rootctl.aws.cloudtrail import (
    describe_data_store,
    lake_events,
    lake_statement,
    lenient_map,
    lookup_events,
)
from rootctl.aws.session import AwsSession, ConnectionOptions
from rootctl.models.trail import AssumeRootCall, EventQuery
from rootctl.sandbox import Sandbox

PAYMENTS = "418273645501"
CHECKOUT = "418273645502"
AUDIT = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"


def _open(target: str) -> dict[str, str]:
    sts = boto3.client("sts", region_name="us-east-1")
    answer = sts.assume_root(TargetPrincipal=target, TaskPolicyArn={"arn": AUDIT})
    credentials = answer["Credentials"]
    return {k: str(v) for k, v in credentials.items()}


def _enable() -> None:
    boto3.client("organizations", region_name="us-east-1").enable_aws_service_access(
        ServicePrincipal="iam.amazonaws.com"
    )
    boto3.client("iam", region_name="us-east-1").enable_organizations_root_credentials_management()


def test_lookup_reads_every_page_and_drops_session_tokens(in_process_sandbox: Sandbox) -> None:
    _enable()
    opened = [_open(PAYMENTS if i % 2 else CHECKOUT) for i in range(55)]  # more than one page
    aws = AwsSession(ConnectionOptions(region="us-east-1"))
    found = lookup_events(aws, EventQuery(names=("AssumeRoot",)))
    calls = [AssumeRootCall.of(e) for e in found]
    assert [c.session_key_id for c in calls] == [o["AccessKeyId"] for o in opened]
    assert {c.target_account for c in calls} == {PAYMENTS, CHECKOUT}
    assert {c.task for c in calls} == {"IAMAuditRootUserCredentials"}
    assert {c.caller_arn for c in calls} == {"arn:aws:iam::123456789012:user/admin"}
    everything = repr(found)
    for credentials in opened:
        assert credentials["SessionToken"] not in everything
        assert credentials["SecretAccessKey"] not in everything
    # the other filters apply too: one account, a time range that excludes everything
    only = lookup_events(aws, EventQuery(names=("AssumeRoot",), accounts=("999999999999",)))
    assert not only
    later = datetime.now(UTC) + timedelta(days=1)
    assert not lookup_events(aws, EventQuery(names=("AssumeRoot",), start=later))


def test_lookup_is_retried_through_throttling(in_process_sandbox: Sandbox) -> None:
    _enable()
    key = _open(PAYMENTS)["AccessKeyId"]
    in_process_sandbox.faults.update(throttle_rate=0.6, match=["cloudtrail:LookupEvents"], seed=3)
    aws = AwsSession(ConnectionOptions(region="us-east-1", max_attempts=20))
    events = lookup_events(aws, EventQuery(names=("AssumeRoot",)))
    assert [AssumeRootCall.of(e).session_key_id for e in events] == [key]
    assert aws.throttled.count > 0  # it was throttled, and said so


def test_lake_events_by_session_key(in_process_sandbox: Sandbox) -> None:
    _enable()
    arn = in_process_sandbox.create_event_data_store()
    in_process_sandbox.advance_clock(1)
    credentials = _open(PAYMENTS)
    iam = boto3.client(
        "iam",
        region_name="us-east-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    iam.get_user()
    iam.list_access_keys()
    aws = AwsSession(ConnectionOptions(region="us-east-1"))
    store = describe_data_store(aws, arn.rsplit("/", 1)[-1])
    assert store.organization_enabled
    assert store.arn == arn
    found = lake_events(
        aws, store, EventQuery(access_key_ids=(credentials["AccessKeyId"],)), poll_seconds=0
    )
    assert [(e.name, e.account_id, e.root_session) for e in found] == [
        ("GetUser", PAYMENTS, True),
        ("ListAccessKeys", PAYMENTS, True),
    ]
    (assume,) = lake_events(aws, store, EventQuery(names=("AssumeRoot",)), poll_seconds=0)
    call = AssumeRootCall.of(assume)
    assert (call.target_account, call.session_key_id) == (PAYMENTS, credentials["AccessKeyId"])
    assert credentials["SessionToken"] not in repr(assume)


def test_lake_statement_splices_only_checked_values() -> None:
    statement = lake_statement(
        "eds-1", EventQuery(names=("AssumeRoot",), accounts=("418273645501",))
    )
    assert "eventName IN ('AssumeRoot')" in statement
    assert "recipientAccountId IN ('418273645501')" in statement
    import pytest

    from rootctl.errors import InputError

    with pytest.raises(InputError):
        lake_statement("eds-1", EventQuery(names=("x' OR '1'='1",)))


def test_lenient_map_reads_json_and_trino_maps() -> None:
    assert lenient_map('{"a": {"b": "c"}}') == {"a": {"b": "c"}}
    assert lenient_map("{targetPrincipal=1, taskPolicyArn={arn=x}}") == {
        "targetPrincipal": "1",
        "taskPolicyArn": {"arn": "x"},
    }
    assert lenient_map(None) == {}
