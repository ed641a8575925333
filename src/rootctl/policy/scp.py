"""Service control policies along an account's path, three-valued.

AWS's rule (Organizations user guide, "SCP evaluation"): a request by a principal of a member
account is allowed by SCPs only if, at *every* level of the account's path — the root, each
OU, the account itself — some attached SCP allows it, and no attached SCP denies it. A level
where nothing allows (an allow list without ``FullAWSAccess``) denies implicitly. The
management account is never bound by SCPs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from rootctl.policy.context import RequestContext
from rootctl.policy.document import Condition, PolicyDocument, PolicyParseError
from rootctl.policy.evaluate import statement_applies
from rootctl.policy.tri import Tri, any_of


@dataclass(frozen=True, slots=True)
class AttachedPolicy:
    """One SCP as read from Organizations: its document parsed, or why it could not be."""

    policy_id: str
    name: str
    document: PolicyDocument | None
    problem: str | None = None  # why the document could not be read

    @classmethod
    def of(cls, policy_id: str, name: str, content: str | Mapping[str, Any]) -> AttachedPolicy:
        try:
            return cls(policy_id, name, PolicyDocument.parse(content))
        except PolicyParseError as exc:
            return cls(policy_id, name, None, str(exc))


@dataclass(frozen=True, slots=True)
class Level:
    """One step of the path: the root, an OU or the account, with its attached SCPs."""

    target_id: str
    name: str
    policies: tuple[AttachedPolicy, ...]


@dataclass(frozen=True, slots=True)
class StatementRef:
    """A statement that decided (or could not be decided), and where it is attached."""

    policy_id: str
    policy_name: str
    target_id: str
    index: int | None  # None: the whole policy (it could not be read)
    sid: str | None
    statement: Mapping[str, Any] | None
    undecided: tuple[Condition, ...] = ()
    problem: str | None = None


class Decision(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"  # an explicit Deny applies
    IMPLICITLY_DENIED = "implicitly-denied"  # a level where nothing allows
    UNDECIDABLE = "undecidable"


@dataclass(frozen=True, slots=True)
class ChainOutcome:
    decision: Decision
    denying: tuple[StatementRef, ...] = ()  # the Deny statements that apply
    level: Level | None = None  # implicitly denied: the level where nothing allows
    undecided: tuple[StatementRef, ...] = ()  # what an undecidable outcome depends on


def _ref(level: Level, policy: AttachedPolicy, index: int | None, **extra: Any) -> StatementRef:
    statement = policy.document.statements[index] if policy.document and index is not None else None
    return StatementRef(
        policy.policy_id,
        policy.name,
        level.target_id,
        index,
        statement.sid if statement else None,
        statement.raw if statement else None,
        **extra,
    )


def evaluate_chain(levels: Sequence[Level], ctx: RequestContext) -> ChainOutcome:
    """Decide ``ctx`` under the SCPs of ``levels`` (the account's path, root first)."""
    denying: list[StatementRef] = []
    undecided: list[StatementRef] = []
    level_allows: list[tuple[Level, Tri]] = []
    for level in levels:
        allows: list[Tri] = []
        unknown_allows: list[StatementRef] = []
        for policy in level.policies:
            if policy.document is None:  # it might allow, it might deny
                undecided.append(_ref(level, policy, None, problem=policy.problem))
                allows.append(Tri.UNKNOWN)
                continue
            for statement in policy.document.statements:
                applies = statement_applies(statement, ctx)
                if applies.tri is Tri.NO:
                    continue
                if statement.effect == "Allow":
                    allows.append(applies.tri)
                    if applies.tri is Tri.UNKNOWN:
                        unknown_allows.append(
                            _ref(level, policy, statement.index, undecided=applies.undecided)
                        )
                elif applies.tri is Tri.YES:
                    denying.append(_ref(level, policy, statement.index))
                else:
                    undecided.append(
                        _ref(level, policy, statement.index, undecided=applies.undecided)
                    )
        allowed = any_of(allows)
        if allowed is Tri.UNKNOWN:
            undecided.extend(unknown_allows)
        level_allows.append((level, allowed))
    if denying:
        return ChainOutcome(Decision.DENIED, tuple(denying))
    empty = next((level for level, allowed in level_allows if allowed is Tri.NO), None)
    if empty is not None:
        return ChainOutcome(Decision.IMPLICITLY_DENIED, level=empty)
    if undecided:
        return ChainOutcome(Decision.UNDECIDABLE, undecided=tuple(undecided))
    return ChainOutcome(Decision.ALLOWED)
