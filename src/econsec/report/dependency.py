"""The dependency report: a screen's flagged products, supplier shares, HHI, trend and groups."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from econsec.analysis.concentration import SqlEngine, in_set, register_sets
from econsec.analysis.screen import Screen, criteria_counts, criteria_of, run_screen
from econsec.i18n import N_, tr
from econsec.reference.catalogue import groups_on
from econsec.report.colours import TOP_COUNTRIES, Palette
from econsec.report.html import Figure, Report

__all__ = ["dependency_report", "supplier_figure", "years_with_data"]

_MAX_PRODUCTS = 20
#: The columns of the flagged-by-year table (translated when shown).
_HISTORY = {"year": N_("year"), "flagged": N_("flagged"), "newly flagged": N_("newly flagged"),
            "no longer flagged": N_("no longer flagged"), "note": N_("note")}  # fmt: skip


def _label(kind: str, code: str, lang: str) -> str:
    from econsec.reference.names import label

    return label(kind, code, lang, width=28)


def supplier_figure(
    con: SqlEngine,
    relation: str,
    screen: Screen,
    flagged: list[dict[str, Any]],
    source: str,
    method: str,
    *,
    palette: Palette | None = None,
    lang: str = "en",
) -> Figure | None:
    """Supplier shares of the largest flagged products: the chart's top countries each in
    their own colour (the same in every chart of a report), the rest grey as "others"; None
    when nothing is flagged (no empty chart)."""
    top = sorted(flagged, key=lambda r: -r["imports_usd"])[:_MAX_PRODUCTS]
    if not top:
        return None
    products = [r["product"] for r in top]
    importer = top[0]["importer"]
    members = next((i.members for i in screen.importers or () if i.label == importer), {importer})
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
    by_country: dict[str, float] = {}
    for product, exporter, v in rows:
        totals[product] = totals.get(product, 0.0) + v
        by_country[exporter] = by_country.get(exporter, 0.0) + v
    shown = sorted(by_country, key=lambda c: -by_country[c])[:TOP_COUNTRIES]
    bars: dict[str, dict[str, float]] = {c: {} for c in shown}
    for product, exporter, v in rows:
        name = exporter if exporter in bars else "others"
        series = bars.setdefault(name, {})
        series[product] = series.get(product, 0.0) + v / totals[product]
    colours = (palette or Palette()).colours(list(bars))
    labels = [_label("product", q, lang) for q in products]
    traces = [
        {
            "type": "bar",
            "orientation": "h",
            "name": tr("others", lang) if name == "others" else _label("country", name, lang),
            "y": labels,
            "x": [series.get(q, 0.0) for q in products],
            "marker": {"color": colours[name]},
            "hovertemplate": "%{y}: %{x:.1%}",
        }
        for name, series in bars.items()
    ]
    return Figure(
        title=tr(
            "Supplier shares of flagged products ({importer}, {year})",
            lang,
            importer=_label("country", importer, lang),
            year=screen.year,
        ),
        plotly={
            "data": traces,
            "layout": {
                "barmode": "stack",
                "height": 220 + 24 * len(products),
                "xaxis": {
                    "title": tr("share of imports", lang),
                    "range": [0, 1],
                    "tickformat": ".0%",
                },
                "yaxis": {"type": "category", "autorange": "reversed", "automargin": True},
            },
        },
        data_source=source,
        method=method,
        note=tr(
            "The {n} largest flagged products by import value; the {top} largest supplier "
            "countries in colour, the rest as others.",
            lang,
            n=len(products),
            top=len(shown),
        ),
    )


def years_with_data(con: SqlEngine, relation: str, screen: Screen) -> set[int]:
    """The years for which ``relation`` holds any imports of the screen's importers."""
    members = (
        frozenset().union(*(i.members for i in screen.importers)) if screen.importers else None
    )
    if members is None:
        found = con.sql(f"SELECT DISTINCT year FROM {relation}").to_pylist()
    else:
        sets = "econsec_year_sets"
        register_sets(con, {"members": members}, sets)
        found = con.sql(f"SELECT DISTINCT year FROM {relation} "
                        f"WHERE {in_set('importer', 'members', sets)}").to_pylist()  # fmt: skip
    return {int(r["year"]) for r in found}


