"""The analyst console: the dependency screen browser, the scenario runner, cross-firm findings
with the release composer, and the incident register with early-warning events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from econsec.access.policy import Resource, Subject
from econsec.app import intelligence as intel_app
from econsec.app import sharing
from econsec.app.demo import DEMO_SCENARIO
from econsec.app.platform import Caller, Platform
from econsec.errors import DisclosureRefused, EconsecError, InputError, RecordsRejected
from econsec.i18n import tr
from econsec.intelligence.incidents import ASSESSMENTS, Incident
from econsec.intelligence.warning import METHOD
from econsec.report.html import Figure
from econsec.sharing.findings import Finding
from econsec.storage.workspace import Workspace
from econsec.web.render import (
    Page,
    chart,
    checked_form,
    locale_of,
    register,
    render,
    require,
)

__all__ = ["router"]

router = APIRouter(prefix="/console", include_in_schema=False)


def _intelligence_resource(s: Subject) -> Resource:
    return Resource("intelligence")


register(
    Page("/console/data", "Trade data and networks", "read_intelligence", _intelligence_resource,
         55),
    Page("/console/screen", "Dependency screen", "read_intelligence", _intelligence_resource, 60),
    Page("/console/scenarios", "Scenarios", "read_intelligence", _intelligence_resource, 70),
    Page("/console/findings", "Findings", "read_findings", lambda s: Resource("finding"), 80),
    Page("/console/intelligence", "Incidents and early warning", "read_intelligence",
         _intelligence_resource, 90),
)  # fmt: skip
COLUMNS = (
    ("product", "Product"), ("imports_usd", "Imports (USD)"), ("n_suppliers", "Suppliers"),
    ("hhi", "HHI"), ("top_supplier", "Top supplier"), ("top_share", "Top share"),
    ("flagged", "Flagged"),
)  # fmt: skip


PAGE_SIZE = 50


def _workspace(p: Platform) -> Workspace:
    return Workspace(p.settings.workspace)


@router.get("/screen.csv")
def screen_csv(
    request: Request, year: int, importer: str = "JPN", preset: str = "geodep", group: str = ""
) -> Response:
    """The screen's every row, with names beside codes, as spreadsheet-safe CSV."""
    from econsec.analysis.screen import run_screen
    from econsec.app.screening import ScreenRequest, prepare_screen
    from econsec.reference.names import country_name, product_name
    from econsec.spreadsheet import MEDIA_TYPE, attachment, csv_bytes

    p, caller = require(request, "/console/screen")
    lang = locale_of(request, caller)
    prepared = prepare_screen(_workspace(p), ScreenRequest(
        year=year, importers=(importer[:20],), preset=preset,
        products=f"critical:{group}" if group else None,
    ))  # fmt: skip
    rows = run_screen(prepared.engine, prepared.screen).to_pylist()
    header = ["importer", "importer_name", "product", "product_name", "year", "imports_usd",
              "n_suppliers", "hhi", "top_supplier", "top_supplier_name", "top_share", "flagged",
              "method", "source"]  # fmt: skip
    body = csv_bytes(header, ([
        r["importer"], country_name(r["importer"], lang), r["product"],
        product_name(r["product"], lang), r["year"], r["imports_usd"], r["n_suppliers"],
        r["hhi"], r["top_supplier"], country_name(r["top_supplier"] or "", lang), r["top_share"],
        r["flagged"], r["method"], prepared.source] for r in rows))  # fmt: skip
    name = f"screen-{importer[:20]}-{prepared.screen.year}-{preset}.csv"
    return Response(body, media_type=MEDIA_TYPE, headers=attachment(name))


