"""Firms' submissions: supplier relationships, coercion incidents and outflow concerns, one
upload route per submission kind of the registry (:data:`econsec.sharing.records.KINDS`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from econsec.api.deps import CallerDep, PlatformDep
from econsec.api.errors import RESPONSES
from econsec.api.uploads import read_records, upload_openapi
from econsec.app import submissions as app
from econsec.app.submissions import SubmissionInfo, SubmissionRecords
from econsec.sharing.records import KINDS, json_schema

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/submissions", tags=["submissions"], responses=RESPONSES)


def _upload(kind: str) -> Callable[[Request, PlatformDep, CallerDep], Awaitable[SubmissionRecords]]:
    async def submit(request: Request, p: PlatformDep, caller: CallerDep) -> SubmissionRecords:
        data, source = await read_records(request, p.settings.max_upload_bytes)
        return await run_in_threadpool(app.submit, p, caller, kind, data, source)

    submit.__doc__ = f"Submit {KINDS[kind].description} (JSON array or CSV)."
    return submit


for _kind in KINDS:
    router.add_api_route(
        f"/{_kind}",
        _upload(_kind),
        methods=["POST"],
        status_code=201,
        name=f"submit_{_kind}",
        openapi_extra=upload_openapi(json_schema(_kind)),
    )


@router.get("")
def list_submissions(
    p: PlatformDep,
    caller: CallerDep,
    status: Annotated[str | None, Query(pattern="^(current|superseded|withdrawn)$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> list[SubmissionInfo]:
    """Your organisation's submissions, newest first; cleared analysts: those their clearance
    allows. Filter by ``status``; page with ``limit`` and ``offset``."""
    return app.list_submissions(p, caller, status, limit, offset)


@router.get("/{submission_id}")
def get_submission(submission_id: str, p: PlatformDep, caller: CallerDep) -> SubmissionRecords:
    """One submission with the records you may read."""
    return app.get_submission(p, caller, submission_id)


@router.post("/{submission_id}/withdraw")
def withdraw(submission_id: str, p: PlatformDep, caller: CallerDep) -> SubmissionInfo:
    """Withdraw your submission: left out of future findings and aggregates, kept for audit."""
    return app.withdraw(p, caller, submission_id)
