"""``econsec scenario`` (coercion scenarios) and ``econsec mitigate`` (sourcing plans)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from econsec.cli.app import WorkspaceOption, app, emit, usage, workspace

scenario_app = typer.Typer(help="Simulate coercion scenarios.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")


@scenario_app.command("schema")
def scenario_schema() -> None:
    """Print the JSON Schema of scenario files."""
    from econsec.scenarios.model import schema

    typer.echo(json.dumps(schema(), indent=1))


@scenario_app.command("run")
def scenario_run(
    file: Path,
    workspace_dir: WorkspaceOption = None,
    network_firms: Annotated[Path | None, typer.Option(help="firms.csv of a network.")] = None,
    network_links: Annotated[Path | None, typer.Option(help="links.csv of a network.")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    report: Annotated[Path | None, typer.Option(help="Write an HTML report here.")] = None,
    source: Annotated[str | None, typer.Option(help="Data source in the workspace.")] = None,
    mrio_dir: Annotated[Path | None, typer.Option(help="WIOD 2013 folder: sector layer.")] = None,
    mrio_year: Annotated[int, typer.Option(help="Year of the input-output table.")] = 2011,
    concordance: Annotated[
        Path | None, typer.Option(help="HS6 -> ISIC Rev.3 CSV (HS6_6d, ISIC3_2d), for --mrio-dir.")
    ] = None,
) -> None:
    """Run a scenario file on the workspace's trade data (and a firm network and an
    input-output table, if given)."""
    from econsec.scenarios import load_scenario, run_scenario
    from econsec.storage.engines import duckdb_engine
    from econsec.storage.workspace import choose_source

    if (network_firms is None) != (network_links is None):
        usage("give both --network-firms and --network-links, or neither")
    if (mrio_dir is None) != (concordance is None):
        usage("give both --mrio-dir and --concordance, or neither")
    scenario = load_scenario(file)
    ws = workspace(workspace_dir)
    src = choose_source(ws, scenario.base_year, source)
    network = None
    if network_firms is not None and network_links is not None:
        from econsec.network import read_network

        network = read_network(network_firms, network_links)
    mrio = hs_isic3 = None
    if mrio_dir is not None and concordance is not None:
        from econsec.scenarios.sectors import read_hs_isic3
        from econsec.sectors.mrio import read_wiod

        mrio, hs_isic3 = read_wiod(mrio_dir, mrio_year), read_hs_isic3(concordance)
    engine = duckdb_engine(ws, sources=(src,))
    result = run_scenario(
        engine, scenario, network, f"{src} (workspace)", mrio=mrio, hs_isic3=hs_isic3
    )
    data = result.as_dict()
    if report is not None:
        from econsec.report.html import render
        from econsec.report.scenario import scenario_report

        plans, why = _frontier_of_most_exposed(engine, scenario.base_year, data)
        page = scenario_report(data, plans, data_source=data["data_source"], note=why)
        report.write_text(render(page), "utf-8")
    text = [
        f"{scenario.name} ({scenario.base_year}): {data['trade_at_risk_usd']:,.0f} USD/year at "
        f"risk, {data['substitutable_usd']:,.0f} substitutable, {data['shortfall_usd']:,.0f} short",
        f"{'importer':<9}{'product':<8}{'at risk':>15}{'short':>15}{'days to shortage':>18}",
    ]
    for p in data["by_product"][:20]:
        days = "never" if p["days_to_shortage"] is None else f"{p['days_to_shortage']:.0f}"
        text.append(
            f"{p['importer']:<9}{p['product']:<8}{p['trade_at_risk_usd']:>15,.0f}"
            f"{p['shortfall_usd']:>15,.0f}{days:>18}"
        )
    if "firms" in data:
        text.append(f"firm network output lost: {data['firms']['output_loss_share']:.2%}")
    if "sectors" in data:
        sec = data["sectors"]
        where = ", ".join(f"{r['country']} {r['sector']}" for r in sec["by_country_sector"][:5])
        text.append(
            f"sector output lost: {sec['total_output_loss']:,.1f} {sec['unit']}; most in {where}"
        )
    emit(data, format, text)


def _frontier_of_most_exposed(
    engine: Any, year: int, data: dict[str, Any]
) -> tuple[list[Any], str]:
    """The cost–risk frontier of the importer and product with the largest shortfall, or why
    there is none."""
    from econsec.errors import Infeasible, InsufficientData
    from econsec.reference.countries import group_members
    from econsec.scenarios.mitigation import describe, frontier, sourcing_problem

    short = [p for p in data["by_product"] if p["shortfall_usd"] > 0]
    if not short:
        return [], "No shortfall: no mitigation plan needed."
    top = short[0]
    what = f"{top['importer']} {top['product']}"
    try:
        problem = sourcing_problem(
            engine, top["importer"], top["product"], year,
            like_minded=group_members("like_minded"),
        )  # fmt: skip
        plans = [describe(p) | {"for": what} for p in frontier(problem)]
        return plans, f"Sourcing plans for {what}, the largest shortfall."
    except (Infeasible, InsufficientData) as exc:
        return [], f"No sourcing plan for {what}: {exc}"


@app.command("mitigate")
def mitigate(
    importer: Annotated[str, typer.Option(help="Importing country (ISO3).")],
    product: Annotated[str, typer.Option(help="HS6 product.")],
    cap: Annotated[float, typer.Option(help="Largest share of one country.")] = 0.65,
    year: Annotated[int | None, typer.Option(help="Base year (default: latest).")] = None,
    risk: Annotated[str, typer.Option(help="hhi or expected_shortfall.")] = "hhi",
    disruption_days: Annotated[float, typer.Option(help="Mean disruption length.")] = 90.0,
    probability: Annotated[float, typer.Option(help="Chance the stock must cover.")] = 0.9,
    workspace_dir: WorkspaceOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Plan sourcing shares for a product: the cost–risk frontier and a recommended plan."""
    from econsec.reference.countries import group_members, to_alpha3
    from econsec.reference.hs import normalise_hs6
    from econsec.scenarios.mitigation import (
        describe,
        frontier,
        recommend,
        sourcing_problem,
        stockpile_days,
    )
    from econsec.storage.engines import duckdb_engine
    from econsec.storage.workspace import choose_source

    if risk not in ("hhi", "expected_shortfall"):
        usage(f"unknown --risk {risk!r} (expected hhi or expected_shortfall)")
    if not 0 < cap <= 1:
        usage("--cap must be in (0, 1]")
    code, hs6 = to_alpha3(importer), normalise_hs6(product)
    ws = workspace(workspace_dir)
    src = choose_source(ws, year, None)
    engine = duckdb_engine(ws, sources=(src,))
    base = year or max(engine.years or {0})
    concern = group_members("concern")
    problem = sourcing_problem(
        engine, code, hs6, base, cap=cap, like_minded=group_members("like_minded"),
        risk=risk, disruption={c: 0.2 for c in concern},
    )  # fmt: skip
    plans = frontier(problem)
    best = recommend(plans)
    largest = max(best.shares.values())
    stock = stockpile_days(disruption_days, probability, largest)
    data = {
        "importer": code,
        "product": hs6,
        "base_year": base,
        "data_source": src,
        "cap": cap,
        "current": {
            s: round(v, 4) for s, v in sorted(problem.current.items(), key=lambda t: -t[1])
        },
        "frontier": [describe(p) for p in plans],
        "recommended": describe(best),
        "stockpile_days": round(stock, 1),
        "stockpile_assumption": (
            f"the largest supplier ({largest:.0%}) stops for an exponential time with mean "
            f"{disruption_days:g} days; covered with probability {probability:g}"
        ),
        "method": "econsec mitigation 1 (HiGHS; recommended: cheapest plan within 10 % of the "
        "least risk)",
    }
    current = sorted(problem.current.items(), key=lambda t: -t[1])[:5]
    text = [f"{code} {hs6} ({base}): current " + ", ".join(f"{s} {v:.0%}" for s, v in current)]
    text.append(
        "recommended: " + ", ".join(f"{s} {v:.0%}" for s, v in best.shares.items() if v > 0.005)
    )
    text.append(f"HHI {best.hhi:.3f} (now {sum(v * v for v in problem.current.values()):.3f}), "
                f"stockpile {stock:.0f} days")  # fmt: skip
    emit(data, format, text)
