"""The plan file: one JSON document (docs/json-schema/plan-v1.json), read strictly, written
atomically.

``plan`` holds everything the content hash covers; ``sha256`` is that hash, the SHA-256 of
the ``plan`` object as canonical JSON (keys sorted, no spaces, ASCII only: ``\\uXXXX`` escapes),
so a plan can be checked by anyone with ``jq -cS --ascii-output .plan | tr -d '\\n' |
sha256sum``-style tools. ``signature`` (optional) is a KMS signature of :func:`plan_message`;
``approvals`` are added beside the plan, each naming the hash it approved.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from rootctl.core.clock import aware
from rootctl.errors import InputError
from rootctl.models import (
    Approval,
    ChangePlan,
    CredentialKind,
    FixAction,
    ItemKind,
    LeftOut,
    PlanDocument,
    PlanItem,
    PlanOperation,
    PlanTarget,
    Signature,
)

SCHEMA = "rootctl/plan"
SCHEMA_VERSION = 1
MAX_BYTES = 64 * 1024 * 1024  # 5,000 accounts with every kind of credential is a few MB
T = TypeVar("T")


# -- hashing and signed messages ---------------------------------------------------------------


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def content_hash(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(body)).hexdigest()


def plan_message(plan_hash: str) -> str:
    """What the planner's KMS signature signs."""
    return f"rootctl plan sha256:{plan_hash}"


def approval_message(approval: Approval) -> str:
    """What an approver's KMS signature signs."""
    return (
        f"rootctl approval of plan sha256:{approval.plan_hash} "
        f"by {approval.approver_arn} at {_iso(approval.approved_at)}"
    )


def policy_hash(policy: str) -> str:
    """The SHA-256 a plan records for a resource policy (of the text as AWS returns it)."""
    return hashlib.sha256(policy.encode("utf-8", "surrogatepass")).hexdigest()


# -- models → JSON ----------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else aware(moment).isoformat().replace("+00:00", "Z")


def plan_body(plan: ChangePlan) -> dict[str, Any]:
    return {
        "id": plan.id,
        "operation": plan.operation.value,
        "organization_id": plan.organization_id,
        "planner_arn": plan.planner_arn,
        "created_at": _iso(plan.created_at),
        "expires_at": _iso(plan.expires_at),
        "required_approvals": plan.required_approvals,
        "region": plan.region,
        "kinds": [k.value for k in plan.kinds],
        "comment": plan.comment,
        "targets": [
            {
                "account_id": t.account_id,
                "account_name": t.account_name,
                "items": [_item(i) for i in t.items],
            }
            for t in plan.targets
        ],
        "left_out": [
            {
                "account_id": o.account_id,
                "account_name": o.account_name,
                "state": o.state,
                "reason": o.reason,
            }
            for o in plan.left_out
        ],
    }


def _item(item: PlanItem) -> dict[str, Any]:
    body = {
        "kind": item.kind.value,
        "id": item.id,
        "created_at": _iso(item.created_at),
        "policy_sha256": item.policy_sha256,
        "region": item.region,
        "detail": item.detail,
    }
    if item.action is not None:  # lock-out fixes only: other plans' items stay as they were
        body["action"] = item.action.value
        body["replacement_policy"] = item.replacement
    return body


def _signature(signature: Signature | None) -> dict[str, Any] | None:
    if signature is None:
        return None
    return {
        "kms_key_id": signature.key_id,
        "algorithm": signature.algorithm,
        "value": signature.value,
    }


def document_json(document: PlanDocument) -> dict[str, Any]:
    """The file's JSON; a plan that was read keeps its ``plan`` object exactly as read."""
    source = document.source
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "plan": dict(source) if source is not None else plan_body(document.plan),
        "sha256": document.declared_hash,
        "signature": _signature(document.signature),
        "approvals": [
            {
                "approver_arn": a.approver_arn,
                "approved_at": _iso(a.approved_at),
                "plan_sha256": a.plan_hash,
                "signature": _signature(a.signature),
            }
            for a in document.approvals
        ],
    }


