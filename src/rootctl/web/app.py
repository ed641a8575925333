"""Build the dashboard's ASGI app around one engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp

from rootctl._version import __version__
from rootctl.core.engine import RootAccess
from rootctl.errors import (
    AccessDenied,
    CallerNotManagement,
    CapabilityDisabled,
    InputError,
    NotFound,
    NotManagementOrDelegate,
    RootctlError,
    Throttled,
    TrustedAccessDisabled,
)
from rootctl.web import (
    account_pages,
    api,
    change_pages,
    compliance_page,
    doctor_page,
    history_page,
    journal_pages,
    lockout_pages,
    pages,
)
from rootctl.web.dashboard import Dashboard, Selection
from rootctl.web.plans import PlanShelf
from rootctl.web.security import (
    Secrets,
    SecurityHeaders,
    SecurityMiddleware,
    allowed_hosts,
    refusal,
)
from rootctl.web.wording import advice_text

STATIC = Path(__file__).parent / "static"

# Refusals from AWS are the caller's situation, not a server fault: 4xx, with the advice.
_STATUS: list[tuple[type[RootctlError], int]] = [
    (InputError, 400),
    (NotFound, 404),
    (TrustedAccessDisabled, 409),
    (CapabilityDisabled, 409),
    (AccessDenied, 403),
    (NotManagementOrDelegate, 403),
    (CallerNotManagement, 403),
    (Throttled, 503),
]


INTERNAL_ERROR = "Something went wrong inside the dashboard; the server's log has the details."


class _Dashboard(FastAPI):
    def build_middleware_stack(self) -> ASGIApp:
        # Outside Starlette's ServerErrorMiddleware too: its 500 answers get the headers.
        return SecurityHeaders(super().build_middleware_stack())


def default_plans_dir(engine: RootAccess) -> Path:
    """``plans`` beside the journal file (``~/.local/state/rootctl/plans`` by default)."""
    return Path(engine.journal.location).expanduser().parent / "plans"


def status_of(error: RootctlError) -> int:
    return next((code for kind, code in _STATUS if isinstance(error, kind)), 502)


def create_app(
    engine: RootAccess,
    *,
    secrets: Secrets | None = None,
    bind_host: str = "127.0.0.1",
    extra_hosts: tuple[str, ...] = (),
    audit_on_start: bool = True,
    sandbox_note: str | None = None,
    plans_dir: str | Path | None = None,
) -> FastAPI:
    """The dashboard on ``engine``. ``audit_on_start`` fills the audit cache in the
    background so the first pages already show posture. ``plans_dir`` is where "Save as plan"
    writes plan files and the Plans page lists them (default: ``plans`` beside the journal)."""
    dashboard = Dashboard(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if audit_on_start:
            try:
                dashboard.start_audit(Selection(all=True))
            except RootctlError as exc:  # e.g. no organization: the overview says so
                dashboard.cache.last_error = str(exc)
        yield
        dashboard.close()

    app = _Dashboard(
        title="rootctl dashboard API",
        version=__version__,
        description=(
            "Centralized root access management for an AWS Organization. Every request needs "
            "the session cookie (open the URL `rootctl ui` printed); every POST needs the "
            "`X-CSRF-Token` header (GET /api/session)."
        ),
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI and ReDoc load assets from a CDN: never here
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.dashboard = dashboard
    app.state.secrets = secrets or Secrets()
    app.state.sandbox_note = sandbox_note
    app.state.plans = PlanShelf(engine, Path(plans_dir) if plans_dir else default_plans_dir(engine))
    app.include_router(api.router)
    app.include_router(change_pages.router)
    app.include_router(pages.router)
    app.include_router(account_pages.router)
    app.include_router(journal_pages.router)
    app.include_router(history_page.router)
    app.include_router(lockout_pages.router)
    app.include_router(compliance_page.router)
    app.include_router(doctor_page.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(
        SecurityMiddleware,
        secrets=app.state.secrets,
        hosts=allowed_hosts(bind_host, extra_hosts),
    )

    @app.exception_handler(RootctlError)
    async def rootctl_error(request: Request, exc: RootctlError) -> Response:
        return _error(request, status_of(exc), exc.message, advice_text(exc.advice))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, _exc: Exception) -> Response:
        body, content_type = refusal(request.url.path, 500, INTERNAL_ERROR)
        return Response(body, status_code=500, media_type=content_type)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors()
        )
        return _error(request, 422, f"The form was not valid: {problems}", None)

    return app


def _error(request: Request, status: int, message: str, advice: str | None) -> Response:
    if request.url.path.startswith("/api/"):
        body = {"error": message, "advice": advice, "status": status}
        return JSONResponse(body, status_code=status)
    return pages.render(
        request, "error.html", status, title="That did not work", error=message, advice=advice
    )
