"""IAM account properties (``GetAccountProperties``/``PutAccountProperties``, new in botocore
1.44): ``Namespace/PropertyName`` keys, per account. AWS documents no property names or
defaults yet, so a fresh account has none (documented as an assumption)."""

from __future__ import annotations

import re

from ..models import account_state
from .exceptions import InvalidInput

_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*/[A-Za-z0-9_-]+$")


def account_properties(account_id: str) -> dict[str, str]:
    state = account_state(account_id)
    with state.lock:
        return dict(state.account_properties)


def put_account_properties(account_id: str, properties: dict[str, str]) -> None:
    """Set properties, all of one namespace (the model's rules: one ``/``, 1-50 characters;
    values 1-1024 characters)."""
    if not properties:
        raise InvalidInput("Properties must contain at least one property.")
    for key, value in properties.items():
        if not (_KEY.match(key) and len(key) <= 50):
            raise InvalidInput(
                f"Property key {key} must be Namespace/PropertyName: one '/' inside, letters, "
                "digits, '_' or '-', at most 50 characters."
            )
        if not 1 <= len(value) <= 1024:
            raise InvalidInput(f"The value of {key} must be 1 to 1024 characters.")
    namespaces = {key.split("/", 1)[0] for key in properties}
    if len(namespaces) > 1:
        raise InvalidInput("All properties in one request must belong to the same namespace.")
    state = account_state(account_id)
    with state.lock:
        state.account_properties.update(properties)
