"""The server, assembled at the top: the API (:mod:`econsec.api`) and the web pages
(:mod:`econsec.web`) mounted on one FastAPI application over one running platform.

Each edge renders its own errors: a library error becomes its HTTP status
(:data:`econsec.api.errors.STATUS`) as JSON for the API and TAXII, as a page for the pages. A
database that cannot be reached answers 503 (the pool reconnects by itself when it is back).
Every request gets an id (``X-Request-ID``, kept when the client sends a sane one); unexpected
errors are logged with it, and the 500 answer shows it so that a user can quote it.
"""

from __future__ import annotations

import logging
import re
import uuid

import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from econsec import api, web
from econsec.api import docs as api_docs
from econsec.api.errors import MESSAGE_LIMIT, error_response, status_of, validation_response
from econsec.api.taxii import taxii_error
from econsec.app.platform import Platform, PlatformSettings
from econsec.errors import EconsecError, InputError, PayloadTooLarge
from econsec.storage.platform_db import migrate

__all__ = ["create_app", "from_environment", "request_id"]

log = logging.getLogger("econsec.server")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_UNAVAILABLE = "The database is unavailable; retry shortly."
_UNEXPECTED = "An unexpected error occurred; it has been logged."


class _RequestIds:
    """Give every request an id (``request.state.request_id``) and answer with it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = sent if _SANE_ID.match(sent) else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", rid.encode()))
            await send(message)

        await self.app(scope, receive, send_with_id)


class _JsonDepth:
    """Tracks the nesting depth of JSON text as it streams in (strings and escapes skipped)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.depth, self.in_string, self.escaped = limit, 0, False, False

    #: Every byte but the five that matter for nesting (dropped before the scan).
    _DROP = bytes(b for b in range(256) if b not in b'"\\[]{}')

    def feed(self, chunk: bytes) -> None:
        for byte in chunk.translate(None, self._DROP):
            if self.in_string:
                if self.escaped:
                    self.escaped = False
                elif byte == 0x5C:  # backslash
                    self.escaped = True
                elif byte == 0x22:  # quote
                    self.in_string = False
            elif byte == 0x22:
                self.in_string = True
            elif byte in (0x5B, 0x7B):  # [ {
                self.depth += 1
                if self.depth > self.limit:
                    raise HTTPException(422, f"JSON nested deeper than {self.limit} levels")
            elif byte in (0x5D, 0x7D):
                self.depth -= 1


class _BodyLimits:
    """Refuse a request body over ``limit`` bytes while it streams in (before any of it is
    parsed), and JSON nested deeper than ``depth``: whatever reads the body gets an HTTP error
    (413, 422), which passes through every body parser (FastAPI's included) to the edge that
    renders it."""

    def __init__(self, app: ASGIApp, limit: int, depth: int = 64) -> None:
        self.app, self.limit, self.depth = app, limit, depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"")
        too_large = declared.isdigit() and int(declared) > self.limit
        json_body = headers.get(b"content-type", b"").split(b";")[0].strip() == b"application/json"
        depth = _JsonDepth(self.depth) if json_body else None
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            if too_large:
                raise HTTPException(413, str(PayloadTooLarge(self.limit)))
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                seen += len(chunk)
                if seen > self.limit:
                    raise HTTPException(413, str(PayloadTooLarge(self.limit)))
                if depth is not None:
                    depth.feed(chunk)
            return message

        await self.app(scope, limited, send)


class _SecurityHeaders:
    """Security headers on every answer: no MIME sniffing, no referrer beyond the site, no
    framing, and no caching of API answers; a strict CSP on whatever sets none (the API's JSON);
    HSTS in production."""

    def __init__(self, app: ASGIApp, production: bool) -> None:
        self.app, self.production = app, production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = not web.is_page(Request(scope))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                present = {k.lower() for k, _ in headers}
                wanted = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
                ]
                if api:
                    wanted.append((b"cache-control", b"no-store"))
                if self.production:
                    wanted.append((b"strict-transport-security",
                                   b"max-age=31536000; includeSubDomains"))  # fmt: skip
                headers.extend(h for h in wanted if h[0] not in present)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def request_id(request: Request) -> str:
    """The id of ``request`` (see the module docstring)."""
    return str(getattr(request.state, "request_id", ""))


