"""``econsec stockpile coordinate`` and ``econsec support plan``: the Economic Security Promotion
Act's stockpile coordination with like-minded countries and targeting of support."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from econsec.cli.app import FormatOption, app, emit
from econsec.i18n import N_

stockpile_app = typer.Typer(help="Stockpiles of critical products.", no_args_is_help=True)
support_app = typer.Typer(help="Support for critical products' supply.", no_args_is_help=True)
app.add_typer(stockpile_app, name="stockpile")
app.add_typer(support_app, name="support")


def _yaml(path: Path) -> Any:
    from econsec.errors import InputError
    from econsec.yamltext import load_yaml

    if not path.exists():
        raise InputError("no such file", file=str(path))
    try:
        return load_yaml(path.read_text("utf-8"), str(path))
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=str(path)) from None


@stockpile_app.command("coordinate")
def coordinate(
    file: Annotated[Path, typer.Argument(help="The case (YAML; see docs/programmes.md).")],
    format: FormatOption = "table",
) -> None:
    """Who builds which stock before a supplier's cut and who lends what to whom during it, at
    least total cost, each country's share by the burden-sharing rule, against acting alone."""
    from econsec.cli.app import language
    from econsec.i18n import tr
    from econsec.reference.names import country_name, product_name
    from econsec.scenarios.stockpile import METHOD, coordinate, read_case

    lang = language()
    case = read_case(_yaml(file), file.name)
    result = coordinate(case)
    data = result.as_dict(case)
    pairs: dict[tuple[str, str], float] = {}
    for x in result.lending:
        pairs[x["from"], x["to"]] = pairs.get((x["from"], x["to"]), 0.0) + x["amount"]
    head = [tr("country", lang), tr("stock", lang), tr("shortfall", lang), tr("cost", lang),
            tr("alone", lang)]  # fmt: skip
    text = [tr("{product} {name}: {supplier} cuts {share} from day {start} for {days} days; costs "
               "shared by {rule}", lang, product=case.product,
               name=product_name(case.product, lang)[:50], supplier=case.supplier,
               share=f"{case.share_blocked:.0%}", start=case.start_day, days=case.days,
               rule=tr(case.burden_sharing, lang)), "",
            f"{head[0]:<22}{head[1]:>12}{head[2]:>12}{head[3]:>14}{head[4]:>14}"]  # fmt: skip
    for c in result.countries:
        alone = (tr("cannot alone", lang) if c["cost_alone"] is None
                 else f"{c['cost_alone']:,.2f}")  # fmt: skip
        name = f"{c['code']} {country_name(c['code'], lang)}"[:21]
        text.append(f"{name:<22}{c['stock_target']:>12,.1f}{c['shortfall']:>12,.1f}"
                    f"{c['cost']:>14,.2f}{alone:>14}")  # fmt: skip
    text += ["", tr("total cost {total}", lang, total=f"{result.total_cost:,.2f}")
             + ("" if result.total_cost_alone is None else " " + tr(
                 "(acting alone: {alone})", lang, alone=f"{result.total_cost_alone:,.2f}"))]  # fmt: skip
    text += [tr("{lender} lends {borrower} {units} units in all", lang, lender=a, borrower=b,
                units=f"{v:,.1f}") for (a, b), v in sorted(pairs.items())]  # fmt: skip
    text += [tr("the {rule} rule leaves {code} {amount} worse off than acting alone", lang,
                rule=tr(case.burden_sharing, lang), code=c["code"], amount=f"{-c['gain']:,.2f}")
             for c in result.countries if c["gain"] is not None and c["gain"] < 0]  # fmt: skip
    text.append(tr("method: {method}", lang, method=METHOD))
    emit(data, format, text)


#: Where a product's importance came from (the JSON's ``importance[].source``), in words.
IMPORTANCE_SOURCES = {
    "file": N_("given in the file"),
    "sector_extraction": N_("sector extraction on the table"),
    "esri": N_("ESRI on the network"),
    "insufficient_data": N_("insufficient data: importance 1"),
}


