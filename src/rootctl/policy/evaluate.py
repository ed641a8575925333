"""Does a statement apply to a request? Three-valued, element by element, in IAM's order:
``Principal``/``NotPrincipal`` (resource-based policies), ``Action``/``NotAction`` (actions
ignore case), ``Resource``/``NotResource`` (case-sensitive; an identity-side statement needs
one), then every ``Condition`` entry (AND).

The answer carries the condition entries that could not be decided, so a caller can say what
the outcome depends on ("who still gets in", "depends on aws:RequestedRegion").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rootctl.policy import glob
from rootctl.policy.conditions import evaluate_condition
from rootctl.policy.context import OneOf, RequestContext, Values
from rootctl.policy.document import Condition, Principals, Statement
from rootctl.policy.tri import Tri, all_of, any_of


@dataclass(frozen=True, slots=True)
class Applies:
    """Whether the statement applies; when UNKNOWN, what it depends on (``undecided``: the
    condition entries, ``elements``: "Principal", "Resource" …)."""

    tri: Tri
    undecided: tuple[Condition, ...] = ()
    elements: tuple[str, ...] = ()


def _pattern_in(patterns: Sequence[str], value: str, *, ignore_case: bool) -> Tri:
    """Does ``value`` (a literal, or a pattern standing for a set) match one of ``patterns``?"""
    if glob.is_literal(value):
        return Tri.of(any(glob.matches(p, value, ignore_case=ignore_case) for p in patterns))
    if any(glob.covers(p, value, ignore_case=ignore_case) for p in patterns):
        return Tri.YES
    if not any(glob.intersects(p, value, ignore_case=ignore_case) for p in patterns):
        return Tri.NO
    return Tri.UNKNOWN


def _one_of(patterns: Sequence[str], values: Sequence[str], *, ignore_case: bool) -> Tri:
    """The request's value is one of ``values`` (patterns): does it match ``patterns``?"""
    found = [_pattern_in(patterns, v, ignore_case=ignore_case) for v in values]
    if all(f is Tri.YES for f in found):
        return Tri.YES
    if all(f is Tri.NO for f in found):
        return Tri.NO
    return Tri.UNKNOWN


def action_matches(statement: Statement, ctx: RequestContext) -> Tri:
    if statement.actions is not None:
        return _pattern_in(statement.actions, ctx.action, ignore_case=True)
    if statement.not_actions is not None:
        return ~_pattern_in(statement.not_actions, ctx.action, ignore_case=True)
    return Tri.NO


def resource_matches(statement: Statement, ctx: RequestContext, *, resource_side: bool) -> Tri:
    if statement.resources is not None:
        return _one_of(statement.resources, ctx.resource, ignore_case=False)
    if statement.not_resources is not None:
        return ~_one_of(statement.not_resources, ctx.resource, ignore_case=False)
    # A resource-based policy's statement is about its own resource; an identity-side one
    # without Resource never applies.
    return Tri.of(resource_side)


def _names_principal(name: str, ctx: RequestContext) -> Tri:
    """Does one ``Principal.AWS`` entry name the requester? An account (its id or root ARN)
    covers every principal of the account."""
    if name == "*":
        return Tri.YES
    account = ctx.principal_account
    if account is not None and name in (account, f"arn:aws:iam::{account}:root"):
        return Tri.YES
    arn = ctx.principal_arn
    if isinstance(arn, Values):
        exact = any(name == a or glob.matches(name, a) for a in arn.values)
        if exact:
            return Tri.YES
        return Tri.NO if account is not None else Tri.UNKNOWN
    if isinstance(arn, OneOf):
        named = _one_of([name], arn.patterns, ignore_case=False)
        if named is not Tri.NO or account is not None:
            return named
    return Tri.UNKNOWN


def principal_matches(principals: Principals, ctx: RequestContext) -> Tri:
    if principals.everyone:
        return Tri.YES
    return any_of(_names_principal(name, ctx) for name in principals.aws)


def statement_applies(
    statement: Statement, ctx: RequestContext, *, resource_side: bool = False
) -> Applies:
    """Does ``statement`` cover the request (``resource_side``: it is in a resource-based
    policy, where Principal/NotPrincipal count and Resource may be left out)?"""
    checks: list[tuple[str, Tri]] = []
    if resource_side:
        if statement.principal is not None:
            checks.append(("Principal", principal_matches(statement.principal, ctx)))
        if statement.not_principal is not None:
            checks.append(("NotPrincipal", ~principal_matches(statement.not_principal, ctx)))
    checks.append(("Action", action_matches(statement, ctx)))
    checks.append(("Resource", resource_matches(statement, ctx, resource_side=resource_side)))
    targets = all_of(tri for _, tri in checks)
    if targets is Tri.NO:
        return Applies(Tri.NO)
    outcomes = [(c, evaluate_condition(c, ctx)) for c in statement.conditions]
    conditions = all_of(tri for _, tri in outcomes)
    result = targets & conditions
    if result is not Tri.UNKNOWN:
        return Applies(result)
    return Applies(
        Tri.UNKNOWN,
        tuple(c for c, tri in outcomes if tri is Tri.UNKNOWN),
        tuple(name for name, tri in checks if tri is Tri.UNKNOWN),
    )
