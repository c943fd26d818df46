"""Findings for cleared analysts, releases through the disclosure guard, and what firms get
back: alerts and benchmark reports."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from econsec.access.policy import Classification, Resource, is_allowed
from econsec.errors import AccessDenied
from econsec.service.deps import CallerDep, PlatformDep
from econsec.service.platform import Platform
from econsec.sharing.benchmarks import benchmark, profile
from econsec.sharing.disclosure import Verdict, check
from econsec.sharing.exchange import alert_bundle, tlp_of
from econsec.sharing.findings import Finding
from econsec.sharing.privacy import noisy_mean
from econsec.storage import platform as store

__all__ = ["TITLES", "preview_finding", "publish_finding", "router", "visible_finding"]

router = APIRouter(prefix="/api/v1", tags=["sharing"])
METHOD = "econsec mash-up 1 (entity resolution: identifiers, then RapidFuzz similarity >= 90)"
TITLES = {
    "shared_supplier": "Many firms depend on one supplier",
    "single_source_cluster": "Many firms single-source from one supplier",
    "hidden_tier2_overlap": "A hidden tier-2 supplier shared by many firms",
    "shared_country": "Many firms source this product from one country",
}


class ReleaseRequest(BaseModel):
    finding_id: Annotated[str, Field(min_length=1, max_length=32)]
    audience: Annotated[str, Field(pattern=r"^(all_firms|public|sector:[A-Za-z0-9_.-]{1,30})$")]
    epsilon: Annotated[
        float | None,
        Field(gt=0, le=2, description="release the count and mean with differential privacy"),
    ] = None


@router.get("/findings")
def findings(p: PlatformDep, caller: CallerDep) -> list[dict[str, Any]]:
    """Cross-firm findings your clearance and compartments allow (cleared analysts)."""
    s = caller.subject
    p.authorise(s, "read_findings", Resource("finding"), "findings (list)")
    now = p.now()
    return [
        f.summary()
        for f in p.findings(max_age=p.settings.findings_max_age)
        if is_allowed(s, "read_findings", p.finding_resource(f), now)
    ]


def _text(f: Finding, n_firms: int, share: float) -> str:
    extra = ""
    if f.kind == "shared_country":
        extra = f" It supplies {f.stats['country_share']:.0%} of these firms' reported sourcing."
    return (
        f"{n_firms} participating firms in {len(f.sectors)} sector(s) report {f.subject} for "
        f"HS {f.product}, at a mean input share of {share:.0%}.{extra} Review your exposure and "
        "alternatives."
    )


@router.post("/releases", status_code=201)
def publish(request: ReleaseRequest, p: PlatformDep, caller: CallerDep) -> Any:
    """Publish a finding to an audience, if the disclosure guard allows it (else 422 + rule)."""
    s = caller.subject
    finding = visible_finding(p, caller, request.finding_id, "publish_release")
    p.authorise(s, "publish_release", p.finding_resource(finding), f"finding/{finding.id}")
    outcome = publish_finding(p, finding, request.audience, s.user, request.epsilon)
    if isinstance(outcome, Verdict):
        return JSONResponse(
            {"detail": f"refused by the disclosure guard: {outcome.message}", "rule": outcome.rule},
            status_code=422,
        )
    return outcome


def visible_finding(p: Platform, caller: CallerDep, finding_id: str, action: str) -> Finding:
    """The finding if the caller may read it; else 404 alike for missing and hidden (both
    audited, the missing one under ``action``)."""
    finding = next((f for f in p.findings() if f.id == finding_id[:32]), None)
    label = f"finding/{finding_id[:32]}"
    if finding is None:
        p.audit(caller.subject.user, action, label, False, "no such finding")
        raise HTTPException(404, "no finding with this id")
    try:
        p.authorise(caller.subject, "read_findings", p.finding_resource(finding), label)
    except AccessDenied:
        raise HTTPException(404, "no finding with this id") from None
    return finding


def preview_finding(p: Platform, finding: Finding, user: str) -> dict[str, Any]:
    """What releasing ``finding`` would give: the guard's verdict and, when allowed, the text
    (nothing is released; the preview is audited)."""
    label = f"finding/{finding.id}"
    verdict = check(finding.contributions, p.earlier_contributors(finding), p.settings.guard)
    p.audit(user, "release_preview", label, verdict.allowed, f"{verdict.rule}: {verdict.message}")
    shares = list(finding.contributions.values())
    text = _text(finding, finding.n_firms, sum(shares) / len(shares)) if verdict.allowed else ""
    return {"allowed": verdict.allowed, "rule": verdict.rule, "message": verdict.message,
            "text": text}  # fmt: skip


def publish_finding(
    p: Platform, finding: Finding, audience: str, user: str, epsilon: float | None = None
) -> Any:
    """Release ``finding`` to ``audience`` through the guard — with differential privacy
    charged to the audience's budget when ``epsilon`` is given: the body, or the refusing
    :class:`Verdict`. The guard's decision and the release are audited."""
    label = f"finding/{finding.id}"
    verdict = check(finding.contributions, p.earlier_contributors(finding), p.settings.guard)
    p.audit(user, "release_guard", label, verdict.allowed, f"{verdict.rule}: {verdict.message}")
    if not verdict.allowed:
        return verdict
    shares = list(finding.contributions.values())
    n_firms, share = finding.n_firms, sum(shares) / len(shares)
    privacy: dict[str, Any] | None = None
    if epsilon is not None:
        noisy = noisy_mean(shares, epsilon)
        n_firms, share = noisy.count, noisy.mean
        privacy = {"epsilon": round(noisy.epsilon, 6), "mechanism": "Laplace (OpenDP)"}
    body = {
        "id": str(uuid.uuid4()),
        "finding_id": finding.id,
        "kind": finding.kind,
        "title": TITLES[finding.kind],
        "text": _text(finding, n_firms, share),
        "subject": finding.subject,
        "supplier": finding.subject if finding.kind != "shared_country" else None,
        "product": finding.product,
        "country": finding.country,
        "n_firms": n_firms,
        "mean_input_share": round(share, 3),
        "audience": audience,
        "tlp": tlp_of(audience),
        "published": p.now().isoformat(timespec="seconds").replace("+00:00", "Z"),
        "method": METHOD,
        "privacy": privacy,
    }
    with p.write() as conn:
        if privacy is not None:
            left = store.spend_privacy(conn, audience, privacy["epsilon"], p.settings.dp_budget)
            if left is None:
                store.append_audit(conn, user, "release", label, False, "privacy budget spent")
                return Verdict(
                    False, "privacy_budget", f"the privacy budget of {audience} is spent"
                )
            privacy["budget_remaining"] = round(left, 6)
        store.add_release(conn, p.ring, body, frozenset(finding.contributions), user)
        store.append_audit(conn, user, "release", f"release/{body['id']}", True, verdict.rule)
    return body


