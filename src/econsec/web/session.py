"""Browser sessions and CSRF protection for the web pages.

A session is the same opaque token as an API bearer token (stored hashed, checked against the
store on every request), carried in the ``econsec_session`` cookie: ``HttpOnly``,
``SameSite=Lax``, and ``Secure`` when served over TLS (or in production). The API itself takes no
cookies.

Every form carries a CSRF token in its address: an HMAC, under the service's secret key, of a
random value in the ``econsec_csrf`` cookie and of the session (signed double submit, bound to
the session). A POST whose token does not match is refused before its body is read. Signing in
starts a new session and a new random value, so tokens from before no longer work.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from econsec.app.platform import Caller, Platform

__all__ = ["SESSION", "caller", "csrf_seed", "csrf_token", "csrf_valid", "set_cookies"]

SESSION = "econsec_session"
CSRF = "econsec_csrf"


def caller(request: Request, p: Platform) -> Caller | None:
    """The signed-in caller of the session cookie, or None."""
    token = request.cookies.get(SESSION)
    return p.caller(token) if token else None


def _secure(request: Request, p: Platform) -> bool:
    return request.url.scheme == "https" or p.settings.production


def csrf_seed(request: Request) -> str:
    """The request's CSRF cookie value, or a new one (set on the response by
    :func:`set_cookies`)."""
    seed = request.cookies.get(CSRF)
    if seed and len(seed) <= 100:
        return seed
    if not hasattr(request.state, "csrf_seed"):
        request.state.csrf_seed = secrets.token_urlsafe(24)
    return str(request.state.csrf_seed)


def _signed(p: Platform, seed: str, request: Request) -> str:
    """The token of a CSRF seed, bound to the request's session (none before signing in)."""
    bound = hashlib.sha256(request.cookies.get(SESSION, "").encode()).hexdigest()
    message = f"csrf:{seed}:{bound}".encode()
    return hmac.new(p.settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def csrf_token(request: Request, p: Platform) -> str:
    return _signed(p, csrf_seed(request), request)


def csrf_valid(request: Request, p: Platform, submitted: str | None) -> bool:
    seed = request.cookies.get(CSRF)
    if not seed or not submitted:
        return False
    return hmac.compare_digest(_signed(p, seed, request), submitted)


def set_cookies(
    request: Request, response: Response, p: Platform, session: str | None = None
) -> None:
    """Set the CSRF cookie when new, and the session cookie when given ("" clears it); a new
    session gets a new CSRF seed."""
    secure = _secure(request, p)
    if session:
        request.state.csrf_seed = secrets.token_urlsafe(24)
        response.set_cookie(CSRF, request.state.csrf_seed, httponly=True, samesite="strict",
                            secure=secure, path="/")  # fmt: skip
    elif request.cookies.get(CSRF) != csrf_seed(request):
        response.set_cookie(CSRF, csrf_seed(request), httponly=True, samesite="strict",
                            secure=secure, path="/")  # fmt: skip
    if session == "":
        response.delete_cookie(SESSION, path="/", httponly=True, samesite="lax", secure=secure)
    elif session is not None:
        response.set_cookie(SESSION, session, httponly=True, samesite="lax", secure=secure,
                            path="/", max_age=p.settings.token_minutes * 60)  # fmt: skip
