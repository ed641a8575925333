"""IAM: the organization feature operations and the member accounts' root users."""
