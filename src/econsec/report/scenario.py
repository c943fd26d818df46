"""The scenario report: loss timeline, most affected products and firms, cost–risk frontier."""

from __future__ import annotations

from typing import Any

from econsec.report.html import Figure, Report

__all__ = ["scenario_report"]


def scenario_report(
    result: dict[str, Any],
    frontier: list[dict[str, Any]] | None = None,
    data_source: str = "",
    note: str = "",
) -> Report:
    """A report from ``ScenarioResult.as_dict()`` and, optionally, a mitigation frontier (and a
    note on it, e.g. why there is none)."""
    method = result["method"]
    figures = [
        Figure(
            "Unmet demand per month after stocks (USD)",
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
            "Trade at risk, substitutable and short, by importer and product (USD per year)",
            {
                "data": [
                    {
                        "type": "bar",
                        "name": name,
                        "x": [f"{p['importer']} {p['product']}" for p in result["by_product"][:20]],
                        "y": [p[key] for p in result["by_product"][:20]],
                    }
                    for name, key in (
                        ("substitutable", "substitutable_usd"),
                        ("shortfall", "shortfall_usd"),
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
        dyn_method = f"econsec dynamic sector model 1 (ARIO-type, {dyn['table']})"
        figures.append(
            Figure(
                "Output and value added lost per day, with inventories (USD)",
                {
                    "data": [
                        {
                            "type": "scatter",
                            "mode": "lines",
                            "name": name,
                            "x": [t["day"] for t in result["timeline"]],
                            "y": [t[key] for t in result["timeline"]],
                        }
                        for name, key in (
                            ("output", "output_loss_usd"),
                            ("value added", "value_added_loss_usd"),
                        )
                    ],
                    "layout": {"xaxis": {"title": "day"}, "yaxis": {"title": "USD"}},
                },
                data_source,
                dyn_method,
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
    tables: list[tuple[str, list[dict[str, Any]]]] = [("Products", result["by_product"][:50])]
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
        tables.append(("The day each industry first falls short (dynamic sector model)",
                       result["dynamic"]["first_short_day"]))  # fmt: skip
    if "firms" in result:
        tables.append(("Most affected firms", result["firms"]["most_affected"]))
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
    )
