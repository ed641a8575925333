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

import importlib
from typing import TYPE_CHECKING, Any

from rootctl._version import __version__
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
from rootctl.models import *  # noqa: F403 - the models are the public vocabulary
from rootctl.models import __all__ as _models

if TYPE_CHECKING:
    from rootctl.aws.redact import enable_debug_logging
    from rootctl.aws.session import ConnectionOptions
    from rootctl.core.desired_state import load as load_desired_state
    from rootctl.core.desired_state import parse as parse_desired_state
    from rootctl.core.engine import DEFAULT_CONCURRENCY, RootAccess
    from rootctl.core.planning import PlanTerms
    from rootctl.journal import Journal, JournalStore

# The engine, its AWS layer and the journal load on first use: importing rootctl (or any of
# its modules: the models, a CLI command that never reaches AWS) does not pay for boto3 and
# every operation. name -> (module, attribute)
_ON_USE: dict[str, tuple[str, str]] = {
    "enable_debug_logging": ("rootctl.aws.redact", "enable_debug_logging"),
    "ConnectionOptions": ("rootctl.aws.session", "ConnectionOptions"),
    "load_desired_state": ("rootctl.core.desired_state", "load"),
    "parse_desired_state": ("rootctl.core.desired_state", "parse"),
    "DEFAULT_CONCURRENCY": ("rootctl.core.engine", "DEFAULT_CONCURRENCY"),
    "RootAccess": ("rootctl.core.engine", "RootAccess"),
    "PlanTerms": ("rootctl.core.planning", "PlanTerms"),
    "Journal": ("rootctl.journal", "Journal"),
    "JournalStore": ("rootctl.journal", "JournalStore"),
}


if not TYPE_CHECKING:  # hidden from type checkers: rootctl.<typo> must stay an error there

    def __getattr__(name: str) -> Any:
        if name not in _ON_USE:
            raise AttributeError(f"module 'rootctl' has no attribute {name!r}")
        module, attribute = _ON_USE[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value  # once loaded, a plain attribute
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_ON_USE))


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
