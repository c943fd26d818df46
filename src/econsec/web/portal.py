"""The firm portal: submit suppliers by form or CSV (every bad field of every row shown), see
and withdraw one's submissions, one's exposure, alerts and the sector benchmark."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from econsec.access.policy import Classification, Resource, Subject
from econsec.app import sharing
from econsec.app import submissions as subs
from econsec.app.benchmarks import benchmarks
from econsec.errors import AccessDenied, FieldProblem, InsufficientData, RecordsRejected
from econsec.i18n import tr
from econsec.reference.names import label
from econsec.report.colours import Palette
from econsec.report.html import Figure
from econsec.sharing import records as rec
from econsec.web.render import Page, chart, checked_form, locale_of, register, render, require

__all__ = ["router"]

router = APIRouter(prefix="/portal", include_in_schema=False)


def _own(s: Subject) -> Resource:
    return Resource("submission", owner_org=s.org)


register(
    Page("/portal/submissions", "My submissions", "submit", _own, 10),
    Page("/portal/suppliers", "Submit suppliers", "submit", _own, 20),
    Page("/portal/exposure", "My exposure", "submit", _own, 30),
    Page("/portal/alerts", "Alerts and benchmarks", "read",
         lambda s: Resource("release", Classification.PUBLIC, audience="public"), 50),
)  # fmt: skip
FIELDS = rec.KINDS["suppliers"].fields
METRIC_LABELS = {
    "top_country_share": "Largest country share of direct inputs",
    "single_source_share": "Share single-sourced",
    "concern_share": "Share from countries of concern",
    "inventory_days": "Inventory days (input-share weighted)",
}


def _submissions(request: Request, submitted: int | None = None) -> Response:
    p, caller = require(request, "/portal/submissions")
    shown = subs.list_submissions(p, caller, None, 200, 0)
    return render(request, p, caller, "portal_submissions.html", submissions=shown,
                  submitted=submitted)  # fmt: skip


@router.get("/submissions")
def submissions(request: Request) -> Response:
    return _submissions(request)


@router.post("/submissions/{submission_id}/withdraw")
async def withdraw(submission_id: str, request: Request) -> Response:
    p, caller = require(request, "/portal/submissions")
    await checked_form(request)
    subs.withdraw(p, caller, submission_id)
    return RedirectResponse("/portal/submissions", 303)


def _form_page(
    request: Request, rows: list[dict[str, Any]], errors: list[Any] | None = None,
    bad: set[tuple[int, str]] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    p, caller = require(request, "/portal/suppliers")
    return render(request, p, caller, "portal_suppliers.html", status=status, fields=FIELDS,
                  rows=rows, errors=errors or [], bad_cells=bad or set())  # fmt: skip


@router.get("/suppliers")
def suppliers(request: Request, rows: int = 5) -> Response:
    return _form_page(request, [{} for _ in range(min(max(rows, 1), 100))])


@router.post("/suppliers")
async def submit_form(request: Request) -> Response:
    p, caller = require(request, "/portal/suppliers")
    form = await checked_form(request)
    n_rows = max((int(k.rsplit("-", 1)[1]) for k in form if k.rsplit("-", 1)[-1].isdigit()),
                 default=0)  # fmt: skip
    rows = [{f.name: str(form.get(f"{f.name}-{n}", "")).strip() for f in FIELDS}
            for n in range(1, min(n_rows, 100) + 1)]  # fmt: skip
    filled = [n for n, r in enumerate(rows, 1)
              if any(v for k, v in r.items() if k != "classification")]  # fmt: skip
    records = [{k: v for k, v in rows[n - 1].items() if v} for n in filled]
    try:
        if not records:
            raise RecordsRejected([FieldProblem(None, "records", "no records")])
        subs.submit(p, caller, "suppliers", records, "form")
    except RecordsRejected as exc:
        problems = [FieldProblem(filled[pr.row - 1] if pr.row else None, pr.field,
                                     pr.message) for pr in exc.problems]  # fmt: skip
        bad = {(pr.row, pr.field) for pr in problems if pr.row}
        return _form_page(request, rows, problems, bad, status=422)
    return _submissions(request, len(records))


@router.post("/suppliers/upload")
async def upload(request: Request) -> Response:
    p, caller = require(request, "/portal/suppliers")
    form = await checked_form(request)
    file = form.get("file")
    if file is None or isinstance(file, str):
        problems = [FieldProblem(None, "file", "choose a CSV file")]
        return _form_page(request, [{} for _ in range(5)], problems, status=422)
    data = await file.read(p.settings.max_upload_bytes + 1)
    await form.close()
    try:
        if len(data) > p.settings.max_upload_bytes:
            raise RecordsRejected([FieldProblem(None, "file", "larger than the upload limit")])
        records = rec.parse_csv(data, source=file.filename or "upload.csv")
        subs.submit(p, caller, "suppliers", records, file.filename or "upload.csv")
    except RecordsRejected as exc:
        return _form_page(request, [{} for _ in range(5)], list(exc.problems), status=422)
    return _submissions(request, len(records))


@router.get("/exposure")
def own_exposure(request: Request) -> Response:
    p, caller = require(request, "/portal/exposure")
    result = subs.own_exposure(p, caller)
    charts = []
    if result:
        top = [c for c in result.countries if c.direct > 0][:10]
        lang = locale_of(request, caller)
        colours = Palette().colours([c.country for c in top])
        charts.append(chart(Figure(
            title=tr("Direct inputs by supplier country", lang),
            plotly={"data": [{"type": "bar", "x": [label("country", c.country, lang) for c in top],
                              "y": [c.direct for c in top],
                              "marker": {"color": [colours[c.country] for c in top]}}],
                    "layout": {"yaxis": {"title": tr("share", lang), "tickformat": ".0%"},
                               "height": 320}},
            data_source=tr("your current supplier submission", lang),
            method=result.method)))  # fmt: skip
    return render(request, p, caller, "portal_exposure.html", exposure=result, charts=charts,
                  charts_used=bool(charts))  # fmt: skip


@router.get("/alerts")
def alerts(request: Request) -> Response:
    p, caller = require(request, "/portal/alerts")
    shown = sharing.alerts(p, caller)
    benchmark, message = None, ""
    try:
        benchmark = benchmarks(p, caller)
    except InsufficientData as exc:
        message = str(exc)
    except AccessDenied:
        message = "Benchmarks are for firms that share their supplier data."
    return render(request, p, caller, "portal_alerts.html", alerts=list(reversed(shown)),
                  benchmark=benchmark, benchmark_message=message,
                  metric_labels=METRIC_LABELS)  # fmt: skip
