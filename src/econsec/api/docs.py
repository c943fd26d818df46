"""The API's interactive documentation (Swagger UI) from local assets, under a CSP: no CDN, no
inline script."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

__all__ = ["CSP", "assets", "router"]

router = APIRouter(include_in_schema=False)
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>econsec API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script></body></html>"""
_INIT = 'window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui"});\n'


def assets() -> StaticFiles:
    """Swagger UI's files, from the installed ``swagger-ui-bundle`` package."""
    from swagger_ui_bundle import swagger_ui_path

    return StaticFiles(directory=Path(str(swagger_ui_path)))


@router.get("/api/docs")
def docs() -> HTMLResponse:
    """The interactive documentation of the API."""
    return HTMLResponse(_PAGE, headers={"Content-Security-Policy": CSP})


@router.get("/api/docs/init.js")
def init() -> Response:
    return Response(_INIT, media_type="text/javascript")
