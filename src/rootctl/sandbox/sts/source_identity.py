"""Source identities of role sessions (``AssumeRole`` with ``SourceIdentity``), which moto does
not keep: AssumeRoot propagates the caller's source identity into its answer and its CloudTrail
record (spec §2.2), and the role session's own records carry it in ``sessionContext``."""

from __future__ import annotations

import re

from moto.core.base_backend import BackendDict, BaseBackend

# The model's pattern for SourceIdentity (2–64 characters).
VALID = re.compile(r"^[\w+=,.@-]{2,64}$")


class SourceIdentities(BaseBackend):
    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.by_access_key: dict[str, str] = {}


source_identity_backends: BackendDict[SourceIdentities] = BackendDict(
    SourceIdentities, "sourceidentity", use_boto3_regions=False, additional_regions=["aws"]
)


def remember(account_id: str, access_key_id: str, source_identity: str) -> None:
    source_identity_backends[account_id]["aws"].by_access_key[access_key_id] = source_identity


def of(account_id: str, access_key_id: str) -> str | None:
    """The source identity a role session's key carries, if any (never creates a backend)."""
    existing = dict.get(source_identity_backends, account_id)
    if existing is None or not dict.__contains__(existing, "aws"):
        return None
    return existing["aws"].by_access_key.get(access_key_id)
