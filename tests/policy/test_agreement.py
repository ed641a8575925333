"""rootctl's static evaluator (rootctl.policy) against the sandbox's evaluator
(rootctl.sandbox.policyeval), which decides what the sandbox really does to a request.

On a concrete request (every key known or absent) rootctl must decide every statement and
agree with the sandbox; on a set of requests (a resource pattern, unknown keys) whatever it
decides must hold for every request of the set — UNKNOWN is the only other answer allowed.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rootctl.policy import ABSENT, UNKNOWN, OneOf, PolicyDocument, RequestContext, Tri, Values, glob
from rootctl.policy.evaluate import statement_applies
from rootctl.policy.scp import AttachedPolicy, Decision, Level, evaluate_chain
from rootctl.sandbox import policyeval as sandbox
from rootctl.sandbox.organizations import scps as sandbox_scps
from tests.policy.strategies import KEYS, requests, statements

# Kept small: the whole suite must stay fast on two shared cores.
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _sandbox_request(r: dict[str, Any]) -> sandbox.Request:
    return sandbox.Request(r["action"], r["resource"], r["principal"], r["account"], r["keys"])


def _context(r: dict[str, Any], *, default: Any = ABSENT) -> RequestContext:
    keys = {k: Values(*(v if isinstance(v, list) else [v])) for k, v in r["keys"].items()}
    return RequestContext(
        r["action"],
        (r["resource"],),
        principal_arn=Values(r["principal"]),
        principal_account=r["account"],
        keys=keys,
        default=default,
    )


def _parsed(statement: dict[str, Any]) -> Any:
    return PolicyDocument.parse({"Statement": [statement]}).statements[0]


# -- wildcards -------------------------------------------------------------------------------------

_PATTERN = st.text(alphabet="ab*?", max_size=4)
_STRINGS = ["".join(p) for n in range(7) for p in itertools.product("abc", repeat=n)]


@FAST
@given(_PATTERN, _PATTERN)
def test_intersects_and_covers_agree_with_enumeration(first: str, second: str) -> None:
    one = {s for s in _STRINGS if glob.matches(first, s)}
    two = {s for s in _STRINGS if glob.matches(second, s)}
    assert glob.intersects(first, second) is bool(one & two)
    assert glob.covers(first, second) is (two <= one)


@FAST
@given(st.text(alphabet="a:*?", max_size=4), st.text(alphabet="a:*?", max_size=4))
def test_a_segment_star_never_spans_a_colon(first: str, second: str) -> None:
    strings = ["".join(p) for n in range(7) for p in itertools.product("a:b", repeat=n)]
    within = "".join("[^:]*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in second)
    one = {s for s in strings if glob.matches(first, s)}
    two = {s for s in strings if re.fullmatch(within, s)}
    assert glob.intersects(first, second, segment=True) is bool(one & two)
    assert glob.covers(first, second, segment=True) is (two <= one)


@FAST
@given(st.text(alphabet="aB*?", max_size=4), st.text(alphabet="Ab", max_size=5))
def test_case_insensitive_matching_is_the_sandboxs(pattern: str, value: str) -> None:
    expected = sandbox.wildcard_match(pattern, value, ignore_case=True)
    assert glob.matches(pattern, value, ignore_case=True) is expected
    assert glob.intersects(pattern, value, ignore_case=True) is expected


# -- statements on concrete requests ------------------------------------------------------------


@FAST
@given(statements(), requests())
def test_identity_statements_agree(statement: dict[str, Any], request: dict[str, Any]) -> None:
    expected = sandbox.statement_applies(statement, _sandbox_request(request))
    found = statement_applies(_parsed(statement), _context(request))
    assert found.tri is Tri.of(expected), (statement, request, found)


@FAST
@given(statements(resource_side=True), requests())
def test_resource_policy_statements_agree(
    statement: dict[str, Any], request: dict[str, Any]
) -> None:
    expected = sandbox.statement_applies(statement, _sandbox_request(request), resource_side=True)
    found = statement_applies(_parsed(statement), _context(request), resource_side=True)
    assert found.tri is Tri.of(expected), (statement, request, found)


# -- sets of requests: decided means decided for every member -----------------------------------

_CONCRETE_BUCKETS = ("arn:aws:s3:::alpha", "arn:aws:s3:::beta", "arn:aws:s3:::alpha/key")


@FEWER
@given(
    statements(resource_side=True),
    requests(),
    st.sets(st.sampled_from(KEYS[1:4]), max_size=3),
    st.booleans(),
)
def test_static_answers_hold_for_every_concrete_request(
    statement: dict[str, Any], request: dict[str, Any], unknown: set[str], any_bucket: bool
) -> None:
    ctx = _context(request)
    keys = dict(ctx.keys)
    for key in unknown:
        keys[key.lower()] = UNKNOWN
    resource = ("arn:aws:s3:::*",) if any_bucket else ctx.resource
    wide = RequestContext(
        ctx.action, resource, ctx.principal_arn, ctx.principal_account, keys, ABSENT
    )
    found = statement_applies(_parsed(statement), wide, resource_side=True).tri
    if found is Tri.UNKNOWN:
        return
    for bucket in _CONCRETE_BUCKETS if any_bucket else (request["resource"],):
        for values in itertools.product([None, "true", "vpce-1", "a"], repeat=len(unknown)):
            concrete = dict(request, resource=bucket, keys=dict(request["keys"]))
            for key, value in zip(sorted(unknown), values, strict=True):
                if value is None:
                    concrete["keys"].pop(key, None)
                else:
                    concrete["keys"][key] = value
            truth = sandbox.statement_applies(
                statement, _sandbox_request(concrete), resource_side=True
            )
            assert Tri.of(truth) is found, (statement, concrete)


def test_a_principal_known_only_as_a_pattern() -> None:
    statement = _parsed(
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}},
        }
    )
    admins = OneOf("arn:aws:iam::1:user/*", "arn:aws:iam::1:role/*")
    ctx = RequestContext("s3:GetObject", ("*",), principal_arn=admins, principal_account="1")
    assert statement_applies(statement, ctx).tri is Tri.NO
    someone = RequestContext("s3:GetObject", ("*",), principal_arn=OneOf("arn:aws:iam::1:*"))
    assert statement_applies(statement, someone).tri is Tri.UNKNOWN


def test_control_towers_string_like_on_root_never_matches_a_user_or_role() -> None:
    # StringLike's own stars span colons, the principal's do not: a user is never ":root".
    statement = _parsed(
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringLike": {"aws:PrincipalArn": ["arn:*:iam::*:root"]}},
        }
    )
    admins = OneOf("arn:aws:iam::1:user/*", "arn:aws:iam::1:role/*")
    ctx = RequestContext("sts:AssumeRoot", ("*",), principal_arn=admins, principal_account="1")
    assert statement_applies(statement, ctx).tri is Tri.NO
    someone = RequestContext("s3:GetObject", ("*",), principal_arn=OneOf("arn:aws:iam::1:*"))
    assert statement_applies(statement, someone).tri is Tri.UNKNOWN


# -- SCP chains ----------------------------------------------------------------------------------


@st.composite
def _levels(draw: st.DrawFn) -> list[list[dict[str, Any]]]:
    levels = []
    for _ in range(draw(st.integers(1, 3))):
        policies = []
        for _ in range(draw(st.integers(1, 2))):
            policies.append(
                {
                    "Version": "2012-10-17",
                    "Statement": draw(st.lists(statements(), min_size=1, max_size=2)),
                }
            )
        levels.append(policies)
    return levels


@FEWER
@given(_levels(), requests())
def test_scp_chains_agree(levels: list[list[dict[str, Any]]], request: dict[str, Any]) -> None:
    theirs = [
        [
            sandbox.Policy.of(sandbox.PolicyType.SCP, document, f"p{i}{j}", ceiling=True)
            for j, document in enumerate(level)
        ]
        for i, level in enumerate(levels)
    ]
    refusal = sandbox_scps.decide(_sandbox_request(request), theirs)
    ours = [
        Level(
            f"t{i}",
            f"t{i}",
            tuple(AttachedPolicy.of(f"p{i}{j}", f"p{i}{j}", d) for j, d in enumerate(level)),
        )
        for i, level in enumerate(levels)
    ]
    outcome = evaluate_chain(ours, _context(request))
    if refusal is None:
        assert outcome.decision is Decision.ALLOWED, (levels, request, outcome)
    elif refusal.decision is sandbox.Decision.DENY:
        assert outcome.decision is Decision.DENIED, (levels, request, outcome)
    else:
        assert outcome.decision is Decision.IMPLICITLY_DENIED, (levels, request, outcome)
