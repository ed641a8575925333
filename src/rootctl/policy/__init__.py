"""Static analysis of IAM policy documents: no AWS calls, no state, nothing else from rootctl.

- :mod:`~rootctl.policy.document` parses a policy (or says why it is not one);
- :mod:`~rootctl.policy.glob` matches IAM wildcards on strings and on sets of strings;
- :mod:`~rootctl.policy.context` says what is known about a request (values, patterns,
  absent, unknown);
- :mod:`~rootctl.policy.evaluate` and :mod:`~rootctl.policy.conditions` decide whether a
  statement applies — three-valued: applies, does not apply, or undecidable (never guessed);
- :mod:`~rootctl.policy.scp` evaluates service control policies along an account's path;
- :mod:`~rootctl.policy.lockouts` classifies bucket and queue policies that lock their own
  account out, and corrects them;
- :mod:`~rootctl.policy.guardrail` holds AWS's "deny root unless AssumeRoot" SCP and the
  smallest change that exempts root task sessions from an existing SCP.

The sandbox has its own evaluator (``rootctl.sandbox.policyeval``, which must stay liftable
into moto); the tests hold the two to the same answers on every concrete request.
"""

from rootctl.policy.context import ABSENT, ANY_VALUE, UNKNOWN, OneOf, RequestContext, Values
from rootctl.policy.document import Condition, PolicyDocument, PolicyParseError, Statement
from rootctl.policy.evaluate import Applies, statement_applies
from rootctl.policy.tri import Tri

__all__ = [
    "ABSENT",
    "ANY_VALUE",
    "UNKNOWN",
    "Applies",
    "Condition",
    "OneOf",
    "PolicyDocument",
    "PolicyParseError",
    "RequestContext",
    "Statement",
    "Tri",
    "Values",
    "statement_applies",
]
