"""Organizations on the wire: the gate, the members' scope, and list/describe answered from the
backend's indexes with opaque page tokens (≤ 20 per page, as AWS)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from moto.organizations.models import FakeRoot, OrganizationsBackend, organizations_backends
from moto.organizations.responses import OrganizationsResponse

from ..gate import GatedResponse
from .exceptions import ChildNotFound, InvalidInput, NotInUse, ParentNotFound
from .models import SandboxOrganizationsBackend, check_caller_scope, organization_of

PAGE_LIMIT = 20


def _page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode()


def _page_offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        offset = int(json.loads(base64.urlsafe_b64decode(token.encode()))["o"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(
            "You specified an invalid value for nextToken.", "INVALID_NEXT_TOKEN"
        ) from exc
    return max(offset, 0)


class SandboxOrganizationsResponse(GatedResponse, OrganizationsResponse):
    """Organizations with IAM trusted access, delegate reads and management-only writes."""

    gated_service = "organizations"

    def after_gate(self) -> None:
        check_caller_scope(self.current_account, self._get_action())

    @property
    def organizations_backend(self) -> OrganizationsBackend:
        """A delegate reads the organization held by the management account."""
        account = self.current_account
        if account in organizations_backends.master_accounts:
            org = organization_of(account)
            if org is not None:
                return org
        return super().organizations_backend

    def _org(self) -> SandboxOrganizationsBackend:
        backend = self.organizations_backend
        if not isinstance(backend, SandboxOrganizationsBackend) or backend.org is None:
            raise NotInUse()
        return backend

    def _limit(self) -> int:
        value = self._get_param("MaxResults")
        if value is None:
            return PAGE_LIMIT
        limit = int(value)
        if not 1 <= limit <= PAGE_LIMIT:
            raise InvalidInput(reason="INVALID_INPUT")
        return limit

    def _page(self, items: list[Any], key: str, render: Callable[[Any], Any]) -> str:
        offset = _page_offset(self._get_param("NextToken"))
        limit = self._limit()
        page = items[offset : offset + limit]
        body: dict[str, Any] = {key: [render(item) for item in page]}
        if offset + limit < len(items):
            body["NextToken"] = _page_token(offset + limit)
        return json.dumps(body)

    def _parent(self, org: SandboxOrganizationsBackend) -> str:
        parent_id = str(self._get_param("ParentId") or "")
        if not org.parent_exists(parent_id):
            raise ParentNotFound()
        return parent_id

    # --- policies: Organizations' attachment rules (scps.py) ------------------------------

    def attach_policy(self) -> str:
        self._org().check_attach(str(self._get_param("PolicyId")), str(self._get_param("TargetId")))
        result: str = super().attach_policy()
        return result

    def detach_policy(self) -> str:
        self._org().check_detach(str(self._get_param("PolicyId")), str(self._get_param("TargetId")))
        result: str = super().detach_policy()
        return result

    # --- reads, O(page) -----------------------------------------------------------------

    def list_accounts(self) -> str:
        return self._page(self._org().accounts_sorted(), "Accounts", lambda a: a.describe())

    def list_accounts_for_parent(self) -> str:
        org = self._org()
        return self._page(org.accounts_of(self._parent(org)), "Accounts", lambda a: a.describe())

    def list_organizational_units_for_parent(self) -> str:
        org = self._org()
        ous = org.ous_of(self._parent(org))
        return self._page(
            ous, "OrganizationalUnits", lambda o: {"Id": o.id, "Arn": o.arn, "Name": o.name}
        )

    def list_children(self) -> str:
        org = self._org()
        parent_id = self._parent(org)
        child_type = self._get_param("ChildType")
        if child_type == "ACCOUNT":
            children: list[Any] = org.accounts_of(parent_id)
        elif child_type == "ORGANIZATIONAL_UNIT":
            children = org.ous_of(parent_id)
        else:
            raise InvalidInput()
        return self._page(children, "Children", lambda c: {"Id": c.id, "Type": child_type})

    def list_parents(self) -> str:
        org = self._org()
        child_id = str(self._get_param("ChildId") or "")
        child: Any = org.find_account(child_id) if child_id.isdigit() else None
        if child is None and not child_id.isdigit() and org.parent_exists(child_id):
            child = org.get_organizational_unit_by_id(child_id)
        if child is None or isinstance(child, FakeRoot):
            raise ChildNotFound()
        parent = org.get_organizational_unit_by_id(child.parent_id)
        return json.dumps({"Parents": [{"Id": parent.id, "Type": parent.type}]})

    def describe_account(self) -> str:
        account = self._org().get_account_by_id(str(self._get_param("AccountId")))
        return json.dumps({"Account": account.describe()})
