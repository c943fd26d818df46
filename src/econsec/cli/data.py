"""``econsec data``: import files into the workspace and list what it holds."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from econsec.cli.app import FormatOption, WorkspaceOption, data_app, emit, import_app, workspace

if TYPE_CHECKING:
    from econsec.app.fetching import Fetched, Progress
    from econsec.storage.workspace import ImportResult, Workspace
    from econsec.trade.flows import Reading

ReplaceOption = Annotated[
    bool, typer.Option(help="Supersede the source's earlier data for the years the file covers.")
]
DedupeOption = Annotated[
    bool,
    typer.Option(
        help="Keep one row per flow where the file gives several values: the largest value, "
        "then the largest quantity, then the first line."
    ),
]


def _import(ws: Workspace, reading: Reading, replace: bool, dedupe: bool = False) -> None:
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
            dedupe=dedupe,
            progress=lambda rows: progress.update(task, description=f"read {rows:,} rows"),
        )
    _report(ws, result)


def _report(ws: Workspace, result: ImportResult) -> None:
    from econsec.cli.app import language
    from econsec.i18n import tr

    lang = language()
    if result.unchanged:
        typer.echo(tr("{file}: already imported into {root} as source {source!r}; nothing "
                      "changed", lang, file=result.file, root=ws.root, source=result.source))  # fmt: skip
        return
    typer.echo(tr("imported {rows} flows of source {source!r}, years {years}, into {root}", lang,
                  rows=f"{result.rows_stored:,}", source=result.source,
                  years=", ".join(map(str, result.years)), root=ws.root))  # fmt: skip
    notes = [tr("{n} rows read", lang, n=f"{result.rows_read:,}")]
    if result.duplicates_removed:
        notes.append(tr("{n} exact duplicate rows removed", lang,
                        n=f"{result.duplicates_removed:,}"))  # fmt: skip
    if result.conflicting_removed:
        notes.append(tr("{n} rows giving a second value for a flow left out (--dedupe kept the "
                        "largest)", lang, n=f"{result.conflicting_removed:,}"))  # fmt: skip
    if result.already_present:
        notes.append(tr("{n} flows already in the workspace skipped", lang,
                        n=f"{result.already_present:,}"))  # fmt: skip
    for reason, count in (result.dropped or {}).items():
        notes.append(tr("{n} {reason} left out", lang, n=f"{count:,}", reason=tr(reason, lang)))
    if result.replaced:
        notes.append(tr("superseded earlier imports {ids}", lang, ids=", ".join(result.replaced)))
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
    replace: ReplaceOption = False,
    dedupe: DedupeOption = False,
    workspace_dir: WorkspaceOption = None,
) -> None:
    """Import a CEPII BACI file (t,i,j,k,v,q; v in kUSD, q in tonnes)."""
    from econsec.trade.baci import read_baci

    _import(
        workspace(workspace_dir),
        read_baci(file, country_codes=country_codes, hs_rev=hs_revision),
        replace,
        dedupe,
    )


@import_app.command("comtrade")
def import_comtrade(
    file: Annotated[Path, typer.Argument(help="A UN Comtrade CSV (bulk file or API output).")],
    hs_revision: Annotated[
        str | None, typer.Option(help="HS revision when the file has no classificationCode column.")
    ] = None,
    replace: ReplaceOption = False,
    dedupe: DedupeOption = False,
    workspace_dir: WorkspaceOption = None,
) -> None:
    """Import a UN Comtrade extract, keeping both reporting sides."""
    from econsec.trade.comtrade import read_comtrade

    _import(workspace(workspace_dir), read_comtrade(file, hs_rev=hs_revision), replace, dedupe)


@import_app.command("table")
def import_table(
    file: Annotated[Path, typer.Argument(help="A CSV or Parquet table.")],
    mapping: Annotated[Path, typer.Option(help="YAML or JSON column mapping (see docs/data.md).")],
    replace: ReplaceOption = False,
    dedupe: DedupeOption = False,
    workspace_dir: WorkspaceOption = None,
) -> None:
    """Import any other trade table through a column mapping."""
    from econsec.trade.mapped import load_mapping, read_table

    _import(workspace(workspace_dir), read_table(file, load_mapping(mapping)), replace, dedupe)


@data_app.command("list")
def data_list(workspace_dir: WorkspaceOption = None, format: FormatOption = "table") -> None:
    """Show each imported file: source, years, rows, file hash and import time."""
    from econsec.storage.workspace import imports

    ws = workspace(workspace_dir)
    found = imports(ws)
    if format == "json":
        emit(list(found), "json", [])
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


fetch_app = typer.Typer(
    help="Fetch trade data from its publisher and import it into the workspace.",
    no_args_is_help=True,
)
data_app.add_typer(fetch_app, name="fetch")


def _years_option(text: str | None) -> list[int] | None:
    from econsec.errors import InputError

    if not text:
        return None
    try:
        return [int(y) for y in text.split(",") if y.strip()]
    except ValueError:
        raise InputError("--years {text!r}", values={"text": text},
                         expected="years separated by commas, e.g. 2022,2023") from None  # fmt: skip


def _fetched(ws: Workspace, fetched: Fetched) -> None:
    from econsec.cli.app import language
    from econsec.i18n import tr

    lang = language()
    if fetched.downloaded is not None:
        got = fetched.downloaded
        typer.echo(tr("downloaded {url} ({size} bytes{resumed}; sha256 {sha})", lang,
                      url=fetched.url, size=f"{got.size:,}", sha=got.sha256[:12],
                      resumed=tr(", resumed", lang) if got.resumed else ""))  # fmt: skip
    if fetched.note:
        typer.echo(tr(fetched.note, lang))
    for result in fetched.imports:
        _report(ws, result)


def _bar() -> tuple[Any, Progress]:
    """A progress bar on standard error (on a terminal) and the callback that drives it."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.progress import (
        Progress as Bar,
    )

    bar = Bar(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
              TimeRemainingColumn(), transient=True, disable=not sys.stderr.isatty())  # fmt: skip
    tasks: dict[str, Any] = {}

    def update(what: str, done: int, total: int | None) -> None:
        if what not in tasks:
            tasks[what] = bar.add_task(what, total=total)
        bar.update(tasks[what], completed=done, total=total)

    return bar, update


