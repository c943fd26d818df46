"""``econsec scenario`` (coercion scenarios) and ``econsec mitigate`` (sourcing plans)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

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
    from econsec.app.scenarios import frontier_of_most_exposed, run_in_workspace
    from econsec.scenarios import load_scenario

    if (network_firms is None) != (network_links is None):
        usage("give both --network-firms and --network-links, or neither")
    if (mrio_dir is None) != (concordance is None):
        usage("give both --mrio-dir and --concordance, or neither")
    scenario = load_scenario(file)
    network = None
    if network_firms is not None and network_links is not None:
        from econsec.network import read_network

        network = read_network(network_firms, network_links)
    mrio = hs_isic3 = None
    if mrio_dir is not None and concordance is not None:
        from econsec.scenarios.sectors import read_hs_isic3
        from econsec.sectors.mrio import read_wiod

        mrio, hs_isic3 = read_wiod(mrio_dir, mrio_year), read_hs_isic3(concordance)
    run = run_in_workspace(workspace(workspace_dir), scenario, source=source, network=network,
                           mrio=mrio, hs_isic3=hs_isic3)  # fmt: skip
    data = run.result.as_dict()
    if report is not None:
        from econsec.report.html import render
        from econsec.report.scenario import scenario_report

        plans, why = frontier_of_most_exposed(run.engine, scenario.base_year, data["by_product"])
        page = scenario_report(data, plans, data_source=data["data_source"], note=why)
        report.write_text(render(page), "utf-8")
    text = [
        f"{scenario.name} ({scenario.base_year}): {data['trade_at_risk_usd']:,.0f} USD/year at "
        f"risk, {data['substitutable_usd']:,.0f} substitutable, {data['shortfall_usd']:,.0f} short",
        f"{'importer':<9}{'product':<8}{'at risk':>15}{'short':>15}{'days to shortage':>20}",
    ]
    for p in data["by_product"][:20]:
        days = "beyond the measure" if p["lasts_beyond_measure"] else f"{p['days_to_shortage']:.0f}"
        text.append(
            f"{p['importer']:<9}{p['product']:<8}{p['trade_at_risk_usd']:>15,.0f}"
            f"{p['shortfall_usd']:>15,.0f}{days:>20}"
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


@app.command("mitigate")
def mitigate(
    importer: Annotated[str, typer.Option(help="Importing country (ISO3).")],
    product: Annotated[str, typer.Option(help="HS6 product.")],
    cap: Annotated[float, typer.Option(help="Largest share of one country.")] = 0.65,
    year: Annotated[int | None, typer.Option(help="Base year (default: latest).")] = None,
    risk: Annotated[str, typer.Option(help="hhi or expected_shortfall.")] = "hhi",
    disruption_days: Annotated[float, typer.Option(help="Mean disruption length.")] = 90.0,
    probability: Annotated[float, typer.Option(help="Chance the stock must cover.")] = 0.9,
    min_share: Annotated[
        float, typer.Option(help="Least share of a chosen supplier (0.02 = 2 %).")
    ] = 0.02,
    max_suppliers: Annotated[int, typer.Option(help="Most suppliers in the plan.")] = 8,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            help="Country group the plan may not use (repeatable; 'none' for none). "
            "Default for JPN: concern."
        ),
    ] = None,
    workspace_dir: WorkspaceOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Plan sourcing shares for a product: the cost–risk frontier and a recommended plan."""
    from econsec.app.scenarios import MitigationRequest, plan_mitigation
    from econsec.scenarios.mitigation import rounded_shares

    plan = plan_mitigation(workspace(workspace_dir), MitigationRequest(
        importer, product, cap, year, risk, disruption_days, probability, min_share,
        max_suppliers, tuple(exclude) if exclude is not None else None))  # fmt: skip
    data = dataclasses.asdict(plan)
    code, hs6, base = plan.importer, plan.product, plan.base_year
    shares = plan.recommended["shares"]
    assert isinstance(shares, dict)
    text = [f"{code} {hs6} ({base})", "", f"{'supplier':<10}{'now':>8}{'plan':>8}"]
    now = rounded_shares(plan.current, 0.001)
    new = rounded_shares(shares, 0.001)
    for s in sorted(set(now) | set(new), key=lambda s: (-new.get(s, 0), -now.get(s, 0), s)):
        if s in new or now[s] >= 0.01:
            text.append(f"{s:<10}{now.get(s, 0):>8.1%}{new.get(s, 0):>8.1%}")
    rest = sum(v for s, v in now.items() if s not in new and v < 0.01)
    if rest:
        text.append(f"{'others':<10}{rest:>8.1%}{0:>8.1%}")
    text.append(f"{'total':<10}{sum(now.values()):>8.1%}{sum(new.values()):>8.1%}")
    text.append("")
    if plan.excluded:
        text.append(f"excluded ({', '.join(plan.excluded_groups)}): {', '.join(plan.excluded)}")
    text.append(f"at most {plan.max_suppliers} suppliers, each at least {plan.min_share:.0%}; "
                f"no country above {plan.cap:.0%}")  # fmt: skip
    text.append(f"HHI {plan.hhi:.3f} (now {plan.current_hhi:.3f}), "
                f"stockpile {plan.stockpile_days:.0f} days")  # fmt: skip
    emit(data, format, text)
