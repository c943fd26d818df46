"""The web interface: server-rendered pages for firms (the portal) and analysts (the console),
in English and Japanese, on the same service and the same access policy as the API.

Pages call the same functions as the API routes, so every access is decided by the one policy
and audited. Assets are served locally: htmx and the page styles from ``static/``, Plotly's
bundle from the installed ``plotly`` package.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

__all__ = ["install", "is_page", "page_error"]

_HEADINGS = {401: "Sign in", 403: "Not allowed", 404: "Not found", 409: "Not possible now",
             413: "Too large", 422: "Cannot use this input"}  # fmt: skip


def is_page(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith("/api/") or path.startswith("/taxii2/") or path == "/healthz")


def page_error(request: Request, status: int, message: str) -> Response:
    """An error as a page: 401 sends the browser to sign in, others render the error."""
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
                  message=t.gettext(message))  # fmt: skip


def install(app: FastAPI) -> None:
    """Add the pages, their assets and HTML error pages to ``app``."""
    from econsec.web import console, portal, signin, surveys

    static = Path(str(resources.files("econsec.web").joinpath("static")))
    app.mount("/static", StaticFiles(directory=static), name="static")

    @app.get("/assets/plotly.min.js", include_in_schema=False)
    def _plotly() -> FileResponse:
        import plotly

        bundle = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        return FileResponse(bundle, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})  # fmt: skip

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        if is_page(request):
            return page_error(request, exc.status_code, str(exc.detail))
        return await http_exception_handler(request, exc)

    for module in (signin, portal, console, surveys):
        app.include_router(module.router)
