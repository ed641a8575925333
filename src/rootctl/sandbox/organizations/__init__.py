"""Organizations: IAM as a trusted service and delegated administrator, the delegate's read
access to the organization, management-only writes, and O(1)/O(page) reads at 5,000 accounts."""

from .models import (
    IAM_SERVICE_PRINCIPAL,
    SandboxOrganizationsBackend,
    install,
    organization_of,
)

__all__ = ["IAM_SERVICE_PRINCIPAL", "SandboxOrganizationsBackend", "install", "organization_of"]
