"""The analyst console: the dependency screen browser, the scenario runner, cross-firm findings
with the release composer, and the incident register with early-warning events."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import Response

from econsec.errors import EconsecError, RecordsRejected
from econsec.intelligence.warning import METHOD
from econsec.report.html import Figure
from econsec.service import intelligence as intel_api
from econsec.service import sharing
from econsec.service.deps import Caller
from econsec.service.platform import Platform
from econsec.sharing.findings import Finding
from econsec.web.render import chart, checked_form, render, require

__all__ = ["router"]

router = APIRouter(prefix="/console", include_in_schema=False)
COLUMNS = (
    ("product", "Product"), ("imports_usd", "Imports (USD)"), ("n_suppliers", "Suppliers"),
    ("hhi", "HHI"), ("top_supplier", "Top supplier"), ("top_share", "Top share"),
    ("flagged", "Flagged"),
)  # fmt: skip
_SCENARIO = Path(__file__).parents[1] / "scenarios" / "demo.yaml"


def _label(source: str) -> str:
    """How a figure names its data: the demo source is the synthetic world, not real data."""
    from econsec.demo import DEMO_SOURCE
    from econsec.synthetic.world import SYNTHETIC_LABEL

    return SYNTHETIC_LABEL if source == DEMO_SOURCE else f"workspace source {source!r}"


def _workspace(p: Platform) -> Any:
    from econsec.storage.workspace import Workspace

    return Workspace(p.settings.workspace)


@router.get("/screen")
def screen(
    request: Request, importer: str = "JPN", year: int | None = None, preset: str = "geodep",
    group: str = "", flagged: str = "", sort: str = "imports_usd", desc: int = 1,
) -> Response:  # fmt: skip
    """Screen an importer's dependencies on the workspace's trade data."""
    from econsec.analysis.concentration import Importer
    from econsec.analysis.presets import PRESETS
    from econsec.analysis.screen import Screen, run_screen
    from econsec.reference.catalogue import groups_on, select_products
    from econsec.reference.countries import group_members, load_groups, to_alpha3
    from econsec.report.dependency import supplier_figure
    from econsec.storage.engines import duckdb_engine
    from econsec.storage.workspace import choose_source, imports

    p, caller = require(request, "/console/screen")
    ws = _workspace(p)
    years = sorted({y for i in imports(ws) for y in i.years}, reverse=True)
    sort = sort if sort in dict(COLUMNS) else "imports_usd"
    form = {"importer": importer[:20], "year": year, "preset": preset, "group": group,
            "flagged": bool(flagged), "sort": sort, "desc": bool(desc)}  # fmt: skip
    context: dict[str, Any] = {
        "form": form, "years": years, "rows": None, "charts": [], "error": None,
        "presets": [(k, v.title) for k, v in PRESETS.items()],
        "columns": COLUMNS, "groups": [], "charts_used": False,
    }  # fmt: skip
    if not years:
        context["error"] = "Insufficient data: the workspace holds no trade data."
        return render(request, p, caller, "console_screen.html", **context)
    form["year"] = year = year if year in years else years[0]
    day = dt.date(year, 12, 31)
    context["groups"] = [(g.key, g.name_en) for g in groups_on("japan", day)]
    try:
        groups = load_groups()
        code = importer if importer in groups else to_alpha3(importer)
        members = groups[code].members if code in groups else group_members(code, groups)
        source = choose_source(ws, year)
        engine = duckdb_engine(ws, sources=(source,))
        s = Screen(
            importers=(Importer(code, members),), year=year,
            preset=PRESETS[preset] if preset in PRESETS else PRESETS["geodep"],
            products=select_products(f"critical:{group}", day) if group else None,
            concern=groups["concern"].members, like_minded=groups["like_minded"].members,
        )  # fmt: skip
        rows = run_screen(engine, s).to_pylist()
    except EconsecError as exc:
        context["error"] = str(exc)
        return render(request, p, caller, "console_screen.html", status=422, **context)
    method = f"{s.preset.method_version} ({s.preset.source})"
    flagged_rows = [r for r in rows if r["flagged"]]
    shown = flagged_rows if flagged else rows
    shown = sorted(shown, key=lambda r: (r[sort] is None, r[sort]), reverse=bool(desc))[:200]
    charts = [chart(supplier_figure(engine, "flows", s, flagged_rows, _label(source), method))]
    top = [r["product"] for r in sorted(flagged_rows, key=lambda r: -r["imports_usd"])[:5]]
    if top:
        history: dict[str, dict[int, float]] = {q: {} for q in top}
        for y in sorted(years)[-6:]:
            yrows = rows if y == year else run_screen(engine, replace(s, year=y)).to_pylist()
            for r in yrows:
                if r["product"] in history:
                    history[r["product"]][y] = r["hhi"]
        charts.append(chart(Figure(
            title=f"HHI of supplier countries over time ({code})",
            plotly={"data": [{"type": "scatter", "mode": "lines+markers", "name": q,
                              "x": sorted(h), "y": [h[y] for y in sorted(h)]}
                             for q, h in history.items()],
                    "layout": {"yaxis": {"title": "HHI", "range": [0, 1]},
                               "xaxis": {"title": "year", "dtick": 1}, "height": 340}},
            data_source=_label(source), method=method,
            note="The five largest flagged products by import value.")))  # fmt: skip

    def sort_link(key: str) -> str:
        query = {**{k: v for k, v in form.items() if k not in ("sort", "desc")},
                 "sort": key, "desc": int(not (form["sort"] == key and form["desc"]))}  # fmt: skip
        query["flagged"] = "1" if form["flagged"] else ""
        return "/console/screen?" + urlencode(query)

    context.update(rows=shown, total=len(rows), n_flagged=len(flagged_rows), source=_label(source),
                   method=method, charts=charts, charts_used=True, sort_link=sort_link)  # fmt: skip
    return render(request, p, caller, "console_screen.html", **context)


@router.get("/scenarios")
def scenarios(request: Request) -> Response:
    p, caller = require(request, "/console/scenarios")
    return render(request, p, caller, "console_scenarios.html",
                  text=_SCENARIO.read_text("utf-8"), result=None, error=None)  # fmt: skip


@router.post("/scenarios")
async def run(request: Request) -> Response:
    """Run a scenario (edited or uploaded) on the workspace's data and network."""
    from econsec.network import read_network
    from econsec.report.scenario import scenario_report
    from econsec.scenarios import parse_scenario, run_scenario
    from econsec.storage.engines import duckdb_engine
    from econsec.storage.workspace import choose_source

    form = await checked_form(request)
    p, caller = require(request, "/console/scenarios")
    upload = form.get("upload")
    text = str(form.get("scenario", ""))
    if upload is not None and not isinstance(upload, str) and upload.filename:
        text = (await upload.read(200_000)).decode("utf-8", "replace")
    await form.close()
    try:
        scenario = parse_scenario(yaml.safe_load(text), "scenario")
        ws = _workspace(p)
        source = choose_source(ws, scenario.base_year)
        firms, links = ws.path("demo", "firms.csv"), ws.path("demo", "links.csv")
        network = read_network(firms, links) if firms.exists() and links.exists() else None
        result = run_scenario(duckdb_engine(ws, sources=(source,)), scenario, network,
                              _label(source))  # fmt: skip
    except (EconsecError, yaml.YAMLError) as exc:
        return render(request, p, caller, "console_scenarios.html", status=422, text=text,
                      result=None, error=str(exc))  # fmt: skip
    data = result.as_dict()
    report = scenario_report(data, data_source=data["data_source"])
    return render(request, p, caller, "console_scenarios.html", text=text, result=data,
                  error=None, charts=[chart(f) for f in report.figures[:2]],
                  charts_used=True)  # fmt: skip


