from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from rootctl import errors
from rootctl.aws.errors import translate, translated


def client_error(code: str, message: str = "", status: int = 400) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"RequestId": "req-123", "HTTPStatusCode": status},
    }
    return ClientError(response, "Op")


@pytest.mark.parametrize(
    ("code", "message", "kind", "advice"),
    [
        ("ServiceAccessNotEnabledException", "", errors.TrustedAccessDisabled, "rootctl enable"),
        ("AccessDenied", "Service not enabled for AWS Organizations.",
         errors.TrustedAccessDisabled, "rootctl enable"),
        ("AccountNotManagementOrDelegatedAdministratorException", "",
         errors.NotManagementOrDelegate, "delegated administrator"),
        ("CallerIsNotManagementAccountException", "", errors.CallerNotManagement, "management"),
        ("AccessDenied", "Root credentials management feature is not enabled for your AWS "
         "Organization.", errors.CapabilityDisabled, "--credentials-management"),
        ("AccessDenied", "Root sessions feature is not enabled for your AWS Organization.",
         errors.CapabilityDisabled, "--root-sessions"),
        ("AccessDenied", "User: x is not authorized to perform: iam:DeleteLoginProfile with an "
         "explicit deny in a service control policy", errors.AccessDenied, "SCP"),
        ("AccessDenied", "User: x is not authorized", errors.AccessDenied, "sts:AssumeRoot"),
        ("Throttling", "Rate exceeded", errors.Throttled, "--concurrency"),
        ("TooManyRequestsException", "", errors.Throttled, "--concurrency"),
        ("NoSuchEntity", "", errors.NotFound, None),
    ],
)  # fmt: skip
def test_client_errors_get_advice(code, message, kind, advice):
    error = translate(client_error(code, message), "AssumeRoot(222222222222)")
    assert type(error) is kind
    assert error.exit_code == (2 if kind is errors.NotFound else 3)
    assert "AssumeRoot(222222222222)" in str(error)
    assert getattr(error, "request_id", None) == "req-123"
    if advice:
        assert advice in str(error)


def test_transport_errors():
    assert "credentials" in str(translate(NoCredentialsError(), "GetCallerIdentity"))
    error = translate(EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), "X")
    assert "--endpoint-url" in str(error)


def test_translated_drops_the_botocore_chain():
    with pytest.raises(errors.Throttled) as info, translated("ListAccounts"):
        raise client_error("Throttling")
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__
