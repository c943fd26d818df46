"""A TAXII 2.1 server of released alerts, complete for reading (OASIS TAXII 2.1, section 5):
discovery, the API root, one collection per release audience the caller may read (``public``,
``all_firms``, ``sector:CODE``; analysts every sector's), its objects with ``limit``/``next``
pagination, ``added_after`` and ``match[type|id|version|spec_version]``, the manifest, an
object by id and its versions.

An object's ``date_added`` is the time of the first release that carried it; its version is its
``modified`` time (a marking definition's ``created``). Callers sign in with HTTP Basic (as
TAXII 2.1 recommends and taxii2-client does) or a bearer token. Every error under ``/taxii2/`` is
a TAXII error message (``application/taxii+json;version=2.1``): 400 for a malformed parameter,
401 without valid credentials, 404 for a collection or object the caller may not see (alike
for missing ones), 406 for an ``Accept`` the server cannot answer.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from econsec.api.deps import BEARER, PlatformDep, bearer
from econsec.app.accounts import password_caller
from econsec.app.platform import Caller
from econsec.app.sharing import alerts, readable_audiences
from econsec.errors import EconsecError, InputError, NotAcceptable, NotFoundError, NotSignedIn
from econsec.i18n import N_
from econsec.sharing.exchange import alert_bundle

__all__ = ["MEDIA", "STIX_MEDIA", "router", "taxii_error"]

MEDIA = "application/taxii+json;version=2.1"
STIX_MEDIA = "application/stix+json;version=2.1"
#: The most objects one page gives (a client's ``limit`` above it is lowered to it).
MAX_PAGE = 1000
_NS = uuid.UUID("0c6fbd3b-6d1e-4a4c-9f0b-6f0d1b7b1e11")
_ACCEPTABLE = ("*/*", "application/*", "application/taxii+json",
               "application/taxii+json;version=2.1")  # fmt: skip


def taxii_error(exc: EconsecError, status: int) -> Response:
    """A TAXII 2.1 error message for ``exc`` (its title names the kind of error)."""
    titles = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
              405: "Method not allowed", 406: "Not acceptable", 422: "Unprocessable",
              429: "Too many requests", 500: "Internal error", 503: "Unavailable"}  # fmt: skip
    body = {"title": titles.get(status, "Error"), "description": str(exc)[:500],
            "http_status": str(status)}  # fmt: skip
    headers = {"WWW-Authenticate": 'Basic realm="econsec TAXII", Bearer'} if status == 401 else {}
    return Response(json.dumps(body), status_code=status, media_type=MEDIA, headers=headers)


def _accept(request: Request) -> None:
    """Refuse (406) an ``Accept`` header that admits no TAXII 2.1 answer."""
    header = request.headers.get("accept", "")
    if not header.strip():
        return
    for part in header.split(","):
        media = part.split(";q=")[0].replace(" ", "").lower()
        if media in _ACCEPTABLE:
            return
    raise NotAcceptable(f"cannot answer {header!r}: this server gives {MEDIA}")


def _caller(request: Request, p: PlatformDep,
            _declared: Annotated[Any, Depends(BEARER)] = None) -> Caller:  # fmt: skip
    """The caller, signed in with a bearer token or HTTP Basic."""
    token = bearer(request)
    if token:
        found = p.caller(token)
        if found is None:
            raise NotSignedIn("the bearer token is unknown or expired")
        return found
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic" and encoded.strip():
        try:
            user, _, password = base64.b64decode(encoded.strip(), validate=True).decode(
                "utf-8").partition(":")  # fmt: skip
        except (binascii.Error, UnicodeDecodeError):
            raise NotSignedIn("malformed HTTP Basic credentials") from None
        client = request.client.host if request.client else ""
        return password_caller(p, user[:100], password[:200], client)
    raise NotSignedIn("sign in with HTTP Basic or a bearer token")


Taxii = Annotated[Caller, Depends(_caller)]
_ERROR_SCHEMA = {"type": "object", "required": ["title", "http_status"],
                 "properties": {"title": {"type": "string"}, "description": {"type": "string"},
                                "http_status": {"type": "string"}}}  # fmt: skip


def _taxii_error_doc(text: str) -> dict[str, Any]:
    return {"description": text, "content": {MEDIA: {"schema": _ERROR_SCHEMA}}}


#: The answers of every TAXII operation as the OpenAPI document gives them: TAXII media types.
TAXII_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "a TAXII 2.1 resource",
        "content": {MEDIA: {"schema": {"type": "object"}}},
    },
    400: _taxii_error_doc("a malformed parameter"),
    401: _taxii_error_doc("no valid credentials (HTTP Basic or Bearer)"),
    404: _taxii_error_doc("no such collection or object, or one the caller may not read"),
    406: _taxii_error_doc("an Accept header that admits no TAXII 2.1 answer"),
    429: _taxii_error_doc("too many sign-in attempts"),
}
router = APIRouter(prefix="/taxii2", tags=["taxii"], dependencies=[Depends(_accept)],
                   responses=TAXII_RESPONSES)  # fmt: skip


def _taxii(body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), media_type=MEDIA, headers=headers)


@dataclass(frozen=True, slots=True)
class _Entry:
    """One STIX object of a collection: the object, when it was added and its version."""

    obj: dict[str, Any]
    added: str
    version: str


def _stamp(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _entries(p: PlatformDep, caller: Caller, audience: str) -> list[_Entry]:
    """The collection's objects in the order they were added (each object once)."""
    shown = sorted((a for a in alerts(p, caller) if a.audience == audience),
                   key=lambda a: (_stamp(a.published), a.id))  # fmt: skip
    seen: dict[str, _Entry] = {}
    for alert in shown:
        added = _iso(_stamp(alert.published))
        for obj in json.loads(alert_bundle([alert]))["objects"]:
            if obj["id"] not in seen:
                version = obj.get("modified") or obj.get("created") or added
                seen[obj["id"]] = _Entry(obj, added, _iso(_stamp(version)))
    return list(seen.values())


