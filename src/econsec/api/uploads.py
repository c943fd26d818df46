"""Uploads of records: a JSON array of objects, a CSV file (multipart field ``file``) or a raw
``text/csv`` body, read within the service's size limit (413 beyond it, 415 for other types)."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any

from fastapi import HTTPException, Request

from econsec.errors import FieldProblem, PayloadTooLarge, RecordsRejected
from econsec.sharing import records as rec

__all__ = ["read_records", "upload_openapi"]


def upload_openapi(item: dict[str, object]) -> dict[str, Any]:
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
        raise PayloadTooLarge(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def read_records(request: Request, limit: int) -> tuple[list[object], str]:
    """The records of the request's body and where they came from (for messages)."""
    body = await _body(request, limit)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            data = json.loads(body)
        except RecursionError:
            raise RecordsRejected([FieldProblem(None, "body", "JSON nested too deeply")]) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RecordsRejected(
                [FieldProblem(None, "body", "not JSON: {exc}", values={"exc": exc})]
            ) from None
        if not isinstance(data, list):
            raise RecordsRejected([FieldProblem(None, "body", "expected a JSON array of records")])
        return data, "body"
    if kind == "text/csv":
        return list(rec.parse_csv(body)), "CSV body"
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
        return list(rec.parse_csv(data, source=name)), name
    raise HTTPException(
        415, "send application/json, text/csv, or multipart/form-data with a CSV 'file'"
    )
