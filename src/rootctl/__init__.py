"""rootctl: centralized root access management for AWS Organizations."""

__version__ = "0.1.0"
