"""The demo job: build the synthetic world in a workspace once, then run the main analyses on it
and write an HTML report.

Everything shown is labelled synthetic; the numbers are not real trade.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

from econsec.analysis import Importer, Screen, preset, run_screen
from econsec.errors import Infeasible
from econsec.reference.countries import load_groups
from econsec.storage.engines import duckdb_engine
from econsec.storage.workspace import Workspace, import_flows, imports
from econsec.synthetic.world import SYNTHETIC_LABEL, generate_world, write_world
from econsec.trade.mapped import parse_mapping, read_table

__all__ = ["DEMO_SCENARIO", "DEMO_SOURCE", "ensure_demo_world", "run_demo"]

DEMO_SOURCE = "demo"
DEMO_SCENARIO = Path(str(files("econsec.scenarios").joinpath("demo.yaml")))
DEMO_MAPPING = {
    "source": DEMO_SOURCE,
    "hs_revision": "HS2022",
    "columns": {
        "year": "year",
        "exporter": "exporter",
        "importer": "importer",
        "product": "product",
        "value": "value_usd",
        "quantity": "quantity_kg",
    },
}


def ensure_demo_world(ws: Workspace, echo: Callable[[str], None]) -> None:
    """Generate and import the demo world unless the workspace already has it."""
    if any(i.source == DEMO_SOURCE for i in imports(ws)):
        return
    echo(f"building the {SYNTHETIC_LABEL} in {ws.root} ...")
    paths = write_world(generate_world(), ws.path("demo"))
    result = import_flows(ws, read_table(paths["flows"], parse_mapping(DEMO_MAPPING)))
    echo(
        f"  {result.rows_stored:,} synthetic flows for {', '.join(map(str, result.years))}; "
        f"firm network in {paths['firms'].name} and {paths['links'].name}"
    )


def run_demo(ws: Workspace, output: Path | None, echo: Callable[[str], None]) -> str:
    """Run the demo; returns the summary text. The report goes to ``output``."""
    from econsec.report.dependency import dependency_report
    from econsec.report.html import render

    ensure_demo_world(ws, echo)
    groups = load_groups()
    con = duckdb_engine(ws, sources=(DEMO_SOURCE,))
    screen = Screen(
        importers=(Importer("JPN", frozenset({"JPN"})),),
        year=2024,
        preset=preset("geodep"),
        concern=groups["concern"].members,
        like_minded=groups["like_minded"].members,
    )
    rows = run_screen(con, screen).to_pylist()
    flagged = sorted((r for r in rows if r["flagged"]), key=lambda r: -r["imports_usd"])
    lines = [
        f"Dependency screen for Japan, 2024 ({screen.preset.title}) on the {SYNTHETIC_LABEL}:",
        f"  {len(rows)} products imported, {len(flagged)} flagged as dependencies",
        f"  {'product':<8} {'imports USD':>15} {'suppliers':>9} {'HHI':>6}  top supplier",
    ]
    for r in flagged[:10]:
        lines.append(
            f"  {r['product']:<8} {r['imports_usd']:>15,.0f} {r['n_suppliers']:>9} "
            f"{r['hhi']:>6.3f}  {r['top_supplier']} ({r['top_share']:.0%})"
        )
    lines += _network_summary(ws)
    lines += _sector_summary()
    lines += _scenario_summary(ws, con)
    report = dependency_report(con, screen, data_source=SYNTHETIC_LABEL, compare_years=(2022, 2023))
    target = output or ws.path("reports", "demo.html")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(report), "utf-8")
    lines.append(f"report written to {target}")
    return "\n".join(lines)


def _scenario_summary(ws: Workspace, con: Any) -> list[str]:
    """One coercion scenario with the firm layer, and one mitigation plan."""
    from econsec.network import read_network
    from econsec.scenarios import load_scenario, run_scenario
    from econsec.scenarios.mitigation import frontier, recommend, rounded_shares, sourcing_problem

    scenario = load_scenario(DEMO_SCENARIO)
    network = read_network(ws.path("demo", "firms.csv"), ws.path("demo", "links.csv"))
    data = run_scenario(con, scenario, network, SYNTHETIC_LABEL).as_dict()
    lines = [
        f"Scenario: {scenario.name}",
        f"  {data['trade_at_risk_usd']:,.0f} USD a year at risk, "
        f"{data['substitutable_usd']:,.0f} substitutable, {data['shortfall_usd']:,.0f} short; "
        f"firm network output lost {data['firms']['output_loss_share']:.1%}",
    ]
    for p in data["by_product"][:3]:
        days = (
            "beyond the measure"
            if p["lasts_beyond_measure"]
            else f"{p['days_to_shortage']:.0f} days"
        )
        lines.append(
            f"  {p['importer']} {p['product']}: short {p['shortfall_usd']:,.0f}, stock lasts {days}"
        )
    groups = load_groups()
    problem = sourcing_problem(con, "JPN", "850519", 2024,
                               like_minded=groups["like_minded"].members)  # fmt: skip
    rules = "at most 8 suppliers, each at least 2 %, none above 65 %"
    try:  # as `econsec mitigate` plans for Japan: without the concern group
        best = recommend(frontier(dataclasses.replace(problem, excluded=groups["concern"].members)))
        rules += ", none from the concern group"
    except Infeasible as exc:
        lines.append(f"Mitigation for JPN 850519 without the concern group: {str(exc)[:80]}...; "
                     "with it:")  # fmt: skip
        best = recommend(frontier(problem))
    shares = rounded_shares(best.shares, 0.01)
    lines.append(
        f"Mitigation for JPN 850519 (permanent magnets; {rules}): "
        + ", ".join(f"{s} {v:.0%}" for s, v in shares.items())
        + f" (HHI {best.hhi:.2f}, now {sum(v * v for v in problem.current.values()):.2f})"
    )  # fmt: skip
    return lines


def _network_summary(ws: Workspace) -> list[str]:
    from econsec.network import esri, read_network

    net = read_network(ws.path("demo", "firms.csv"), ws.path("demo", "links.csv"))
    scores = esri(net, tol=1e-7)
    top = sorted(range(net.n_firms), key=lambda i: (-scores[i], net.firm_ids[i]))[:10]
    lines = [
        f"Ten riskiest firms of the synthetic network ({net.n_firms} firms, {net.n_links} links), "
        "by ESRI (share of network output lost if the firm fails; Diem et al. 2022):"
    ]
    lines += [
        f"  {net.firm_ids[i]:<8} {net.countries[i]}  {net.sectors[i]:<4} {scores[i]:.3f}"
        for i in top
    ]
    return lines


def _sector_summary() -> list[str]:
    import numpy as np
    import scipy.sparse as sp

    from econsec.sectors import MRIO, extract, leontief_output
    from econsec.synthetic.world import generate_mrio

    countries, sectors, A, y = generate_mrio()
    x = leontief_output(sp.csr_matrix(A), y)
    mrio = MRIO(
        countries,
        sectors,
        sp.csr_matrix(A * x[None, :]),
        y,
        x,
        "USD thousand",
        SYNTHETIC_LABEL + ", input-output table",
    )
    result = extract(mrio, "CHN", "JPN")
    japan = np.array(countries) == "JPN"
    china = np.array(countries) == "CHN"
    return [
        f"Sector level ({mrio.source}): {result.description} lowers the output the world "
        f"needs by {result.total_loss / result.x.sum():.3%} (China's by "
        f"{result.loss[china].sum() / result.x[china].sum():.2%}, Japan's by "
        f"{result.loss[japan].sum() / result.x[japan].sum():.3%}); hypothetical extraction, "
        "Miller & Blair (2009) §15.6."
    ]
