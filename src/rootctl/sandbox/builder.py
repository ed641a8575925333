"""Applying a validated seed: reset moto and the sandbox, then build the organization directly
in the backends (no requests — 5,000 accounts must seed in seconds).
"""

from __future__ import annotations

import hashlib
import json

from moto.core.base_backend import BackendDict
from moto.core.utils import unix_time
from moto.iam.models import iam_backends
from moto.organizations.models import organizations_backends

from .faults import FAULTS
from .keys import DEFAULT_ACCOUNT, KEYS
from .models import (
    CLOCK,
    PROPAGATION,
    LoginProfile,
    MfaDevice,
    RootAccessKey,
    RootUser,
    SigningCertificate,
    account_state,
    naive_utc,
)
from .organizations import SandboxOrganizationsBackend
from .organizations.seeding import new_account, new_ou
from .seed import Seed, SeedAccount, SeedPrincipal
from .signin import MAILBOX, hash_password

REGION = "us-east-1"


def reset_everything() -> None:
    """Empty moto (every service) and the sandbox's registries, faults and clock."""
    BackendDict.reset()
    organizations_backends.master_accounts.clear()
    KEYS.clear()
    KEYS.fallback_account = DEFAULT_ACCOUNT
    MAILBOX.clear()
    CLOCK.reset()
    FAULTS.reset()
    PROPAGATION.set(0)


def _ou_id(root_id: str, path: str) -> str:
    digest = hashlib.sha256(f"{root_id}:{path}".encode()).hexdigest()
    return f"ou-{root_id[2:6]}-{digest[:8]}"


def add_principal(account_id: str, principal: SeedPrincipal) -> None:
    """An IAM user with a known key pair and (unless None) one inline policy."""
    backend = iam_backends[account_id]["aws"]
    if principal.name not in backend.users:
        backend.create_user(region_name=REGION, user_name=principal.name, path="/", tags=None)
    if principal.policy is not None:
        # Straight onto the user: seeding makes no requests (5,000 accounts in seconds).
        backend.users[principal.name].put_policy("sandbox-policy", json.dumps(principal.policy))
    key = backend.create_access_key(principal.name)
    backend.access_keys.pop(key.access_key_id, None)
    key.access_key_id = principal.access_key_id
    key.secret_access_key = principal.secret_access_key
    backend.access_keys[key.access_key_id] = key
    KEYS.register(principal.access_key_id, account_id)


def _root_user(account: SeedAccount) -> RootUser:
    root = account.root
    user = RootUser(account.account_id, account.email, account.joined_at)
    if root.password is not None or root.recovery_only:
        user.login_profile = LoginProfile(
            created_at=root.password_changed_at or account.joined_at,
            password_hash=hash_password(root.password) if root.password else None,
            password_changed_at=root.password_changed_at if root.password else None,
        )
    user.password_last_used = root.password_last_used
    user.mfa_devices = [MfaDevice(m.serial, m.kind, m.secret, m.enabled_at) for m in root.mfa]
    user.access_keys = [
        RootAccessKey(
            access_key_id=k.access_key_id,
            secret_access_key=k.secret_access_key,
            created_at=k.created_at,
            status=k.status,
            last_used_at=k.last_used_at,
            last_used_service=k.last_used_service,
            last_used_region=k.last_used_region,
        )
        for k in root.access_keys
    ]
    user.signing_certificates = [
        SigningCertificate(c.certificate_id, c.body, c.uploaded_at, c.status)
        for c in root.certificates
    ]
    user.credentials_deleted = root.credentials_deleted
    for key in user.access_keys:
        KEYS.register(key.access_key_id, account.account_id)
    return user


def _resources(account: SeedAccount) -> None:
    if account.buckets:
        from moto.s3.models import s3_backends

        s3 = s3_backends[account.account_id]["aws"]
        for bucket in account.buckets:
            created = s3.create_bucket(bucket.name, bucket.region)
            if bucket.policy is not None:
                created.policy = json.dumps(bucket.policy).encode()
    if account.queues:
        from moto.sqs.models import sqs_backends

        for queue in account.queues:
            attributes = {"Policy": json.dumps(queue.policy)} if queue.policy else {}
            sqs_backends[account.account_id][queue.region].create_queue(
                queue.name, tags={}, **attributes
            )


def _organization(seed: Seed) -> SandboxOrganizationsBackend:
    """The organization with the seed's ids, its management account as the seed says."""
    management = seed.management
    backend = organizations_backends[management.account_id]["aws"]
    if not isinstance(backend, SandboxOrganizationsBackend):
        raise RuntimeError("the sandbox is not installed into moto: call install() first")
    backend.create_organization(region=REGION, FeatureSet=seed.feature_set)
    org = backend.organization
    root_ou = backend.ou[0]
    org.id = seed.organization_id
    org.root_id = seed.root_id
    org.master_account_email = management.email
    root_ou.id = seed.root_id
    root_ou.organization_id = org.id
    for policy in backend.policies:
        policy.organization_id = org.id
    master = backend.accounts[0]
    master.organization_id = org.id
    master.name = management.name
    master.email = management.email
    master.create_time = naive_utc(management.joined_at)
    master.joined_method = management.joined_method
    master.parent_id = seed.root_id
    master.tags = dict(management.tags)
    backend.touch()
    return backend


def _structure(backend: SandboxOrganizationsBackend, seed: Seed) -> None:
    """The OUs (parents first) and the member accounts in them."""
    ou_ids = {"": seed.root_id}
    for path in seed.organizational_units:
        parent, _, name = path.rpartition("/")
        ou_ids[path] = _ou_id(seed.root_id, path)
        new_ou(
            backend,
            ou_id=ou_ids[path],
            name=name,
            parent_id=ou_ids[parent],
            tags=seed.ou_tags.get(path),
        )
    for account in seed.accounts:
        new_account(
            backend,
            account_id=account.account_id,
            name=account.name,
            email=account.email,
            parent_id=ou_ids[account.ou],
            joined_method=account.joined_method,
            joined_at=account.joined_at,
            status=account.status,
            tags=account.tags,
        )


def _root_access(backend: SandboxOrganizationsBackend, seed: Seed) -> None:
    """Trusted access (enabled when the oldest account joined), delegates, features."""
    enabled_at = min(a.joined_at for a in seed.all_accounts())
    for service in seed.trusted_access:
        backend.services.append(
            {"ServicePrincipal": service, "DateEnabled": unix_time(naive_utc(enabled_at))}
        )
    for service, delegates in seed.delegated_administrators.items():
        for account_id in delegates:
            backend.register_delegated_administrator(AccountId=account_id, ServicePrincipal=service)
    account_state(seed.management.account_id).features.update(seed.features)


def build(seed: Seed) -> SandboxOrganizationsBackend:
    """Reset, then create ``seed``'s organization. Returns the management account's backend."""
    reset_everything()
    backend = _organization(seed)
    _structure(backend, seed)
    _root_access(backend, seed)
    for account in seed.all_accounts():
        account_state(account.account_id).root = _root_user(account)
        for principal in account.principals:
            add_principal(account.account_id, principal)
        _resources(account)
    KEYS.fallback_account = seed.management.account_id
    return backend