def dependency_report(
    con: SqlEngine,
    screen: Screen,
    *,
    data_source: str,
    relation: str = "flows",
    compare_years: tuple[int, ...] = (),
    catalogue_list: str = "japan",
    lang: str = "en",
) -> Report:
    """Screen, then build the report: flagged products, charts and the critical-group summary,
    in ``lang``. A year without data is shown as a gap, never as zero; a chart without data is
    left out and the summary says why."""
    method = f"{screen.preset.method_version} ({screen.preset.source})"
    rows = run_screen(con, screen, relation).to_pylist()
    flagged = [r for r in rows if r["flagged"]]
    label = (", ".join(_label("country", i.label, lang) for i in screen.importers)
             if screen.importers else tr("all importers", lang))  # fmt: skip
    palette = Palette()
    figures: list[Figure] = []
    supplier = supplier_figure(con, relation, screen, flagged, data_source, method,
                               palette=palette, lang=lang)  # fmt: skip
    if supplier is not None:
        figures.append(supplier)
    if rows:
        figures.append(Figure(
            title=tr("Distribution of import concentration (HHI), {label} {year}", lang,
                     label=label, year=screen.year),
            plotly={
                "data": [{"type": "histogram", "x": [r["hhi"] for r in rows], "nbinsx": 40,
                          "name": tr("products", lang), "marker": {"color": "#0067A5"}}],
                "layout": {
                    "xaxis": {"title": tr("HHI of supplier-country shares", lang),
                              "range": [0, 1]},
                    "yaxis": {"title": tr("products", lang)},
                    "shapes": [{"type": "line", "x0": 0.4, "x1": 0.4, "y0": 0, "y1": 1,
                                "yref": "paper", "line": {"dash": "dash"}}],
                },
            },
            data_source=data_source, method=method,
            note=tr("Dashed line: HHI 0.4.", lang),
        ))  # fmt: skip
    available = years_with_data(con, relation, screen)
    history: list[dict[str, Any]] = []
    previous: set[str] | None = None
    for year in sorted({*compare_years, screen.year}):
        if year not in available:
            history.append({"year": year, "flagged": None, "newly flagged": None,
                            "no longer flagged": None,
                            "note": tr("no data for this year", lang)})  # fmt: skip
            previous = None  # no comparison across a year without data
            continue
        year_rows = (
            rows
            if year == screen.year
            else run_screen(con, replace(screen, year=year), relation).to_pylist()
        )
        now = {r["product"] for r in year_rows if r["flagged"]}
        history.append({
            "year": year,
            "flagged": len(now),
            "newly flagged": None if previous is None else len(now - previous),
            "no longer flagged": None if previous is None else len(previous - now),
            "note": "" if previous is not None or year == min(compare_years or (year,))
            else tr("no comparison: the year before has no data", lang),
        })  # fmt: skip
        previous = now
    if sum(1 for h in history if h["flagged"] is not None) > 1:
        kinds = (N_("flagged"), N_("newly flagged"), N_("no longer flagged"))
        figures.append(Figure(
            title=tr("Flagged products by year, {label}", lang, label=label),
            plotly={
                "data": [{"type": "bar", "name": tr(k, lang),
                          "x": [str(h["year"]) for h in history],
                          "y": [h[k] for h in history],
                          "marker": {"color": colour}}
                         for k, colour in zip(kinds, ("#0067A5", "#BE0032", "#8DB600"),
                                              strict=True)],
                "layout": {"barmode": "group", "xaxis": {"type": "category",
                                                          "title": tr("year", lang)},
                           "yaxis": {"title": tr("products", lang)}},
            },
            data_source=data_source, method=method,
            note=tr("Years without data are left empty, not drawn as zero.", lang),
        ))  # fmt: skip
    by_product = {r["product"]: r for r in rows}
    groups = []
    for g in groups_on(catalogue_list, dt.date(screen.year, 12, 31)):
        codes = g.hs6_on(dt.date(screen.year, 12, 31))
        hits = [by_product[c] for c in codes if c in by_product]
        groups.append({
            tr("group", lang): g.name_ja if lang == "ja" else g.name_en,
            tr("products", lang): len(codes),
            tr("traded", lang): len(hits),
            tr("flagged", lang): sum(1 for h in hits if h["flagged"]),
            tr("imports (USD)", lang): sum(h["imports_usd"] for h in hits) if hits else None,
        })  # fmt: skip
    traded = [g for g in groups if g[tr("imports (USD)", lang)]]
    if traded:
        figures.append(Figure(
            title=tr("Critical product groups ({catalogue}): imports and flagged products", lang,
                     catalogue=catalogue_list),
            plotly={
                "data": [{"type": "bar", "x": [g[tr("group", lang)] for g in traded],
                          "y": [g[tr("imports (USD)", lang)] for g in traded],
                          "name": tr("imports (USD)", lang), "marker": {"color": "#0067A5"},
                          "text": [tr("{flagged}/{traded} flagged", lang,
                                      flagged=g[tr("flagged", lang)],
                                      traded=g[tr("traded", lang)]) for g in traded]}],
                "layout": {"yaxis": {"title": tr("imports (USD)", lang), "type": "log",
                                     "dtick": 1, "exponentformat": "B"},
                           "xaxis": {"automargin": True}},
            },
            data_source=data_source, method=method,
        ))  # fmt: skip
    table = [
        {
            tr("product", lang): _label("product", r["product"], lang),
            tr("imports (USD)", lang): r["imports_usd"],
            tr("supplier countries", lang): r["n_suppliers"],
            "HHI": r["hhi"],
            tr("top supplier", lang): _label("country", r["top_supplier"] or "", lang),
            tr("share", lang): r["top_share"],
            tr("criteria met", lang): "; ".join(
                c.describe(lang) for c in (*screen.preset.criteria, *(
                    (screen.preset.persistence,) if screen.preset.persistence else ()))
                if criteria_of(r, screen.preset)[c.name]["met"]
            ),
        }
        for r in sorted(flagged, key=lambda r: -r["imports_usd"])
    ]  # fmt: skip
    value = sum(r["imports_usd"] for r in rows)
    summary = [
        tr("Importer: {label}; year {year}; method {method}.", lang, label=label,
           year=screen.year, method=screen.preset.title_in(lang)),
        tr("{n} products imported, {f} flagged ({share:.1%} of import value).", lang, n=len(rows),
           f=len(flagged), share=sum(r["imports_usd"] for r in flagged) / value if value else 0),
        tr("Data: {source}.", lang, source=data_source),
    ]  # fmt: skip
    if not rows:
        summary.append(tr("Insufficient data: no imports of these products in {year}.", lang,
                          year=screen.year))  # fmt: skip
    elif not flagged:
        summary.append(tr("None is flagged. Each criterion over the {rows} rows:", lang,
                          rows=len(rows)))  # fmt: skip
        summary += [c.explain(lang) for c in criteria_counts(rows, screen.preset)]
    missing = [h["year"] for h in history if h["flagged"] is None]
    if missing:
        summary.append(tr("No data for {years}: shown as gaps, not zeros.", lang,
                          years=", ".join(map(str, missing))))  # fmt: skip
    return Report(
        title=tr("Dependency screen: {label}, {year}", lang, label=label, year=screen.year),
        summary=tuple(summary),
        figures=tuple(figures),
        tables=(
            (tr("Flagged products", lang), table),
            (
                tr("Flagged products by year", lang),
                [{tr(k, lang): v for k, v in h.items()} for h in history],
            ),
            (tr("Critical product groups", lang), groups),
        ),
        provenance={"data": data_source, "method": method},
        lang=lang,
    )
