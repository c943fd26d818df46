"""``econsec network`` (firm networks) and ``econsec sectors`` (input-output tables)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from econsec.cli.app import app, emit
from econsec.errors import InputError

network_app = typer.Typer(
    help="Firm-level supply networks: exposure, chokepoints, cascades.", no_args_is_help=True
)
sectors_app = typer.Typer(
    help="Sector-level input-output models (MRIO tables).", no_args_is_help=True
)
app.add_typer(network_app, name="network")
app.add_typer(sectors_app, name="sectors")

FirmsOption = Annotated[
    Path, typer.Option("--firms", help="firms.csv (firm_id,name,country,sector,output).")
]
LinksOption = Annotated[
    Path, typer.Option("--links", help="links.csv (supplier_id,buyer_id,product,value,essential).")
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table or json.")]


@network_app.command("inspect")
def network_inspect(firms: FirmsOption, links: LinksOption, format: FormatOption = "table") -> None:
    """Size, countries, sectors and the most shared hidden suppliers of a network."""
    import numpy as np

    from econsec.network import articulation_points, read_network, shared_suppliers

    net = read_network(firms, links)
    countries: dict[str, int] = {}
    for c in net.countries:
        countries[c] = countries.get(c, 0) + 1
    shared = shared_suppliers(net)[:10]
    cut = articulation_points(net)
    data = {
        "firms": net.n_firms,
        "links": net.n_links,
        "countries": countries,
        "sectors": sorted(set(net.sectors)),
        "essential_share": float(np.mean(net.essential)) if net.n_links else 0.0,
        "total_link_value": float(net.value.sum()),
        "articulation_points": list(cut),
        "shared_hidden_suppliers": shared,
    }
    text = [
        f"{net.n_firms:,} firms, {net.n_links:,} links ({data['essential_share']:.0%} essential), "
        f"{len(countries)} countries, source {net.source}",
        "suppliers most firms depend on without a direct link (firm, country, firms, hidden):",
    ]
    text += [f"  {r['firm_id']}  {r['country']}  {r['n_firms']}  {r['n_hidden']}" for r in shared]
    emit(data, format, text)


@network_app.command("exposure")
def network_exposure(
    firms: FirmsOption,
    links: LinksOption,
    firm: Annotated[str, typer.Option(help="The firm's id.")],
    paths: Annotated[int, typer.Option(help="Supply paths per country.")] = 3,
    format: FormatOption = "table",
) -> None:
    """A firm's dependence on each country through every tier, and the paths behind it."""
    from econsec.network import exposure, read_network

    found = exposure(read_network(firms, links), firm, paths=paths)
    data = [
        {
            "country": e.country,
            "tier1_share": e.tier1,
            "any_tier_share": e.any_tier,
            "hidden_share": e.hidden,
            "paths": [{"firms": list(p.firms), "weight": p.weight} for p in e.paths],
        }
        for e in found
    ]
    text = [f"{'country':<8} {'tier 1':>7} {'any tier':>9} {'hidden':>7}  main path"]
    text += [
        f"{e.country:<8} {e.tier1:>7.1%} {e.any_tier:>9.1%} {e.hidden:>7.1%}  "
        f"{' <- '.join((firm, *e.paths[0].firms)) if e.paths else ''}"
        for e in found
    ]
    emit(data, format, text)


@network_app.command("esri")
def network_esri(
    firms: FirmsOption,
    links: LinksOption,
    top: Annotated[int | None, typer.Option(help="Only the N riskiest firms.")] = None,
    tol: Annotated[
        float, typer.Option(help="Largest error allowed in each ESRI (certified, see docs).")
    ] = 1e-6,
    format: FormatOption = "table",
) -> None:
    """The economic systemic risk index of every firm (share of output lost when it fails)."""
    from rich.progress import Progress

    from econsec.network import read_network
    from econsec.network.systemic import scan_esri

    if not 0 < tol < 1:
        raise InputError(f"--tol {tol}", expected="a number between 0 and 1, e.g. 1e-6")
    net = read_network(firms, links)
    with Progress(transient=True, disable=not sys.stderr.isatty()) as progress:
        task = progress.add_task("ESRI", total=net.n_firms)
        scan = scan_esri(
            net, tol=tol, progress=lambda done, total: progress.update(task, completed=done)
        )
    scores = scan.esri
    order = sorted(range(net.n_firms), key=lambda i: (-scores[i], net.firm_ids[i]))
    if top is not None:
        order = order[:top]
    data = [
        {"firm_id": net.firm_ids[i], "esri": float(scores[i]), "error_bound": float(scan.bound[i])}
        for i in order
    ]
    text = [
        f"{net.firm_ids[i]:<12} {net.countries[i]}  {net.sectors[i]:<8} {scores[i]:.4f}"
        for i in order
    ]
    emit(data, format, text)


@sectors_app.command("extract")
def sectors_extract(
    mrio_dir: Annotated[
        Path,
        typer.Option(
            help="The table: the WIOD folder (wiotYYYY_*.parquet), an OECD ICIO file or folder, "
            "or an EXIOBASE 3 archive (see --kind)."
        ),
    ],
    year: Annotated[int, typer.Option(help="Table year.")],
    from_country: Annotated[str, typer.Option("--from", help="Supplying country.")],
    to_country: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Buying country (omit to extract the supplying country's sectors entirely).",
        ),
    ] = None,
    top: Annotated[int, typer.Option(help="Country-sectors listed in the table view.")] = 15,
    kind: Annotated[str, typer.Option(help="wiod, oecd (ICIO) or exiobase3.")] = "wiod",
    format: FormatOption = "table",
) -> None:
    """Hypothetical extraction of a bilateral block of intermediate inputs (e.g. CHN -> JPN)."""
    from econsec.sectors import extract, read_mrio

    mrio = read_mrio(mrio_dir, year, kind)
    result = extract(mrio, from_country, to_country)
    order = sorted(range(mrio.n), key=lambda i: -float(result.loss[i]))
    rows = [
        {
            "country": mrio.countries[i],
            "sector": mrio.sectors[i],
            "output_loss": float(result.loss[i]),
        }
        for i in order
    ]
    data = {
        "description": result.description,
        "source": mrio.source,
        "unit": mrio.unit,
        "total_output_loss": result.total_loss,
        "total_output_loss_share": result.total_loss / float(result.x.sum()),
        "by_country_sector": rows,
    }
    text = [
        f"{result.description} ({mrio.source}): total output loss {result.total_loss:,.0f} "
        f"{mrio.unit} ({data['total_output_loss_share']:.2%})"
    ]
    text += [f"  {r['country']} {r['sector']:<5} {r['output_loss']:>14,.0f}" for r in rows[:top]]
    emit(data, format, text)
