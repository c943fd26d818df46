"""The console's programmes page: stockpile coordination among like-minded countries and the
targeting of support, from a YAML case edited in the page (the commands' formats)."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from econsec.access.policy import Resource
from econsec.app import programmes as app
from econsec.errors import EconsecError, InputError
from econsec.i18n import tr
from econsec.reference.names import label
from econsec.report.colours import Palette
from econsec.report.html import Figure
from econsec.web.render import Page, chart, checked_form, locale_of, register, render, require
from econsec.yamltext import load_yaml

__all__ = ["router"]

router = APIRouter(prefix="/console", include_in_schema=False)
PATH = "/console/programmes"
register(Page(PATH, "Stockpiles and support", "read_intelligence",
              lambda s: Resource("intelligence"), 75))  # fmt: skip


def _example(name: str) -> str:
    return resources.files("econsec.scenarios").joinpath("examples", name).read_text("utf-8")


def _page(request: Request, status: int = 200, **extra: Any) -> Response:
    p, caller = require(request, PATH)
    context: dict[str, Any] = {
        "case": _example("gallium_coordination.yaml"), "candidates": _example("support_measures.yaml"),
        "budget": "1.5e10", "stockpile": None, "support": None, "error": None, "charts": [],
        "charts_used": False, **extra,
    }  # fmt: skip
    return render(request, p, caller, "console_programmes.html", status=status, **context)


@router.get("/programmes")
def programmes(request: Request) -> Response:
    return _page(request)


@router.post("/programmes/stockpile")
async def stockpile(request: Request) -> Response:
    """Run the coordination on the case in the form; a table, lending by pair and two charts."""
    p, caller = require(request, PATH)
    form = await checked_form(request)
    text = str(form.get("case", ""))[:200_000]
    lang = locale_of(request, caller)
    try:
        result = app.coordinate_stockpiles(p, caller, load_yaml(text, "case"))
    except EconsecError as exc:
        return _page(request, 422, case=text, error=exc.in_language(lang))
    codes = [c["code"] for c in result["countries"]]
    names = [label("country", c, lang) for c in codes]
    colours = Palette().colours(codes)
    alone = [c["cost_alone"] for c in result["countries"]]
    source = tr("your case: {product} cut by {supplier}", lang, product=result["product"],
                supplier=result["supplier"])  # fmt: skip
    charts = [
        Figure(title=tr("Stock held the day before the cut", lang),
               plotly={"data": [{"type": "bar", "x": names,
                                 "y": [c["stock_target"] for c in result["countries"]],
                                 "marker": {"color": [colours[c] for c in codes]}}],
                       "layout": {"yaxis": {"title": tr("units", lang)}, "height": 320}},
               data_source=source, method=result["method"]),
        Figure(title=tr("Each country's cost: shared by the rule, and acting alone", lang),
               plotly={"data": [{"type": "bar", "name": tr("in the coalition", lang), "x": names,
                                 "y": [c["cost"] for c in result["countries"]],
                                 "marker": {"color": "#0067A5"}},
                                {"type": "bar", "name": tr("acting alone", lang), "x": names,
                                 "y": alone, "marker": {"color": "#BE0032"}}],
                       "layout": {"barmode": "group", "height": 340,
                                  "yaxis": {"title": tr("cost", lang)}}},
               data_source=source, method=result["method"],
               note=tr("No bar for acting alone: the country cannot meet its limit alone.", lang)
               if None in alone else ""),
    ]  # fmt: skip
    pairs: dict[tuple[str, str], float] = {}
    for x in result["lending"]:
        pairs[x["from"], x["to"]] = pairs.get((x["from"], x["to"]), 0.0) + x["amount"]
    return _page(request, case=text, stockpile=result, pairs=sorted(pairs.items()),
                 charts=[chart(f) for f in charts], charts_used=True)  # fmt: skip


@router.post("/programmes/support")
async def support(request: Request) -> Response:
    """Choose the portfolio for the candidates and budget in the form; a table and the curve."""
    p, caller = require(request, PATH)
    form = await checked_form(request)
    text = str(form.get("candidates", ""))[:200_000]
    budget_text = str(form.get("budget", "")).strip()[:40]
    lang = locale_of(request, caller)
    try:
        try:
            budget = float(budget_text)
        except ValueError:
            raise InputError("--budget {budget}", values={"budget": budget_text},
                             expected="a number >= 0") from None  # fmt: skip
        result = app.plan_support(p, caller, load_yaml(text, "candidates"), budget)
    except EconsecError as exc:
        return _page(request, 422, candidates=text, budget=budget_text,
                     error=exc.in_language(lang))  # fmt: skip
    curve = Figure(
        title=tr("The best cut of weighted shortfall for each budget", lang),
        plotly={"data": [{"type": "scatter", "mode": "lines+markers",
                          "x": [q["budget"] for q in result["curve"]],
                          "y": [q["risk_reduction"] for q in result["curve"]],
                          "line": {"color": "#0067A5", "shape": "hv"}}],
                "layout": {"height": 320, "xaxis": {"title": tr("budget", lang)},
                           "yaxis": {"title": tr("weighted shortfall cut (USD)", lang)}}},
        data_source=tr("your candidate measures", lang), method=result["method"],
    )  # fmt: skip
    return _page(request, candidates=text, budget=budget_text, support=result,
                 charts=[chart(curve)], charts_used=True)  # fmt: skip