def _allowed(app: FastAPI, request: Request) -> str:
    """The methods the API takes at the request's path (from its OpenAPI document)."""
    from starlette.routing import compile_path

    methods: set[str] = set()
    for template, item in app.openapi().get("paths", {}).items():
        regex, _, _ = compile_path(template)
        if regex.match(request.url.path):
            methods |= {m.upper() for m in item if m in ("get", "post", "put", "patch", "delete")}
    return ", ".join(sorted(methods))


def _is_taxii(request: Request) -> bool:
    return request.url.path.startswith("/taxii2")


def create_app(settings: PlatformSettings, *, migrate_schema: bool = True) -> FastAPI:
    """The server for ``settings``; brings the schema up to date unless told not to."""
    platform = Platform(settings)
    if migrate_schema:
        migrate(platform.engine)
    app = FastAPI(
        title="econsec platform",
        version="1",
        description="Confidential public–private sharing of supply-chain risk information.",
        docs_url=None,  # served from local assets by econsec.api.docs
        redoc_url=None,
    )
    app.state.platform = platform
    # Room for a multipart upload's envelope around the largest accepted file.
    app.add_middleware(_BodyLimits, limit=settings.max_upload_bytes + 64_000)
    app.add_middleware(_SecurityHeaders, production=settings.production)
    app.add_middleware(_RequestIds)

    @app.exception_handler(EconsecError)
    async def _library_error(request: Request, exc: EconsecError) -> Response:
        if web.is_page(request):
            return web.error_page(request, status_of(exc), str(exc)[:MESSAGE_LIMIT])
        if _is_taxii(request):  # TAXII error messages; a malformed parameter is a 400
            status = status_of(exc)
            return taxii_error(exc, 400 if isinstance(exc, InputError) and status == 422
                               else status)  # fmt: skip
        return error_response(exc)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 405:  # every method of the path, not the first route's only
            exc = HTTPException(405, exc.detail, {"Allow": _allowed(app, request)})
        if web.is_page(request):
            return web.error_page(request, exc.status_code, str(exc.detail))
        if _is_taxii(request):
            answer = taxii_error(EconsecError(str(exc.detail)), exc.status_code)
            answer.headers.update(exc.headers or {})
            return answer
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        if web.is_page(request):
            return web.error_page(request, 422, "invalid request")
        if _is_taxii(request):
            return taxii_error(EconsecError("malformed request"), 400)
        return validation_response(exc)

    @app.exception_handler(sqlalchemy.exc.OperationalError)
    @app.exception_handler(sqlalchemy.exc.InterfaceError)
    async def _database_down(request: Request, exc: Exception) -> Response:
        rid = request_id(request)
        log.warning("request %s: the database is unavailable: %s", rid, exc)
        if web.is_page(request):
            return web.error_page(request, 503, _UNAVAILABLE, request_id=rid)
        if _is_taxii(request):
            answer = taxii_error(EconsecError(_UNAVAILABLE), 503)
            answer.headers.update({"Retry-After": "2", "X-Request-ID": rid})
            return answer
        return JSONResponse(
            {"detail": "the database is unavailable; retry shortly", "request_id": rid},
            status_code=503,
            headers={"Retry-After": "2", "X-Request-ID": rid},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        rid = request_id(request)
        log.log(logging.ERROR, "request %s: %s %s failed", rid, request.method, request.url.path,
                  exc_info=exc)  # fmt: skip
        if web.is_page(request):
            page = web.error_page(request, 500, _UNEXPECTED, request_id=rid)
            page.headers["X-Request-ID"] = rid
            return page
        if _is_taxii(request):
            answer = taxii_error(EconsecError(f"internal error (request {rid})"), 500)
            answer.headers["X-Request-ID"] = rid
            return answer
        return JSONResponse({"detail": "internal error", "request_id": rid}, status_code=500,
                            headers={"X-Request-ID": rid})  # fmt: skip

    @app.get("/healthz", include_in_schema=False)
    def _health() -> dict[str, str]:
        return {"status": "ok"}

    for router in api.ROUTERS:
        app.include_router(router)
    app.mount("/api/docs/assets", api_docs.assets(), name="api-docs-assets")
    web.install(app)
    return app


def from_environment() -> FastAPI:
    """The app for a worker process of ``econsec serve --workers N``: settings from the
    environment (``ECONSEC_WORKSPACE`` and the variables of :mod:`econsec.settings`); the
    parent process has already migrated the schema."""
    from econsec.settings import load_settings, workspace_path

    return create_app(load_settings(workspace_path(None)), migrate_schema=False)