@router.get("/screen")
def screen(
    request: Request, importer: str = "JPN", year: int | None = None, preset: str = "geodep",
    group: str = "", flagged: str = "", sort: str = "imports_usd", desc: int = 1, page: int = 1,
) -> Response:  # fmt: skip
    """Screen an importer's dependencies on the workspace's trade data: sorted, filtered,
    50 rows a page, with names beside codes, and the whole table as CSV."""
    from econsec.analysis.presets import PRESETS
    from econsec.analysis.screen import criteria_counts, run_screen
    from econsec.app.screening import ScreenRequest, data_label, prepare_screen
    from econsec.reference.catalogue import groups_on
    from econsec.reference.names import country_name, critical_group, label, product_name
    from econsec.report.colours import PALETTE
    from econsec.report.dependency import supplier_figure
    from econsec.storage.workspace import imports

    p, caller = require(request, "/console/screen")
    lang = locale_of(request, caller)
    ws = _workspace(p)
    years = sorted({y for i in imports(ws) for y in i.years}, reverse=True)
    sort = sort if sort in dict(COLUMNS) else "imports_usd"
    form = {"importer": importer[:20], "year": year, "preset": preset, "group": group,
            "flagged": bool(flagged), "sort": sort, "desc": bool(desc)}  # fmt: skip
    context: dict[str, Any] = {
        "form": form, "years": years, "rows": None, "charts": [], "error": None,
        "presets": [(k, v.title_in(lang)) for k, v in PRESETS.items()],
        "columns": COLUMNS, "groups": [], "charts_used": False,
    }  # fmt: skip
    if not years:
        context["error"] = "Insufficient data: the workspace holds no trade data."
        return render(request, p, caller, "console_screen.html", **context)
    form["year"] = year = year if year in years else years[0]
    day = dt.date(year, 12, 31)
    context["groups"] = [(g.key, g.name_ja if lang == "ja" else g.name_en)
                         for g in groups_on("japan", day)]  # fmt: skip
    try:
        prepared = prepare_screen(ws, ScreenRequest(
            year=year, importers=(importer[:20],), preset=preset,
            products=f"critical:{group}" if group else None,
        ))  # fmt: skip
        s, source, engine = prepared.screen, prepared.source, prepared.engine
        rows = run_screen(engine, s).to_pylist()
    except EconsecError as exc:
        context["error"] = exc.in_language(lang)
        return render(request, p, caller, "console_screen.html", status=422, **context)
    assert s.importers is not None  # the request names one importer
    code = s.importers[0].label
    method = f"{s.preset.method_version} ({s.preset.source})"
    flagged_rows = [r for r in rows if r["flagged"]]
    shown = flagged_rows if flagged else rows
    shown = sorted(shown, key=lambda r: (r[sort] is None, r[sort]), reverse=bool(desc))
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    page = min(max(1, page), pages)
    shown = [r | {"product_name": product_name(r["product"], "en"),
                  "product_group": critical_group(r["product"], lang),
                  "top_supplier_name": country_name(r["top_supplier"] or "", lang)}
             for r in shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]  # fmt: skip
    supplier = supplier_figure(engine, "flows", s, flagged_rows, data_label(source, lang), method,
                               lang=lang)  # fmt: skip
    charts = [chart(supplier)] if supplier is not None else []
    top = [r["product"] for r in sorted(flagged_rows, key=lambda r: -r["imports_usd"])[:5]]
    if top:
        span = list(range(max(min(years), max(years) - 5), max(years) + 1))
        history: dict[str, dict[int, float]] = {q: {} for q in top}
        for y in (y for y in span if y in years):
            yrows = rows if y == year else run_screen(engine, replace(s, year=y)).to_pylist()
            for r in yrows:
                if r["product"] in history:
                    history[r["product"]][y] = r["hhi"]
        gaps = [y for y in span if y not in years]
        charts.append(chart(Figure(
            title=tr("HHI of supplier countries over time ({importer})", lang,
                     importer=label("country", code, lang)),
            plotly={"data": [{"type": "scatter", "mode": "lines+markers",
                              "name": label("product", q, lang, width=24), "x": span,
                              "y": [h.get(y) for y in span], "connectgaps": False,
                              "line": {"color": PALETTE[i]}}
                             for i, (q, h) in enumerate(history.items())],
                    "layout": {"yaxis": {"title": "HHI", "range": [0, 1]},
                               "xaxis": {"title": tr("year", lang), "dtick": 1},
                               "height": 360}},
            data_source=data_label(source, lang), method=method,
            note=tr("The five largest flagged products by import value.", lang) + (
                " " + tr("No data for {years}: shown as gaps, not zeros.", lang,
                         years=", ".join(map(str, gaps))) if gaps else ""))))  # fmt: skip
    reasons = ([] if flagged_rows or not rows
               else [c.explain(lang) for c in criteria_counts(rows, s.preset)])  # fmt: skip

    def sort_link(key: str) -> str:
        query = {**{k: v for k, v in form.items() if k not in ("sort", "desc")},
                 "sort": key, "desc": int(not (form["sort"] == key and form["desc"]))}  # fmt: skip
        query["flagged"] = "1" if form["flagged"] else ""
        return "/console/screen?" + urlencode(query)

    def page_link(number: int) -> str:
        query = {**form, "flagged": "1" if form["flagged"] else "",
                 "desc": 1 if form["desc"] else 0, "page": number}  # fmt: skip
        return "/console/screen?" + urlencode(query)

    export = "/console/screen.csv?" + urlencode({"importer": form["importer"], "year": year,
                                                  "preset": preset, "group": group})  # fmt: skip
    context.update(rows=shown, total=len(rows), n_flagged=len(flagged_rows), source=data_label(source, lang),
                   method=method, charts=charts, charts_used=True, sort_link=sort_link,
                   page=page, pages=pages, page_link=page_link, export=export,
                   reasons=reasons)  # fmt: skip
    return render(request, p, caller, "console_screen.html", **context)


