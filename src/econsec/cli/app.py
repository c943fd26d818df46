"""The Typer applications and the options every command shares."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
import typer.core

from econsec.errors import (
    AccessDenied,
    ComputationFailed,
    ConfigError,
    Conflict,
    DisclosureRefused,
    EconsecError,
    Infeasible,
    InputError,
    InsufficientData,
    NotAcceptable,
    NotFoundError,
    NotSignedIn,
    PayloadTooLarge,
    RecordsRejected,
    SourceUnavailable,
    TooManyRequests,
)
from econsec.settings import workspace_path

if TYPE_CHECKING:
    import pyarrow as pa
    from typer._click import core as click_core  # the click that Typer vendors

    from econsec.storage.workspace import Workspace

#: The exit code of each error class (the first class of an error's MRO found here).
EXIT_CODES: dict[type[EconsecError], int] = {
    InputError: 2,
    PayloadTooLarge: 2,
    RecordsRejected: 2,
    NotFoundError: 3,
    InsufficientData: 4,
    ConfigError: 5,
    AccessDenied: 6,
    Infeasible: 7,
    ComputationFailed: 8,
    Conflict: 9,
    NotSignedIn: 10,
    DisclosureRefused: 11,
    TooManyRequests: 12,
    NotAcceptable: 13,
    SourceUnavailable: 14,
}


def exit_code(exc: EconsecError) -> int:
    """The exit code of ``exc``: its class's (or nearest base's) in :data:`EXIT_CODES`, else 1."""
    return next((EXIT_CODES[t] for t in type(exc).__mro__ if t in EXIT_CODES), 1)


class _Commands(typer.core.TyperGroup):
    """The root command group: every library error of every command becomes one line on
    standard error and the error's exit code, here and nowhere else."""

    def invoke(self, ctx: click_core.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EconsecError as exc:
            from econsec.i18n import cli_language, tr

            lang = str(ctx.params.get("lang") or cli_language())
            typer.echo(tr("error: {text}", lang, text=exc.in_language(lang)), err=True)
            raise typer.Exit(exit_code(exc)) from None


app = typer.Typer(
    cls=_Commands,
    help="econsec: supply-chain chokepoints, dependency screens and economic-security analytics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(shown: bool) -> None:
    if shown:
        from econsec import __version__

        typer.echo(f"econsec {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help="Language of tables and messages: en or ja (default: $ECONSEC_LANG, else $LANG).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """econsec: supply-chain chokepoints, dependency screens and economic-security analytics."""
    if lang is not None:
        from econsec.i18n import LOCALES

        if lang not in LOCALES:
            raise InputError(
                "--lang {lang!r}", values={"lang": lang}, expected=" or ".join(LOCALES)
            )
    level = os.environ.get("ECONSEC_LOG_LEVEL", "WARNING").upper()
    if level not in logging.getLevelNamesMapping():
        raise ConfigError(
            f"ECONSEC_LOG_LEVEL is {level!r} (expected DEBUG, INFO, WARNING or ERROR)"
        )
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


data_app = typer.Typer(help="Import and list trade data in a workspace.", no_args_is_help=True)
import_app = typer.Typer(help="Import a trade data file into the workspace.", no_args_is_help=True)
reference_app = typer.Typer(
    help="Look up countries, groups and the critical product catalogue.",
    no_args_is_help=True,
)
report_app = typer.Typer(help="Write HTML reports with charts.", no_args_is_help=True)
app.add_typer(data_app, name="data")
data_app.add_typer(import_app, name="import")
app.add_typer(reference_app, name="reference")
app.add_typer(report_app, name="report")

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


def workspace(option: Path | None) -> Workspace:
    """The workspace named by the option, the environment or the platform default."""
    from econsec.storage.workspace import Workspace

    return Workspace(workspace_path(option))


def usage(message: str) -> NoReturn:
    """Refuse a wrong combination of options (exit code 2, as bad input)."""
    raise InputError(message)


def _plain(value: object) -> object:
    """JSON for what :func:`json.dumps` cannot write itself: result dataclasses and dates."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def language() -> str:
    """The language of this command's output: ``--lang``, else the environment's
    (:func:`econsec.i18n.cli_language`)."""
    from typer._click.globals import get_current_context  # the click that Typer vendors

    from econsec.i18n import cli_language

    context = get_current_context(silent=True)
    chosen = context.find_root().params.get("lang") if context is not None else None
    return str(chosen) if chosen else cli_language()


@contextlib.contextmanager
def working(description: str) -> Iterator[None]:
    """A spinner with the elapsed time on standard error while a long step runs (only on a
    terminal: pipes and JSON output stay clean)."""
    import sys

    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  transient=True, console=Console(stderr=True),
                  disable=not sys.stderr.isatty()) as progress:  # fmt: skip
        progress.add_task(description, total=None)
        yield


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` padded to ``width`` terminal columns (a Japanese character takes two)."""
    from rich.cells import cell_len

    fill = " " * max(0, width - cell_len(text))
    return fill + text if right else text + fill


def emit(data: object, fmt: str, text: list[str]) -> None:
    """Print ``data`` (JSON values or result dataclasses) as JSON (``--format json``) or ``text``
    for a person (``table``)."""
    if fmt == "json":
        typer.echo(json.dumps(data, indent=1, ensure_ascii=False, default=_plain))
    elif fmt == "table":
        typer.echo("\n".join(text))
    else:
        usage(f"unknown --format {fmt!r} (expected table or json)")


def write_table(
    table: pa.Table, fmt: str, output: Path | None, rows: list[dict[str, Any]] | None = None
) -> None:
    """Write ``table`` as csv or parquet (to ``output``) or ``rows`` as json (stdout or ``output``)."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        if output is None:
            usage("--format parquet needs --output FILE")
        pq.write_table(table, output)
    elif fmt == "csv":
        import pyarrow.csv as pacsv

        if output is None:
            import sys

            pacsv.write_csv(table, sys.stdout.buffer)
        else:
            pacsv.write_csv(table, output)
    elif fmt == "json":
        text = json.dumps(
            rows if rows is not None else table.to_pylist(),
            indent=1,
            ensure_ascii=False,
            default=str,
        )
        if output is None:
            typer.echo(text)
        else:
            output.write_text(text + "\n", "utf-8")
    else:
        usage(f"unknown --format {fmt!r} (expected table, csv, json or parquet)")
