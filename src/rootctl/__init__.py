"""rootctl: centralized root access management for AWS Organizations.

The library's public surface is small and stable::

    import rootctl

    with rootctl.RootAccess(rootctl.ConnectionOptions(profile="mgmt")) as ra:
        targets = ra.select_targets(rootctl.TargetSelector(ous=("ou-ab12-cdefgh34",)))
        report = ra.audit(targets)
        for row in report.accounts:
            print(row.account.id, row.state, row.has_root_credentials)

Every type a public method takes or returns is exported here. Everything else
(``rootctl.aws``, ``rootctl.core.*``, ``rootctl.render``, the faces) is private.
"""

from __future__ import annotations

from rootctl._version import __version__
from rootctl.aws.redact import enable_debug_logging
from rootctl.aws.session import ConnectionOptions
from rootctl.core.desired_state import load as load_desired_state
from rootctl.core.desired_state import parse as parse_desired_state
from rootctl.core.engine import DEFAULT_CONCURRENCY, RootAccess
from rootctl.core.planning import PlanTerms
from rootctl.errors import (
    AccessDenied,
    Advice,
    AdviceCode,
    AlreadyExists,
    AwsError,
    CallerNotManagement,
    CapabilityDisabled,
    ConfigError,
    Conflict,
    InputError,
    InvalidRequest,
    JournalUnavailable,
    NotFound,
    NotManagementOrDelegate,
    OrganizationUnavailable,
    PlanRefused,
    RootctlError,
    Throttled,
    TrustedAccessDisabled,
)
from rootctl.journal import Journal, JournalStore
from rootctl.models import *  # noqa: F403 - the models are the public vocabulary
from rootctl.models import __all__ as _models

__all__ = [
    "DEFAULT_CONCURRENCY",
    "AccessDenied",
    "Advice",
    "AdviceCode",
    "AlreadyExists",
    "AwsError",
    "CallerNotManagement",
    "CapabilityDisabled",
    "ConfigError",
    "Conflict",
    "ConnectionOptions",
    "InputError",
    "InvalidRequest",
    "Journal",
    "JournalStore",
    "JournalUnavailable",
    "NotFound",
    "NotManagementOrDelegate",
    "OrganizationUnavailable",
    "PlanRefused",
    "PlanTerms",
    "RootAccess",
    "RootctlError",
    "Throttled",
    "TrustedAccessDisabled",
    "__version__",
    "enable_debug_logging",
    "load_desired_state",
    "parse_desired_state",
    *_models,
]
