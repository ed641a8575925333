"""The CLI fixtures of tests/cli (``cli``, ``enabled``) for the continuous-control tests."""

from tests.cli.conftest import cli, enabled

__all__ = ["cli", "enabled"]