def _audiences(p: PlatformDep, caller: Caller) -> dict[str, str]:
    """The collections the caller may read, by id (one per release audience)."""
    return {str(uuid.uuid5(_NS, a)): a for a in readable_audiences(p, caller)}


def _audience(p: PlatformDep, caller: Caller, collection_id: str) -> str:
    found = _audiences(p, caller).get(collection_id)
    if found is None:
        raise NotFoundError("no collection with this id")
    return found


@dataclass(frozen=True, slots=True)
class _Query:
    """The filters and page of an objects or manifest request."""

    added_after: dt.datetime | None
    types: frozenset[str]
    ids: frozenset[str]
    versions: tuple[str, ...]
    spec_versions: frozenset[str]
    limit: int
    start: int


def _query(request: Request) -> _Query:
    """The request's filters, checked (400 naming the parameter at fault)."""
    q = request.query_params
    known = {"added_after", "limit", "next", "match[type]", "match[id]", "match[version]",
             "match[spec_version]"}  # fmt: skip
    if unknown := sorted(set(q) - known):
        raise InputError(f"unknown parameter(s) {', '.join(unknown)}",
                         expected=", ".join(sorted(known)))  # fmt: skip
    added_after = None
    if "added_after" in q:
        try:
            added_after = _stamp(q["added_after"])
        except ValueError:
            raise InputError(
                f"added_after {q['added_after']!r}",
                expected=N_("a timestamp such as 2026-12-01T00:00:00.000Z"),
            ) from None
        if added_after.tzinfo is None:
            added_after = added_after.replace(tzinfo=dt.UTC)
    limit = MAX_PAGE
    if "limit" in q:
        if not q["limit"].isdigit() or int(q["limit"]) < 1:
            raise InputError(f"limit {q['limit']!r}", expected=N_("a whole number ≥ 1"))
        limit = min(int(q["limit"]), MAX_PAGE)
    start = 0
    if "next" in q:
        if not q["next"].isdigit():
            raise InputError(
                f"next {q['next']!r}", expected=N_("the next value of an earlier page")
            )
        start = int(q["next"])

    def listed(name: str) -> frozenset[str]:
        return frozenset(v.strip() for v in q.get(name, "").split(",") if v.strip())

    versions = tuple(sorted(listed("match[version]"))) or ("last",)
    for v in versions:
        if v not in ("first", "last", "all"):
            try:
                _stamp(v)
            except ValueError:
                raise InputError(
                    f"match[version] {v!r}", expected=N_("first, last, all or a timestamp")
                ) from None
    return _Query(added_after, listed("match[type]"), listed("match[id]"), versions,
                  listed("match[spec_version]"), limit, start)  # fmt: skip


def _selected(entries: list[_Entry], q: _Query) -> list[_Entry]:
    """The entries the filters keep (one version of each object here: its latest)."""
    keep = []
    for e in entries:
        if q.added_after is not None and _stamp(e.added) <= q.added_after:
            continue
        if q.types and e.obj["type"] not in q.types:
            continue
        if q.ids and e.obj["id"] not in q.ids:
            continue
        if q.spec_versions and e.obj.get("spec_version", "2.1") not in q.spec_versions:
            continue
        stamps = [v for v in q.versions if v not in ("first", "last", "all")]
        if stamps and all(_stamp(v) != _stamp(e.version) for v in stamps):
            continue
        keep.append(e)
    return keep


