"""Sign-in: a user name and password for a bearer token; sign-out; who you are."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form

from econsec.api.deps import CallerDep, PlatformDep
from econsec.app import accounts
from econsec.app.accounts import Profile

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.post("/auth/token")
def token(
    p: PlatformDep,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
) -> dict[str, str]:
    """Exchange a user name and password for a bearer token."""
    return {"access_token": accounts.sign_in(p, username, password), "token_type": "bearer"}


@router.post("/auth/logout")
def logout(p: PlatformDep, caller: CallerDep) -> dict[str, str]:
    """End this session (the token stops working)."""
    accounts.sign_out(p, caller)
    return {"status": "signed out"}


@router.get("/me")
def me(caller: CallerDep) -> Profile:
    """Who you are: user, role, organisation and clearance."""
    return accounts.profile(caller)
