"""The API's errors: each error class of :mod:`econsec.errors` mapped once to an HTTP status,
and the JSON bodies of errors.

Bad input and rejected records answer 422 with a ``problems`` list naming row and field; a
refusal of the policy or of the disclosure guard names its ``rule``; 401 asks for a bearer token.
"""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from econsec.errors import (
    AccessDenied,
    ComputationFailed,
    ConfigError,
    Conflict,
    DisclosureRefused,
    EconsecError,
    Infeasible,
    InputError,
    InputProblems,
    InsufficientData,
    NotAcceptable,
    NotFoundError,
    NotSignedIn,
    PayloadTooLarge,
    RecordsRejected,
    SourceUnavailable,
    TooManyRequests,
)

__all__ = ["MESSAGE_LIMIT", "STATUS", "error_response", "status_of", "validation_response"]

#: The HTTP status of each error class (the first class of an error's MRO found here).
STATUS: dict[type[EconsecError], int] = {
    PayloadTooLarge: 413,
    InputError: 422,
    RecordsRejected: 422,
    NotFoundError: 404,
    InsufficientData: 409,
    Conflict: 409,
    ConfigError: 500,
    NotSignedIn: 401,
    TooManyRequests: 429,
    AccessDenied: 403,
    DisclosureRefused: 422,
    Infeasible: 422,
    ComputationFailed: 500,
    NotAcceptable: 406,
    SourceUnavailable: 502,
}


#: The longest message an error answer carries (a message may quote the input).
MESSAGE_LIMIT = 500


class Problem(BaseModel):
    """One bad field of a request (``row`` counts records from 1; null for a single object)."""

    row: int | None = None
    field: str | None = None
    message: str


class ErrorBody(BaseModel):
    """Every error answer of the API: what went wrong; the disclosure or access rule that
    refused, when one did; the problems of a bad request, each named; the request's id for an
    unexpected error."""

    detail: str
    rule: str | None = None
    problems: list[Problem] | None = None
    request_id: str | None = None


def _described(text: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": text}


#: The error answers every API operation may give, documented with their real model.
RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _described("not signed in: no token, or an unknown or expired one"),
    403: _described("the access policy refuses the caller (the rule is named)"),
    404: _described("no such object, or one the caller may not see (alike)"),
    409: _described("the object's state does not allow it (e.g. a closed survey)"),
    413: _described("the request body is over the size limit"),
    415: _described("a media type the operation does not take"),
    422: _described(
        "bad input: every problem named by row and field, or the disclosure guard's rule"
    ),
    429: _described("too many requests; retry after the Retry-After header's seconds"),
}


def status_of(exc: EconsecError) -> int:
    """The HTTP status of ``exc`` (400 for an error class not in :data:`STATUS`)."""
    return next((STATUS[t] for t in type(exc).__mro__ if t in STATUS), 400)


def _problems(exc: EconsecError) -> list[dict[str, Any]]:
    if isinstance(exc, RecordsRejected):
        return [{"row": p.row, "field": p.field, "message": p.message[:MESSAGE_LIMIT]}
                for p in exc.problems[:100]]  # fmt: skip
    if isinstance(exc, InputProblems):
        return [{"row": e.row or e.line, "field": e.column, "message": str(e)[:MESSAGE_LIMIT]}
                for e in exc.problems]  # fmt: skip
    if isinstance(exc, InputError):
        return [{"row": exc.row, "field": exc.column, "message": exc.problem}]
    return []


def error_response(exc: EconsecError) -> JSONResponse:
    """The JSON answer to a library error."""
    status = status_of(exc)
    body: dict[str, Any] = {"detail": str(exc)[:MESSAGE_LIMIT]}
    headers = {}
    if isinstance(exc, (RecordsRejected, InputError)) and not isinstance(exc, PayloadTooLarge):
        body["problems"] = _problems(exc)
    if isinstance(exc, AccessDenied):
        body["rule"] = str(exc)
    if isinstance(exc, DisclosureRefused):
        body["rule"] = exc.rule
    if isinstance(exc, NotSignedIn):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after)
    return JSONResponse(body, status_code=status, headers=headers)


def validation_response(exc: RequestValidationError) -> JSONResponse:
    """422 for a request that does not match the route's schema, naming each field."""
    problems = [
        {
            "row": None,
            "field": ".".join(str(p) for p in e["loc"] if p != "body"),
            "message": e["msg"],
        }
        for e in exc.errors()
    ]
    return JSONResponse({"detail": "invalid request", "problems": problems}, status_code=422)