def _page(entries: list[_Entry], q: _Query) -> tuple[list[_Entry], dict[str, Any], dict[str, str]]:
    """One page of ``entries``: the entries, ``more``/``next`` and the date headers."""
    page = entries[q.start : q.start + q.limit]
    more = q.start + q.limit < len(entries)
    body: dict[str, Any] = {"more": more}
    if more:
        body["next"] = str(q.start + q.limit)
    headers = {"X-TAXII-Date-Added-First": page[0].added,
               "X-TAXII-Date-Added-Last": page[-1].added} if page else {}  # fmt: skip
    return page, body, headers


@router.get("/", response_class=Response)
def discovery(caller: Taxii) -> Response:
    """TAXII 2.1 discovery."""
    return _taxii({"title": "econsec alerts", "default": "/taxii2/api/",
                   "api_roots": ["/taxii2/api/"]})  # fmt: skip


@router.get("/api/", response_class=Response)
def api_root(caller: Taxii) -> Response:
    """TAXII 2.1 API root."""
    return _taxii({"title": "econsec released alerts", "versions": [MEDIA],
                   "max_content_length": 0})  # fmt: skip


def _collection(cid: str, audience: str) -> dict[str, Any]:
    return {"id": cid, "title": f"econsec alerts for {audience}", "can_read": True,
            "can_write": False, "media_types": [STIX_MEDIA]}  # fmt: skip


@router.get("/api/collections/", response_class=Response)
def collections(p: PlatformDep, caller: Taxii) -> Response:
    """The collections (audiences) you may read."""
    return _taxii({"collections": [_collection(c, a) for c, a in _audiences(p, caller).items()]})


@router.get("/api/collections/{collection_id}/", response_class=Response)
def collection(collection_id: str, p: PlatformDep, caller: Taxii) -> Response:
    """One collection."""
    return _taxii(_collection(collection_id, _audience(p, caller, collection_id)))


@router.get("/api/collections/{collection_id}/objects/", response_class=Response)
def objects(collection_id: str, request: Request, p: PlatformDep, caller: Taxii) -> Response:
    """The STIX objects released to this collection's audience, filtered and paged."""
    entries = _entries(p, caller, _audience(p, caller, collection_id))
    return _answer(request, entries, "objects", lambda e: e.obj)


@router.get("/api/collections/{collection_id}/manifest/", response_class=Response)
def manifest(collection_id: str, request: Request, p: PlatformDep, caller: Taxii) -> Response:
    """What the collection holds: each object's id, date added, version and media type."""
    entries = _entries(p, caller, _audience(p, caller, collection_id))
    return _answer(request, entries, "objects", lambda e: {
        "id": e.obj["id"], "date_added": e.added, "version": e.version,
        "media_type": STIX_MEDIA})  # fmt: skip


def _answer(
    request: Request, entries: list[_Entry], key: str, shape: Callable[[_Entry], Any]
) -> Response:
    """The filtered page of ``entries`` under ``key`` (each entry as ``shape`` gives it),
    with ``more``/``next`` and the date headers."""
    q = _query(request)
    page, body, headers = _page(_selected(entries, q), q)
    return _taxii(body | {key: [shape(e) for e in page]}, headers)


def _object_entries(p: PlatformDep, caller: Caller, collection_id: str,
                    object_id: str) -> list[_Entry]:  # fmt: skip
    found = [e for e in _entries(p, caller, _audience(p, caller, collection_id))
             if e.obj["id"] == object_id]  # fmt: skip
    if not found:
        raise NotFoundError("no object with this id in the collection")
    return found


@router.get("/api/collections/{collection_id}/objects/{object_id}/", response_class=Response)
def get_object(
    collection_id: str, object_id: str, request: Request, p: PlatformDep, caller: Taxii
) -> Response:
    """One object (its versions as ``match[version]`` selects; the latest by default)."""
    entries = _object_entries(p, caller, collection_id, object_id)
    return _answer(request, entries, "objects", lambda e: e.obj)


@router.get("/api/collections/{collection_id}/objects/{object_id}/versions/",
            response_class=Response)  # fmt: skip
def versions(
    collection_id: str, object_id: str, request: Request, p: PlatformDep, caller: Taxii
) -> Response:
    """The versions of one object."""
    entries = _object_entries(p, caller, collection_id, object_id)
    return _answer(request, entries, "versions", lambda e: e.version)
