"""Regions, from botocore's own endpoint data (no AWS call): the Regions of the caller's
partition that a service is offered in, and how an opt-in Region the account has not enabled
answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rootctl.errors import RootctlError

if TYPE_CHECKING:
    from rootctl.aws.session import AwsSession

# A call into an opt-in Region the account has not enabled is refused as if the credentials
# were unknown there (the Region's STS never issued them).
REGION_NOT_ENABLED_CODES = frozenset(
    {"InvalidClientTokenId", "UnrecognizedClientException", "AuthFailure", "OptInRequired"}
)


def service_regions(aws: AwsSession, service: str) -> tuple[str, ...]:
    """Every Region of the session's partition that botocore knows ``service`` in, sorted."""
    return aws.regions_of(service)


def region_not_enabled(error: RootctlError) -> bool:
    """Does this refusal mean "this Region is not enabled for the account"? (Only meaningful
    when the same credentials work in another Region.)"""
    return getattr(error, "code", None) in REGION_NOT_ENABLED_CODES
