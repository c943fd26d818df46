"""The web interface (an edge): server-rendered pages for firms (the portal) and analysts (the
console), in English and Japanese, over the application layer — so every access is decided by
the one policy and audited, as in the API.

Assets are served locally: htmx and the page styles from ``static/``, Plotly's bundle from the
installed ``plotly`` package. The server (:mod:`econsec.server`) mounts :func:`install` and
shows errors on pages with :func:`error_page`.
"""

from __future__ import annotations

import importlib
from importlib import resources
from pathlib import Path
from types import ModuleType

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

__all__ = ["PAGE_MODULES", "error_page", "install", "is_page", "page_modules"]

#: The modules of pages: each has a ``router`` and registers its pages in the navigation
#: (:func:`econsec.web.render.register`). Adding a page module is adding its name here.
PAGE_MODULES = ("signin", "portal", "console", "programmes", "plans", "surveys")

_HEADINGS = {401: "Sign in", 403: "Not allowed", 404: "Not found", 409: "Not possible now",
             413: "Too large", 422: "Cannot use this input", 429: "Too many attempts",
             500: "Something went wrong",
             503: "Try again shortly"}  # fmt: skip


def is_page(request: Request) -> bool:
    """Whether the request is for a page (not the API, TAXII or the health check)."""
    path = request.url.path
    return not (path.startswith("/api/") or path.startswith("/taxii2/") or path == "/healthz")


def error_page(request: Request, status: int, message: str, request_id: str = "") -> Response:
    """An error as a page: 401 sends the browser to sign in, others render the error (with the
    request id of an unexpected error, for the user to quote)."""
    from econsec.web import i18n, session
    from econsec.web.render import platform_of, render

    if status == 401:
        return RedirectResponse(f"/login?next={request.url.path}", 303)
    p = platform_of(request)
    caller = session.caller(request, p)
    locale = i18n.choose(caller.account.locale if caller else None, request.cookies.get("lang"),
                         request.headers.get("accept-language"))  # fmt: skip
    t = i18n.translations(locale)
    heading = t.gettext(_HEADINGS.get(status, "Error"))
    return render(request, p, caller, "error.html", status=status, heading=heading,
                  message=t.gettext(message), request_id=request_id)  # fmt: skip


def page_modules() -> list[ModuleType]:
    """The page modules, imported (so their pages are registered)."""
    return [importlib.import_module(f"econsec.web.{name}") for name in PAGE_MODULES]


def install(app: FastAPI) -> None:
    """Add the pages and their assets to ``app``."""
    static = Path(str(resources.files("econsec.web").joinpath("static")))
    app.mount("/static", StaticFiles(directory=static), name="static")

    @app.get("/assets/plotly.min.js", include_in_schema=False)
    def _plotly() -> FileResponse:
        import plotly

        bundle = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        return FileResponse(bundle, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})  # fmt: skip

    for module in page_modules():
        app.include_router(module.router)
