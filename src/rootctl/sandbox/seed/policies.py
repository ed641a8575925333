"""The seed's organization policies: ``policies:`` (service control policies with their
targets) and ``organization.policy_types`` (the types enabled on the root; SCPs are enabled
when the seed has any)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..organizations.scps import MAX_SCP_CHARACTERS, MAX_SCPS_PER_TARGET, SCP_TYPE
from .fields import Validator
from .model import SeedAccount, SeedPolicy
from .reading import Path_

POLICY_FIELDS = ("id", "name", "description", "type", "content", "targets", "tags")
POLICY_TYPES = (SCP_TYPE,)
_POLICY_ID = re.compile(r"^p-[0-9a-zA-Z_]{8,128}$")
RESERVED = ("FullAWSAccess",)


def policy_types(v: Validator, raw: Any, has_scps: bool) -> tuple[str, ...]:
    path: Path_ = ("organization", "policy_types")
    if raw is None:
        return (SCP_TYPE,) if has_scps else ()
    found = tuple(
        dict.fromkeys(
            v.choice(item, (*path, i), POLICY_TYPES) for i, item in enumerate(v.sequence(raw, path))
        )
    )
    if has_scps and SCP_TYPE not in found:
        raise v.fail(path, f"the seed attaches SCPs: {SCP_TYPE} must be enabled")
    return found


def _content(v: Validator, raw: Any, path: Path_) -> str:
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except ValueError:
            raise v.fail(path, "expected a policy document (mapping or JSON)") from None
    if not isinstance(value, Mapping) or not isinstance(value.get("Statement"), list | dict):
        raise v.fail(path, "a policy document needs a 'Statement' list")
    statements = (
        value["Statement"] if isinstance(value["Statement"], list) else [value["Statement"]]
    )
    if any(
        isinstance(s, Mapping) and ("Principal" in s or "NotPrincipal" in s) for s in statements
    ):
        raise v.fail(path, "SCPs do not support the Principal element")
    text = json.dumps(value, indent=2)
    if len(text) > MAX_SCP_CHARACTERS:
        raise v.fail(path, f"an SCP holds at most {MAX_SCP_CHARACTERS} characters")
    return text


def _targets(
    v: Validator, raw: Any, path: Path_, ous: Sequence[str], account_ids: set[str]
) -> tuple[str, ...]:
    found: list[str] = []
    for index, item in enumerate(v.sequence(raw, path)):
        name = str(item).strip("/") if isinstance(item, str) else item
        if name == "root" or name in ous or (isinstance(name, str) and name in account_ids):
            found.append(name)
        else:
            raise v.fail(
                (*path, index),
                f"unknown target {item!r}: 'root', a declared OU path or a member account id",
            )
    if not found:
        raise v.fail(path, "attach the policy somewhere: 'root', OU paths or account ids")
    return tuple(dict.fromkeys(found))


def policies(
    v: Validator,
    raw: Any,
    organization_id: str,
    ous: Sequence[str],
    accounts: Sequence[SeedAccount],
) -> tuple[SeedPolicy, ...]:
    members = {a.account_id for a in accounts}
    found: list[SeedPolicy] = []
    per_target: dict[str, int] = {}
    for index, item in enumerate(v.sequence(raw, ("policies",))):
        p: Path_ = ("policies", index)
        data = v.mapping(item, p, POLICY_FIELDS)
        name = v.text(data.get("name"), (*p, "name"), "identifier")
        if name in RESERVED or any(f.name == name for f in found):
            raise v.fail((*p, "name"), f"policy name {name!r} is taken")
        digest = hashlib.sha256(f"{organization_id}:{name}".encode()).hexdigest()[:8]
        policy_id = data.get("id", f"p-{digest}")
        if not isinstance(policy_id, str) or not _POLICY_ID.match(policy_id):
            raise v.fail((*p, "id"), f"expected a policy id like p-a1b2c3d4, got {policy_id!r}")
        kind = v.choice(data.get("type", SCP_TYPE), (*p, "type"), POLICY_TYPES)
        targets = _targets(v, data.get("targets"), (*p, "targets"), ous, members)
        for target in targets:
            per_target[target] = per_target.get(target, 1) + 1  # FullAWSAccess is there too
            if per_target[target] > MAX_SCPS_PER_TARGET:
                raise v.fail(
                    (*p, "targets"), f"{target} would have more than {MAX_SCPS_PER_TARGET} SCPs"
                )
        tags = v.mapping(data.get("tags"), (*p, "tags"), tuple(map(str, data.get("tags") or {})))
        found.append(
            SeedPolicy(
                policy_id=policy_id,
                name=name,
                description=str(data.get("description", "")),
                policy_type=kind,
                content=_content(v, data.get("content"), (*p, "content")),
                targets=targets,
                tags={str(k): str(val) for k, val in tags.items()},
            )
        )
    return tuple(found)