def _scenario_page(
    request: Request, p: Platform, caller: Caller, status: int = 200, **extra: Any
) -> Response:
    from econsec.app.datasets import networks

    context: dict[str, Any] = {"text": DEMO_SCENARIO.read_text("utf-8"), "result": None,
                               "error": None, "network": "", "dynamic": False, "days": "365",
                               "networks": networks(_workspace(p)), **extra}  # fmt: skip
    return render(request, p, caller, "console_scenarios.html", status=status, **context)


@router.get("/scenarios")
def scenarios(request: Request) -> Response:
    p, caller = require(request, "/console/scenarios")
    return _scenario_page(request, p, caller)


@router.post("/scenarios")
async def run(request: Request) -> Response:
    """Run a scenario (edited or uploaded) on the workspace's trade data and, when one is
    chosen, a firm network (without one, the firm layer is skipped with a note)."""
    from econsec.app.datasets import load_network, networks
    from econsec.app.scenarios import run_in_workspace
    from econsec.report.scenario import scenario_report
    from econsec.scenarios import read_scenario
    from econsec.scenarios.run import DynamicRequest

    p, caller = require(request, "/console/scenarios")
    form = await checked_form(request)
    upload = form.get("upload")
    text = str(form.get("scenario", ""))
    name = str(form.get("network", ""))[:40]
    dynamic = form.get("dynamic") == "firm"
    days_text = str(form.get("days", "365"))[:6]
    if upload is not None and not isinstance(upload, str) and upload.filename:
        text = (await upload.read(200_000)).decode("utf-8", "replace")
    await form.close()
    ws = _workspace(p)
    choice = next((n for n in networks(ws) if n.name == name), None)
    lang = locale_of(request, caller)
    again: dict[str, Any] = {"text": text, "network": name, "dynamic": dynamic, "days": days_text}
    try:
        days = int(days_text) if days_text.isdigit() else -1
        if dynamic and not 1 <= days <= 3650:
            raise InputError("the days simulated must be a whole number from 1 to 3650",
                             values={}, column="days")  # fmt: skip
        network = load_network(ws, name) if name else None
        run = run_in_workspace(ws, read_scenario(text, "scenario"), network=network,
                               dynamic=DynamicRequest("firm", days) if dynamic else None)  # fmt: skip
    except EconsecError as exc:
        return _scenario_page(request, p, caller, 422, error=exc.in_language(lang), **again)
    data = run.result.as_dict()
    report = scenario_report(data, data_source=data["data_source"], lang=lang)
    charts = [chart(f) for f in report.figures]
    return _scenario_page(request, p, caller, result=data,
                          network_label=choice.label if choice else "", charts=charts,
                          charts_used=True, **again)  # fmt: skip


