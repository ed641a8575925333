from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from rootctl import errors
from rootctl.aws.errors import RULES, translate, translated
from rootctl.cli.wording import CLI_WORDING, describe
from rootctl.errors import AdviceCode


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
         "explicit deny in a service control policy", errors.AccessDenied, "aws:AssumedRoot"),
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
        # The CLI words the advice with its commands and flags.
        assert advice in describe(error)


def test_transport_errors():
    assert "credentials" in str(translate(NoCredentialsError(), "GetCallerIdentity"))
    error = translate(EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), "X")
    assert error.advice is not None
    assert error.advice.code is AdviceCode.CHECK_CONNECTION
    assert "--endpoint-url" in describe(error)
    assert "--endpoint-url" not in str(error)


def test_library_wording_names_no_cli_flag():
    for code in AdviceCode:
        params = {
            "capability": "RootSessions",
            "policy_type": "SCP",
            "action": "sts:AssumeRoot",
            "actions": "sts:AssumeRoot",
            "operations": "audit",
            "statement": '{"Effect":"Allow"}',
            "what": "keys",
            "count": "2",
        }
        neutral = errors.Advice(code, params).text
        assert "--" not in neutral, code
        assert "`rootctl" not in neutral, code


def test_every_aws_code_maps_to_a_rootctl_error_class():
    for code, rule in RULES.items():
        error = translate(client_error(code, "m"), "Op")
        assert isinstance(error, rule.error), code
        if error.advice is not None:
            assert error.advice.code in AdviceCode


def test_already_exists_is_typed():
    error = translate(client_error("EntityAlreadyExists", "Login Profile exists"), "Create")
    assert type(error) is errors.AlreadyExists


def test_cli_wording_covers_the_codes_it_rewords():
    assert set(CLI_WORDING) <= set(AdviceCode)


def test_translated_drops_the_botocore_chain():
    with pytest.raises(errors.Throttled) as info, translated("ListAccounts"):
        raise client_error("Throttling")
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__
