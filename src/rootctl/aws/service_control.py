"""Service control policies through Organizations, with the caller's credentials: which SCPs
are attached where, their documents, and the changes the guardrail makes (create, attach,
detach, update). Typed values out, never a response dict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from rootctl.aws.errors import request_id_of, translated

if TYPE_CHECKING:
    from rootctl.aws.session import AwsSession

SCP_TYPE: Final[Literal["SERVICE_CONTROL_POLICY"]] = "SERVICE_CONTROL_POLICY"


@dataclass(frozen=True, slots=True)
class PolicySummary:
    policy_id: str
    name: str
    aws_managed: bool


@dataclass(frozen=True, slots=True)
class PolicyDetail:
    summary: PolicySummary
    content: str


def scps_enabled(aws: AwsSession) -> bool:
    """Is the SERVICE_CONTROL_POLICY type enabled on the organization's root?"""
    with translated("ListRoots"):
        roots = aws.organizations().get_paginator("list_roots").paginate().build_full_result()
    types = roots["Roots"][0].get("PolicyTypes", []) if roots["Roots"] else []
    return any(t.get("Type") == SCP_TYPE and t.get("Status") == "ENABLED" for t in types)


def _summary(raw: Any) -> PolicySummary:
    return PolicySummary(str(raw["Id"]), str(raw.get("Name", "")), bool(raw.get("AwsManaged")))


def attached(aws: AwsSession, target_id: str) -> tuple[PolicySummary, ...]:
    """The SCPs attached directly to a root, OU or account."""
    pages = aws.organizations().get_paginator("list_policies_for_target")
    with translated(f"ListPoliciesForTarget({target_id})"):
        return tuple(
            _summary(p)
            for page in pages.paginate(TargetId=target_id, Filter=SCP_TYPE)
            for p in page["Policies"]
        )


def every_scp(aws: AwsSession) -> tuple[PolicySummary, ...]:
    pages = aws.organizations().get_paginator("list_policies")
    with translated("ListPolicies(SERVICE_CONTROL_POLICY)"):
        return tuple(
            _summary(p) for page in pages.paginate(Filter=SCP_TYPE) for p in page["Policies"]
        )


def describe(aws: AwsSession, policy_id: str) -> PolicyDetail:
    """An SCP's summary and document."""
    with translated(f"DescribePolicy({policy_id})"):
        policy = aws.organizations().describe_policy(PolicyId=policy_id)["Policy"]
    return PolicyDetail(_summary(policy["PolicySummary"]), str(policy.get("Content", "")))


def tags_of(aws: AwsSession, policy_id: str) -> dict[str, str]:
    pages = aws.organizations().get_paginator("list_tags_for_resource")
    with translated(f"ListTagsForResource({policy_id})"):
        return {
            t["Key"]: t["Value"]
            for page in pages.paginate(ResourceId=policy_id)
            for t in page["Tags"]
        }


def targets_of(aws: AwsSession, policy_id: str) -> tuple[str, ...]:
    """The ids of the roots, OUs and accounts the policy is attached to."""
    pages = aws.organizations().get_paginator("list_targets_for_policy")
    with translated(f"ListTargetsForPolicy({policy_id})"):
        return tuple(
            str(t["TargetId"])
            for page in pages.paginate(PolicyId=policy_id)
            for t in page["Targets"]
        )


def create(
    aws: AwsSession, name: str, description: str, content: str, tags: dict[str, str]
) -> tuple[str, str | None]:
    """CreatePolicy: the new policy's id and the request id."""
    with translated(f"CreatePolicy({name})"):
        response = aws.organizations().create_policy(
            Name=name,
            Description=description,
            Content=content,
            Type=SCP_TYPE,
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )
    return str(response["Policy"]["PolicySummary"]["Id"]), request_id_of(response)


def attach(aws: AwsSession, policy_id: str, target_id: str) -> str | None:
    with translated(f"AttachPolicy({policy_id} to {target_id})"):
        return request_id_of(
            aws.organizations().attach_policy(PolicyId=policy_id, TargetId=target_id)
        )


def detach(aws: AwsSession, policy_id: str, target_id: str) -> str | None:
    with translated(f"DetachPolicy({policy_id} from {target_id})"):
        return request_id_of(
            aws.organizations().detach_policy(PolicyId=policy_id, TargetId=target_id)
        )


def update_content(aws: AwsSession, policy_id: str, content: str) -> str | None:
    with translated(f"UpdatePolicy({policy_id})"):
        return request_id_of(aws.organizations().update_policy(PolicyId=policy_id, Content=content))
