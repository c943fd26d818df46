"""Sign-in: a user name and password for a bearer token; sign-out; who you are."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request

from econsec.api.deps import CallerDep, PlatformDep
from econsec.api.errors import RESPONSES
from econsec.app import accounts
from econsec.app.accounts import Profile

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["auth"], responses=RESPONSES)


@router.post("/auth/token")
def token(
    request: Request,
    p: PlatformDep,
    username: Annotated[str, Form(min_length=1, max_length=100)],
    password: Annotated[str, Form(min_length=1, max_length=200)],
) -> dict[str, str]:
    """Exchange a user name and password for a bearer token (429 with Retry-After when the
    address or the account is over its sign-in limit)."""
    client = request.client.host if request.client else ""
    return {"access_token": accounts.sign_in(p, username, password, client),
            "token_type": "bearer"}  # fmt: skip


@router.post("/auth/logout")
def logout(p: PlatformDep, caller: CallerDep) -> dict[str, str]:
    """End this session (the token stops working)."""
    accounts.sign_out(p, caller)
    return {"status": "signed out"}


@router.get("/me")
def me(caller: CallerDep) -> Profile:
    """Who you are: user, role, organisation and clearance."""
    return accounts.profile(caller)