@support_app.command("plan")
def support_plan(
    file: Annotated[
        Path, typer.Argument(help="Candidate measures (YAML; see docs/programmes.md).")
    ],
    budget: Annotated[float, typer.Option(help="What may be spent, in the measures' currency.")],
    format: FormatOption = "table",
    mrio_dir: Annotated[
        Path | None, typer.Option(help="Input-output table: importance by sector extraction.")
    ] = None,
    mrio_kind: Annotated[str, typer.Option(help="wiod, oecd or exiobase3.")] = "wiod",
    mrio_year: Annotated[int, typer.Option(help="Year of the table.")] = 2011,
    concordance: Annotated[
        Path | None, typer.Option(help="HS -> ISIC concordance for --mrio-dir.")
    ] = None,
    importer: Annotated[str, typer.Option(help="Whose purchases (ISO3), for --mrio-dir.")] = "JPN",
    network_firms: Annotated[
        Path | None, typer.Option(help="firms.csv: importance by ESRI.")
    ] = None,
    network_links: Annotated[Path | None, typer.Option(help="links.csv of the network.")] = None,
) -> None:
    """The measures a budget should fund to cut the expected shortfall most (weighted by each
    product's importance: from the file, else from a table's sector extraction or a network's
    ESRI), each measure's marginal value per unit spent, and the curve."""
    from econsec.cli.app import language, usage
    from econsec.i18n import tr
    from econsec.scenarios.support import (
        METHOD,
        network_importance,
        plan,
        read_measures,
        table_importance,
    )

    if (mrio_dir is None) != (concordance is None):
        usage("give both --mrio-dir and --concordance, or neither")
    if (network_firms is None) != (network_links is None):
        usage("give both --network-firms and --network-links, or neither")
    lang = language()
    measures, at_stake, weight = read_measures(_yaml(file), file.name)
    products = sorted({m.product for m in measures})
    sources = {p: "file" for p in weight}
    computed: dict[str, float] = {}
    if mrio_dir is not None and concordance is not None:
        from econsec.reference.countries import to_alpha3
        from econsec.scenarios.sectors import hs_sectors
        from econsec.sectors.mrio import read_mrio

        table = read_mrio(mrio_dir, mrio_year, mrio_kind)
        computed = table_importance(table, hs_sectors(table, concordance), to_alpha3(importer),
                                    products)  # fmt: skip
        how = "sector_extraction"
    elif network_firms is not None and network_links is not None:
        from econsec.network import read_network

        computed = network_importance(read_network(network_firms, network_links), products)
        how = "esri"
    for p in products:
        if p in weight:
            continue
        if p in computed:
            weight[p], sources[p] = computed[p], how
        else:
            sources[p] = "insufficient_data"
    result = plan(measures, budget, at_stake, weight)
    text = [tr("budget {budget}: {n} of {total} measures, cost {cost}, weighted shortfall cut "
               "{cut}", lang, budget=f"{budget:,.0f}", n=len(result.chosen), total=len(measures),
               cost=f"{result.cost:,.0f}", cut=f"{result.risk_reduction:,.0f}"), ""]  # fmt: skip
    for m in measures:
        value = result.marginal[m.id]
        shown = "–" if value is None else f"{value:,.3f}"
        decision = tr("chosen", lang) if m.id in result.chosen else tr("rejected", lang)
        text.append(f"  {decision:<8} {m.id:<24} {m.kind:<22} {m.product} "
                    + tr("cost {cost}, value per unit {value}", lang, cost=f"{m.cost:,.0f}",
                         value=shown))  # fmt: skip
    text.append(tr("method: {method}", lang, method=METHOD))
    data = result.as_dict() | {"importance": [
        {"product": p, "importance": weight.get(p, 1.0), "source": sources[p]}
        for p in products]}  # fmt: skip
    for row in data["importance"]:
        text.append(tr("importance of {product}: {value} ({source})", lang, product=row["product"],
                       value=f"{row['importance']:,.3f}",
                       source=tr(IMPORTANCE_SOURCES[row["source"]], lang)))  # fmt: skip
    emit(data, format, text)
