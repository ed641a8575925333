"""The local web dashboard (``rootctl ui``): FastAPI + server-rendered pages on the engine."""

from rootctl.web.app import create_app
from rootctl.web.security import Secrets
from rootctl.web.server import DashboardServer

__all__ = ["DashboardServer", "Secrets", "create_app"]
