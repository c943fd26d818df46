"""Economic intelligence for government analysts: the incident register (with its evidence),
early-warning events on uploaded trade flows, and technology-outflow summaries — the last
released to firms only cell by cell through the disclosure guard."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from econsec.access.policy import Classification, Resource
from econsec.errors import FieldProblem, InputError, RecordsRejected
from econsec.intelligence.incidents import (
    FIELDS,
    dump_csv,
    dump_json,
    load,
    matches,
    supports,
)
from econsec.intelligence.warning import check_flow, detect
from econsec.service.deps import CallerDep, PlatformDep
from econsec.service.platform import Platform
from econsec.service.submissions import read_records, upload_openapi
from econsec.sharing import outflow
from econsec.sharing.exchange import tlp_of
from econsec.sharing.records import json_schema
from econsec.storage import intelligence as intel
from econsec.storage import platform as store

__all__ = ["REGISTER", "check_flows", "incidents_with_evidence", "router"]

router = APIRouter(prefix="/api/v1", tags=["intelligence"])
REGISTER = Resource("incident_register", Classification.SHARED)
_FLOW_COLUMNS = ("period", "exporter", "importer", "product", "value")


def _reports(p: Platform, caller: CallerDep, kind: str) -> list[tuple[str, dict[str, Any]]]:
    """(firm, record) of the current submissions of ``kind`` that the caller may read (the
    policy decides per record)."""
    with p.read() as conn:
        subs = store.list_submissions(conn, None, "current", 10_000, 0)
    return [(sub.org_id, r) for sub in subs if sub.kind == kind
            for r in p.visible_records(caller.subject, sub)]  # fmt: skip


def incidents_with_evidence(p: Platform, caller: CallerDep) -> list[dict[str, Any]]:
    with p.read() as conn:
        incidents = intel.list_incidents(conn)
        events = intel.list_events(conn)
    reports = [r for _, r in _reports(p, caller, "incidents")]
    return [
        {
            **i.as_dict(),
            "events": [eid for eid, _, e in events if matches(i, e)],
            "firm_reports": sum(supports(i, r) for r in reports),
        }
        for i in incidents
    ]


@router.get("/incidents")
def list_incidents(p: PlatformDep, caller: CallerDep) -> list[dict[str, Any]]:
    """The incident register, each with the ids of the trade events that match it and the
    number of firms' incident reports (that you may read) that support it."""
    p.authorise(caller.subject, "read_intelligence", REGISTER, "incidents")
    return incidents_with_evidence(p, caller)


@router.get("/incidents/candidates")
def incident_candidates(p: PlatformDep, caller: CallerDep) -> list[dict[str, Any]]:
    """Firms' incident reports (those you may read) grouped by jurisdiction, family, pretext,
    product and month: what firms report, with the registered incidents each group supports —
    a group that supports none is a candidate for the register."""
    p.authorise(caller.subject, "read_intelligence", REGISTER, "incidents (candidates)")
    with p.read() as conn:
        incidents = intel.list_incidents(conn)
    groups: dict[tuple[str, ...], list[tuple[str, dict[str, Any]]]] = {}
    for firm, r in _reports(p, caller, "incidents"):
        key = (r["country"], r["family"], r["pretext"], r.get("product") or "", r["date"][:7])
        groups.setdefault(key, []).append((firm, r))
    out = []
    for (country, family, pretext, product, month), rows in groups.items():
        out.append({
            "country": country, "family": family, "pretext": pretext,
            "product": product or None, "month": month,
            "n_reports": len(rows), "n_firms": len({f for f, _ in rows}),
            "impacts": sorted({r["impact"] for _, r in rows}),
            "incidents": sorted({i.id for i in incidents for _, r in rows if supports(i, r)}),
        })  # fmt: skip
    return sorted(out, key=lambda g: (bool(g["incidents"]), -g["n_firms"], g["month"]))


def _save(p: Platform, caller: CallerDep, data: list[Any], source: str) -> list[dict[str, Any]]:
    p.authorise(caller.subject, "manage_intelligence", REGISTER, "incidents (import)")
    items = load(data, source=source)
    with p.write() as conn:
        intel.put_incidents(conn, items, caller.account.user_id)
    return [i.as_dict() for i in items]


@router.post(
    "/incidents",
    status_code=201,
    openapi_extra=upload_openapi(json_schema(FIELDS)),
)
async def import_incidents(request: Request, p: PlatformDep, caller: CallerDep) -> Any:
    """Add or replace incidents (by id): a JSON array or CSV (lists ``;``-separated). All or
    nothing: one bad field rejects the import and names every problem."""
    data, source = await read_records(request, p.settings.max_upload_bytes)
    return await run_in_threadpool(_save, p, caller, data, source)


@router.get("/incidents/export", response_class=Response)
def export_incidents(
    p: PlatformDep,
    caller: CallerDep,
    format: Annotated[str, Query(pattern="^(csv|json)$")] = "json",
) -> Response:
    """The register as CSV or JSON, in the import format."""
    p.authorise(caller.subject, "read_intelligence", REGISTER, "incidents (export)")
    with p.read() as conn:
        items = intel.list_incidents(conn)
    if format == "csv":
        return Response(dump_csv(items), media_type="text/csv; charset=utf-8")
    return Response(dump_json(items), media_type="application/json")


@router.delete("/incidents/{incident_id}", status_code=204)
def delete_incident(incident_id: str, p: PlatformDep, caller: CallerDep) -> Response:
    p.authorise(caller.subject, "manage_intelligence", REGISTER, f"incident/{incident_id[:40]}")
    with p.write() as conn:
        intel.delete_incident(conn, incident_id[:40])
    return Response(status_code=204)


