"""``econsec scenario`` (coercion scenarios) and ``econsec mitigate`` (sourcing plans)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer

from econsec.cli.app import (
    WorkspaceOption,
    app,
    emit,
    language,
    pad,
    usage,
    working,
    workspace,
)

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
    mrio_dir: Annotated[
        Path | None, typer.Option(help="Input-output table (WIOD 2013 folder, or see --mrio-kind).")
    ] = None,
    mrio_kind: Annotated[
        str, typer.Option(help="wiod, oecd (ICIO) or exiobase3 (through pymrio).")
    ] = "wiod",
    mrio_year: Annotated[int, typer.Option(help="Year of the input-output table.")] = 2011,
    concordance: Annotated[
        Path | None,
        typer.Option(
            help="HS6 -> ISIC Rev.3 CSV (HS6_6d, ISIC3_2d) for WIOD, or HS -> ISIC Rev.4 "
            "(HS_6d, ISIC4_4d, ISIC4_2d) for OECD ICIO."
        ),
    ] = None,
    dynamic: Annotated[
        str | None,
        typer.Option(help="Dynamic model with inventories: sector (on --mrio-dir) or firm."),
    ] = None,
    days: Annotated[
        int, typer.Option(help="Days the dynamic model simulates.", min=1, max=3650)
    ] = 365,
    loss_limit: Annotated[
        float | None,
        typer.Option(
            help="With --dynamic: the fewest stockpile days keeping the targets' "
            "output loss under this share (0.01 = 1 %)."
        ),
    ] = None,
    draws: Annotated[
        int,
        typer.Option(
            help="With --dynamic: Monte Carlo draws of the uncertain parameters.", min=0, max=10000
        ),
    ] = 0,
    spark: Annotated[bool, typer.Option("--spark", help="Fan the draws out over Spark.")] = False,
    spark_master: Annotated[
        str | None, typer.Option(help="Spark master URL for --spark (default: local mode).")
    ] = None,
) -> None:
    """Run a scenario file on the workspace's trade data (and a firm network and an
    input-output table, if given)."""
    from econsec.app.scenarios import frontier_of_most_exposed, run_in_workspace
    from econsec.scenarios import load_scenario
    from econsec.scenarios.run import DynamicRequest

    if (network_firms is None) != (network_links is None):
        usage("give both --network-firms and --network-links, or neither")
    if (mrio_dir is None) != (concordance is None):
        usage("give both --mrio-dir and --concordance, or neither")
    if dynamic not in (None, "sector", "firm"):
        usage("--dynamic takes sector or firm")
    if dynamic == "sector" and mrio_dir is None:
        usage("--dynamic sector needs --mrio-dir and --concordance")
    if dynamic == "firm" and network_firms is None:
        usage("--dynamic firm needs --network-firms and --network-links")
    scenario = load_scenario(file)
    session = None
    if spark and draws:
        from econsec.storage.engines import spark_engine

        session = spark_engine(None, master=spark_master).spark
    network = None
    if network_firms is not None and network_links is not None:
        from econsec.network import read_network

        network = read_network(network_firms, network_links)
    mrio = hs = None
    if mrio_dir is not None and concordance is not None:
        from econsec.scenarios.sectors import hs_sectors
        from econsec.sectors.mrio import read_mrio

        mrio = read_mrio(mrio_dir, mrio_year, mrio_kind)
        hs = hs_sectors(mrio, concordance)
    with working(f"running {scenario.name}"):
        run = run_in_workspace(workspace(workspace_dir), scenario, source=source,
                               network=network, mrio=mrio, concordance=hs,
                               dynamic=DynamicRequest(dynamic, days, None, loss_limit, draws,
                                                      session) if dynamic else None)  # fmt: skip
    data = run.result.as_dict()
    if report is not None:
        from econsec.report.html import render
        from econsec.report.scenario import scenario_report

        plans, why = frontier_of_most_exposed(run.engine, scenario.base_year, data["by_product"])
        page = scenario_report(
            data, plans, data_source=data["data_source"], note=why, lang=language()
        )
        report.write_text(render(page), "utf-8")
    from econsec.i18n import tr
    from econsec.reference.names import label, with_names

    lang = language()
    data["by_product"] = [with_names(p, {"importer": "country", "product": "product"}, lang)
                          for p in data["by_product"]]  # fmt: skip
    if "sectors" in data:
        data["sectors"]["by_country_sector"] = [
            with_names(r, {"country": "country", "sector": "sector"}, lang)
            for r in data["sectors"]["by_country_sector"]]  # fmt: skip
    text = [
        tr("{name} ({year}): {risk:,.0f} USD/year at risk, {sub:,.0f} substitutable, "
           "{short:,.0f} short", lang, name=scenario.name, year=scenario.base_year,
           risk=data["trade_at_risk_usd"], sub=data["substitutable_usd"],
           short=data["shortfall_usd"]),
        pad(tr("importer", lang), 16) + pad(tr("product", lang), 40)
        + pad(tr("at risk", lang), 15, True) + pad(tr("short", lang), 15, True)
        + pad(tr("days to shortage", lang), 22, True),
    ]  # fmt: skip
    for p in data["by_product"][:20]:
        until = (tr("beyond the measure", lang) if p["lasts_beyond_measure"]
                 else f"{p['days_to_shortage']:.0f}")  # fmt: skip
        text.append(
            pad(label("country", p["importer"], lang, width=11), 16)
            + pad(label("product", p["product"], lang, width=30), 40)
            + f"{p['trade_at_risk_usd']:>15,.0f}{p['shortfall_usd']:>15,.0f}"
            + pad(until, 22, True)
        )
    if "firms" in data:
        text.append(tr("firm network output lost: {share:.2%}", lang,
                       share=data["firms"]["output_loss_share"]))  # fmt: skip
    if "sectors" in data:
        sec = data["sectors"]
        where = ", ".join(f"{r['country']} {r['sector']} {r['sector_name']}"
                          for r in sec["by_country_sector"][:5])  # fmt: skip
        text.append(tr("sector output lost: {loss:,.1f} {unit}; most in {where}", lang,
                       loss=sec["total_output_loss"], unit=sec["unit"], where=where))  # fmt: skip
    if "dynamic" in data:
        dyn = data["dynamic"]
        text.append(tr("dynamic model over {days} days: output lost {out:,.0f} USD, value added "
                       "lost {va:,.0f} USD", lang, days=dyn["days"], out=dyn["output_loss_usd"],
                       va=dyn["value_added_loss_usd"]))  # fmt: skip
        for r in dyn["first_short_day"][:10]:
            text.append("  " + tr("day {day}: {country} {sector} falls short", lang, day=r["day"],
                                  country=label("country", r["country"], lang),
                                  sector=label("sector", r["sector"], lang)))  # fmt: skip
        spread = dyn["uncertainty"]
        if spread is not None:
            text.append(tr("over {n} draws of the uncertain parameters: output lost {p5:,.0f} to "
                           "{p95:,.0f} (median {p50:,.0f})", lang, n=spread["draws"],
                           **spread["output_loss_usd"]))  # fmt: skip
        sens = dyn["stockpile_sensitivity"]
        if sens is not None:
            text.append(
                tr("stockpile days keeping the loss under {limit:.1%}: {days}", lang,
                   limit=sens["loss_limit"], days=sens["stockpile_days_needed"])
                if sens["stockpile_days_needed"] is not None
                else tr("no stockpile up to {most:.0f} days keeps the loss under {limit:.1%}",
                        lang, most=sens["searched_up_to_days"], limit=sens["loss_limit"])
            )  # fmt: skip
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
    from econsec.i18n import tr
    from econsec.reference.names import country_name, label, product_name
    from econsec.scenarios.mitigation import rounded_shares

    with working("solving the sourcing plans"):
        plan = plan_mitigation(workspace(workspace_dir), MitigationRequest(
            importer, product, cap, year, risk, disruption_days, probability, min_share,
            max_suppliers, tuple(exclude) if exclude is not None else None))  # fmt: skip
    lang = language()
    shares = plan.recommended["shares"]
    assert isinstance(shares, dict)
    data = dataclasses.asdict(plan) | {
        "importer_name": country_name(plan.importer, lang),
        "product_name": product_name(plan.product, lang),
        "supplier_names": {s: country_name(s, lang) for s in sorted({*plan.current, *shares})},
    }
    now = rounded_shares(plan.current, 0.001)
    new = rounded_shares(shares, 0.001)
    text = [f"{label('country', plan.importer, lang)}, {label('product', plan.product, lang)} "
            f"({plan.base_year})", "",
            pad(tr("supplier", lang), 24) + pad(tr("now", lang), 8, True)
            + pad(tr("plan", lang), 8, True)]  # fmt: skip
    for s in sorted(set(now) | set(new), key=lambda s: (-new.get(s, 0), -now.get(s, 0), s)):
        if s in new or now[s] >= 0.01:
            text.append(pad(label("country", s, lang, width=18), 24)
                        + f"{now.get(s, 0):>8.1%}{new.get(s, 0):>8.1%}")  # fmt: skip
    rest = sum(v for s, v in now.items() if s not in new and v < 0.01)
    if rest:
        text.append(pad(tr("others", lang), 24) + f"{rest:>8.1%}{0:>8.1%}")
    text.append(pad(tr("total", lang), 24) + f"{sum(now.values()):>8.1%}{sum(new.values()):>8.1%}")
    text.append("")
    if plan.excluded:
        text.append(tr("excluded ({groups}): {countries}", lang,
                       groups=", ".join(plan.excluded_groups),
                       countries=", ".join(label("country", c, lang) for c in plan.excluded)))  # fmt: skip
    text.append(tr("at most {n} suppliers, each at least {least:.0%}; no country above {cap:.0%}",
                   lang, n=plan.max_suppliers, least=plan.min_share, cap=plan.cap))  # fmt: skip
    text.append(tr("HHI {hhi:.3f} (now {now:.3f}), stockpile {days:.0f} days", lang,
                   hhi=plan.hhi, now=plan.current_hhi, days=plan.stockpile_days))  # fmt: skip
    emit(data, format, text)
