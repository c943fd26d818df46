"""The audit log for auditors: every authorisation decision and every release, hash-chained."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from econsec.api.deps import CallerDep, PlatformDep
from econsec.api.errors import RESPONSES
from econsec.app.audit import AuditPage, audit_log

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["audit"], responses=RESPONSES)


@router.get("/audit")
def audit(
    p: PlatformDep,
    caller: CallerDep,
    after: Annotated[int, Query(ge=-1, le=2**62)] = -1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    """Audit entries after sequence number ``after`` (auditors), and whether the chain holds."""
    return audit_log(p, caller, after, limit)
