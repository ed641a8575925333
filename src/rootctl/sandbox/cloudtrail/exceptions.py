"""CloudTrail's errors (JSON 1.1: ``__type`` and ``Message``), as botocore models them."""

from __future__ import annotations

from ..exceptions import SandboxError


class CloudTrailError(SandboxError):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(status, code, message, service="cloudtrail", dialect="json")


class InvalidLookupAttributes(CloudTrailError):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidLookupAttributesException", message)


class InvalidTimeRange(CloudTrailError):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidTimeRangeException", message)


class InvalidMaxResults(CloudTrailError):
    def __init__(self) -> None:
        super().__init__("InvalidMaxResultsException", "MaxResults must be between 1 and 50.")


class InvalidNextToken(CloudTrailError):
    def __init__(self) -> None:
        super().__init__("InvalidNextTokenException", "Invalid NextToken.")


class InvalidEventCategory(CloudTrailError):
    def __init__(self) -> None:
        super().__init__("InvalidEventCategoryException", "EventCategory must be insight.")


class InvalidParameter(CloudTrailError):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidParameterException", message)


class EventDataStoreNotFound(CloudTrailError):
    def __init__(self, name: str) -> None:
        super().__init__(
            "EventDataStoreNotFoundException", f"The event data store {name} was not found."
        )


class EventDataStoreAlreadyExists(CloudTrailError):
    def __init__(self, name: str) -> None:
        super().__init__(
            "EventDataStoreAlreadyExistsException", f"An event data store named {name} exists."
        )


class NotOrganizationMaster(CloudTrailError):
    def __init__(self, account_id: str) -> None:
        super().__init__(
            "NotOrganizationMasterAccountException",
            f"Account {account_id} is not the management account of an organization.",
        )


class InvalidQueryStatement(CloudTrailError):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidQueryStatementException", message)


class QueryIdNotFound(CloudTrailError):
    def __init__(self, query_id: str) -> None:
        super().__init__("QueryIdNotFoundException", f"Query {query_id} was not found.")
