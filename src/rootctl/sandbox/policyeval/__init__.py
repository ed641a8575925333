"""A small IAM policy evaluator: identity-based policies, service and resource control
policies, resource-based policies, permissions boundaries and session policies (AssumeRoot's
task policies), with AWS's precedence; the result names the deciding statement and policy
type, and words AWS's AccessDenied message.

It imports nothing from moto or the rest of the sandbox: the gate, AssumeRoot, the feature
operations and ``iam:SimulatePrincipalPolicy`` all decide through it, so a preflight check
in the sandbox runs the same logic that refuses the real call.
"""

from .conditions import OPERATORS, condition_keys, wildcard_match
from .evaluate import (
    DENY_ORDER,
    ORDER,
    evaluate,
    matching_statements,
    principal_matches,
    statement_applies,
    statement_targets,
)
from .model import Decision, Evaluation, MalformedPolicy, Match, Policy, PolicyType, Request
from .positions import statement_span

__all__ = [
    "DENY_ORDER",
    "OPERATORS",
    "ORDER",
    "Decision",
    "Evaluation",
    "MalformedPolicy",
    "Match",
    "Policy",
    "PolicyType",
    "Request",
    "condition_keys",
    "evaluate",
    "matching_statements",
    "principal_matches",
    "statement_applies",
    "statement_span",
    "statement_targets",
    "wildcard_match",
]