@router.get("/findings")
def findings(request: Request) -> Response:
    p, caller = require(request, "/console/findings")
    return render(request, p, caller, "console_findings.html",
                  findings=sharing.findings(p, caller))  # fmt: skip


_AUDIENCES = ("all_firms", "public")


def _composer(request: Request, p: Platform, caller: Caller, f: Finding, **extra: Any) -> Response:
    audiences = [*_AUDIENCES, *(f"sector:{s}" for s in sorted(f.sectors))]
    context = {"finding": f.summary(), "audiences": audiences, "audience": "all_firms",
               "preview": None, "published": None, **extra}  # fmt: skip
    return render(request, p, caller, "console_release.html", **context)


@router.get("/findings/{finding_id}/release")
def composer(finding_id: str, request: Request) -> Response:
    p, caller = require(request, "/console/findings")
    return _composer(
        request, p, caller, sharing.visible_finding(p, caller, finding_id, "read_findings")
    )


@router.post("/findings/{finding_id}/release")
async def compose(finding_id: str, request: Request) -> Response:
    """Preview what the disclosure guard allows, or publish."""
    form = await checked_form(request)
    p, caller = require(request, "/console/findings")
    f = sharing.visible_finding(p, caller, finding_id, "publish_release")
    audience = str(form.get("audience", ""))
    if audience not in (*_AUDIENCES, *(f"sector:{s}" for s in f.sectors)):
        audience = "all_firms"
    if form.get("step") != "publish":
        return _composer(request, p, caller, f, audience=audience,
                         preview=sharing.preview_finding(p, f, caller.subject.user))  # fmt: skip
    p.authorise(caller.subject, "publish_release", p.finding_resource(f), f"finding/{f.id}")
    outcome = sharing.publish_finding(p, f, audience, caller.subject.user)
    if isinstance(outcome, dict):
        return _composer(request, p, caller, f, audience=audience, published=outcome)
    preview = {"allowed": False, "rule": outcome.rule, "message": outcome.message, "text": ""}
    return _composer(request, p, caller, f, audience=audience, preview=preview)