def check_flows(data: list[Any]) -> list[tuple[str, str, str, str, float]]:
    """Flow rows checked like ``econsec watch detect`` does its files."""
    problems, rows = [], []
    for n, r in enumerate(data, 1):
        if not isinstance(r, dict):
            problems.append(FieldProblem(n, "record", "expected an object"))
            continue
        missing = [c for c in _FLOW_COLUMNS if c not in r]
        if missing:
            problems.append(FieldProblem(n, missing[0], "missing"))
            continue
        try:
            rows.append(check_flow(*(r[c] for c in _FLOW_COLUMNS)))
        except InputError as exc:
            problems.append(FieldProblem(n, exc.column or "row", f"{exc.problem} (expected "
                                         f"{exc.expected})"))  # fmt: skip
    if problems:
        raise RecordsRejected(problems[:50])
    if len({len(r[0]) for r in rows}) > 1:
        raise RecordsRejected([FieldProblem(None, "period", "mixes months and years")])
    return rows


_FLOW_ITEM = {
    "type": "object",
    "required": list(_FLOW_COLUMNS),
    "properties": {c: {"type": "number" if c == "value" else "string"} for c in _FLOW_COLUMNS},
}


@router.post("/events/detect", openapi_extra=upload_openapi(_FLOW_ITEM))
async def detect_events(
    request: Request,
    p: PlatformDep,
    caller: CallerDep,
    source: Annotated[str, Query(min_length=1, max_length=200)] = "upload",
) -> Any:
    """Run the early warning on uploaded flows (period, exporter, importer, product, value)
    and keep its events under ``source`` (replacing that source's earlier run)."""
    p.authorise(caller.subject, "manage_intelligence", REGISTER, f"events/{source}")
    data, _ = await read_records(request, p.settings.max_upload_bytes)

    def run() -> list[dict[str, Any]]:
        events = detect(check_flows(data))
        with p.write() as conn:
            intel.put_events(conn, events, source, caller.account.user_id)
        return [e.as_dict() for e in events]

    return await run_in_threadpool(run)


@router.get("/events")
def list_events(p: PlatformDep, caller: CallerDep) -> list[dict[str, Any]]:
    """Stored early-warning events, most confident first, each with matching incidents."""
    p.authorise(caller.subject, "read_intelligence", REGISTER, "events")
    with p.read() as conn:
        events = intel.list_events(conn)
        incidents = intel.list_incidents(conn)
    return [
        {"id": eid, "source": src, **e.as_dict(),
         "incidents": [i.id for i in incidents if matches(i, e)]}
        for eid, src, e in events
    ]  # fmt: skip


def _outflow_cells(p: Platform, caller: CallerDep) -> list[dict[str, Any]]:
    with p.read() as conn:
        earlier: dict[tuple[str, str], list[frozenset[str]]] = {}
        for body, contributors in store.release_rows(conn, p.ring):
            if body.get("kind") == "outflow":
                earlier.setdefault((body["area"], body["channel"]), []).append(contributors)
    return outflow.summary(_reports(p, caller, "outflow"), p.settings.guard, earlier)


@router.get("/outflow/summary")
def outflow_summary(p: PlatformDep, caller: CallerDep) -> dict[str, Any]:
    """Firms' outflow reports (that you may read) by technology area and channel, each cell
    with whether the disclosure guard would let it be released to firms."""
    p.authorise(caller.subject, "read_intelligence", REGISTER, "outflow (summary)")
    cells = [{k: v for k, v in c.items() if k != "contributors"} for c in _outflow_cells(p, caller)]
    return {"cells": cells, "method": outflow.METHOD}


class OutflowRelease(BaseModel):
    audience: Annotated[str, Field(pattern=r"^(all_firms|public|sector:[A-Za-z0-9_.-]{1,30})$")]


@router.post("/outflow/releases", status_code=201)
def release_outflow(request: OutflowRelease, p: PlatformDep, caller: CallerDep) -> Any:
    """Release to an audience every outflow cell the disclosure guard allows, as alerts; the
    others are listed as withheld with the rule (never with their counts)."""
    s = caller.subject
    resource = Resource("outflow", Classification.RESTRICTED)
    p.authorise(s, "publish_release", resource, "outflow (release)")
    cells = _outflow_cells(p, caller)
    released, withheld = [], []
    with p.write() as conn:
        for c in cells:
            label = f"outflow/{c['area']}/{c['channel']}"
            store.append_audit(conn, s.user, "release_guard", label, c["releasable"], c["rule"])
            if not c["releasable"]:
                withheld.append({"area": c["area"], "channel": c["channel"], "rule": c["rule"]})
                continue
            area, channel = c["area"], c["channel"].replace("_", " ")
            body = {
                "id": str(uuid.uuid4()),
                "finding_id": f"outflow:{c['area']}:{c['channel']}"[:32],
                "kind": "outflow",
                "title": f"Technology outflow: {channel} in {area}",
                "text": f"{c['n_firms']} participating firms report {channel} concerns in "
                f"{area} (mean severity {c['mean_severity']} of 5). Review your protection "
                "of people, research and data in this area.",
                "area": c["area"], "channel": c["channel"], "n_firms": c["n_firms"],
                "mean_severity": c["mean_severity"], "audience": request.audience,
                "subject": f"{area} / {channel}", "supplier": None, "product": None,
                "country": None, "tlp": tlp_of(request.audience),
                "published": p.now().isoformat(timespec="seconds").replace("+00:00", "Z"),
                "method": outflow.METHOD,
            }  # fmt: skip
            store.add_release(conn, p.ring, body, c["contributors"], s.user)
            released.append(body)
    return {"released": released, "withheld": withheld}
