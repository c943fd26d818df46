"""The scenario report: loss timeline, most affected products and firms, cost–risk frontier."""

from __future__ import annotations

from typing import Any

from econsec.i18n import N_, tr
from econsec.report.html import Figure, Report

__all__ = ["scenario_report"]


def scenario_report(
    result: dict[str, Any],
    frontier: list[dict[str, Any]] | None = None,
    data_source: str = "",
    note: str = "",
    lang: str = "en",
) -> Report:
    """A report from ``ScenarioResult.as_dict()`` and, optionally, a mitigation frontier (and a
    note on it, e.g. why there is none), in ``lang`` (figures and table titles; the data stay
    as they are)."""
    method = result["method"]
    figures = [
        Figure(
            tr(N_("Unmet demand per month after stocks (USD)"), lang),
            {
                "data": [
                    {
                        "type": "bar",
                        "x": [t["month"] for t in result["trade_timeline"]],
                        "y": [t["unmet_usd"] for t in result["trade_timeline"]],
                    }
                ],
                "layout": {"yaxis": {"title": "USD"}},
            },
            data_source,
            method,
        ),
        Figure(
            tr(
                N_(
                    "Trade at risk, substitutable and short, by importer and product (USD per year)"
                ),
                lang,
            ),
            {
                "data": [
                    {
                        "type": "bar",
                        "name": tr(name, lang),
                        "x": [f"{p['importer']} {p['product']}" for p in result["by_product"][:20]],
                        "y": [p[key] for p in result["by_product"][:20]],
                    }
                    for name, key in (
                        (N_("substitutable"), "substitutable_usd"),
                        (N_("shortfall"), "shortfall_usd"),
                    )
                ],
                "layout": {"barmode": "stack"},
            },
            data_source,
            method,
        ),
    ]
    if "dynamic" in result:
        dyn = result["dynamic"]
        unit = "USD" if dyn["model"] == "sector" else tr(N_("network unit"), lang)
        figures.append(
            Figure(
                tr(N_("Output and value added lost per day, with inventories"), lang),
                {
                    "data": [
                        {
                            "type": "scatter",
                            "mode": "lines",
                            "name": tr(name, lang),
                            "x": [t["day"] for t in result["timeline"]],
                            "y": [t[key] for t in result["timeline"]],
                        }
                        for name, key in (
                            (N_("output"), "output_loss_usd"),
                            (N_("value added"), "value_added_loss_usd"),
                        )
                    ],
                    "layout": {"xaxis": {"title": tr(N_("day"), lang)}, "yaxis": {"title": unit}},
                },
                f"{data_source} · {dyn['table']}",
                f"econsec dynamic {dyn['model']} model 1 (ARIO-type)",
            )
        )
    if frontier:
        figures.append(
            Figure(
                f"Cost–risk frontier of sourcing plans for {frontier[0].get('for', '')}",
                {
                    "data": [
                        {
                            "type": "scatter",
                            "mode": "lines+markers",
                            "x": [p["hhi"] for p in frontier],
                            "y": [p["cost"] for p in frontier],
                            "text": [f"λ = {p['lambda']}" for p in frontier],
                        }
                    ],
                    "layout": {"xaxis": {"title": "HHI of the plan"}, "yaxis": {"title": "cost"}},
                },
                data_source,
                "econsec mitigation 1 (HiGHS QP)",
            )
        )
    tables: list[tuple[str, list[dict[str, Any]]]] = [
        (tr(N_("Products"), lang), result["by_product"][:50])
    ]
    if "sectors" in result:
        sec = result["sectors"]
        tables.append(
            (
                f"Most affected sectors ({sec['table']}, output loss in {sec['unit']}; "
                "demand side: the acting country's cost)",
                sec["by_country_sector"],
            )
        )
    if "dynamic" in result:
        tables.append((tr(N_("The day each sector first lacks an input"), lang),
                       result["dynamic"]["first_short_day"]))  # fmt: skip
    if "firms" in result:
        tables.append((tr(N_("Most affected firms"), lang), result["firms"]["most_affected"]))
    summary = (
        f"Scenario {result['scenario']} on {result['base_year']} trade: "
        f"{result['trade_at_risk_usd']:,.0f} USD a year at risk, "
        f"{result['substitutable_usd']:,.0f} substitutable, {result['shortfall_usd']:,.0f} short.",
        *result.get("notes", []),
        *([note] if note else []),
    )
    return Report(
        f"Scenario: {result['scenario']}",
        summary,
        tuple(figures),
        tuple(tables),
        {"data": data_source, "method": method},
        lang,
    )
