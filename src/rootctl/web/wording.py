"""How the dashboard words advice (:class:`rootctl.errors.Advice`): its pages and buttons,
where the CLI would name commands and flags."""

from __future__ import annotations

from collections.abc import Mapping

from rootctl.errors import Advice, AdviceCode

WEB_WORDING: Mapping[AdviceCode, str] = {
    AdviceCode.ENABLE_TRUSTED_ACCESS: (
        "Use Enable on the Overview page, signed in with the management account."
    ),
    AdviceCode.ENABLE_CAPABILITY: (
        "Turn on {capability} with Enable on the Overview page (management account)."
    ),
    AdviceCode.DEREGISTER_DELEGATE_FIRST: (
        "Deregister the IAM delegated administrator first (`rootctl delegate --deregister`)."
    ),
    AdviceCode.DELETE_ROOT_CREDENTIALS: (
        "Delete the {what} of the {count} failing account(s): Plan the fix previews the "
        "deletion (nothing changes until you confirm it on the job page)."
    ),
    AdviceCode.RETRY_LATER: "Retry in a moment; AWS is throttling requests.",
    AdviceCode.GRANT_ACTIONS: "Add this statement to the caller's IAM policy: {statement}",
    AdviceCode.EXEMPT_ASSUMED_ROOT: (
        "Exempt root sessions in that {policy_type}: add "
        '"Null": {{"aws:AssumedRoot": "true"}} to the Condition of the Deny statement that '
        "blocks it."
    ),
}


def advice_text(advice: Advice | None) -> str | None:
    if advice is None:
        return None
    template = WEB_WORDING.get(advice.code)
    return advice.text if template is None else template.format_map(dict(advice.params))


def words(advice: Advice) -> str:
    """:func:`advice_text` for renderers, which always have advice to word."""
    return advice_text(advice) or advice.text
