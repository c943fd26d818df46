"""``econsec screen``, ``econsec crma``, ``econsec indispensable`` and ``econsec report
dependency``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from econsec.cli.app import (
    WorkspaceOption,
    app,
    language,
    report_app,
    usage,
    working,
    workspace,
    write_table,
)
from econsec.i18n import N_

if TYPE_CHECKING:
    from econsec.analysis.presets import Preset

ImporterOption = Annotated[
    list[str] | None,
    typer.Option(
        "--importer", help="Importing country (ISO code) or group (EU27, G7, ...); repeatable."
    ),
]
YearOption = Annotated[int, typer.Option(help="Year to screen.")]
PresetOption = Annotated[
    str,
    typer.Option("--preset", help="Method: eu2021, geodep, crma65 (proxy), meti or meti2022."),
]
ProductsOption = Annotated[
    str | None,
    typer.Option(help="Products: HS6 codes separated by commas, or critical:LIST[/GROUP]."),
]
EngineOption = Annotated[str, typer.Option(help="Query engine: duckdb or spark.")]
SparkMasterOption = Annotated[
    str | None,
    typer.Option(help="Spark master URL (default: standard Spark configuration, else local mode)."),
]
SourceOption = Annotated[
    str | None,
    typer.Option(
        help="Data source in the workspace (default: the one holding the year; BACI first)."
    ),
]
GroupsOption = Annotated[
    Path | None,
    typer.Option(help="YAML file overriding country groups (like_minded, concern, ...)."),
]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")]


def _thresholds(items: list[str]) -> dict[str, float]:
    out = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            usage(f"--threshold {item!r}: expected NAME=NUMBER, e.g. C1_import_hhi=0.3")
    return out


@app.command("screen")
def screen(
    year: YearOption,
    importer: ImporterOption = None,
    all_importers: Annotated[bool, typer.Option(help="Screen every importing country.")] = False,
    preset_name: PresetOption = "geodep",
    products: ProductsOption = None,
    threshold: Annotated[
        list[str] | None,
        typer.Option(help="Change a criterion's threshold, NAME=VALUE; repeatable."),
    ] = None,
    engine: EngineOption = "duckdb",
    spark_master: SparkMasterOption = None,
    source: SourceOption = None,
    groups_file: GroupsOption = None,
    workspace_dir: WorkspaceOption = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help="table, csv, json or parquet.")
    ] = "table",
    output: OutputOption = None,
) -> None:
    """Screen import dependencies per importer × HS6 product with a published method."""
    from econsec.analysis.screen import criteria_of, prepare_screen
    from econsec.app.screening import ScreenRequest
    from econsec.app.screening import prepare_screen as prepare

    if bool(importer) == all_importers:
        usage("give --importer CODE (one or more) or --all-importers")
    prepared = prepare(workspace(workspace_dir), ScreenRequest(
        year=year, importers=tuple(importer or ()), preset=preset_name,
        thresholds=_thresholds(threshold or []), products=products, source=source,
        groups_file=groups_file, engine=engine, spark_master=spark_master,
    ))  # fmt: skip
    spec, src, runner, chosen = (
        prepared.screen,
        prepared.source,
        prepared.engine,
        prepared.screen.preset,
    )
    # Parquet output is left unsorted (faster); every other format is sorted.
    query = prepare_screen(runner, spec, ordered=format != "parquet")
    if format in ("parquet", "csv") and output is not None:
        runner.write(query, output, format)
        return
    with working("screening"):
        table = runner.sql(query)
    if format == "table":
        _print_screen(table.to_pylist(), spec.preset, src, output)
        return
    rows = None
    if format == "json":
        rows = [_json_row(r, criteria_of(r, chosen), src) for r in table.to_pylist()]
    write_table(table, format, output, rows)


def _json_row(r: dict[str, Any], criteria: dict[str, Any], source: str) -> dict[str, Any]:
    """A result row for JSON: every metric, the verdict and the criteria as an object, with
    the names of the importer, product and top supplier in the reader's language."""
    from econsec.analysis.concentration import METRIC_COLUMNS
    from econsec.reference.names import country_name, product_name

    lang = language()
    fields = (*METRIC_COLUMNS, "single_source_share", "persistence", "flagged", "method")
    names = {
        "importer_name": country_name(r["importer"], lang),
        "product_name": product_name(r["product"], lang),
        "top_supplier_name": country_name(r["top_supplier"] or "", lang),
    }
    return {**{k: r[k] for k in fields}, **names, "criteria": criteria, "source": source}


