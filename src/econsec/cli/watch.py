"""``econsec watch``: coercion early warning on trade flows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from econsec.cli.app import WorkspaceOption, app, emit, usage, workspace
from econsec.errors import InputError
from econsec.intelligence.warning import check_flow

watch_app = typer.Typer(help="Coercion early warning on trade flows.", no_args_is_help=True)
app.add_typer(watch_app, name="watch")

COLUMNS = ("period", "exporter", "importer", "product", "value")


def read_series(path: Path) -> list[tuple[str, str, str, str, float]]:
    """Rows (period, exporter, importer, product, value) of a CSV or Parquet file, checked."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    try:
        if path.suffix.lower() == ".parquet":
            table = pq.read_table(path)
        else:
            table = pacsv.read_csv(
                path, convert_options=pacsv.ConvertOptions(column_types={"period": "string"})
            )
    except OSError as exc:
        raise InputError(f"cannot read: {exc}", file=str(path)) from None
    except Exception as exc:  # pyarrow's parse errors name the row
        raise InputError(f"not a readable table: {exc}", file=str(path)) from None
    missing = [c for c in COLUMNS if c not in table.column_names]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}", file=str(path),
            expected="columns " + ", ".join(COLUMNS),
        )  # fmt: skip
    cols = [table.column(c).to_pylist() for c in COLUMNS]
    rows = []
    lengths: set[int] = set()
    for n, values in enumerate(zip(*cols, strict=True), 1):
        try:
            row = check_flow(*values)
        except InputError as exc:
            raise InputError(exc.problem, file=str(path), row=n, column=exc.column,
                             expected=exc.expected) from None  # fmt: skip
        lengths.add(len(row[0]))
        rows.append(row)
    if len(lengths) > 1:
        raise InputError("monthly and annual periods are mixed", file=str(path), column="period",
                         expected="all YYYY-MM or all YYYY")  # fmt: skip
    return rows


@watch_app.command("detect")
def watch_detect(
    input: Annotated[Path | None, typer.Option("--input", "-i", help="CSV or Parquet.")] = None,
    workspace_dir: WorkspaceOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    min_drop: Annotated[float, typer.Option(help="Smallest drop to report (0-1).")] = 0.5,
) -> None:
    """Find abrupt, coercion-like drops in bilateral product flows (file or workspace)."""
    from econsec.intelligence import Settings, detect

    if input is not None:
        rows = read_series(input)
    elif workspace_dir is not None:
        from econsec.storage.engines import duckdb_engine

        engine = duckdb_engine(workspace(workspace_dir))
        table = engine.sql(
            "SELECT CAST(year AS VARCHAR) AS period, exporter, importer, product, "
            "sum(value_usd) AS value FROM flows GROUP BY ALL"
        )
        rows = list(zip(*(table.column(c).to_pylist() for c in COLUMNS), strict=True))
    else:
        usage("give --input FILE or --workspace DIR")
    events = detect(rows, Settings(min_drop=min_drop))
    data: list[dict[str, Any]] = [e.as_dict() for e in events]
    text = [f"{len(events)} events"] + [
        f"{e.period} {e.exporter}->{e.importer} {e.product}: -{e.drop_share:.0%}, "
        f"{e.persistence} periods, confidence {e.confidence:.2f}"
        for e in events[:50]
    ]
    emit(data, format, text)


@watch_app.command("evaluate")
def watch_evaluate(
    input: Annotated[Path, typer.Option("--input", "-i", help="Flows: CSV or Parquet.")],
    incidents: Annotated[
        Path | None,
        typer.Option(help="Incident register, CSV or JSON (default: the documented cases)."),
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Which registered incidents the early warning finds in FLOWS, when, and its false alarms
    per series-year (events that match no incident)."""
    from econsec.intelligence import detect, evaluate, known_incidents
    from econsec.intelligence.incidents import load_file
    from econsec.intelligence.warning import series_years

    rows = read_series(input)
    if incidents is None:
        register = known_incidents()
    elif not incidents.exists():
        raise InputError("no such file", file=str(incidents))
    else:
        register = load_file(incidents.read_bytes(), str(incidents))
    events = detect(rows)
    result = evaluate(events, register, series_years(rows))
    found = [
        {
            "incident": k,
            "first_period": v[0].period,
            "events": len(v),
            "first_event": v[0].as_dict(),
        }
        for k, v in result.found.items()
    ]
    data = {
        "found": found,
        "missed": list(result.missed),
        "false_alarms": len(result.false_alarms),
        "false_alarm_rate": round(result.false_alarm_rate, 6),
        "events": len(events),
    }  # fmt: skip
    text = [
        f"{len(events)} events; {len(result.found)} incidents found, "
        f"{len(result.false_alarms)} false alarms "
        f"({result.false_alarm_rate:.4f} per series-year)"
    ] + [f"  found {f['incident']}: first {f['first_period']} ({f['events']} events)"
         for f in found]  # fmt: skip
    emit(data, format, text)