@fetch_app.command("baci")
def fetch_baci(
    release: Annotated[str, typer.Option(help="BACI release, e.g. V202601.")],
    hs: Annotated[str, typer.Option(help="HS revision of the release: HS92 … HS22.")],
    years: Annotated[
        str | None, typer.Option(help="Years to import, e.g. 2022,2023 (default: all).")
    ] = None,
    base_url: Annotated[str | None, typer.Option(help="Download location (default: CEPII's).")]
    = None,
    workspace_dir: WorkspaceOption = None,
) -> None:  # fmt: skip
    """Download a BACI release archive (resuming an interrupted download), check it, and import
    the chosen years with the country-code file inside it."""
    from econsec.app import fetching

    ws = workspace(workspace_dir)
    bar, update = _bar()
    with bar:
        fetched = fetching.fetch_baci(ws, release, hs, _years_option(years),
                                      base=base_url or fetching.BACI_BASE, progress=update)  # fmt: skip
    _fetched(ws, fetched)


@fetch_app.command("comtrade")
def fetch_comtrade(
    reporters: Annotated[str, typer.Option(help="Reporting countries, e.g. JPN,KOR.")],
    years: Annotated[str, typer.Option(help="Years, e.g. 2023,2024 (monthly: every month).")],
    products: Annotated[
        str, typer.Option(help="HS6 codes or critical:LIST[/GROUP], e.g. 850511,811292.")
    ],
    partners: Annotated[str, typer.Option(help="Partner countries, or all.")] = "all",
    frequency: Annotated[str, typer.Option(help="A (annual) or M (monthly).")] = "A",
    api_base: Annotated[str | None, typer.Option(help="API address (default: UN Comtrade's).")]
    = None,
    key_env: Annotated[
        str | None,
        typer.Option(help="Environment variable holding the subscription key (without it: "
                          "the preview API, 500 records a call)."),
    ] = None,
    workspace_dir: WorkspaceOption = None,
) -> None:  # fmt: skip
    """Ask the UN Comtrade API (v1) and import the answer through the Comtrade loader (both
    reporting sides kept)."""
    import datetime as dt

    from econsec.app import fetching
    from econsec.errors import InputError
    from econsec.reference.catalogue import select_products
    from econsec.trade import comtrade_api

    if frequency not in ("A", "M"):
        raise InputError("--frequency {f!r}", values={"f": frequency}, expected="A or M")
    wanted = _years_option(years) or []
    codes = sorted(select_products(products, dt.date(max(wanted, default=2024), 12, 31)))
    chosen = None if partners.strip().lower() == "all" else partners.split(",")
    calls = comtrade_api.requests(frequency, reporters.split(","), chosen,
                                  comtrade_api.periods(wanted, frequency), codes)  # fmt: skip
    ws = workspace(workspace_dir)
    bar, update = _bar()
    with bar:
        fetched = fetching.fetch_comtrade(
            ws, calls, api_base=api_base or comtrade_api.DEFAULT_BASE, key_env=key_env,
            progress=update,
        )  # fmt: skip
    _fetched(ws, fetched)
