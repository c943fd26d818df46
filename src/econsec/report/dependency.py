"""The dependency report: a screen's flagged products, supplier shares, HHI, trend and groups."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from econsec.analysis.concentration import SqlEngine, in_set, register_sets
from econsec.analysis.screen import Screen, criteria_of, run_screen
from econsec.reference.catalogue import groups_on
from econsec.report.html import Figure, Report

__all__ = ["dependency_report"]

_MAX_PRODUCTS = 20


def supplier_figure(
    con: SqlEngine,
    relation: str,
    screen: Screen,
    flagged: list[dict[str, Any]],
    source: str,
    method: str,
) -> Figure:
    top = sorted(flagged, key=lambda r: -r["imports_usd"])[:_MAX_PRODUCTS]
    products = [r["product"] for r in top]
    importer = top[0]["importer"] if top else ""
    members = next((i.members for i in screen.importers or () if i.label == importer), {importer})
    bars: dict[str, dict[str, float]] = {}
    if products:
        sets = "econsec_figure_sets"
        register_sets(con, {"members": members, "products": products}, sets)
        table = con.sql(
            f"""
            SELECT product, exporter, sum(value_usd) AS v FROM {relation}
            WHERE year = $year AND {in_set("importer", "members", sets)}
              AND NOT {in_set("exporter", "members", sets)}
              AND {in_set("product", "products", sets)}
            GROUP BY product, exporter
            """,
            {"year": screen.year},
        )
        rows = [(r["product"], r["exporter"], r["v"]) for r in table.to_pylist()]
        totals: dict[str, float] = {}
        for product, _, v in rows:
            totals[product] = totals.get(product, 0.0) + v
        ranked = sorted(rows, key=lambda r: -r[2])
        for product, exporter, v in ranked:
            shown = [k for k, series in bars.items() if product in series]
            name = exporter if len(shown) < 5 else "others"
            bars.setdefault(name, {})
            bars[name][product] = bars[name].get(product, 0.0) + v / totals[product]
    traces = [
        {
            "type": "bar",
            "orientation": "h",
            "name": name,
            "y": products,
            "x": [series.get(p, 0.0) for p in products],
        }
        for name, series in bars.items()
    ]
    return Figure(
        title=f"Supplier shares of flagged products ({importer}, {screen.year})",
        plotly={
            "data": traces,
            "layout": {
                "barmode": "stack",
                "height": 200 + 22 * len(products),
                "xaxis": {"title": "share of imports", "range": [0, 1]},
                "yaxis": {"type": "category", "autorange": "reversed"},
            },
        },
        data_source=source,
        method=method,
        note=f"The {len(products)} largest flagged products by import value; up to five suppliers each.",
    )


def dependency_report(
    con: SqlEngine,
    screen: Screen,
    *,
    data_source: str,
    relation: str = "flows",
    compare_years: tuple[int, ...] = (),
    catalogue_list: str = "japan",
) -> Report:
    """Screen, then build the report: flagged products, charts and the critical-group summary."""
    method = f"{screen.preset.method_version} ({screen.preset.source})"
    rows = run_screen(con, screen, relation).to_pylist()
    flagged = [r for r in rows if r["flagged"]]
    label = ", ".join(i.label for i in screen.importers) if screen.importers else "all importers"
    figures = [supplier_figure(con, relation, screen, flagged, data_source, method)]
    figures.append(
        Figure(
            title=f"Distribution of import concentration (HHI), {label} {screen.year}",
            plotly={
                "data": [
                    {
                        "type": "histogram",
                        "x": [r["hhi"] for r in rows],
                        "nbinsx": 40,
                        "name": "products",
                    }
                ],
                "layout": {
                    "xaxis": {"title": "HHI of supplier-country shares", "range": [0, 1]},
                    "yaxis": {"title": "products"},
                    "shapes": [
                        {
                            "type": "line",
                            "x0": 0.4,
                            "x1": 0.4,
                            "y0": 0,
                            "y1": 1,
                            "yref": "paper",
                            "line": {"dash": "dash"},
                        }
                    ],
                },
            },
            data_source=data_source,
            method=method,
            note="Dashed line: HHI 0.4.",
        )
    )
    history = []
    previous: set[str] | None = None
    for year in sorted({*compare_years, screen.year}):
        year_rows = (
            rows
            if year == screen.year
            else run_screen(con, replace(screen, year=year), relation).to_pylist()
        )
        now = {r["product"] for r in year_rows if r["flagged"]}
        history.append(
            {
                "year": year,
                "flagged": len(now),
                "newly flagged": None if previous is None else len(now - previous),
                "no longer flagged": None if previous is None else len(previous - now),
            }
        )
        previous = now
    figures.append(
        Figure(
            title=f"Flagged products by year, {label}",
            plotly={
                "data": [
                    {
                        "type": "bar",
                        "name": k,
                        "x": [h["year"] for h in history],
                        "y": [h[k] or 0 for h in history],
                    }
                    for k in ("flagged", "newly flagged", "no longer flagged")
                ],
                "layout": {"barmode": "group", "xaxis": {"type": "category"}},
            },
            data_source=data_source,
            method=method,
        )
    )
    by_product = {r["product"]: r for r in rows}
    groups = []
    for g in groups_on(catalogue_list, dt.date(screen.year, 12, 31)):
        codes = g.hs6_on(dt.date(screen.year, 12, 31))
        hits = [by_product[c] for c in codes if c in by_product]
        groups.append(
            {
                "group": g.name_en,
                "products": len(codes),
                "traded": len(hits),
                "flagged": sum(1 for h in hits if h["flagged"]),
                "imports_usd": sum(h["imports_usd"] for h in hits),
            }
        )
    figures.append(
        Figure(
            title=f"Critical product groups ({catalogue_list}): imports and flagged products",
            plotly={
                "data": [
                    {
                        "type": "bar",
                        "x": [g["group"] for g in groups],
                        "y": [g["imports_usd"] for g in groups],
                        "name": "imports (USD)",
                        "text": [f"{g['flagged']}/{g['traded']} flagged" for g in groups],
                    }
                ],
                "layout": {"yaxis": {"title": "imports, USD", "type": "log"}},
            },
            data_source=data_source,
            method=method,
        )
    )
    table = [
        {
            "product": r["product"],
            "imports_usd": r["imports_usd"],
            "suppliers": r["n_suppliers"],
            "hhi": r["hhi"],
            "top supplier": r["top_supplier"],
            "top share": r["top_share"],
            "criteria met": ", ".join(
                k for k, v in criteria_of(r, screen.preset).items() if v["met"]
            ),
        }
        for r in sorted(flagged, key=lambda r: -r["imports_usd"])
    ]
    summary = (
        f"Importer: {label}; year {screen.year}; preset {screen.preset.title}.",
        f"{len(rows)} products imported, {len(flagged)} flagged "
        f"({sum(r['imports_usd'] for r in flagged) / max(sum(r['imports_usd'] for r in rows), 1):.1%} "
        "of import value).",
        f"Data: {data_source}.",
    )
    return Report(
        title=f"Dependency screen: {label}, {screen.year}",
        summary=summary,
        figures=tuple(figures),
        tables=(
            ("Flagged products", table),
            ("Flagged products by year", history),
            ("Critical product groups", groups),
        ),
        provenance={"data": data_source, "method": method},
    )
