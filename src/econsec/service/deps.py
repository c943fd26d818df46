"""Request dependencies: the platform and the signed-in caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from econsec.access.policy import Subject
from econsec.service.platform import Platform, token_hash
from econsec.storage import platform as store

__all__ = ["Caller", "CallerDep", "PlatformDep", "bearer", "caller", "platform"]


async def platform(request: Request) -> Platform:  # async: no thread hop for a lookup
    p: Platform = request.app.state.platform
    return p


PlatformDep = Annotated[Platform, Depends(platform)]


@dataclass(frozen=True, slots=True)
class Caller:
    account: store.Account
    subject: Subject
    token_hash: str


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def caller(request: Request, p: PlatformDep) -> Caller:
    """The signed-in caller: a valid bearer token or 401. (The API takes no cookies, so a page
    on another site cannot call it with a browser's session.)"""
    token = bearer(request)
    account = None
    if token:
        with p.read() as conn:
            account = store.session_account(conn, token_hash(token))
    if account is None or token is None:
        raise HTTPException(
            401, "sign in first: POST /api/v1/auth/token", {"WWW-Authenticate": "Bearer"}
        )
    return Caller(account, p.subject(account), token_hash(token))


CallerDep = Annotated[Caller, Depends(caller)]