def _print_screen(
    rows: list[dict[str, Any]], preset: Preset, source: str, output: Path | None
) -> None:
    from rich.console import Console
    from rich.table import Table

    from econsec.analysis.screen import criteria_counts
    from econsec.i18n import tr
    from econsec.reference.names import label

    if output is not None:
        usage("--output needs --format csv, json or parquet")
    lang = language()
    flagged = sorted((r for r in rows if r["flagged"]), key=lambda r: -r["imports_usd"])
    title = tr("{title}: {flagged} of {rows} importer × product rows flagged (source {source})",
               lang, title=preset.title_in(lang), flagged=len(flagged), rows=len(rows),
               source=source)  # fmt: skip
    if not rows:
        typer.echo(title)
        typer.echo(tr("No importer bought any of these products in the year: nothing to "
                      "screen.", lang))  # fmt: skip
        return
    if not flagged:
        typer.echo(title)
        typer.echo(
            tr("None is flagged. Each criterion over the {rows} rows:", lang, rows=len(rows))
        )
        for c in criteria_counts(rows, preset):
            typer.echo(c.explain(lang))
        return
    table = Table(title=title)
    headers = ("importer", "product", "imports USD", "supplier countries", "HHI",
               "top supplier", "share", "years flagged")  # fmt: skip
    for name in headers:
        table.add_column(tr(name, lang), justify="left" if name in headers[:2] + headers[5:6]
                         else "right", overflow="fold")  # fmt: skip
    for r in flagged[:50]:
        table.add_row(
            label("country", r["importer"], lang, width=14),
            label("product", r["product"], lang, width=36),
            f"{r['imports_usd']:,.0f}",
            str(r["n_suppliers"]),
            f"{r['hhi']:.3f}",
            label("country", r["top_supplier"], lang, width=14),
            f"{r['top_share']:.0%}",
            "–" if r["persistence"] is None else str(r["persistence"]),
        )
    Console(width=160).print(table)
    if len(flagged) > 50:
        typer.echo(tr("... and {more} more; use --format csv or json for all rows", lang,
                      more=len(flagged) - 50))  # fmt: skip


@app.command("crma")
def crma(
    year: YearOption,
    bloc: Annotated[str, typer.Option(help="The bloc whose consumption is measured.")] = "EU27",
    production: Annotated[
        Path | None,
        typer.Option(
            help="USGS Mineral Commodity Summaries data-release CSV (commodity, country, "
            "statistic_detail, year, value_raw) for the bloc's production."
        ),
    ] = None,
    materials: Annotated[
        Path | None, typer.Option(help="YAML file of materials and stages (default: built in).")
    ] = None,
    source: SourceOption = None,
    workspace_dir: WorkspaceOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    output: OutputOption = None,
) -> None:
    """The CRMA Art. 5(1)(d) benchmark: each third country's share of the bloc's apparent
    consumption of each strategic raw material at each processing stage (or why it cannot be
    computed)."""
    import dataclasses

    from econsec.analysis.crma import crma_benchmark, load_stages, read_usgs
    from econsec.reference.countries import group_members
    from econsec.storage.engines import duckdb_engine
    from econsec.storage.workspace import choose_source

    ws = workspace(workspace_dir)
    src = choose_source(ws, year, source)
    found = crma_benchmark(
        duckdb_engine(ws, sources=(src,)), group_members(bloc), year,
        read_usgs(production) if production else None, load_stages(materials),
    )  # fmt: skip
    rows = [{k: v for k, v in dataclasses.asdict(b).items() if k != "reason"}
            | {"bloc": bloc, "year": year, "source": src} for b in found]  # fmt: skip
    if format == "json":
        import pyarrow as pa

        write_table(pa.table({}), "json", output, rows)
        return
    from econsec.cli.app import language
    from econsec.i18n import tr

    lang = language()
    typer.echo(tr("CRMA Art. 5(1)(d), {bloc} {year} (source {src}): largest third-country share "
                  "of apparent consumption, flagged above 65 %", lang, bloc=bloc, year=year,
                  src=src))  # fmt: skip
    for b in found:
        if b.status == "computed" and b.top_share is not None:
            verdict = f"{b.top_supplier} {b.top_share:.0%}" + (
                "  " + tr("FLAGGED", lang) if b.flagged else "")  # fmt: skip
        elif b.reason is not None:
            verdict = tr("insufficient data: {why}", lang, why=b.reason)
        else:
            verdict = b.status
        names = f"{b.name_ja} ({b.name_en})" if lang == "ja" else f"{b.name_en} ({b.name_ja})"
        typer.echo(f"  {names}, {tr(STAGES.get(b.stage, b.stage), lang)}: {verdict}")


