"""A read-only TAXII 2.1 server of released alerts: one collection per audience the caller may
read (``public``, ``all_firms``, ``sector:CODE``), each serving only what was released to it."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Response

from econsec.api.deps import CallerDep, PlatformDep
from econsec.app.sharing import alerts, readable_audiences
from econsec.errors import NotFoundError
from econsec.sharing.exchange import alert_bundle

__all__ = ["router"]

router = APIRouter(prefix="/taxii2", tags=["taxii"])
MEDIA = "application/taxii+json;version=2.1"
_NS = uuid.UUID("0c6fbd3b-6d1e-4a4c-9f0b-6f0d1b7b1e11")


def _taxii(body: Any) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), media_type=MEDIA)


def _audiences(p: PlatformDep, caller: CallerDep) -> dict[str, str]:
    """The collections the caller may read, by id (one per release audience)."""
    return {str(uuid.uuid5(_NS, a)): a for a in readable_audiences(p, caller)}


@router.get("/")
def discovery(caller: CallerDep) -> Response:
    """TAXII 2.1 discovery."""
    return _taxii(
        {"title": "econsec alerts", "default": "/taxii2/api/", "api_roots": ["/taxii2/api/"]}
    )


@router.get("/api/")
def api_root(caller: CallerDep) -> Response:
    """TAXII 2.1 API root."""
    return _taxii(
        {"title": "econsec released alerts", "versions": [MEDIA], "max_content_length": 0}
    )


def _collection(cid: str, audience: str) -> dict[str, Any]:
    return {
        "id": cid,
        "title": f"econsec alerts for {audience}",
        "can_read": True,
        "can_write": False,
        "media_types": ["application/stix+json;version=2.1"],
    }


@router.get("/api/collections/")
def collections(p: PlatformDep, caller: CallerDep) -> Response:
    """The collections (audiences) you may read."""
    return _taxii({"collections": [_collection(c, a) for c, a in _audiences(p, caller).items()]})


@router.get("/api/collections/{collection_id}/")
def collection(collection_id: str, p: PlatformDep, caller: CallerDep) -> Response:
    """One collection."""
    found = _audiences(p, caller).get(collection_id)
    if found is None:
        raise NotFoundError("no collection with this id")
    return _taxii(_collection(collection_id, found))


@router.get("/api/collections/{collection_id}/objects/")
def objects(collection_id: str, p: PlatformDep, caller: CallerDep) -> Response:
    """The STIX objects of the alerts released to this collection's audience."""
    audience = _audiences(p, caller).get(collection_id)
    if audience is None:
        raise NotFoundError("no collection with this id")
    shown = [a for a in alerts(p, caller) if a.audience == audience]
    bundle = json.loads(alert_bundle(shown)) if shown else {"objects": []}
    return _taxii({"more": False, "objects": bundle.get("objects", [])})
