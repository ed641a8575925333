"""Installing the sandbox into moto, once per process and idempotently.

moto has no plugin API; the least invasive extension points (see the reference notes) are:
re-pointing each service's ``url_paths`` at a response subclass (read per request in-process,
and when the HTTP server builds a service's app — so install before serving), swapping the
function that maps access keys to accounts, and letting Organizations accept IAM.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import re
import threading
from typing import Any

_lock = threading.Lock()
_installed = False


def _verify(account_id: str, access_key_id: str) -> bool:
    """Does ``account_id`` really hold the key? (IAM users' and sessions' keys; root keys.)"""
    from moto.iam.models import iam_backends

    from .models import peek_account_state

    per_account = dict.get(iam_backends, account_id)
    if per_account is not None:
        for backend in list(per_account.values()):
            if access_key_id in backend.access_keys:
                return True
    state = peek_account_state(account_id)
    root = state.root if state is not None else None
    return root is not None and root.key(access_key_id) is not None


def _scan(access_key_id: str) -> str | None:
    """The slow path for keys that do not decode: existing backends only, never creating any."""
    from moto.iam.models import iam_backends

    for account_id, per_account in list(iam_backends.items()):
        for backend in list(per_account.values()):
            if access_key_id in backend.access_keys:
                return str(account_id)
    return None


def _fallback_alive() -> bool:
    """Is the organization whose management account unknown keys map to still there?"""
    from moto.organizations.models import organizations_backends

    from .keys import KEYS

    per_account = dict.get(organizations_backends, KEYS.fallback_account)
    if per_account is None or not dict.__contains__(per_account, "aws"):
        return False
    return per_account["aws"].org is not None


def _account_lookup(access_key_id: str) -> str:
    from .keys import KEYS

    return KEYS.account_for(access_key_id)


# The root user of one account or of every account: the resource of sts:AssumeRoot, and what
# the task policies' statement 2 names. Real IAM accepts it in any policy.
ROOT_RESOURCE = re.compile(r"^arn:aws:iam::(\d{12}|\*):root$")


def _accept_root_resources() -> None:
    """moto's policy validator knows IAM resource paths user/, role/, … but not ``root``: it
    refuses ``arn:aws:iam::*:root`` with MalformedPolicyDocument, which AWS accepts (its own
    least-privilege example for AssumeRoot)."""
    from moto.iam.policy_validation import BaseIAMPolicyValidator

    original = BaseIAMPolicyValidator._validate_resource_format
    if getattr(original, "_sandbox", False):
        return

    def validate(self: Any, resource: str) -> None:
        if not ROOT_RESOURCE.match(resource):
            original(self, resource)

    setattr(validate, "_sandbox", True)  # noqa: B010
    setattr(BaseIAMPolicyValidator, "_validate_resource_format", validate)  # noqa: B010


def _serve_task_policies() -> None:
    """Every account's IAM knows the five task policies (GetPolicy, GetPolicyVersion,
    ListPolicies --path-prefix /root-task/), from the same data the sandbox enforces. moto
    loads AWS managed policies only when asked to (``load_iam_aws_managed_policies``); then
    its own copies, the same documents, stay."""
    from datetime import datetime

    from moto.iam.models import AWSManagedPolicy, IAMBackend

    from .policies import task_policies

    original = IAMBackend._init_aws_policies
    if getattr(original, "_sandbox", False):
        return
    policy_class: Any = AWSManagedPolicy
    # Parsed once: every new account (AssumeRoot into it) builds its five policies.
    templates = [
        (
            name,
            data,
            json.dumps(data["Document"]),
            datetime.fromisoformat(data["CreateDate"]),
            datetime.fromisoformat(data["UpdateDate"]),
            "ANPA" + hashlib.sha256(name.encode()).hexdigest().upper()[:17],
        )
        for name, data in task_policies().items()
    ]

    def init(self: Any) -> list[Any]:
        found: list[Any] = original(self)
        if any(p.path == "/root-task/" for p in found):
            return found
        for name, data, document, created, updated, policy_id in templates:
            policy = policy_class(
                name,
                account_id=self.account_id,
                region=self.region_name,
                default_version_id=data["DefaultVersionId"],
                path=data["Path"],
                document=document,
                create_date=created,
                update_date=updated,
            )
            policy.description = data["Description"]
            policy.id = policy_id
            found.append(policy)
        return found

    setattr(init, "_sandbox", True)  # noqa: B010
    setattr(IAMBackend, "_init_aws_policies", init)  # noqa: B010


_BODY_REQUEST_ID = re.compile(
    r"(<(?:RequestId|requestId|RequestID)>)[^<]*(</(?:RequestId|requestId|RequestID)>)"
)


def _aws_request_ids() -> None:
    """AWS answers with one ``x-amzn-RequestId`` header, a UUID, repeated in the XML body's
    ``<RequestId>`` (EC2: ``<requestId>``/``<RequestID>``). moto adds a 52-character
    ``x-amzn-requestid`` on top of the one an error already carries (two headers over HTTP),
    in the one method every response passes: replace it (same contract, no per-request regex
    compilation either)."""
    import moto.core.responses
    from moto.core.responses import BaseResponse

    from .exceptions import take_request_id

    setattr(moto.core.responses, "gen_amzn_requestid_long", take_request_id)  # noqa: B010

    def enrich(headers: dict[str, Any], body: Any) -> tuple[dict[str, Any], Any]:
        if "status" in headers:
            headers["status"] = str(headers["status"])
        request_id = take_request_id(headers)
        if isinstance(body, str) and "equestI" in body:
            body = _BODY_REQUEST_ID.sub(lambda m: f"{m[1]}{request_id}{m[2]}", body)
        return headers, body

    setattr(BaseResponse, "_enrich_response", staticmethod(enrich))  # noqa: B010


def _guard_other_services() -> None:
    """Every other moto service passes one authorization hook; root sessions stop there."""
    from moto.core.authorization import ActionAuthenticatorMixin

    from . import gate

    original = ActionAuthenticatorMixin._authenticate_and_authorize_normal_action

    def guarded(self: Any, resource: str = "*") -> None:
        if getattr(self, "service_name", None) not in gate.SANDBOXED_SERVICES:
            gate.foreign(self)
        original(self, resource)

    setattr(  # noqa: B010
        ActionAuthenticatorMixin, "_authenticate_and_authorize_normal_action", guarded
    )


# DynamoDB's conditional writes and transactions are atomic; moto checks a condition, then
# writes (a transaction restores whole tables when it fails): racing threads could both win.
_DYNAMODB_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")
_dynamodb_lock = threading.RLock()


def _atomic_dynamodb_writes() -> None:
    """One DynamoDB write at a time in this process, as the journal's single-use plans,
    window claims and watch lease rely on (the real service decides each atomically)."""
    from moto.dynamodb.models import DynamoDBBackend

    for name in _DYNAMODB_WRITES:
        original = getattr(DynamoDBBackend, name)
        if getattr(original, "_sandbox", False):
            continue

        def atomic(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with _dynamodb_lock:
                return _original(*args, **kwargs)

        setattr(atomic, "_sandbox", True)  # noqa: B010
        setattr(DynamoDBBackend, name, atomic)


@functools.cache
def offline_botocore_session() -> Any:
    """A botocore session that never reads the user's AWS profile: an offline emulator must
    build even when AWS_PROFILE names a profile this machine does not have."""
    import botocore.session

    return botocore.session.Session(session_vars={"profile": (None, None, None, None)})


def _offline_region_lookup() -> None:
    """moto asks a default boto3 Session for the regions of each new backend, which fails with
    ProfileNotFound under a foreign AWS_PROFILE; give it the offline session instead."""
    import boto3
    from moto.core.base_backend import AccountSpecificBackend

    session = boto3.Session(botocore_session=offline_botocore_session())
    setattr(AccountSpecificBackend, "get_session", classmethod(lambda _cls: session))  # noqa: B010


def _point_services_at_the_sandbox() -> None:
    """Each service's URLs dispatch to the sandbox's response subclass."""
    import moto.cloudtrail.urls
    import moto.iam.urls
    import moto.organizations.urls
    import moto.s3.responses
    import moto.s3.urls
    import moto.securityhub.urls
    import moto.sqs.urls
    import moto.sts.urls

    from .cloudtrail.responses import SandboxCloudTrailResponse
    from .iam.responses import SandboxIamResponse
    from .organizations.responses import SandboxOrganizationsResponse
    from .s3 import SandboxS3Response, SandboxSQSResponse
    from .securityhub.responses import SandboxSecurityHubResponse
    from .sts.responses import SandboxTokenResponse

    moto.iam.urls.url_paths = {"{0}/$": SandboxIamResponse.dispatch}
    moto.sts.urls.url_paths = {"{0}/$": SandboxTokenResponse.dispatch}
    moto.organizations.urls.url_paths = {"{0}/$": SandboxOrganizationsResponse.dispatch}
    moto.cloudtrail.urls.url_paths = {"{0}/$": SandboxCloudTrailResponse.dispatch}
    moto.sqs.urls.url_paths = {
        path: SandboxSQSResponse.dispatch for path in moto.sqs.urls.url_paths
    }
    moto.securityhub.urls.url_paths = {
        path: SandboxSecurityHubResponse.dispatch for path in moto.securityhub.urls.url_paths
    }
    # S3's backend reloads moto.s3.urls on every request, and the module imports
    # S3Response from moto.s3.responses — so the subclass goes in there.
    setattr(moto.s3.responses, "S3Response", SandboxS3Response)  # noqa: B010
    importlib.reload(moto.s3.urls)


def install() -> None:
    """Make this process's moto the sandbox. Safe to call any number of times."""
    global _installed
    with _lock:
        if _installed:
            return
        import moto.iam.models

        from . import organizations
        from .direct import install_in_process
        from .keys import KEYS
        from .speedups import install_speedups

        install_speedups()
        _offline_region_lookup()
        _guard_other_services()
        _accept_root_resources()
        _serve_task_policies()
        _aws_request_ids()
        _atomic_dynamodb_writes()
        organizations.install()
        KEYS.verify = _verify
        KEYS.scan = _scan
        KEYS.fallback_alive = _fallback_alive
        setattr(moto.iam.models, "get_account_id_from", _account_lookup)  # noqa: B010
        _point_services_at_the_sandbox()
        install_in_process()
        _installed = True
