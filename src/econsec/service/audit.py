"""The audit log for auditors: every authorisation decision and every release, hash-chained."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from econsec.access.policy import Classification, Resource
from econsec.service.deps import CallerDep, PlatformDep
from econsec.sharing.audit import verify
from econsec.storage import platform as store

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get("/audit")
def audit(
    p: PlatformDep,
    caller: CallerDep,
    after: Annotated[int, Query(ge=-1, le=2**62)] = -1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Audit entries after sequence number ``after`` (auditors), and whether the chain holds."""
    p.authorise(
        caller.subject,
        "read_audit",
        Resource("audit_log", Classification.CONFIDENTIAL),
        "audit_log",
    )
    with p.read() as conn:
        entries = store.audit_entries(conn, after, limit)
        bad = verify(store.audit_entries(conn))
    return {"entries": entries, "chain_intact": bad is None, "first_bad_entry": bad}