def _intelligence(
    request: Request, p: Platform, caller: Caller, status: int = 200, **extra: Any
) -> Response:
    context = {"incidents": intel_api.incidents_with_evidence(p, caller),
               "events": intel_api.list_events(p, caller), "imported": None, "detected": None,
               "candidates": [c for c in intel_api.incident_candidates(p, caller)
                              if not c["incidents"]],
               "errors": [],
               "method": f"{METHOD}; incident links within the onset window", **extra}  # fmt: skip
    return render(request, p, caller, "console_intelligence.html", status=status, **context)


@router.get("/intelligence")
def intelligence(request: Request) -> Response:
    p, caller = require(request, "/console/intelligence")
    return _intelligence(request, p, caller)


async def _file(request: Request) -> tuple[bytes, str]:
    form = await checked_form(request)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        return b"", "upload"
    data = await upload.read(5_000_001)
    await form.close()
    return data, upload.filename or "upload"


@router.post("/intelligence/import")
async def import_incidents(request: Request) -> Response:
    from econsec.intelligence.incidents import load_file
    from econsec.storage.intelligence import put_incidents

    data, name = await _file(request)
    p, caller = require(request, "/console/intelligence")
    try:
        p.authorise(caller.subject, "manage_intelligence", intel_api.REGISTER, "incidents")
        items = load_file(data, name)
    except RecordsRejected as exc:
        return _intelligence(request, p, caller, 422, errors=list(exc.problems))
    with p.write() as conn:
        put_incidents(conn, items, caller.account.user_id)
    return _intelligence(request, p, caller, imported=len(items))


@router.post("/intelligence/detect")
async def detect_events(request: Request) -> Response:
    from econsec.intelligence.warning import detect
    from econsec.sharing.records import parse_csv
    from econsec.storage.intelligence import put_events

    data, name = await _file(request)
    p, caller = require(request, "/console/intelligence")
    try:
        p.authorise(caller.subject, "manage_intelligence", intel_api.REGISTER, f"events/{name}")
        events = detect(intel_api.check_flows(parse_csv(data, source=name)))
    except RecordsRejected as exc:
        return _intelligence(request, p, caller, 422, errors=list(exc.problems))
    with p.write() as conn:
        put_events(conn, events, name[:200], caller.account.user_id)
    return _intelligence(request, p, caller, detected=(len(events), name))