def new_document(plan: ChangePlan, signature: Signature | None = None) -> PlanDocument:
    body = plan_body(plan)
    digest = content_hash(body)
    return PlanDocument(plan, digest, digest, signature, source=body)


def text(document: PlanDocument) -> str:
    """The file's text: indented JSON in ASCII (every other character as a ``\\uXXXX``
    escape, so nothing in it can act on a terminal or an editor; ``plan show`` is for reading)."""
    return json.dumps(document_json(document), indent=2, ensure_ascii=True) + "\n"


def write(document: PlanDocument, path: str | Path) -> None:
    """Write atomically (a temporary file in the same directory, then a rename)."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text(document))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except OSError as exc:
        raise InputError(f"cannot write the plan {target}: {exc.strerror or exc}.") from None


# -- JSON → models ------------------------------------------------------------------------------


class _Bad(Exception):
    pass


def read(path: str | Path) -> PlanDocument:
    """A plan file, read and checked for shape (not for integrity: see ``check``)."""
    name = str(path)
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read the plan {name}: {exc.strerror or exc}.") from None
    if len(data) > MAX_BYTES:
        raise InputError(f"the plan {name} is larger than 64 MiB: that is not a rootctl plan.")
    return parse(data, name)


def parse(data: bytes | str, name: str = "plan") -> PlanDocument:
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"the plan {name} is not JSON ({exc}).") from None
    try:
        return _document(document)
    except _Bad as exc:
        raise InputError(f"the plan {name} is not a rootctl plan: {exc}.") from None


def _document(raw: Any) -> PlanDocument:
    raw = _object(raw, "the document")
    if raw.get("schema") != SCHEMA:
        raise _Bad(f"schema is {raw.get('schema')!r}, not {SCHEMA!r}")
    if raw.get("schema_version") != SCHEMA_VERSION:
        raise _Bad(
            f"schema_version {raw.get('schema_version')!r}: this rootctl reads version "
            f"{SCHEMA_VERSION} (a newer rootctl may have written it)"
        )
    body = _object(raw.get("plan"), "plan")
    approvals = _list(raw.get("approvals", []), "approvals")
    return PlanDocument(
        plan=_plan(body),
        declared_hash=_text(raw.get("sha256"), "sha256"),
        computed_hash=content_hash(body),
        signature=_maybe(raw.get("signature"), _read_signature, "signature"),
        approvals=tuple(_approval(a, f"approvals[{n}]") for n, a in enumerate(approvals)),
        source=body,
    )


def _plan(body: Mapping[str, Any]) -> ChangePlan:
    targets = _list(body.get("targets"), "plan.targets")
    left_out = _list(body.get("left_out", []), "plan.left_out")
    required = body.get("required_approvals")
    if type(required) is not int or required < 0:
        raise _Bad("plan.required_approvals is not a whole number >= 0")
    return ChangePlan(
        id=_text(body.get("id"), "plan.id"),
        operation=_enum(PlanOperation, body.get("operation"), "plan.operation"),
        organization_id=_text(body.get("organization_id"), "plan.organization_id"),
        planner_arn=_text(body.get("planner_arn"), "plan.planner_arn"),
        created_at=_time(body.get("created_at"), "plan.created_at"),
        expires_at=_time(body.get("expires_at"), "plan.expires_at"),
        required_approvals=required,
        targets=tuple(_target(t, f"plan.targets[{n}]") for n, t in enumerate(targets)),
        left_out=tuple(_left_out(o, f"plan.left_out[{n}]") for n, o in enumerate(left_out)),
        kinds=tuple(
            _enum(CredentialKind, k, "plan.kinds") for k in _list(body.get("kinds", []), "kinds")
        ),
        region=_optional_text(body.get("region"), "plan.region"),
        comment=_optional_text(body.get("comment"), "plan.comment"),
    )


def _target(raw: Any, where: str) -> PlanTarget:
    raw = _object(raw, where)
    items = _list(raw.get("items"), f"{where}.items")
    return PlanTarget(
        account_id=_text(raw.get("account_id"), f"{where}.account_id"),
        account_name=_optional_text(raw.get("account_name"), f"{where}.account_name") or "",
        items=tuple(_read_item(i, f"{where}.items[{n}]") for n, i in enumerate(items)),
    )


def _read_item(raw: Any, where: str) -> PlanItem:
    raw = _object(raw, where)
    created = raw.get("created_at")
    action = raw.get("action")
    item = PlanItem(
        kind=_enum(ItemKind, raw.get("kind"), f"{where}.kind"),
        id=_text(raw.get("id"), f"{where}.id"),
        created_at=None if created is None else _time(created, f"{where}.created_at"),
        policy_sha256=_optional_text(raw.get("policy_sha256"), f"{where}.policy_sha256"),
        region=_optional_text(raw.get("region"), f"{where}.region"),
        detail=_optional_text(raw.get("detail"), f"{where}.detail") or "",
        action=None if action is None else _enum(FixAction, action, f"{where}.action"),
        replacement=_optional_text(raw.get("replacement_policy"), f"{where}.replacement_policy"),
    )
    if item.action is FixAction.SKIP:
        raise _Bad(f"{where}.action is skip: a plan holds only changes")
    if (item.action is FixAction.PUT_CORRECTED) != (item.replacement is not None):
        raise _Bad(f"{where}.replacement_policy goes with action put-corrected, and only with it")
    return item


def _left_out(raw: Any, where: str) -> LeftOut:
    raw = _object(raw, where)
    return LeftOut(
        account_id=_text(raw.get("account_id"), f"{where}.account_id"),
        account_name=_optional_text(raw.get("account_name"), f"{where}.account_name") or "",
        state=_text(raw.get("state"), f"{where}.state"),
        reason=_optional_text(raw.get("reason"), f"{where}.reason"),
    )


def _approval(raw: Any, where: str) -> Approval:
    raw = _object(raw, where)
    return Approval(
        approver_arn=_text(raw.get("approver_arn"), f"{where}.approver_arn"),
        approved_at=_time(raw.get("approved_at"), f"{where}.approved_at"),
        plan_hash=_text(raw.get("plan_sha256"), f"{where}.plan_sha256"),
        signature=_maybe(raw.get("signature"), _read_signature, f"{where}.signature"),
    )


def _read_signature(raw: Any, where: str) -> Signature:
    raw = _object(raw, where)
    return Signature(
        key_id=_text(raw.get("kms_key_id"), f"{where}.kms_key_id"),
        algorithm=_text(raw.get("algorithm"), f"{where}.algorithm"),
        value=_text(raw.get("value"), f"{where}.value"),
    )


def _object(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _Bad(f"{where} is not an object")
    return raw


def _list(raw: Any, where: str) -> list[Any]:
    if not isinstance(raw, list):
        raise _Bad(f"{where} is not a list")
    return raw


def _text(raw: Any, where: str) -> str:
    if not isinstance(raw, str) or not raw:
        raise _Bad(f"{where} is missing or not text")
    return raw


def _optional_text(raw: Any, where: str) -> str | None:
    if raw is not None and not isinstance(raw, str):
        raise _Bad(f"{where} is not text")
    return raw


def _time(raw: Any, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(_text(raw, where))
    except ValueError:
        raise _Bad(f"{where} is not an ISO 8601 time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _enum(kind: Callable[[Any], T], raw: Any, where: str) -> T:
    try:
        return kind(raw)
    except ValueError:
        raise _Bad(f"{where} has an unknown value {raw!r}") from None


def _maybe(raw: Any, read: Callable[[Any, str], T], where: str) -> T | None:
    return None if raw is None else read(raw, where)
