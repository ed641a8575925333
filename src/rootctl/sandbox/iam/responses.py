"""IAM on the wire: the five organization feature operations and the root user's credentials
reached without ``UserName``; everything else is moto's IAM, unchanged. The logic is in
``features.py`` and ``root_user.py``: these methods read parameters and shape results.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.iam.responses import IamResponse

from .. import identity
from ..gate import GatedResponse
from ..policyeval import PolicyType
from .account import account_properties, put_account_properties
from .exceptions import IamAccessDenied, InvalidInput
from .features import feature_operation
from .root_user import RootCredentials, credential_report_row, root_user
from .simulation import Simulation, input_policies, principal_simulation, simulate

RootHandler = Callable[[Any, RootCredentials], ActionResult]


def acts_on_root(handler: RootHandler) -> Callable[[Any], ActionResult]:
    """A handler for the root user's credentials: it runs when a root caller names no
    ``UserName``; otherwise moto's IAM handler of the same name answers."""
    moto_handler = getattr(IamResponse, handler.__name__)

    @functools.wraps(handler)
    def dispatch(self: Any) -> ActionResult:
        if self.caller.is_root and not self._get_param("UserName"):
            return handler(self, RootCredentials(self.caller.account_id))
        result: ActionResult = moto_handler(self)
        return result

    return dispatch


