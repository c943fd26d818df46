"""``econsec network`` (firm networks) and ``econsec sectors`` (input-output tables)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from econsec.cli.app import app, emit

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
    from econsec.app.networks import summary
    from econsec.network import read_network

    data = summary(read_network(firms, links))
    text = [
        f"{data.firms:,} firms, {data.links:,} links ({data.essential_share:.0%} essential), "
        f"{len(data.countries)} countries, source {data.source}",
        "suppliers most firms depend on without a direct link (firm, country, firms, hidden):",
    ]
    text += [f"  {r.firm_id}  {r.country}  {r.n_firms}  {r.n_hidden}"
             for r in data.shared_hidden_suppliers]  # fmt: skip
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
    from econsec.app.networks import firm_exposure
    from econsec.cli.app import language, pad
    from econsec.network import read_network
    from econsec.reference.names import label

    rows = firm_exposure(read_network(firms, links), firm, paths)
    lang = language()
    text = [f"{pad('country', 22)} {'tier 1':>7} {'any tier':>9} {'hidden':>7}  main path"]
    text += [
        f"{pad(label('country', e.country, lang, width=16), 22)} {e.tier1_share:>7.1%} "
        f"{e.any_tier_share:>9.1%} {e.hidden_share:>7.1%}  "
        f"{' <- '.join((firm, *e.paths[0].firms)) if e.paths else ''}"
        for e in rows
    ]
    emit(rows, format, text)


@network_app.command("esri")
def network_esri(
    firms: FirmsOption,
    links: LinksOption,
    top: Annotated[int | None, typer.Option(help="Only the N riskiest firms.")] = None,
    tol: Annotated[
        float, typer.Option(help="Largest error allowed in each ESRI (certified, see docs).")
    ] = 1e-6,
    model: Annotated[
        str,
        typer.Option(
            help="published (the authors' rule: supply and demand cascades apart, the lower "
            "level at the end) or coupled (econsec's extension: both sides in every step)."
        ),
    ] = "published",
    replaceability: Annotated[
        bool,
        typer.Option(
            "--replaceability",
            help="A lost supplier is replaced by other firms of its sector in proportion to "
            "their market shares (Diem et al. 2022).",
        ),
    ] = False,
    format: FormatOption = "table",
) -> None:
    """The economic systemic risk index of every firm (share of output lost when it fails)."""
    from rich.progress import Progress

    from econsec.app.networks import esri_ranking
    from econsec.network import read_network

    net = read_network(firms, links)
    with Progress(transient=True, disable=not sys.stderr.isatty()) as progress:
        task = progress.add_task("ESRI", total=net.n_firms)
        rows = esri_ranking(
            net, top, tol, lambda done, total: progress.update(task, completed=done),
            model=model, replaceability=replaceability,
        )  # fmt: skip
    where = {f: (net.countries[i], net.sectors[i]) for i, f in enumerate(net.firm_ids)}
    text = [f"{r.firm_id:<12} {where[r.firm_id][0]}  {where[r.firm_id][1]:<8} {r.esri:.4f}"
            + ("" if r.certified else f" ± {r.error_bound:.2g}")
            for r in rows]  # fmt: skip
    if uncertified := sum(not r.certified for r in rows):
        typer.echo(
            f"note: {uncertified} firms' ESRI could not be certified to {tol:g} within the "
            "sweep budget; their bounds are given (error_bound)\n"
            f"注: {uncertified} 社の ESRI は反復上限内で許容誤差 {tol:g} を保証できませんでした。"
            "誤差の上限 (error_bound) を示します",
            err=True,
        )
    emit(rows, format, text)


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
    from econsec.cli.app import language
    from econsec.reference.names import label, with_names

    lang = language()
    named = [with_names(r, {"country": "country", "sector": "sector"}, lang) for r in rows]
    data["by_country_sector"] = named
    text = [
        f"{result.description} ({mrio.source}): total output loss {result.total_loss:,.0f} "
        f"{mrio.unit} ({data['total_output_loss_share']:.2%})"
    ]
    text += [f"  {label('country', r['country'], lang, width=14)}  "
             f"{label('sector', r['sector'], lang, width=30)}  {r['output_loss']:>14,.0f}"
             for r in named[:top]]  # fmt: skip
    emit(data, format, text)
