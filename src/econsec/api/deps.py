"""Request dependencies of the API: the platform and the signed-in caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from econsec.app.platform import Caller, Platform
from econsec.errors import NotSignedIn

__all__ = ["BEARER", "CallerDep", "PlatformDep", "bearer", "caller", "platform"]


async def platform(request: Request) -> Platform:  # async: no thread hop for a lookup
    p: Platform = request.app.state.platform
    return p


PlatformDep = Annotated[Platform, Depends(platform)]


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


#: The API's security scheme as the OpenAPI document declares it (``components.securitySchemes``
#: and ``security`` on every operation that needs a caller), so that Swagger UI offers
#: "Authorize" and generated clients send the token; the check itself is :func:`caller`'s.
BEARER = HTTPBearer(auto_error=False, scheme_name="bearer",
                    description="A token from POST /api/v1/auth/token")  # fmt: skip


def caller(
    request: Request,
    p: PlatformDep,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)] = None,
) -> Caller:
    """The signed-in caller: a valid bearer token, else :class:`NotSignedIn` (401). The API takes
    no cookies, so a page on another site cannot call it with a browser's session."""
    token = bearer(request)
    found = p.caller(token) if token else None
    if found is None:
        raise NotSignedIn("sign in first: POST /api/v1/auth/token")
    return found


CallerDep = Annotated[Caller, Depends(caller)]
