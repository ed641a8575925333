"""Service control policies: the ones created and attached through the Organizations API (moto
stores them), enforced on every request a member account's principals make — root task
sessions included — and the rules Organizations applies when they are managed.

Enforcement (Organizations user guide, "SCP evaluation"): when the SERVICE_CONTROL_POLICY type
is enabled on the root, a request by a principal of a member account is allowed only if no SCP
attached along its path (the root, each OU, the account) denies it and, at *every* level of
the path, an attached SCP allows it. The management account is never bound. Refusals name "a
service control policy", as AWS's do.

Management: AttachPolicy needs the type enabled (``PolicyTypeNotEnabledException``) and at most
5 SCPs per target (``ConstraintViolationException`` POLICY_NUMBER_LIMIT_EXCEEDED); a target
keeps at least one (MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED); attaching twice or detaching
what is not attached are errors; SCP content is a JSON policy of at most 5,120 characters.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..policyeval import (
    Decision,
    Evaluation,
    MalformedPolicy,
    Policy,
    PolicyType,
    Request,
    matching_statements,
)
from .exceptions import OrganizationsError

if TYPE_CHECKING:
    from ..seed import SeedPolicy
    from .models import SandboxOrganizationsBackend

SCP_TYPE = "SERVICE_CONTROL_POLICY"
MAX_SCPS_PER_TARGET = 5
MAX_SCP_CHARACTERS = 5120


class PolicyTypeNotEnabled(OrganizationsError):
    def __init__(self) -> None:
        super().__init__(
            "PolicyTypeNotEnabledException",
            "This operation can be performed only for enabled policy types.",
        )


_CONSTRAINTS = {
    "POLICY_NUMBER_LIMIT_EXCEEDED": (
        "You have attached the maximum number of policies to the specified target."
    ),
    "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED": (
        "You attempted to detach a policy from an entity that would cause the entity to "
        "have fewer than the minimum number of policies of a certain type required."
    ),
    "POLICY_CONTENT_LIMIT_EXCEEDED": (
        "You attempted to create a policy larger than the maximum size."
    ),
}


class PolicyConstraint(OrganizationsError):
    def __init__(self, reason: str) -> None:
        super().__init__("ConstraintViolationException", _CONSTRAINTS[reason], reason)


class DuplicatePolicyAttachment(OrganizationsError):
    def __init__(self) -> None:
        super().__init__(
            "DuplicatePolicyAttachmentException",
            "The selected policy is already attached to the specified target.",
        )


class PolicyNotAttached(OrganizationsError):
    def __init__(self) -> None:
        super().__init__(
            "PolicyNotAttachedException",
            "The policy isn't attached to the specified target in the specified root.",
        )


class MalformedPolicyDocument(OrganizationsError):
    def __init__(self, why: str) -> None:
        super().__init__(
            "MalformedPolicyDocumentException",
            f"The provided policy document does not meet the requirements of the specified "
            f"policy type: {why}",
        )


# --- management rules --------------------------------------------------------------------------


def scps_enabled(backend: SandboxOrganizationsBackend) -> bool:
    if backend.org is None or not backend.ou:
        return False
    root = backend.ou[0]
    return any(t.get("Type") == SCP_TYPE for t in getattr(root, "policy_types", []))


def check_content(policy_type: str, content: str | None) -> None:
    """SCP content: a JSON object with a Statement, within the size limit."""
    if policy_type != SCP_TYPE or content is None:
        return
    if len(content) > MAX_SCP_CHARACTERS:
        raise PolicyConstraint("POLICY_CONTENT_LIMIT_EXCEEDED")
    try:
        Policy.of(PolicyType.SCP, content, "check")
    except MalformedPolicy as exc:
        raise MalformedPolicyDocument(str(exc).split(": ", 1)[-1]) from None
    parsed = json.loads(content)
    statements = (
        parsed["Statement"] if isinstance(parsed["Statement"], list) else [parsed["Statement"]]
    )
    if any(isinstance(s, dict) and ("Principal" in s or "NotPrincipal" in s) for s in statements):
        raise MalformedPolicyDocument("SCPs do not support the Principal element")


def _attached_scps(target: Any) -> list[Any]:
    return [p for p in getattr(target, "attached_policies", []) if p.type == SCP_TYPE]


def check_attach(backend: SandboxOrganizationsBackend, policy: Any, target: Any) -> None:
    if policy.type != SCP_TYPE:
        return
    if not scps_enabled(backend):
        raise PolicyTypeNotEnabled()
    attached = _attached_scps(target)
    if policy in attached:
        raise DuplicatePolicyAttachment()
    if len(attached) >= MAX_SCPS_PER_TARGET:
        raise PolicyConstraint("POLICY_NUMBER_LIMIT_EXCEEDED")


def check_detach(backend: SandboxOrganizationsBackend, policy: Any, target: Any) -> None:
    if policy.type != SCP_TYPE:
        return
    attached = _attached_scps(target)
    if policy not in attached:
        raise PolicyNotAttached()
    if scps_enabled(backend) and len(attached) == 1:
        raise PolicyConstraint("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")


def on_enable(backend: SandboxOrganizationsBackend) -> None:
    """Enabling SCPs attaches FullAWSAccess to every root, OU and account that has no SCP."""
    full = next((p for p in backend.policies if p.name == "FullAWSAccess"), None)
    if full is None:
        return
    targets: list[Any] = [*backend.ou, *backend.accounts]
    for target in targets:
        if not _attached_scps(target):
            target.attached_policies.append(full)
            full.attachments.append(target)


def on_disable(backend: SandboxOrganizationsBackend) -> None:
    """Disabling SCPs detaches every SCP from every target."""
    targets: list[Any] = [*backend.ou, *backend.accounts]
    for target in targets:
        for policy in _attached_scps(target):
            target.attached_policies.remove(policy)
            if target in policy.attachments:
                policy.attachments.remove(target)


def seed_policies(
    backend: SandboxOrganizationsBackend,
    policy_types: Sequence[str],
    policies: Sequence[SeedPolicy],
    ou_ids: Mapping[str, str],
) -> None:
    """Seeding: enable the policy types on the root, create the seed's policies with their
    ids and attach them (directly: no requests)."""
    from moto.organizations.models import FakePolicy

    root: Any = backend.ou[0]
    for policy_type in policy_types:
        if not any(t.get("Type") == policy_type for t in root.policy_types):
            root.policy_types.append({"Type": policy_type, "Status": "ENABLED"})
    for seeded in policies:
        policy = FakePolicy(
            backend.organization,
            Name=seeded.name,
            Description=seeded.description,
            Type=seeded.policy_type,
            Content=seeded.content,
            Tags=[{"Key": k, "Value": v} for k, v in seeded.tags.items()],
        )
        policy.id = seeded.policy_id
        backend.policies.append(policy)
        for name in seeded.targets:
            target_id = ou_ids.get(name, name) if name != "root" else root.id
            target = backend._policy_target(target_id)
            if target is not None and policy not in target.attached_policies:
                target.attached_policies.append(policy)
                policy.attachments.append(target)


# --- enforcement -------------------------------------------------------------------------------


@lru_cache(maxsize=2048)
def _parsed(policy_id: str, name: str, content: str) -> Policy | None:
    try:
        return Policy.of(PolicyType.SCP, content, f"{name} ({policy_id})", ceiling=True)
    except MalformedPolicy:
        return None  # validated when stored; an unreadable one neither allows nor denies


def binds(account_id: str) -> bool:
    """Do SCPs bind the principals of ``account_id``? (a member, SCPs enabled)"""
    from .models import organization_of

    backend = organization_of(account_id)
    return backend is not None and account_id != backend.account_id and scps_enabled(backend)


def path_levels(account_id: str) -> list[list[Policy]] | None:
    """The SCPs along ``account_id``'s path, root first, one list per level; None when no SCP
    binds the account (no organization, its management account, SCPs not enabled)."""
    from .models import organization_of

    backend = organization_of(account_id)
    if backend is None or account_id == backend.account_id or not scps_enabled(backend):
        return None
    account = backend.find_account(account_id)
    if account is None:
        return None
    chain: list[Any] = [account]
    parent_id: str | None = account.parent_id
    while parent_id and backend.parent_exists(parent_id):
        unit = backend.get_organizational_unit_by_id(parent_id)
        chain.append(unit)
        parent_id = getattr(unit, "parent_id", None)
    levels = []
    for target in reversed(chain):
        parsed = [_parsed(p.id, str(p.name), str(p.content)) for p in _attached_scps(target)]
        levels.append([p for p in parsed if p is not None])
    return levels


def decide(request: Request, levels: list[list[Policy]]) -> Evaluation | None:
    """The SCPs' refusal of ``request`` (an explicit Deny anywhere, else a level where nothing
    allows), or None when they let it through."""
    everything = [p for level in levels for p in level]
    matches = tuple(matching_statements(everything, request))
    denying = next((m for m in matches if m.effect == "Deny"), None)
    if denying is not None:
        return Evaluation(Decision.DENY, denying, PolicyType.SCP, matches)
    for level in levels:
        if not any(m.effect == "Allow" and m.policy in level for m in matches):
            return Evaluation(Decision.IMPLICIT_DENY, None, PolicyType.SCP, matches)
    return None


def refusal(account_id: str, request: Request) -> Evaluation | None:
    """``decide`` for a principal of ``account_id`` (None: allowed, or not bound by SCPs)."""
    levels = path_levels(account_id)
    return None if levels is None else decide(request, levels)
