"""Firms' submissions: supplier relationships, coercion incidents and outflow concerns.

A submission arrives as a JSON array of records, as a CSV upload (multipart field ``file``) or
as a raw ``text/csv`` body. It is validated whole — every bad field of every row is reported —
and stored in one transaction, so a rejected or interrupted upload leaves nothing behind.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool

from econsec.access.policy import Classification, Resource
from econsec.errors import AccessDenied, FieldProblem, RecordsRejected
from econsec.service.deps import CallerDep, PlatformDep
from econsec.sharing import records as rec
from econsec.storage import platform as store

__all__ = ["read_records", "router", "store_records", "upload_openapi"]

router = APIRouter(prefix="/api/v1/submissions", tags=["submissions"])
_NOT_FOUND = "no submission with this id"


def upload_openapi(item: dict[str, Any]) -> dict[str, Any]:
    """The request body :func:`read_records` takes: a JSON array of ``item``, a multipart CSV
    ``file`` or a ``text/csv`` body."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "array", "items": item, "minItems": 1}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    }


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"the upload is larger than the limit of {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"the upload is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_records(request: Request, limit: int) -> tuple[list[Any], str]:
    body = await _body(request, limit)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RecordsRejected([FieldProblem(None, "body", f"not JSON: {exc}")]) from None
        if not isinstance(data, list):
            raise RecordsRejected([FieldProblem(None, "body", "expected a JSON array of records")])
        return data, "body"
    if kind == "text/csv":
        return rec.parse_csv(body), "CSV body"
    if kind == "multipart/form-data":
        from starlette.formparsers import MultiPartException, MultiPartParser

        async def once() -> AsyncGenerator[bytes, None]:
            yield body

        try:
            form = await MultiPartParser(request.headers, once(), max_files=1, max_fields=5).parse()
        except MultiPartException as exc:
            raise RecordsRejected([FieldProblem(None, "file", exc.message)]) from None
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise RecordsRejected([FieldProblem(None, "file", "expected a CSV file in 'file'")])
        name = upload.filename or "upload.csv"
        data = await upload.read()
        await form.close()
        return rec.parse_csv(data, source=name), name
    raise HTTPException(
        415, "send application/json, text/csv, or multipart/form-data with a CSV 'file'"
    )


def store_records(
    p: PlatformDep, caller: CallerDep, kind: str, data: list[Any], source: str
) -> Any:
    """Validate and store a submission for the caller's organisation (authorised, audited)."""
    s = caller.subject
    p.authorise(s, "submit", Resource("submission", owner_org=s.org), f"submissions/{kind}")
    clean = rec.validate(kind, data, source=source)
    with p.write() as conn:
        sub = store.add_submission(conn, p.ring, s.org, caller.account.user_id, kind, clean)
    return {**sub.public(), "records": clean}


async def _submit(request: Request, p: PlatformDep, caller: CallerDep, kind: str) -> Any:
    data, source = await read_records(request, p.settings.max_upload_bytes)
    return await run_in_threadpool(store_records, p, caller, kind, data, source)


@router.post(
    "/suppliers", status_code=201, openapi_extra=upload_openapi(rec.json_schema("suppliers"))
)
async def submit_suppliers(request: Request, p: PlatformDep, caller: CallerDep) -> Any:
    """Submit your supplier relationships (JSON array or CSV); supersedes your current list."""
    return await _submit(request, p, caller, "suppliers")


@router.post(
    "/incidents", status_code=201, openapi_extra=upload_openapi(rec.json_schema("incidents"))
)
async def submit_incidents(request: Request, p: PlatformDep, caller: CallerDep) -> Any:
    """Submit coercion incidents your firm met (JSON array or CSV)."""
    return await _submit(request, p, caller, "incidents")


@router.post("/outflow", status_code=201, openapi_extra=upload_openapi(rec.json_schema("outflow")))
async def submit_outflow(request: Request, p: PlatformDep, caller: CallerDep) -> Any:
    """Submit technology or talent outflow concerns (JSON array or CSV)."""
    return await _submit(request, p, caller, "outflow")


@router.get("")
def list_submissions(
    p: PlatformDep,
    caller: CallerDep,
    status: Annotated[str | None, Query(pattern="^(current|superseded|withdrawn)$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> list[dict[str, Any]]:
    """Your organisation's submissions, newest first; cleared analysts: those their clearance
    allows. Filter by ``status``; page with ``limit`` and ``offset``."""
    s = caller.subject
    firm = s.org_kind == "firm"
    p.authorise(
        s,
        "read",
        Resource("submission", Classification.RESTRICTED, s.org if firm else None),
        "submissions (list)",
    )
    with p.read() as conn:
        subs = store.list_submissions(conn, s.org if firm else None, status, limit, offset)
    return [sub.public() for sub in subs if firm or p.visible_records(caller.subject, sub)]


def _get(p: PlatformDep, caller: CallerDep, sub_id: str, action: str) -> store.Submission:
    """The submission, or 404 alike for missing and not allowed (both audited)."""
    with p.read() as conn:
        sub = store.get_submission(conn, sub_id[:36])
    s = caller.subject
    if sub is None:
        p.audit(s.user, action, f"submission/{sub_id[:36]}", False, "no such submission")
        raise HTTPException(404, _NOT_FOUND)
    resource = Resource("submission", sub.classification, sub.org_id)
    try:
        if action == "read" and sub.org_id != s.org:
            if not p.visible_records(caller.subject, sub):
                p.authorise(s, "read", resource, f"submission/{sub.id}")
            else:
                p.audit(s.user, "read", f"submission/{sub.id}", True, "records the policy allows")
        else:
            p.authorise(s, action, resource, f"submission/{sub.id}")
    except AccessDenied:
        raise HTTPException(404, _NOT_FOUND) from None
    return sub


@router.get("/{submission_id}")
def get_submission(submission_id: str, p: PlatformDep, caller: CallerDep) -> dict[str, Any]:
    """One submission with the records you may read."""
    sub = _get(p, caller, submission_id, "read")
    return {**sub.public(), "records": p.visible_records(caller.subject, sub)}


@router.post("/{submission_id}/withdraw")
def withdraw(submission_id: str, p: PlatformDep, caller: CallerDep) -> dict[str, Any]:
    """Withdraw your submission: left out of future findings and aggregates, kept for audit."""
    sub = _get(p, caller, submission_id, "withdraw")
    with p.write() as conn:
        return store.withdraw(conn, sub.id).public()