@router.get("/alerts")
def alerts(p: PlatformDep, caller: CallerDep) -> list[dict[str, Any]]:
    """Released alerts for you: public ones, and more when your firm shares its data."""
    s = caller.subject
    p.authorise(s, "read", Resource("release", Classification.PUBLIC, audience="public"), "alerts")
    return p.releases_for(s)


@router.get("/alerts/stix", response_class=Response)
def alerts_stix(p: PlatformDep, caller: CallerDep) -> Response:
    """Your alerts as a STIX 2.1 bundle with TLP 2.0 markings."""
    shown = alerts(p, caller)
    return Response(alert_bundle(shown), media_type="application/stix+json;version=2.1")


@router.get("/benchmarks")
def benchmarks(p: PlatformDep, caller: CallerDep) -> dict[str, Any]:
    """Your firm's exposure against its sector (firms with a current supplier submission)."""
    s = caller.subject
    p.authorise(s, "read_benchmarks", Resource("benchmark", owner_org=s.org), "benchmarks")
    by_org: dict[str, list[dict[str, Any]]] = defaultdict(list)
    sectors: dict[str, str] = {}
    with p.read() as conn:
        for org, sector, record in store.current_records(conn, p.ring, "suppliers"):
            by_org[org].append(record)
            sectors[org] = sector or "unknown"
    profiles = {o: (sectors[o], pr) for o, rs in by_org.items() if (pr := profile(rs))}
    if s.org not in profiles:
        raise HTTPException(409, "insufficient data: submit tier-1 suppliers with input shares")
    return {**benchmark(s.org, profiles, p.settings.guard.min_firms), "method": METHOD}
