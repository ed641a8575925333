"""IAM: the five organization feature operations (spec §1.2) and the root user's credentials
reached without ``UserName`` from a root session or with the root user's own keys (spec §4).

Everything else is moto's IAM, unchanged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.iam.responses import IamResponse

from . import gate, identity
from .exceptions import SandboxError, iam_error
from .keys import KEYS
from .models import CLOCK, LoginProfile, RootUser, account_state, iso
from .organizations import IAM_SERVICE_PRINCIPAL, aware_utc, organization_of
from .policies import ROOT_CREDENTIALS_MANAGEMENT, ROOT_SESSIONS, Decision

# Operation → (feature it changes, enable?) ; ListOrganizationsFeatures changes nothing.
FEATURE_OPERATIONS: dict[str, tuple[str | None, bool]] = {
    "ListOrganizationsFeatures": (None, False),
    "EnableOrganizationsRootCredentialsManagement": (ROOT_CREDENTIALS_MANAGEMENT, True),
    "EnableOrganizationsRootSessions": (ROOT_SESSIONS, True),
    "DisableOrganizationsRootCredentialsManagement": (ROOT_CREDENTIALS_MANAGEMENT, False),
    "DisableOrganizationsRootSessions": (ROOT_SESSIONS, False),
}


def root_user(account_id: str) -> RootUser:
    """The account's root user; an account the sandbox never seeded gets a credential-less one."""
    state = account_state(account_id)
    with state.lock:
        if state.root is None:
            org = organization_of(account_id)
            account = org.find_account(account_id) if org is not None else None
            email = account.email if account is not None else f"root+{account_id}@example.com"
            created = aware_utc(account.create_time) if account is not None else CLOCK.now()
            state.root = RootUser(account_id, email, created)
        return state.root


def _no_login_profile() -> SandboxError:
    return iam_error(404, "NoSuchEntity", "Login Profile for User null cannot be found.")


def credential_report_row(root: RootUser) -> str:
    """The ``<root_account>`` row of the credential report (spec §4.1)."""

    def when(moment: datetime | None, absent: str = "N/A") -> str:
        return iso(moment) or absent

    profile = root.login_profile
    cells = [
        "<root_account>",
        root.arn,
        when(root.created_at),
        "true" if profile else "false",
        when(root.password_last_used, "no_information") if profile else "N/A",
        when(profile.password_changed_at or profile.created_at) if profile else "N/A",
        "not_supported",
        "true" if root.mfa_devices else "false",
    ]
    for index in range(2):
        key = root.access_keys[index] if index < len(root.access_keys) else None
        cells += [
            "true" if key and key.status == "Active" else "false",
            when(key.created_at) if key else "N/A",
            when(key.last_used_at) if key else "N/A",
            (key.last_used_region or "N/A") if key else "N/A",
            (key.last_used_service or "N/A") if key else "N/A",
        ]
    for index in range(2):
        cert = root.signing_certificates[index] if index < len(root.signing_certificates) else None
        cells += [
            "true" if cert and cert.status == "Active" else "false",
            when(cert.uploaded_at) if cert else "N/A",
        ]
    return ",".join(cells)


