"""Hand-built models for tests that need no AWS."""

from __future__ import annotations

from rootctl.models import Account, Organization, OrgUnit

MANAGEMENT = "111111111111"


def organization() -> Organization:
    """Root → Prod (→ Prod/Web) and Dev; the management account sits under the root."""
    root = OrgUnit("r-ab12", "Root", None, ("Root",))
    prod = OrgUnit("ou-ab12-prod0001", "Prod", "r-ab12", ("Root", "Prod"))
    web = OrgUnit("ou-ab12-web00001", "Web", prod.id, ("Root", "Prod", "Web"))
    dev = OrgUnit("ou-ab12-dev00001", "Dev", "r-ab12", ("Root", "Dev"))

    def acct(id_: str, name: str, unit: OrgUnit, state: str = "ACTIVE") -> Account:
        return Account(
            id_, name, f"{name}@example.com", state, unit.id, unit.path, id_ == MANAGEMENT
        )

    return Organization(
        id="o-abcdefghij",
        feature_set="ALL",
        management_account_id=MANAGEMENT,
        root_id=root.id,
        units=(root, prod, web, dev),
        accounts=(
            acct(MANAGEMENT, "management", root),
            acct("222222222222", "prod-api", prod),
            acct("333333333333", "prod-web", web),
            acct("444444444444", "dev", dev),
            acct("555555555555", "closed", dev, "SUSPENDED"),
        ),
    )
