"""``econsec watch``: coercion early warning on trade flows."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import typer

from econsec.cli.app import WorkspaceOption, app, emit, fail, usage, workspace
from econsec.errors import EconsecError, InputError

watch_app = typer.Typer(help="Coercion early warning on trade flows.", no_args_is_help=True)
app.add_typer(watch_app, name="watch")

_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
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
    for n, (period, x, i, p, v) in enumerate(zip(*cols, strict=True), 1):
        period = str(period).strip()
        if not _PERIOD.match(period):
            raise InputError(f"bad period {period!r}", file=str(path), row=n, column="period",
                             expected="YYYY-MM or YYYY")  # fmt: skip
        lengths.add(len(period))
        try:
            value = float(v)
        except (TypeError, ValueError):
            raise InputError(f"bad value {v!r}", file=str(path), row=n, column="value",
                             expected="a number >= 0") from None  # fmt: skip
        if not value >= 0:
            raise InputError(f"bad value {v!r}", file=str(path), row=n, column="value",
                             expected="a number >= 0")  # fmt: skip
        for name, text in (("exporter", x), ("importer", i), ("product", p)):
            if text is None or not str(text).strip():
                raise InputError("empty", file=str(path), row=n, column=name)
        rows.append((period, str(x).strip(), str(i).strip(), str(p).strip(), value))
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

    try:
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
    except EconsecError as exc:
        fail(exc)
    data: list[dict[str, Any]] = [e.as_dict() for e in events]
    text = [f"{len(events)} events"] + [
        f"{e.period} {e.exporter}->{e.importer} {e.product}: -{e.drop_share:.0%}, "
        f"{e.persistence} periods, confidence {e.confidence:.2f}"
        for e in events[:50]
    ]
    emit(data, format, text)