class SandboxIamResponse(IamResponse):
    def call_action(self) -> Any:
        try:
            gate.run(self, "iam", self._get_action())
        except SandboxError as error:
            return error.as_response()
        return super().call_action()

    # --- helpers ------------------------------------------------------------------------

    @property
    def _caller(self) -> gate.Caller:
        caller = gate.caller_of(self)
        assert caller is not None  # the gate ran in call_action
        return caller

    def _root_target(self) -> RootUser | None:
        """The root user a call without ``UserName`` acts on, if the caller is root."""
        if self._caller.is_root and not self._get_param("UserName"):
            return root_user(self._caller.account_id)
        return None

    # --- the five feature operations ----------------------------------------------------

    def _feature_operation(self) -> ActionResult:
        action = self._get_action()
        feature, enable = FEATURE_OPERATIONS[action]
        caller = self._caller
        account = caller.account_id
        if caller.is_iam_principal:
            decision = identity.decide(caller, f"iam:{action}", "*", {})
            prefix = f"User: {caller.arn} is not authorized to perform: iam:{action} on resource: *"
            if decision is Decision.DENY:
                raise iam_error(
                    403,
                    "AccessDenied",
                    f"{prefix} with an explicit deny in an identity-based policy",
                )
            if decision is Decision.IMPLICIT_DENY:
                raise iam_error(
                    403,
                    "AccessDenied",
                    f"{prefix} because no identity-based policy allows the iam:{action} action",
                )
        org = organization_of(account)
        if org is None:
            raise iam_error(
                400,
                "OrganizationNotFoundException",
                f"Organization not found for input account {account}.",
            )
        organization = org.organization
        if organization.feature_set != "ALL":
            raise iam_error(
                400,
                "OrganizationNotInAllFeaturesModeException",
                f"Organization {organization.id} of input account {account} is not in all features "
                "mode.",
            )
        if not org.service_enabled(IAM_SERVICE_PRINCIPAL):
            raise iam_error(
                400,
                "ServiceAccessNotEnabledException",
                f"Trusted Access for IAM not enabled by organization of input account {account}.",
            )
        is_management = account == org.account_id
        if not is_management and account not in org.delegates(IAM_SERVICE_PRINCIPAL):
            raise iam_error(
                400,
                "AccountNotManagementOrDelegatedAdministratorException",
                f"Input account {account} is neither management account nor delegated admin.",
            )
        if enable and not is_management:
            raise iam_error(
                400,
                "CallerIsNotManagementAccountException",
                f"Caller account {account} is not management account of the organization and "
                "cannot enable IAM features.",
            )
        state = account_state(org.account_id)
        with state.lock:
            if feature is not None:
                if enable:
                    state.features.add(feature)
                else:
                    state.features.discard(feature)
            features = state.enabled_features()
        return ActionResult({"OrganizationId": organization.id, "EnabledFeatures": features})

    def list_organizations_features(self) -> ActionResult:
        return self._feature_operation()

    def enable_organizations_root_credentials_management(self) -> ActionResult:
        return self._feature_operation()

    def enable_organizations_root_sessions(self) -> ActionResult:
        return self._feature_operation()

    def disable_organizations_root_credentials_management(self) -> ActionResult:
        return self._feature_operation()

    def disable_organizations_root_sessions(self) -> ActionResult:
        return self._feature_operation()

    # --- the root user's credentials ----------------------------------------------------

    def get_user(self) -> ActionResult:
        root = self._root_target()
        if root is None:
            return super().get_user()
        user: dict[str, Any] = {
            "UserId": root.account_id,
            "Arn": root.arn,
            "CreateDate": root.created_at,
        }
        if root.password_last_used is not None:
            user["PasswordLastUsed"] = root.password_last_used
        return ActionResult({"User": user})

    def get_login_profile(self) -> ActionResult:
        root = self._root_target()
        if root is None:
            return super().get_login_profile()
        if root.login_profile is None:
            raise _no_login_profile()
        profile = {"CreateDate": root.login_profile.created_at, "PasswordResetRequired": False}
        return ActionResult({"LoginProfile": profile})

    def create_login_profile(self) -> ActionResult:
        root = self._root_target()
        if root is None:
            return super().create_login_profile()
        if self._get_param("Password") is not None or self._get_param("PasswordResetRequired"):
            # AWS requires omitting both for the root user; the exact error is unconfirmed.
            raise iam_error(
                400,
                "ValidationError",
                "Password and PasswordResetRequired must be omitted when creating the root "
                "user's login profile.",
            )
        with account_state(root.account_id).lock:
            if root.login_profile is not None:
                raise iam_error(
                    409,
                    "EntityAlreadyExists",
                    f"Login Profile for account {root.account_id} already exists.",
                )
            now = CLOCK.now().replace(microsecond=0)
            root.login_profile = LoginProfile(created_at=now)
        return ActionResult({"LoginProfile": {"CreateDate": now, "PasswordResetRequired": False}})

    def delete_login_profile(self) -> ActionResult:
        root = self._root_target()
        if root is None:
            return super().delete_login_profile()
        with account_state(root.account_id).lock:
            if root.login_profile is None:
                raise _no_login_profile()
            root.login_profile = None
            root.reset_tokens.clear()
            if self._caller.session is not None:
                root.credentials_deleted = True
        return EmptyResult()

    def list_access_keys(self) -> ActionResult:
        root = self._root_target()
        if root is None:
            return super().list_access_keys()
        keys = [
            {"AccessKeyId": k.access_key_id, "Status": k.status, "CreateDate": k.created_at}
            for k in root.access_keys
        ]
        return ActionResult({"AccessKeyMetadata": keys, "IsTruncated": False})

    def delete_access_key(self) -> ActionResult:
        root = self._root_target()
        key_id = str(self._get_param("AccessKeyId") or "")
        if root is None or root.key(key_id) is None:
            return super().delete_access_key()
        with account_state(root.account_id).lock:
            root.access_keys = [k for k in root.access_keys if k.access_key_id != key_id]
        KEYS.forget(key_id)
        return EmptyResult()

    def get_access_key_last_used(self) -> ActionResult:
        key_id = str(self._get_param("AccessKeyId") or "")
        root = root_user(self._caller.account_id) if self._caller.is_root else None
        key = root.key(key_id) if root is not None else None
        if key is None:
            return super().get_access_key_last_used()
        last_used: dict[str, Any] = {
            "ServiceName": key.last_used_service or "N/A",
            "Region": key.last_used_region or "N/A",
        }
        if key.last_used_at is not None:
            last_used["LastUsedDate"] = key.last_used_at
        return ActionResult({"AccessKeyLastUsed": last_used})

    def list_signing_certificates(self) -> ActionResult:
        root = self._root_target()
        if root is None:
            return super().list_signing_certificates()
        certificates = [
            {
                "CertificateId": c.certificate_id,
                "CertificateBody": c.body,
                "Status": c.status,
                "UploadDate": c.uploaded_at,
            }
            for c in root.signing_certificates
        ]
        return ActionResult({"Certificates": certificates, "IsTruncated": False})

    def delete_signing_certificate(self) -> ActionResult:
        root = self._root_target()
        if root is None:
            return super().delete_signing_certificate()
        certificate_id = str(self._get_param("CertificateId") or "")
        with account_state(root.account_id).lock:
            if not any(c.certificate_id == certificate_id for c in root.signing_certificates):
                raise iam_error(
                    404,
                    "NoSuchEntity",
                    f"The Certificate with id {certificate_id} cannot be found.",
                )
            root.signing_certificates = [
                c for c in root.signing_certificates if c.certificate_id != certificate_id
            ]
        return EmptyResult()

    def list_mfa_devices(self) -> ActionResult:
        root = self._root_target()
        if root is None:
            return super().list_mfa_devices()
        devices = [
            {"SerialNumber": d.serial_number, "EnableDate": d.enabled_at} for d in root.mfa_devices
        ]
        return ActionResult({"MFADevices": devices, "IsTruncated": False})

    def deactivate_mfa_device(self) -> ActionResult:
        root = self._root_target()
        if root is None:
            return super().deactivate_mfa_device()
        serial = str(self._get_param("SerialNumber") or "")
        with account_state(root.account_id).lock:
            device = next((d for d in root.mfa_devices if d.serial_number == serial), None)
            if device is None:
                raise iam_error(
                    404, "NoSuchEntity", f"MFA Device with serial number {serial} does not exist."
                )
            root.mfa_devices.remove(device)
            if device.kind == "virtual":
                root.detached_mfa_devices.append(device)
        return EmptyResult()

    def get_account_summary(self) -> ActionResult:
        result: dict[str, Any] = super().get_account_summary().result  # type: ignore[assignment]
        summary = dict(result["SummaryMap"])
        summary.update(root_user(self._caller.account_id).summary_flags())
        return ActionResult({"SummaryMap": summary})

    def get_credential_report(self) -> ActionResult:
        result: dict[str, Any] = super().get_credential_report().result  # type: ignore[assignment]
        header, _, rest = str(result["Content"]).partition("\n")
        row = credential_report_row(root_user(self._caller.account_id))
        content = f"{header}\n{row}\n{rest}"
        return ActionResult({**result, "Content": content})
