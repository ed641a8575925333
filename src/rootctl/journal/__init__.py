"""The durable record of privileged actions (SQLite, WAL)."""

from rootctl.journal.store import ENV_VAR, Journal, default_path

__all__ = ["ENV_VAR", "Journal", "default_path"]