#: The CRMA's stages in words.
STAGES = {"extraction": N_("extraction"), "processing": N_("processing")}


@app.command("indispensable")
def indispensable(
    country: Annotated[str, typer.Option(help="The supplier country (ISO code).")],
    year: YearOption,
    min_share: Annotated[float, typer.Option(help="Minimum share of world exports.")] = 0.3,
    importer_share: Annotated[
        float,
        typer.Option(help="An importer depends on the country above this share of its imports."),
    ] = 0.5,
    products: ProductsOption = None,
    engine: EngineOption = "duckdb",
    spark_master: SparkMasterOption = None,
    source: SourceOption = None,
    workspace_dir: WorkspaceOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    output: OutputOption = None,
) -> None:
    """Products where a country is a dominant supplier, and the importers that depend on it."""
    from econsec.analysis.indispensability import indispensability
    from econsec.app.screening import open_engine
    from econsec.reference.catalogue import select_products
    from econsec.reference.countries import to_alpha3
    from econsec.storage.workspace import choose_source

    code = to_alpha3(country)
    ws = workspace(workspace_dir)
    src = choose_source(ws, year, source)
    found = indispensability(
        open_engine(engine, ws, src, spark_master),
        code,
        year,
        min_world_share=min_share,
        min_importer_share=importer_share,
        products=select_products(products, dt.date(year, 12, 31)) if products else None,
    )
    from econsec.i18n import tr
    from econsec.reference.names import country_name, label, product_name

    lang = language()
    rows: list[dict[str, Any]] = [
        {
            "country": f.country,
            "country_name": country_name(f.country, lang),
            "product": f.product,
            "product_name": product_name(f.product, lang),
            "year": f.year,
            "world_export_share": f.world_export_share,
            "world_exports_usd": f.world_exports_usd,
            "country_exports_usd": f.country_exports_usd,
            "dependent_value_usd": f.dependent_value_usd,
            "dependent_importers": [
                {
                    "importer": d.importer,
                    "importer_name": country_name(d.importer, lang),
                    "share": d.share,
                    "imports_usd": d.imports_usd,
                    "from_country_usd": d.from_country_usd,
                }
                for d in f.dependent_importers
            ],
            "source": src,
        }
        for f in found
    ]
    if format == "json":
        import pyarrow as pa

        write_table(pa.table({}), "json", output, rows)
        return
    typer.echo(tr("{country} {year} (source {source}): {n} products with >= {share:.0%} of world "
                  "exports", lang, country=label("country", code, lang), year=year, source=src,
                  n=len(rows), share=min_share))  # fmt: skip
    for r in rows[:40]:
        deps = ", ".join(f"{label('country', d['importer'], lang)} {d['share']:.0%}"
                         for d in r["dependent_importers"][:6])  # fmt: skip
        typer.echo(
            f"  {label('product', r['product'], lang, width=40)}  {r['world_export_share']:>5.0%}  "
            + tr("{n} dependent importers", lang, n=len(r["dependent_importers"]))
            + f"  {deps}"
        )


@report_app.command("dependency")
def report_dependency(
    year: YearOption,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")],
    importer: ImporterOption = None,
    preset_name: PresetOption = "geodep",
    products: ProductsOption = None,
    compare_year: Annotated[
        list[int] | None,
        typer.Option(help="Earlier year(s) to compare flags with (default: the two before)."),
    ] = None,
    catalogue_list: Annotated[
        str, typer.Option("--catalogue", help="Critical list for the group summary.")
    ] = "japan",
    source: SourceOption = None,
    groups_file: GroupsOption = None,
    workspace_dir: WorkspaceOption = None,
) -> None:
    """A self-contained HTML dependency report with charts."""
    from econsec.app.screening import ScreenRequest, describe_source, prepare_screen
    from econsec.report.dependency import dependency_report
    from econsec.report.html import render

    if not importer:
        usage("give --importer CODE")
    ws = workspace(workspace_dir)
    prepared = prepare_screen(ws, ScreenRequest(
        year=year, importers=tuple(importer), preset=preset_name, products=products,
        source=source, groups_file=groups_file,
    ))  # fmt: skip
    years = tuple(compare_year) if compare_year else (year - 2, year - 1)
    with working("building the report"):
        report = dependency_report(
            prepared.engine,
            prepared.screen,
            data_source=describe_source(ws, prepared.source),
            compare_years=years,
            catalogue_list=catalogue_list,
            lang=language(),
        )
        output.write_text(render(report), "utf-8")
    typer.echo(f"report written to {output}")
