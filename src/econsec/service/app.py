"""``create_app(settings)``: the FastAPI application and its error translation.

Library errors become HTTP statuses here only: bad input and rejected records 422 (with a
``problems`` list naming row and field), not found 404, access denied 403 (routes turn denials
on objects into 404 themselves), insufficient data 409, configuration 500, and a database that
cannot be reached 503 (the pool reconnects by itself when it is back).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from econsec.errors import (
    AccessDenied,
    ConfigError,
    EconsecError,
    InputError,
    InsufficientData,
    NotFoundError,
    RecordsRejected,
)
from econsec.service.platform import Platform
from econsec.service.settings import ServiceSettings
from econsec.storage.platform_db import migrate

__all__ = ["create_app", "from_environment"]

_STATUS: dict[type[EconsecError], int] = {
    RecordsRejected: 422,
    InputError: 422,
    NotFoundError: 404,
    AccessDenied: 403,
    InsufficientData: 409,
    ConfigError: 500,
}


def _problems(exc: EconsecError) -> list[dict[str, Any]]:
    if isinstance(exc, RecordsRejected):
        return [{"row": p.row, "field": p.field, "message": p.message} for p in exc.problems]
    if isinstance(exc, InputError):
        return [{"row": exc.row, "field": exc.column, "message": exc.problem}]
    return []


def create_app(settings: ServiceSettings, *, migrate_schema: bool = True) -> FastAPI:
    """The service for ``settings``; brings the schema up to date unless told not to."""
    from econsec import web
    from econsec.service import audit, auth, intelligence, sharing, submissions, surveys, taxii

    platform = Platform(settings)
    if migrate_schema:
        migrate(platform.engine)
    app = FastAPI(
        title="econsec platform",
        version="1",
        description="Confidential public–private sharing of supply-chain risk information.",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.platform = platform

    @app.exception_handler(EconsecError)
    async def _library_error(request: Request, exc: EconsecError) -> Any:
        status = next((s for t, s in _STATUS.items() if isinstance(exc, t)), 400)
        if web.is_page(request):
            return web.page_error(request, status, str(exc))
        body: dict[str, Any] = {"detail": str(exc)}
        if status == 422:
            body["problems"] = _problems(exc)
        if isinstance(exc, AccessDenied):
            body["rule"] = str(exc)
        return JSONResponse(body, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "row": None,
                "field": ".".join(str(p) for p in e["loc"] if p != "body"),
                "message": e["msg"],
            }
            for e in exc.errors()
        ]
        return JSONResponse({"detail": "invalid request", "problems": problems}, status_code=422)

    @app.exception_handler(sqlalchemy.exc.OperationalError)
    @app.exception_handler(sqlalchemy.exc.InterfaceError)
    async def _database_down(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(
            {"detail": "the database is unavailable; retry shortly"},
            status_code=503,
            headers={"Retry-After": "2"},
        )

    @app.get("/healthz", include_in_schema=False)
    def _health() -> dict[str, str]:
        return {"status": "ok"}

    for module in (auth, submissions, sharing, intelligence, surveys, audit, taxii):
        app.include_router(module.router)
    web.install(app)
    return app


def from_environment() -> FastAPI:
    """The app for a worker process of ``econsec serve --workers N``: settings from the
    environment (``ECONSEC_WORKSPACE`` and the variables of :mod:`econsec.service.settings`);
    the parent process has already migrated the schema."""
    from econsec.service.settings import load_settings
    from econsec.settings import workspace_path

    return create_app(load_settings(workspace_path(None)), migrate_schema=False)
