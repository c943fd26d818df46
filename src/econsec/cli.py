"""The ``econsec`` command: a thin shell over the library.

Heavy modules are imported inside the commands so that ``econsec --help`` and short commands
start fast.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from econsec.errors import EconsecError
from econsec.settings import workspace_path

if TYPE_CHECKING:
    from econsec.storage.workspace import ImportResult, Workspace
    from econsec.trade.flows import Reading

app = typer.Typer(
    help="econsec: supply-chain chokepoints, dependency screens and economic-security analytics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Import and list trade data in a workspace.", no_args_is_help=True)
import_app = typer.Typer(help="Import a trade data file into the workspace.", no_args_is_help=True)
reference_app = typer.Typer(
    help="Look up countries, groups and the critical product catalogue.", no_args_is_help=True
)
app.add_typer(data_app, name="data")
data_app.add_typer(import_app, name="import")
app.add_typer(reference_app, name="reference")

WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: $ECONSEC_WORKSPACE or the platform's user data folder).",
        show_default=False,
    ),
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="Output format: table or json.")]


def _workspace(option: Path | None) -> Workspace:
    from econsec.storage.workspace import Workspace

    return Workspace(workspace_path(option))


def _fail(exc: EconsecError) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(exc.exit_code)


def _import(ws: Workspace, reading: Reading, replace: bool) -> None:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from econsec.storage.workspace import import_flows

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        transient=True,
        disable=not sys.stderr.isatty(),
    ) as progress:
        task = progress.add_task(f"reading {reading.path.name}", total=None)
        result = import_flows(
            ws,
            reading,
            replace=replace,
            progress=lambda rows: progress.update(task, description=f"read {rows:,} rows"),
        )
    _report_import(ws, result)


def _report_import(ws: Workspace, result: ImportResult) -> None:
    if result.unchanged:
        typer.echo(
            f"{result.file}: already imported into {ws.root} as source "
            f"{result.source!r}; nothing changed"
        )
        return
    typer.echo(
        f"imported {result.rows_stored:,} flows of source {result.source!r}, years "
        f"{', '.join(map(str, result.years))}, into {ws.root}"
    )
    notes = [f"{result.rows_read:,} rows read"]
    if result.duplicates_removed:
        notes.append(f"{result.duplicates_removed:,} exact duplicate rows removed")
    if result.already_present:
        notes.append(f"{result.already_present:,} flows already in the workspace skipped")
    for reason, count in (result.dropped or {}).items():
        notes.append(f"{count:,} {reason} left out")
    if result.replaced:
        notes.append(f"superseded earlier imports {', '.join(result.replaced)}")
    typer.echo("  " + "; ".join(notes))


@import_app.command("baci")
def import_baci(
    file: Annotated[
        Path, typer.Argument(help="A BACI CSV file, e.g. BACI_HS17_Y2022_V202601.csv.")
    ],
    country_codes: Annotated[
        Path | None,
        typer.Option(help="BACI country-code file (default: country_codes_V*.csv beside FILE)."),
    ] = None,
    hs_revision: Annotated[
        str | None, typer.Option(help="HS revision, e.g. HS17 (default: from the file name).")
    ] = None,
    replace: Annotated[
        bool, typer.Option(help="Supersede earlier BACI data for the same years.")
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Import a CEPII BACI file (t,i,j,k,v,q; v in kUSD, q in tonnes)."""
    from econsec.trade.baci import read_baci

    try:
        _import(
            _workspace(workspace),
            read_baci(file, country_codes=country_codes, hs_rev=hs_revision),
            replace,
        )
    except EconsecError as exc:
        _fail(exc)


