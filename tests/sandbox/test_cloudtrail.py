"""The sandbox's CloudTrail (spec §2.8): AssumeRoot in the caller's account, root-session calls
in the member account, sign-in and recovery events; served by LookupEvents (attributes, time
range, pages, errors) and by a CloudTrail Lake event data store (StartQuery/GetQueryResults)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from .conftest import AUDIT, DELETE, MANAGEMENT, PROD_CHECKOUT, PROD_PAYMENTS, Aws, error_of


def _events(aws: Aws, **kwargs: Any) -> list[dict[str, Any]]:
    pages = aws.client("cloudtrail").get_paginator("lookup_events").paginate(**kwargs)
    return [event for page in pages for event in page["Events"]]


def _by_name(name: str) -> dict[str, Any]:
    return {"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": name}]}


def test_assume_root_and_the_session_s_calls(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    creds = aws.assume_root(PROD_PAYMENTS, DELETE)
    iam = aws.client("iam", creds)
    iam.get_user()
    iam.delete_login_profile()
    with pytest.raises(Exception):  # noqa: B017,PT011 - the task policy denies it
        iam.list_users()

    (found,) = _events(aws, **_by_name("AssumeRoot"))
    assert found["Username"] == "admin"
    record = json.loads(found["CloudTrailEvent"])
    assert record["eventSource"] == "sts.amazonaws.com"
    assert record["awsRegion"] == "us-east-1"
    assert record["recipientAccountId"] == MANAGEMENT
    assert record["userIdentity"]["type"] == "IAMUser"
    assert record["userIdentity"]["arn"] == f"arn:aws:iam::{MANAGEMENT}:user/admin"
    assert record["requestParameters"] == {
        "targetPrincipal": PROD_PAYMENTS,
        "taskPolicyArn": {"arn": DELETE},
    }
    credentials = record["responseElements"]["credentials"]
    assert credentials["accessKeyId"] == creds["AccessKeyId"]
    assert credentials["sessionToken"] == creds["SessionToken"]  # as AWS records it
    assert "secretAccessKey" not in json.dumps(record)
    assert record["readOnly"] is False

    member = aws.sandbox.cloudtrail_events(PROD_PAYMENTS)
    assert [(e["eventName"], e.get("errorCode")) for e in member] == [
        ("GetUser", None),
        ("DeleteLoginProfile", None),
        ("ListUsers", "AccessDenied"),
    ]
    identity = member[1]["userIdentity"]
    assert identity["type"] == "Root"
    assert identity["arn"] == f"arn:aws:iam::{PROD_PAYMENTS}:root"
    assert identity["accessKeyId"] == creds["AccessKeyId"]
    assert identity["sessionContext"]["assumedRoot"] == "true"
    assert member[1]["readOnly"] is False
    assert member[0]["readOnly"] is True
    # the member's events are not in the caller's history
    assert not _events(aws, **_by_name("DeleteLoginProfile"))


def test_assume_root_propagates_the_caller_s_source_identity(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    iam = aws.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"},
                "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
            }
        ],
    }
    role = iam.create_role(RoleName="breakglass", AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(
        RoleName="breakglass",
        PolicyName="root",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoot", "Resource": "*"}],
            }
        ),
    )
    assumed = aws.client("sts").assume_role(
        RoleArn=role["Role"]["Arn"], RoleSessionName="alice-laptop", SourceIdentity="alice"
    )
    assert assumed["SourceIdentity"] == "alice"
    answer = aws.client("sts", assumed["Credentials"]).assume_root(
        TargetPrincipal=PROD_CHECKOUT, TaskPolicyArn={"arn": AUDIT}
    )
    assert answer["SourceIdentity"] == "alice"
    record = json.loads(_events(aws, **_by_name("AssumeRoot"))[0]["CloudTrailEvent"])
    assert record["userIdentity"]["type"] == "AssumedRole"
    assert record["userIdentity"]["sessionContext"]["sourceIdentity"] == "alice"
    assert record["responseElements"]["sourceIdentity"] == "alice"


def test_sign_in_and_password_recovery_events(aws: Aws) -> None:
    sandbox = aws.sandbox
    assert not sandbox.sign_in(PROD_CHECKOUT, "wrong").ok
    assert sandbox.sign_in(PROD_CHECKOUT, "Checkout-Prod-Root-19").ok
    reset = sandbox.request_password_reset(PROD_CHECKOUT)
    assert reset.token is not None
    sandbox.complete_password_reset(PROD_CHECKOUT, reset.token, "a-new-password")
    found = [
        (e["eventName"], e["responseElements"], e.get("errorMessage"))
        for e in sandbox.cloudtrail_events(PROD_CHECKOUT)
    ]
    assert found == [
        ("ConsoleLogin", {"ConsoleLogin": "Failure"}, "Failed authentication"),
        ("ConsoleLogin", {"ConsoleLogin": "Success"}, None),
        ("PasswordRecoveryRequested", {"PasswordRecoveryRequested": "Success"}, None),
        ("PasswordRecoveryCompleted", {"PasswordRecoveryCompleted": "Success"}, None),
    ]
    login = sandbox.cloudtrail_events(PROD_CHECKOUT)[1]
    assert login["eventSource"] == "signin.amazonaws.com"
    assert login["awsRegion"] == "us-east-1"
    assert login["userIdentity"]["type"] == "Root"
    assert login["additionalEventData"]["MFAUsed"] == "No"


def test_lookup_events_pages_time_range_and_errors(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    for _ in range(3):
        aws.assume_root(PROD_PAYMENTS)
    ct = aws.client("cloudtrail")
    first = ct.lookup_events(MaxResults=2, **_by_name("AssumeRoot"))
    assert len(first["Events"]) == 2
    assert first["NextToken"]
    rest = ct.lookup_events(MaxResults=2, NextToken=first["NextToken"], **_by_name("AssumeRoot"))
    assert len(rest["Events"]) == 1
    assert "NextToken" not in rest
    times = [e["EventTime"] for e in first["Events"] + rest["Events"]]
    assert times == sorted(times, reverse=True)  # newest first

    key = json.loads(first["Events"][0]["CloudTrailEvent"])["userIdentity"]["accessKeyId"]
    by_key = ct.lookup_events(
        LookupAttributes=[{"AttributeKey": "AccessKeyId", "AttributeValue": key}]
    )["Events"]
    assert by_key
    assert all(e["AccessKeyId"] == key for e in by_key)
    future = datetime.now(UTC) + timedelta(days=400)
    assert not ct.lookup_events(StartTime=future, EndTime=future + timedelta(hours=1))["Events"]
    past = datetime.now(UTC) - timedelta(days=1)
    assert not ct.lookup_events(StartTime=past - timedelta(hours=1), EndTime=past)["Events"]

    errors: list[tuple[dict[str, Any], str]] = [
        ({"MaxResults": 51}, "InvalidMaxResultsException"),
        ({"StartTime": future, "EndTime": datetime.now(UTC)}, "InvalidTimeRangeException"),
        ({"NextToken": "bogus"}, "InvalidNextTokenException"),
        (
            {
                "LookupAttributes": [
                    {"AttributeKey": "EventName", "AttributeValue": "A"},
                    {"AttributeKey": "Username", "AttributeValue": "B"},
                ]
            },
            "InvalidLookupAttributesException",
        ),
    ]
    for kwargs, code in errors:
        with pytest.raises(Exception) as excinfo:  # noqa: PT011
            ct.lookup_events(**kwargs)
        assert error_of(excinfo)[0] == code, kwargs
    # another Region's history holds none of us-east-1's events
    assert not aws.client("cloudtrail", region="eu-west-1").lookup_events()["Events"]


def test_a_root_session_cannot_read_cloudtrail(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    creds = aws.assume_root(PROD_PAYMENTS)
    with pytest.raises(Exception) as excinfo:  # noqa: PT011
        aws.client("cloudtrail", creds).lookup_events()
    code, message, status = error_of(excinfo)
    assert (code, status) == ("AccessDeniedException", 400)
    assert "cloudtrail:LookupEvents" in message


def test_cloudtrail_lake_holds_the_organization_s_events(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    before = aws.assume_root(PROD_CHECKOUT)  # before the data store: not in it
    aws.sandbox.advance_clock(1)  # (event times have one-second precision)
    ct = aws.client("cloudtrail")
    store = ct.create_event_data_store(
        Name="org-events", OrganizationEnabled=True, MultiRegionEnabled=True
    )
    assert store["OrganizationEnabled"]
    assert store["Status"] == "ENABLED"
    eds = store["EventDataStoreArn"].rsplit("/", 1)[-1]
    aws.sandbox.advance_clock(1)
    creds = aws.assume_root(PROD_PAYMENTS)
    aws.client("iam", creds).get_user()
    statement = (
        "SELECT eventName AS name, recipientAccountId AS account, "  # noqa: S608
        "userIdentity.accessKeyId AS key, element_at(requestParameters, 'targetPrincipal') "
        f"AS target FROM {eds} WHERE eventName IN ('AssumeRoot', 'GetUser') "
        "ORDER BY eventTime ASC"
    )
    query_id = ct.start_query(QueryStatement=statement)["QueryId"]
    assert ct.get_query_results(QueryId=query_id)["QueryStatus"] == "RUNNING"
    done = ct.get_query_results(QueryId=query_id)
    assert done["QueryStatus"] == "FINISHED"
    rows = [{k: v for cell in row for k, v in cell.items()} for row in done["QueryResultRows"]]
    assert rows[0] == {
        "name": "AssumeRoot",
        "account": MANAGEMENT,
        "key": aws.sandbox.admin_credentials().access_key_id,
        "target": PROD_PAYMENTS,
    }
    assert rows[1] == {"name": "GetUser", "account": PROD_PAYMENTS, "key": creds["AccessKeyId"]}
    assert before["AccessKeyId"] not in json.dumps(rows)

    with pytest.raises(Exception) as excinfo:  # noqa: PT011
        ct.start_query(QueryStatement=f"DELETE FROM {eds}")  # noqa: S608
    assert error_of(excinfo)[0] == "InvalidQueryStatementException"
    with pytest.raises(Exception) as excinfo:  # noqa: PT011
        ct.start_query(QueryStatement="SELECT eventName FROM no-such-store")
    assert error_of(excinfo)[0] == "EventDataStoreNotFoundException"
    # only the management account may create an organization data store
    member = aws.sandbox.principal_credentials(PROD_CHECKOUT)
    with pytest.raises(Exception) as excinfo:  # noqa: PT011
        aws.client("cloudtrail", member).create_event_data_store(
            Name="mine", OrganizationEnabled=True
        )
    assert error_of(excinfo)[0] == "NotOrganizationMasterAccountException"


def test_the_aws_cli_looks_up_assume_root(aws: Aws) -> None:
    aws.enable("root_credentials_management")
    creds = aws.assume_root(PROD_PAYMENTS)
    found = aws.cli(
        "cloudtrail",
        "lookup-events",
        "--lookup-attributes",
        "AttributeKey=EventName,AttributeValue=AssumeRoot",
    ).json()
    (event,) = found["Events"]
    record = json.loads(event["CloudTrailEvent"])
    assert record["responseElements"]["credentials"]["accessKeyId"] == creds["AccessKeyId"]


def test_the_sandbox_api_serves_the_events(aws_env: Any, sandbox: Any) -> None:
    import urllib.request

    sandbox.sign_in(PROD_CHECKOUT, "wrong")
    url = f"{aws_env.endpoint_url}/_sandbox/cloudtrail/events?account={PROD_CHECKOUT}"
    with urllib.request.urlopen(url) as answer:  # noqa: S310 - the local sandbox
        found = json.load(answer)["events"]
    assert [e["eventName"] for e in found] == ["ConsoleLogin"]
    request = urllib.request.Request(  # noqa: S310
        f"{aws_env.endpoint_url}/_sandbox/cloudtrail/event-data-store", data=b"{}", method="POST"
    )
    with urllib.request.urlopen(request) as answer:  # noqa: S310
        created = json.load(answer)
    assert created["event_data_store_arn"].endswith(created["event_data_store_id"])
