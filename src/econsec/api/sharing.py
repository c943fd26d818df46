"""Findings for cleared analysts, releases through the disclosure guard, and what firms get
back: alerts (also as STIX 2.1) and benchmark reports."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from econsec.api.deps import CallerDep, PlatformDep
from econsec.api.errors import RESPONSES
from econsec.app import sharing as app
from econsec.app.benchmarks import BenchmarkReport, benchmarks
from econsec.app.sharing import AUDIENCE
from econsec.errors import NotFoundError
from econsec.sharing.findings import FindingSummary
from econsec.sharing.releases import Release, wording

__all__ = ["ReleaseRequest", "router"]

router = APIRouter(prefix="/api/v1", tags=["sharing"], responses=RESPONSES)


class ReleaseRequest(BaseModel):
    finding_id: Annotated[str, Field(min_length=1, max_length=32)]
    audience: Annotated[str, Field(pattern=AUDIENCE)]
    epsilon: Annotated[
        float | None,
        Field(
            ge=0.01,
            le=2,
            allow_inf_nan=False,
            description="release the count and mean with differential privacy",
        ),
    ] = None


@router.get("/findings")
def findings(p: PlatformDep, caller: CallerDep) -> list[FindingSummary]:
    """Cross-firm findings your clearance and compartments allow (cleared analysts)."""
    return app.list_findings(p, caller)


@router.get("/findings/{finding_id}/preview")
def preview(finding_id: str, p: PlatformDep, caller: CallerDep) -> app.Preview:
    """What the disclosure guard and the release ledger say about releasing a finding now."""
    return app.preview_release(p, caller, finding_id)


@router.post("/releases", status_code=201)
def publish(request: ReleaseRequest, p: PlatformDep, caller: CallerDep) -> Release:
    """Publish a finding to an audience, if the disclosure guard allows it (else 422 + rule)."""
    return app.publish_release(p, caller, request.finding_id, request.audience, request.epsilon)


@router.get("/alerts")
def alerts(
    p: PlatformDep, caller: CallerDep, lang: Annotated[str, Query(pattern="^(en|ja)$")] = "en"
) -> list[Release]:
    """Released alerts for you: public ones, and more when your firm shares its data; ``title``
    and ``text`` in ``lang``, worded from each release's numbers."""
    return [replace(r, title=t, text=x) for r in app.alerts(p, caller)
            for t, x in (wording(r, lang),)]  # fmt: skip


@router.get("/alerts/stix", response_class=Response)
def alerts_stix(p: PlatformDep, caller: CallerDep) -> Response:
    """Your alerts as a STIX 2.1 bundle with TLP 2.0 markings."""
    return Response(app.alerts_stix(p, caller), media_type="application/stix+json;version=2.1")


@router.get("/alerts/misp/manifest.json", response_class=Response)
def misp_manifest(p: PlatformDep, caller: CallerDep) -> Response:
    """Your alerts as a MISP feed: its manifest. A MISP instance pulls the feed from
    ``/api/v1/alerts/misp/`` with the header ``Authorization: Bearer <token>``."""
    manifest, _ = app.alerts_misp(p, caller)
    return Response(json.dumps(manifest), media_type="application/json")


@router.get("/alerts/misp/{event_uuid}.json", response_class=Response)
def misp_event(event_uuid: str, p: PlatformDep, caller: CallerDep) -> Response:
    """One event of your MISP feed."""
    _, events = app.alerts_misp(p, caller)
    if event_uuid not in events:
        raise NotFoundError("no event with this uuid in your feed")
    return Response(json.dumps(events[event_uuid]), media_type="application/json")


@router.get("/benchmarks")
def benchmark_report(p: PlatformDep, caller: CallerDep) -> BenchmarkReport:
    """Your firm's exposure against its sector, from the sector's latest published snapshot."""
    return benchmarks(p, caller)