@import_app.command("comtrade")
def import_comtrade(
    file: Annotated[Path, typer.Argument(help="A UN Comtrade CSV (bulk file or API output).")],
    hs_revision: Annotated[
        str | None, typer.Option(help="HS revision when the file has no classificationCode column.")
    ] = None,
    replace: Annotated[
        bool, typer.Option(help="Supersede earlier Comtrade data for the same years.")
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Import a UN Comtrade extract, keeping both reporting sides."""
    from econsec.trade.comtrade import read_comtrade

    try:
        _import(_workspace(workspace), read_comtrade(file, hs_rev=hs_revision), replace)
    except EconsecError as exc:
        _fail(exc)


@import_app.command("table")
def import_table(
    file: Annotated[Path, typer.Argument(help="A CSV or Parquet table.")],
    mapping: Annotated[Path, typer.Option(help="YAML or JSON column mapping (see docs/data.md).")],
    replace: Annotated[
        bool, typer.Option(help="Supersede the source's earlier data for the same years.")
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Import any other trade table through a column mapping."""
    from econsec.trade.mapped import load_mapping, read_table

    try:
        _import(_workspace(workspace), read_table(file, load_mapping(mapping)), replace)
    except EconsecError as exc:
        _fail(exc)


@data_app.command("list")
def data_list(workspace: WorkspaceOption = None, format: FormatOption = "table") -> None:
    """Show each imported file: source, years, rows, file hash and import time."""
    from econsec.storage.workspace import imports

    ws = _workspace(workspace)
    found = imports(ws)
    if format == "json":
        rows = [
            {
                "source": i.source,
                "years": list(i.years),
                "rows": i.rows,
                "file": i.file,
                "sha256": i.sha256,
                "imported_at": i.imported_at,
                "id": i.id,
            }
            for i in found
        ]
        typer.echo(json.dumps(rows, indent=1))
        return
    if not found:
        typer.echo(f"the workspace {ws.root} holds no data yet; import with `econsec data import`")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"workspace {ws.root}")
    for name in ("source", "years", "rows", "file", "sha256", "imported at"):
        table.add_column(name, justify="right" if name == "rows" else "left")
    for i in found:
        table.add_row(
            i.source, _years(list(i.years)), f"{i.rows:,}", i.file, i.sha256[:12], i.imported_at
        )
    Console(width=160).print(table)


def _years(years: list[int]) -> str:
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(map(str, years))


@reference_app.command("catalogue")
def reference_catalogue(
    list_id: Annotated[
        str, typer.Argument(help="List id: japan, eu_crma or us_critical_minerals.")
    ],
    on: Annotated[str | None, typer.Option(help="Date YYYY-MM-DD (default: today).")] = None,
    format: FormatOption = "table",
) -> None:
    """What was on a critical product list on a date, with HS6 codes and sources."""
    from econsec.reference.catalogue import groups_on

    try:
        date = dt.date.fromisoformat(on) if on else dt.date.today()
        groups = groups_on(list_id, date)
    except ValueError:
        typer.echo(f"error: --on {on!r} is not a date (expected YYYY-MM-DD)", err=True)
        raise typer.Exit(2) from None
    except EconsecError as exc:
        _fail(exc)
    rows = [
        {
            "group": g.id,
            "name": g.name_en,
            "hs6": sorted(g.hs6_on(date)),
            "since": str(g.start),
            "source": g.source,
        }
        for g in groups
    ]
    if format == "json":
        typer.echo(json.dumps(rows, indent=1, ensure_ascii=False))
        return
    typer.echo(f"{list_id} on {date}: {len(rows)} groups")
    for r in rows:
        typer.echo(f"  {r['group']:<32} {' '.join(r['hs6']) or '(no HS goods code)'}")


@reference_app.command("hs6")
def reference_hs6(
    code: Annotated[str, typer.Argument(help="An HS6 code, e.g. 850511.")],
    on: Annotated[str | None, typer.Option(help="Only groups in force on this date.")] = None,
) -> None:
    """Which critical product groups contain an HS6 code."""
    from econsec.reference.catalogue import groups_containing

    try:
        groups = groups_containing(code, dt.date.fromisoformat(on) if on else None)
    except EconsecError as exc:
        _fail(exc)
    for g in groups:
        typer.echo(f"{g.key}\t{g.name_en}\tsince {g.start}\t{g.source}")
    if not groups:
        typer.echo(f"{code} is in no critical product group")


@app.command("demo")
def demo(
    workspace: WorkspaceOption = None,
    output: Annotated[
        Path | None, typer.Option(help="HTML report path (default: WORKSPACE/reports/demo.html).")
    ] = None,
) -> None:
    """Build the synthetic demo world (once) and run the main job on it, writing an HTML report."""
    from econsec.demo import run_demo

    try:
        summary = run_demo(_workspace(workspace), output, echo=typer.echo)
    except EconsecError as exc:
        _fail(exc)
    typer.echo(summary)


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``econsec`` console script."""
    return app(args=argv)
