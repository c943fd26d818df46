"""Signing in and out, the start page, and the language switch."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from econsec.app import accounts
from econsec.errors import NotSignedIn
from econsec.web import i18n, session
from econsec.web.render import checked_form, platform_of, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _local(target: Any) -> str:
    """Only paths of this site (no open redirect)."""
    text = str(target or "/")
    return text if text.startswith("/") and not text.startswith("//") else "/"


@router.get("/")
def home(request: Request) -> Response:
    p = platform_of(request)
    caller = session.caller(request, p)
    if caller is None:
        return RedirectResponse("/login", 303)
    return render(request, p, caller, "home.html")


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    p = platform_of(request)
    return render(request, p, None, "login.html", next=_local(next), error=None)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await checked_form(request)
    p = platform_of(request)
    username = str(form.get("username", ""))[:100]
    password = str(form.get("password", ""))[:200]
    try:
        client = request.client.host if request.client else ""
        token = accounts.sign_in(p, username, password, client)
    except NotSignedIn:
        locale = i18n.choose(None, request.cookies.get("lang"),
                             request.headers.get("accept-language"))  # fmt: skip
        error = i18n.translations(locale).gettext("Unknown user or wrong password.")
        return render(request, p, None, "login.html", status=401,
                      next=_local(form.get("next")), error=error)  # fmt: skip
    response = RedirectResponse(_local(form.get("next")), 303)
    session.set_cookies(request, response, p, token)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    await checked_form(request)
    p = platform_of(request)
    caller = session.caller(request, p)
    if caller is not None:
        accounts.sign_out(p, caller, "signed out (web)")
    response = RedirectResponse("/login", 303)
    session.set_cookies(request, response, p, "")
    return response


@router.post("/language")
async def language(request: Request) -> Response:
    """Set the language: the user's setting when signed in, else a cookie."""
    form = await checked_form(request)
    p = platform_of(request)
    locale = str(form.get("locale", ""))
    response = RedirectResponse(_local(form.get("next")), 303)
    if locale not in i18n.LOCALES:
        return response
    caller = session.caller(request, p)
    if caller is not None:
        accounts.set_locale(p, caller, locale)
    response.set_cookie("lang", locale, samesite="lax", httponly=True, path="/",
                        secure=request.url.scheme == "https", max_age=365 * 86400)  # fmt: skip
    return response
