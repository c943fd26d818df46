"""Economic intelligence for government analysts: the incident register (with its evidence),
early-warning events on uploaded trade flows, and technology-outflow summaries — the last
released to firms only cell by cell through the disclosure guard."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from econsec.api.deps import CallerDep, PlatformDep
from econsec.api.errors import RESPONSES
from econsec.api.uploads import read_records, upload_openapi
from econsec.app import intelligence as app
from econsec.app.intelligence import Candidate, OutflowRelease, OutflowSummary
from econsec.app.sharing import AUDIENCE
from econsec.intelligence.incidents import FIELDS, Incident
from econsec.intelligence.warning import FLOW_COLUMNS
from econsec.sharing.records import json_schema
from econsec.spreadsheet import MEDIA_TYPE, attachment

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["intelligence"], responses=RESPONSES)
_FLOW_ITEM: dict[str, object] = {
    "type": "object",
    "required": list(FLOW_COLUMNS),
    "properties": {c: {"type": "number" if c == "value" else "string"} for c in FLOW_COLUMNS},
}


@router.get("/incidents")
def list_incidents(p: PlatformDep, caller: CallerDep) -> list[dict[str, Any]]:
    """The incident register, each with the ids of the trade events that match it and the
    number of firms' incident reports (that you may read) that support it."""
    return [
        {**e.incident.as_dict(), "events": list(e.events), "firm_reports": e.firm_reports}
        for e in app.incidents(p, caller)
    ]


@router.get("/incidents/candidates")
def incident_candidates(p: PlatformDep, caller: CallerDep) -> list[Candidate]:
    """Firms' incident reports (those you may read) grouped by jurisdiction, family, pretext,
    product and month: what firms report, with the registered incidents each group supports —
    a group that supports none is a candidate for the register."""
    return app.incident_candidates(p, caller)


@router.post("/incidents", status_code=201, openapi_extra=upload_openapi(json_schema(FIELDS)))
async def import_incidents(request: Request, p: PlatformDep, caller: CallerDep) -> list[Incident]:
    """Add or replace incidents (by id): a JSON array or CSV (lists ``;``-separated). All or
    nothing: one bad field rejects the import and names every problem."""
    data, source = await read_records(request, p.settings.max_upload_bytes)
    return await run_in_threadpool(app.import_incidents, p, caller, data, source)


@router.get("/incidents/export", response_class=Response)
def export_incidents(
    p: PlatformDep,
    caller: CallerDep,
    format: Annotated[str, Query(pattern="^(csv|json)$")] = "json",
) -> Response:
    """The register as CSV or JSON, in the import format."""
    body = app.export_incidents(p, caller, format)
    if format == "csv":
        return Response(body, media_type=MEDIA_TYPE, headers=attachment("incidents.csv"))
    return Response(body, media_type="application/json")


@router.delete("/incidents/{incident_id}", status_code=204)
def delete_incident(incident_id: str, p: PlatformDep, caller: CallerDep) -> Response:
    """Remove an incident from the register."""
    app.delete_incident(p, caller, incident_id)
    return Response(status_code=204)


@router.post("/events/detect", openapi_extra=upload_openapi(_FLOW_ITEM))
async def detect_events(
    request: Request,
    p: PlatformDep,
    caller: CallerDep,
    source: Annotated[str, Query(min_length=1, max_length=200)] = "upload",
) -> list[dict[str, Any]]:
    """Run the early warning on uploaded flows (period, exporter, importer, product, value)
    and keep its events under ``source`` (replacing that source's earlier run)."""
    data, _ = await read_records(request, p.settings.max_upload_bytes)
    events = await run_in_threadpool(app.detect_events, p, caller, data, source)
    return [e.as_dict() for e in events]


@router.get("/events")
def list_events(p: PlatformDep, caller: CallerDep) -> list[dict[str, Any]]:
    """Stored early-warning events, most confident first, each with matching incidents."""
    return [
        {"id": e.id, "source": e.source, **e.event.as_dict(), "incidents": list(e.incidents)}
        for e in app.list_events(p, caller)
    ]


@router.get("/outflow/summary")
def outflow_summary(p: PlatformDep, caller: CallerDep) -> OutflowSummary:
    """Firms' outflow reports (that you may read) by technology area and channel, each cell
    with whether the disclosure guard would let it be released to firms."""
    return app.outflow_summary(p, caller)


class OutflowReleaseRequest(BaseModel):
    audience: Annotated[str, Field(pattern=AUDIENCE)]


@router.post("/outflow/releases", status_code=201)
def release_outflow(
    request: OutflowReleaseRequest, p: PlatformDep, caller: CallerDep
) -> OutflowRelease:
    """Release to an audience every outflow cell the disclosure guard allows, as alerts; the
    others are listed as withheld with the rule (never with their counts)."""
    return app.release_outflow(p, caller, request.audience)
