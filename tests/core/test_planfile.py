"""The plan file: written, read back intact; every byte of the plan and its hash matters; a file
that is not a plan is refused in one line."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from rootctl.core import planfile
from rootctl.errors import InputError
from rootctl.models import (
    Approval,
    ChangePlan,
    CredentialKind,
    FixAction,
    ItemKind,
    LeftOut,
    PlanItem,
    PlanOperation,
    PlanTarget,
)

SCHEMA_DIR = Path(__file__).parents[2] / "docs/json-schema"
CREATED = datetime(2026, 11, 27, 18, 0, 5, 123456, tzinfo=UTC)
PLAN_SCHEMA = json.loads((SCHEMA_DIR / "plan-v1.json").read_text())


def a_plan(**changes: object) -> ChangePlan:
    plan = ChangePlan(
        id="6f1c4a52-9d7e-4a8e-8f7e-0c1d2e3f4a5b",
        operation=PlanOperation.DELETE_CREDENTIALS,
        organization_id="o-k3v9w2q7zt",
        planner_arn="arn:aws:iam::123456789012:user/admin",
        created_at=CREATED,
        expires_at=CREATED + timedelta(hours=24),
        required_approvals=1,
        targets=(
            PlanTarget(
                "418273645501",
                "prod-payments \u202e\x1b[31m名前",
                (
                    PlanItem(ItemKind.PASSWORD, "login-profile", created_at=CREATED),
                    PlanItem(ItemKind.ACCESS_KEYS, "AKIAWCYYNKO6WDYIQTUZ", created_at=CREATED),
                    PlanItem(ItemKind.MFA, "arn:aws:iam::418273645501:mfa/root", detail="virtual"),
                ),
            ),
        ),
        left_out=(LeftOut("630495867701", "sandbox-alice", "nothing-to-do", None),),
        kinds=tuple(CredentialKind),
        region="us-east-1",
        comment="quarterly clean-up",
    )
    return replace(plan, **changes)  # type: ignore[arg-type]


def test_a_written_plan_reads_back_intact_and_matches_its_schema() -> None:
    document = planfile.new_document(a_plan())
    approval = Approval("arn:aws:iam::123456789012:user/reviewer", CREATED, document.hash)
    text = planfile.text(replace(document, approvals=(approval,)))
    assert text.isascii()  # nothing in the file can act on a terminal
    jsonschema.validate(json.loads(text), PLAN_SCHEMA, format_checker=jsonschema.FormatChecker())
    back = planfile.parse(text)
    assert back.intact
    assert back.hash == document.hash
    assert back.plan == document.plan  # names with bidi/escape characters survive exactly
    assert back.approvals == (approval,)
    # Rewriting what was read (an approval added) keeps the hash.
    assert planfile.parse(planfile.text(back)).hash == document.hash


def test_lockout_fixes_carry_their_action_and_document_and_other_items_stay_as_they_were() -> None:
    corrected = '{"Version":"2012-10-17","Statement":[{"Sid":"\u202eKeep"}]}'
    items = (
        PlanItem(ItemKind.BUCKET_POLICY, "vault-mixed", policy_sha256="a" * 64,
                 region="us-east-1", action=FixAction.PUT_CORRECTED, replacement=corrected),
        PlanItem(ItemKind.QUEUE_POLICY, "https://sqs.eu-west-1.amazonaws.com/1/q",
                 policy_sha256="b" * 64, region="eu-west-1", action=FixAction.DELETE),
    )  # fmt: skip
    plan = a_plan(operation=PlanOperation.FIX_LOCKOUTS, kinds=(),
                  targets=(PlanTarget("111100000001", "vault", items),))  # fmt: skip
    text = planfile.text(planfile.new_document(plan))
    jsonschema.validate(json.loads(text), PLAN_SCHEMA, format_checker=jsonschema.FormatChecker())
    back = planfile.parse(text)
    assert (back.intact, back.plan) == (True, plan)
    # Items of other plans have no action keys: their files (and hashes) are as before.
    credentials = json.loads(planfile.text(planfile.new_document(a_plan())))
    assert "action" not in credentials["plan"]["targets"][0]["items"][0]


def test_the_hash_is_of_the_canonical_plan_object() -> None:
    document = planfile.new_document(a_plan())
    body = json.loads(planfile.text(document))["plan"]
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    import hashlib

    assert document.hash == hashlib.sha256(canonical.encode()).hexdigest()


def test_every_byte_of_the_plan_and_its_hash_matters() -> None:
    """Change any one byte of the plan object or of its sha256: the file no longer parses,
    or it reads as changed. (Approvals and signatures are judged by the check.)"""
    text = planfile.text(planfile.new_document(a_plan()))
    start = text.index('"plan": {')
    end = text.index('"signature"')
    escaped = 0
    for position in range(start, end):
        original = text[position]
        for replacement in ("x", "7"):
            if replacement == original:
                continue
            changed = text[:position] + replacement + text[position + 1 :]
            try:
                document = planfile.parse(changed)
            except InputError:
                continue
            if document.intact:
                escaped += 1
                pytest.fail(f"byte {position} ({original!r} → {replacement!r}) went unnoticed")
    assert escaped == 0


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(schema="rootctl/audit"), "schema is 'rootctl/audit'"),
        (lambda d: d.update(schema_version=2), "schema_version 2"),
        (lambda d: d["plan"].pop("planner_arn"), "plan.planner_arn is missing"),
        (lambda d: d["plan"].update(required_approvals=-1), "required_approvals"),
        (lambda d: d["plan"].update(expires_at="tomorrow"), "plan.expires_at is not an ISO"),
        (lambda d: d["plan"]["targets"][0]["items"][0].update(kind="rootkit"), "unknown value"),
        (lambda d: d.update(approvals={}), "approvals is not a list"),
        (lambda d: d["plan"]["targets"][0]["items"][0].update(action="skip"), "action is skip"),
        (
            lambda d: d["plan"]["targets"][0]["items"][0].update(action="put-corrected"),
            "replacement_policy goes with action put-corrected",
        ),
    ],
)
def test_a_file_that_is_not_a_plan_is_refused_in_one_line(edit, message) -> None:
    document = json.loads(planfile.text(planfile.new_document(a_plan())))
    edit(document)
    with pytest.raises(InputError) as caught:
        planfile.parse(json.dumps(document), "p.json")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_not_json_and_too_big(tmp_path) -> None:
    with pytest.raises(InputError, match="is not JSON"):
        planfile.parse(b"\xff\xfe", "p.json")
    with pytest.raises(InputError, match="cannot read the plan"):
        planfile.read(tmp_path / "missing.json")


def test_writing_is_atomic_and_leaves_no_temporary_file(tmp_path) -> None:
    target = tmp_path / "plans" / "p.json"
    planfile.write(planfile.new_document(a_plan()), target)
    planfile.write(planfile.new_document(a_plan(comment="second")), target)
    assert planfile.read(target).plan.comment == "second"
    assert [p.name for p in target.parent.iterdir()] == ["p.json"]