class SandboxIamResponse(GatedResponse, IamResponse):
    gated_service = "iam"

    def _features(self) -> ActionResult:
        organization_id, features = feature_operation(self.caller, self._get_action())
        return ActionResult({"OrganizationId": organization_id, "EnabledFeatures": features})

    # --- the five feature operations ----------------------------------------------------

    list_organizations_features = _features
    enable_organizations_root_credentials_management = _features
    enable_organizations_root_sessions = _features
    disable_organizations_root_credentials_management = _features
    disable_organizations_root_sessions = _features

    # --- the root user's credentials ----------------------------------------------------

    @acts_on_root
    def get_user(self, root: RootCredentials) -> ActionResult:
        return ActionResult({"User": root.user()})

    @acts_on_root
    def get_login_profile(self, root: RootCredentials) -> ActionResult:
        return ActionResult({"LoginProfile": root.login_profile()})

    @acts_on_root
    def create_login_profile(self, root: RootCredentials) -> ActionResult:
        given = self._get_param("Password") is not None or self._get_param("PasswordResetRequired")
        return ActionResult({"LoginProfile": root.create_login_profile(password_given=given)})

    @acts_on_root
    def delete_login_profile(self, root: RootCredentials) -> ActionResult:
        root.delete_login_profile(by_root_session=self.caller.session is not None)
        return EmptyResult()

    @acts_on_root
    def list_access_keys(self, root: RootCredentials) -> ActionResult:
        return ActionResult({"AccessKeyMetadata": root.access_keys(), "IsTruncated": False})

    def delete_access_key(self) -> ActionResult:
        key_id = str(self._get_param("AccessKeyId") or "")
        if self.caller.is_root and not self._get_param("UserName"):
            root = RootCredentials(self.caller.account_id)
            if root.holds_key(key_id):
                root.delete_access_key(key_id)
                return EmptyResult()
        return super().delete_access_key()

    def get_access_key_last_used(self) -> ActionResult:
        key_id = str(self._get_param("AccessKeyId") or "")
        root = RootCredentials(self.caller.account_id) if self.caller.is_root else None
        last_used = root.access_key_last_used(key_id) if root is not None else None
        if last_used is None:
            return super().get_access_key_last_used()
        return ActionResult({"AccessKeyLastUsed": last_used})

    @acts_on_root
    def list_signing_certificates(self, root: RootCredentials) -> ActionResult:
        return ActionResult({"Certificates": root.signing_certificates(), "IsTruncated": False})

    @acts_on_root
    def delete_signing_certificate(self, root: RootCredentials) -> ActionResult:
        root.delete_signing_certificate(str(self._get_param("CertificateId") or ""))
        return EmptyResult()

    @acts_on_root
    def list_mfa_devices(self, root: RootCredentials) -> ActionResult:
        return ActionResult({"MFADevices": root.mfa_devices(), "IsTruncated": False})

    @acts_on_root
    def deactivate_mfa_device(self, root: RootCredentials) -> ActionResult:
        root.deactivate_mfa_device(str(self._get_param("SerialNumber") or ""))
        return EmptyResult()

    # --- policy simulation ------------------------------------------------------------------

    def _members(self, name: str) -> list[str]:
        """The values of a Query list parameter (``Name.member.N``), in order."""
        pattern = re.compile(rf"^{re.escape(name)}\.member\.(\d+)$")
        found = []
        for key, values in self.querystring.items():
            match = pattern.match(key)
            if match is not None:
                found.append((int(match.group(1)), str(values[0])))
        return [value for _, value in sorted(found)]

    def _context(self) -> dict[str, list[str]]:
        """``ContextEntries``: key name -> values."""
        pattern = re.compile(r"^ContextEntries\.member\.(\d+)\.ContextKeyName$")
        context: dict[str, list[str]] = {}
        for key, values in self.querystring.items():
            match = pattern.match(key)
            if match is not None:
                prefix = f"ContextEntries.member.{match.group(1)}.ContextKeyValues"
                context[str(values[0])] = self._members(prefix)
        return context

    def _simulated(self, simulation: Simulation) -> ActionResult:
        results = simulate(simulation)
        try:
            start = int(self._get_param("Marker") or 0)
            limit = int(self._get_param("MaxItems") or 1000)
        except ValueError as exc:
            raise InvalidInput("Marker and MaxItems must be numbers.") from exc
        page = results[start : start + limit]
        truncated = start + limit < len(results)
        body: dict[str, Any] = {"EvaluationResults": page, "IsTruncated": truncated}
        if truncated:
            body["Marker"] = str(start + limit)
        return ActionResult(body)

    def _authorize_simulation(self) -> None:
        if self.caller.is_iam_principal:
            message = identity.denial(self.caller, f"iam:{self._get_action()}")
            if message is not None:
                raise IamAccessDenied(message)

    def simulate_principal_policy(self) -> ActionResult:
        self._authorize_simulation()
        extra = input_policies(
            self._members("PolicyInputList"), PolicyType.IDENTITY, "PolicyInputList"
        )
        simulation = principal_simulation(
            str(self._get_param("PolicySourceArn") or ""),
            self._members("ActionNames"),
            self._members("ResourceArns"),
            self._context(),
            extra,
        )
        return self._simulated(simulation)

    def simulate_custom_policy(self) -> ActionResult:
        self._authorize_simulation()
        policies = input_policies(
            self._members("PolicyInputList"), PolicyType.IDENTITY, "PolicyInputList"
        )
        policies += input_policies(
            self._members("PermissionsBoundaryPolicyInputList"),
            PolicyType.PERMISSIONS_BOUNDARY,
            "PermissionsBoundaryPolicyInputList",
        )
        caller_arn = str(self._get_param("CallerArn") or self.caller.arn)
        resource_policy = self._get_param("ResourcePolicy")
        given = [str(resource_policy)] if resource_policy else []
        resources = input_policies(given, PolicyType.RESOURCE, "ResourcePolicy")
        simulation = Simulation(
            self._members("ActionNames"),
            self._members("ResourceArns"),
            caller_arn,
            self.caller.account_id,
            policies,
            self._context(),
            resources[0] if resources else None,
        )
        return self._simulated(simulation)

    # --- account properties (botocore 1.44) ----------------------------------------------

    def get_account_properties(self) -> ActionResult:
        return ActionResult({"Properties": account_properties(self.caller.account_id)})

    def put_account_properties(self) -> ActionResult:
        pattern = re.compile(r"^Properties\.entry\.(\d+)\.key$")
        given: dict[str, str] = {}
        for key, values in self.querystring.items():
            match = pattern.match(key)
            if match is not None:
                value = self.querystring.get(f"Properties.entry.{match.group(1)}.value", [""])
                given[str(values[0])] = str(value[0])
        put_account_properties(self.caller.account_id, given)
        return EmptyResult()

    # --- what every caller in the account sees of the root user --------------------------

    def get_account_summary(self) -> ActionResult:
        result: dict[str, Any] = super().get_account_summary().result  # type: ignore[assignment]
        summary = dict(result["SummaryMap"])
        summary.update(root_user(self.caller.account_id).summary_flags())
        return ActionResult({"SummaryMap": summary})

    def get_credential_report(self) -> ActionResult:
        result: dict[str, Any] = super().get_credential_report().result  # type: ignore[assignment]
        header, _, rest = str(result["Content"]).partition("\n")
        row = credential_report_row(root_user(self.caller.account_id))
        return ActionResult({**result, "Content": f"{header}\n{row}\n{rest}"})