def _data_page(
    request: Request, p: Platform, caller: Caller, status: int = 200, **extra: Any
) -> Response:
    from econsec.app.datasets import TRADE_KINDS, networks
    from econsec.storage.workspace import imports

    ws = _workspace(p)
    found = imports(ws)
    context: dict[str, Any] = {"imports": found, "networks": networks(ws),
                               "years_count": len({y for i in found for y in i.years}),
                               "kinds": TRADE_KINDS, "errors": [], "imported": None,
                               "saved": None, "error_file": None, **extra}  # fmt: skip
    return render(request, p, caller, "console_data.html", status=status, **context)


@router.get("/data")
def data(request: Request) -> Response:
    """The workspace's trade data and firm networks, and forms to add more."""
    p, caller = require(request, "/console/data")
    return _data_page(request, p, caller)


async def _uploads(request: Request, *names: str) -> tuple[dict[str, str], dict[str, Any]]:
    """The form's text fields and its files as (file name, content), up to 200 MB each."""
    form = await checked_form(request)
    fields, files = {}, {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            fields[key] = value[:200]
        elif key in names and value.filename:
            files[key] = (value.filename, await value.read(200_000_001))
    await form.close()
    return fields, files


def _problems_of(exc: EconsecError, lang: str) -> list[dict[str, Any]]:
    from econsec.errors import InputError, InputProblems

    if not isinstance(exc, InputError):
        return [{"row": None, "field": "", "message": exc.in_language(lang)}]
    found = exc.problems if isinstance(exc, InputProblems) else (exc,)
    return [{"row": e.line or e.row, "field": e.column or "", "message": e.message(lang)}
            for e in found]  # fmt: skip


@router.post("/data/import")
async def import_trade_file(request: Request) -> Response:
    """Import a trade file through the CLI's loaders; every problem is listed, nothing kept."""
    from econsec.app.datasets import import_trade

    p, caller = require(request, "/console/data")
    fields, files = await _uploads(request, "file", "extra")
    try:
        result = import_trade(p, caller, _workspace(p), fields.get("kind", ""),
                              files.get("file", ("", b"")), files.get("extra"),
                              replace=bool(fields.get("replace")),
                              dedupe=bool(fields.get("dedupe")))  # fmt: skip
    except EconsecError as exc:
        return _data_page(request, p, caller, 422, errors=_problems_of(exc, locale_of(request, caller)),
                          error_file=getattr(exc, "file", None))  # fmt: skip
    return _data_page(request, p, caller, imported=result)


@router.post("/data/networks")
async def upload_network(request: Request) -> Response:
    """Check and store a firm network (firms and links files, the CLI's formats)."""
    from econsec.app.datasets import save_network

    p, caller = require(request, "/console/data")
    fields, files = await _uploads(request, "firms", "links")
    name = fields.get("name", "").strip()
    try:
        network = save_network(p, caller, _workspace(p), name, files.get("firms", ("", b"")),
                               files.get("links", ("", b"")))  # fmt: skip
    except EconsecError as exc:
        return _data_page(request, p, caller, 422, errors=_problems_of(exc, locale_of(request, caller)),
                          error_file=getattr(exc, "file", None))  # fmt: skip
    return _data_page(request, p, caller, saved=(name, len(network.firm_ids), network.n_links))


GROUPS_PER_PAGE = 10


def _finding_filter(kind: str, product: str, country: str, classification: str,
                    releasable: str) -> sharing.FindingFilter:  # fmt: skip
    return sharing.FindingFilter(
        kind=kind[:40], product=product.strip()[:6], country=country.strip()[:3],
        classification=classification[:20],
        releasable={"yes": True, "no": False}.get(releasable),
    )  # fmt: skip


@router.get("/findings")
def findings(
    request: Request, kind: str = "", product: str = "", country: str = "",
    classification: str = "", releasable: str = "", page: int = 1,
) -> Response:  # fmt: skip
    """The findings as a worklist: most severe first, grouped by supplier, filtered, paged,
    with the disclosure guard's verdict before any release is composed."""
    from econsec.reference.names import critical_group, product_name
    from econsec.sharing.findings import KINDS

    p, caller = require(request, "/console/findings")
    lang = locale_of(request, caller)
    items = sharing.worklist(p, caller, _finding_filter(kind, product, country, classification,
                                                        releasable))  # fmt: skip
    groups: dict[str, list[sharing.WorkItem]] = {}
    for item in items:
        groups.setdefault(item.finding.subject, []).append(item)
    ordered = list(groups.items())  # the most severe finding first, so its group first
    pages = max(1, -(-len(ordered) // GROUPS_PER_PAGE))
    page = min(max(1, page), pages)
    form = {"kind": kind, "product": product, "country": country,
            "classification": classification, "releasable": releasable}  # fmt: skip
    suppliers = sorted(((subject, max(i.finding.n_firms for i in its)) for subject, its in ordered
                        if any(i.finding.kind != "shared_country" for i in its)),
                       key=lambda t: -t[1])[:12]  # fmt: skip
    charts = []
    if suppliers:
        charts.append(chart(Figure(
            title=tr("Firms behind the most shared suppliers", lang),
            plotly={"data": [{"type": "bar", "orientation": "h",
                              "y": [s for s, _ in suppliers], "x": [n for _, n in suppliers],
                              "marker": {"color": "#0067A5"}, "name": tr("firms", lang)}],
                    "layout": {"height": 160 + 22 * len(suppliers),
                               "yaxis": {"autorange": "reversed", "automargin": True},
                               "xaxis": {"title": tr("firms (anonymous count)", lang),
                                         "dtick": 1}}},
            data_source=tr("firms' current supplier submissions", lang),
            method="econsec findings 1",
            note=tr("Counts of firms only; no firm is named.", lang))))  # fmt: skip
    return render(request, p, caller, "console_findings.html",
                  groups=ordered[(page - 1) * GROUPS_PER_PAGE : page * GROUPS_PER_PAGE],
                  total=len(items), page=page, pages=pages, form=form, kinds=KINDS,
                  releasable_count=sum(1 for i in items if i.releasable),
                  group_count=len(ordered),
                  classifications=sorted({i.finding.classification for i in items}),
                  critical_group=critical_group, product_name=product_name,
                  page_link=lambda n: "/console/findings?" + urlencode({**form, "page": n}),
                  export="/console/findings.csv?" + urlencode(form),
                  charts=charts, charts_used=bool(charts))  # fmt: skip


@router.get("/findings.csv")
def findings_csv(
    request: Request, kind: str = "", product: str = "", country: str = "",
    classification: str = "", releasable: str = "",
) -> Response:  # fmt: skip
    """The worklist as spreadsheet-safe CSV (for cleared analysts, as the page)."""
    from econsec.reference.names import product_name
    from econsec.spreadsheet import MEDIA_TYPE, attachment, csv_bytes

    p, caller = require(request, "/console/findings")
    lang = locale_of(request, caller)
    items = sharing.worklist(p, caller, _finding_filter(kind, product, country, classification,
                                                        releasable))  # fmt: skip
    header = ["id", "kind", "subject", "product", "product_name", "country", "firms",
              "mean_input_share", "single_source_share", "criticality", "severity",
              "classification", "releasable", "guard_rule"]  # fmt: skip
    body = csv_bytes(header, ([
        i.finding.id, i.finding.kind, i.finding.subject, i.finding.product,
        product_name(i.finding.product, lang), i.finding.country, i.finding.n_firms,
        i.finding.mean_input_share, i.finding.single_source_share, i.finding.criticality,
        i.finding.severity, i.finding.classification, i.releasable, i.rule] for i in items))  # fmt: skip
    return Response(body, media_type=MEDIA_TYPE, headers=attachment("findings.csv"))


def _audiences(f: Finding) -> list[str]:
    """Who a finding may be released to: the firms (operators, for their plans' findings) —
    all of them or one of its sectors — or everyone."""
    everyone = "all_operators" if f.kind == "shared_vendor" else "all_firms"
    return [everyone, "public", *(f"sector:{s}" for s in sorted(f.sectors))]


def _composer(request: Request, p: Platform, caller: Caller, f: Finding, **extra: Any) -> Response:
    audiences = _audiences(f)
    context = {"finding": f.summary(), "audiences": audiences, "audience": audiences[0],
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
    p, caller = require(request, "/console/findings")
    form = await checked_form(request)
    f = sharing.visible_finding(p, caller, finding_id, "publish_release")
    audience = str(form.get("audience", ""))
    if audience not in _audiences(f):
        audience = _audiences(f)[0]
    if form.get("step") != "publish":
        return _composer(request, p, caller, f, audience=audience,
                         preview=sharing.preview_release(p, caller, f.id))  # fmt: skip
    try:
        published = sharing.publish_release(p, caller, f.id, audience)
    except DisclosureRefused as exc:
        preview = sharing.Preview(False, exc.rule, exc.message, "")
        return _composer(request, p, caller, f, audience=audience, preview=preview)
    return _composer(request, p, caller, f, audience=audience, published=published)


def _paged(items: list[Any], page: int, size: int = PAGE_SIZE) -> tuple[list[Any], int, int]:
    """One page of ``items`` (1-based, clamped), the page and the number of pages."""
    pages = max(1, -(-len(items) // size))
    page = min(max(1, page), pages)
    return items[(page - 1) * size : page * size], page, pages


#: How the register sorts: by the day a measure took effect (newest first), title or assessment.
REGISTER_ORDER = {
    "implemented": lambda x: (x.incident.implemented or dt.date.min, x.incident.id),
    "title": lambda x: (x.incident.title.lower(), x.incident.id),
    "assessment": lambda x: (x.incident.assessment, x.incident.id),
}


#: The early-warning events filter on these fields (codes; a product by its leading digits).
EVENT_FILTERS = ("exporter", "importer", "product")


#: How the events sort (each descending): most confident, latest first period, largest drop.
EVENT_ORDER: dict[str, Callable[[intel_app.StoredEvent], Any]] = {
    "confidence": lambda x: x.event.confidence,
    "period": lambda x: x.event.period,
    "drop": lambda x: x.event.drop_share,
}


def _events(
    stored: list[intel_app.StoredEvent], wanted: dict[str, str], order: str = "confidence"
) -> list[intel_app.StoredEvent]:
    """The events matching ``wanted`` (blank fields match all), in ``order``."""
    found = [e for e in stored
             if all(str(getattr(e.event, k)).upper().startswith(v) for k, v in wanted.items())]  # fmt: skip
    return sorted(found, key=EVENT_ORDER.get(order, EVENT_ORDER["confidence"]), reverse=True)


def _register_filter(q: Mapping[str, str]) -> tuple[dict[str, str], Callable[[Incident], bool]]:
    """The register's filter from the query (assessment, a country implementing or affected,
    in force yes/no) and the test it makes of an incident."""
    wanted = {"assessment": q.get("assessment", "") if q.get("assessment") in ASSESSMENTS else "",
              "country": q.get("country", "").strip().upper()[:3],
              "in_force": q.get("in_force", "") if q.get("in_force") in ("yes", "no") else ""}  # fmt: skip

    def keep(i: Incident) -> bool:
        return ((not wanted["assessment"] or i.assessment == wanted["assessment"])
                and (not wanted["country"] or wanted["country"] in (*i.implementing, *i.affected))
                and (not wanted["in_force"] or i.in_force == (wanted["in_force"] == "yes")))  # fmt: skip

    return wanted, keep


def _intelligence(
    request: Request, p: Platform, caller: Caller, status: int = 200, **extra: Any
) -> Response:
    q = request.query_params
    order = q.get("sort", "implemented") if q.get("sort") in REGISTER_ORDER else "implemented"
    register_filter, keep = _register_filter(q)
    register_all = sorted((x for x in intel_app.incidents(p, caller) if keep(x.incident)),
                          key=REGISTER_ORDER[order], reverse=order == "implemented")  # fmt: skip
    page = int(q["page"]) if q.get("page", "").isdigit() else 1
    shown, page, pages = _paged(register_all, page)
    week_ago = (p.now() - dt.timedelta(days=7)).isoformat()
    stored = intel_app.list_events(p, caller)
    watched = [e for e in stored if e.source.startswith("watch:") and e.found >= week_ago]
    event_filter = {key: q.get(key, "").strip().upper()[:6] for key in EVENT_FILTERS}
    events_order = q.get("events_sort", "") if q.get("events_sort") in EVENT_ORDER else "confidence"
    events_all = _events(stored, event_filter, events_order)
    events_page = int(q["events_page"]) if q.get("events_page", "").isdigit() else 1
    events, events_page, events_pages = _paged(events_all, events_page)

    def _link(**changed: int) -> str:
        query = {"sort": order, "page": page, "events_page": events_page, **register_filter,
                 **event_filter, "events_sort": events_order, **changed}  # fmt: skip
        return "/console/intelligence?" + urlencode(query)

    context = {"incidents": shown, "total_incidents": len(register_all), "sort": order,
               "page": page, "pages": pages, "events_total": len(events_all),
               "events_page": events_page, "events_pages": events_pages,
               "page_link": lambda n: _link(page=n), "events_link": lambda n: _link(events_page=n),
               "register_filter": register_filter, "assessments": ASSESSMENTS,
               "register_export": "/console/intelligence/incidents.csv?"
               + urlencode(register_filter),
               "events": events, "event_filter": event_filter, "events_sort": events_order,
               "watched": sorted(watched, key=lambda e: e.found, reverse=True),
               "events_export": "/console/intelligence/events.csv?"
               + urlencode({**event_filter, "events_sort": events_order}),
               "imported": None, "detected": None,
               "candidates": [c for c in intel_app.incident_candidates(p, caller)
                              if not c.incidents],
               "errors": [],
               "method": f"{METHOD}; incident links within the onset window", **extra}  # fmt: skip
    return render(request, p, caller, "console_intelligence.html", status=status, **context)


@router.get("/intelligence")
def intelligence(request: Request) -> Response:
    p, caller = require(request, "/console/intelligence")
    return _intelligence(request, p, caller)


@router.get("/intelligence/incidents.csv")
def export_incidents(request: Request) -> Response:
    """The incident register as spreadsheet-safe CSV, in the import format (this session)."""
    from econsec.spreadsheet import MEDIA_TYPE, attachment

    p, caller = require(request, "/console/intelligence")
    keep = _register_filter(request.query_params)[1]
    return Response(intel_app.export_incidents(p, caller, "csv", keep), media_type=MEDIA_TYPE,
                    headers=attachment("incidents.csv"))  # fmt: skip


@router.get("/intelligence/events.csv")
def export_events(
    request: Request, exporter: str = "", importer: str = "", product: str = "",
    events_sort: str = "confidence",
) -> Response:  # fmt: skip
    """The early-warning events (filtered and sorted as the page) as spreadsheet-safe CSV."""
    from econsec.reference.names import country_name, product_name
    from econsec.spreadsheet import MEDIA_TYPE, attachment, csv_bytes

    p, caller = require(request, "/console/intelligence")
    lang = locale_of(request, caller)
    wanted = {"exporter": exporter, "importer": importer, "product": product}
    found = _events(intel_app.list_events(p, caller),
                    {k: v.strip().upper()[:6] for k, v in wanted.items()},
                    events_sort)  # fmt: skip
    header = ["exporter", "exporter_name", "importer", "importer_name", "product",
              "product_name", "period", "confirmed", "drop_share", "persistence", "confidence",
              "incidents", "source"]  # fmt: skip
    body = csv_bytes(header, ([
        e.exporter, country_name(e.exporter, lang), e.importer, country_name(e.importer, lang),
        e.product, product_name(e.product, lang), e.period, e.confirmed, e.drop_share,
        e.persistence, e.confidence, " ".join(x.incidents), x.source]
        for x in found for e in (x.event,)))  # fmt: skip
    return Response(body, media_type=MEDIA_TYPE, headers=attachment("events.csv"))


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
    from econsec.intelligence.incidents import file_records

    p, caller = require(request, "/console/intelligence")
    data, name = await _file(request)
    try:
        items = intel_app.import_incidents(p, caller, file_records(data, name), name)
    except RecordsRejected as exc:
        return _intelligence(request, p, caller, 422, errors=list(exc.problems))
    return _intelligence(request, p, caller, imported=len(items))


@router.post("/intelligence/detect")
async def detect_events(request: Request) -> Response:
    from econsec.sharing.records import parse_csv

    p, caller = require(request, "/console/intelligence")
    data, name = await _file(request)
    try:
        events = intel_app.detect_events(p, caller, parse_csv(data, source=name), name)
    except RecordsRejected as exc:
        return _intelligence(request, p, caller, 422, errors=list(exc.problems))
    return _intelligence(request, p, caller, detected=(len(events), name))
