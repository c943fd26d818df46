"""Sign-in: opaque bearer tokens, stored hashed, checked against the store on every request
(so revoking a user or a clearance acts at once)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException

from econsec.service.deps import CallerDep, PlatformDep
from econsec.service.platform import token_hash
from econsec.storage import platform as store

__all__ = ["router", "sign_in"]

router = APIRouter(prefix="/api/v1", tags=["auth"])
_DUMMY: dict[str, str] = {}


def sign_in(p: PlatformDep, username: str, password: str) -> str | None:
    """A new token for valid credentials, else None (both outcomes audited)."""
    with p.read() as conn:
        found = store.user_by_name(conn, username)
    if found is None:
        # Spend the same time as a real check, so timing does not tell which names exist.
        stored = _DUMMY.setdefault(p.settings.password_profile, p.hash_password("x"))
        p.check_password(stored, password)
        p.audit(username[:100], "sign_in", "session", False, "unknown user or wrong password")
        return None
    account, stored = found
    if not p.check_password(stored, password):
        p.audit(username, "sign_in", "session", False, "unknown user or wrong password")
        return None
    token = secrets.token_urlsafe(32)
    with p.write() as conn:
        store.create_session(conn, account.user_id, token_hash(token), p.settings.token_minutes)
        store.append_audit(conn, username, "sign_in", "session", True, "password verified")
    return token


@router.post("/auth/token")
def token(
    p: PlatformDep,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
) -> dict[str, str]:
    """Exchange a user name and password for a bearer token."""
    issued = sign_in(p, username, password)
    if issued is None:
        raise HTTPException(401, "unknown user or wrong password", {"WWW-Authenticate": "Bearer"})
    return {"access_token": issued, "token_type": "bearer"}


@router.post("/auth/logout")
def logout(p: PlatformDep, caller: CallerDep) -> dict[str, str]:
    """End this session (the token stops working)."""
    with p.write() as conn:
        store.delete_session(conn, caller.token_hash)
        store.append_audit(conn, caller.account.username, "sign_out", "session", True, "signed out")
    return {"status": "signed out"}


@router.get("/me")
def me(caller: CallerDep) -> dict[str, Any]:
    """Who you are: user, role, organisation and clearance."""
    a, c = caller.account, caller.account.clearance
    return {
        "username": a.username,
        "role": a.role,
        "organisation": {"name": a.org_name, "kind": a.org_kind, "sector": a.sector},
        "clearance": {
            "level": c.level,
            "compartments": sorted(c.compartments),
            "valid_until": c.valid_until.isoformat() if c.valid_until else None,
            "designated_by": c.designated_by,
            "revoked": c.revoked,
        },
        "contributing": caller.subject.contributing,
        "locale": a.locale,
    }
