"""The coercion early warning on a file of flows or on a workspace's trade data, and its
evaluation against an incident register — for the CLI and the pages alike."""

from __future__ import annotations

from pathlib import Path

from econsec.errors import InputError
from econsec.i18n import N_
from econsec.intelligence.incidents import Incident, known_incidents, load_file
from econsec.intelligence.warning import FLOW_COLUMNS, Flow, check_flows
from econsec.storage.engines import duckdb_engine
from econsec.storage.workspace import Workspace

__all__ = ["read_flows", "read_register", "workspace_flows"]


def read_flows(path: Path) -> list[Flow]:
    """Flows (period, exporter, importer, product, value) of a CSV or Parquet file, checked
    like uploaded ones (:func:`econsec.intelligence.warning.check_flows`)."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    try:
        if path.suffix.lower() == ".parquet":
            table = pq.read_table(path)
        else:
            options = pacsv.ConvertOptions(column_types={"period": "string"})
            table = pacsv.read_csv(path, convert_options=options)
    except OSError as exc:
        raise InputError("cannot read: {exc}", values={"exc": exc}, file=str(path)) from None
    except Exception as exc:  # pyarrow's parse errors name the row
        raise InputError(
            "not a readable table: {exc}", values={"exc": exc}, file=str(path)
        ) from None
    missing = [c for c in FLOW_COLUMNS if c not in table.column_names]
    if missing:
        raise InputError("missing column(s) {v1}", file=str(path), expected=N_("columns {v2}"),
                         values={"v1": ", ".join(missing), "v2": ", ".join(FLOW_COLUMNS)})  # fmt: skip
    return check_flows(table.select(list(FLOW_COLUMNS)).to_pylist(), source=str(path))


def workspace_flows(ws: Workspace) -> list[Flow]:
    """The workspace's flows by year (annual series, every source)."""
    engine = duckdb_engine(ws)
    table = engine.sql(
        "SELECT CAST(year AS VARCHAR) AS period, exporter, importer, product, "
        "sum(value_usd) AS value FROM flows GROUP BY ALL"
    )
    return check_flows(table.to_pylist(), source=str(ws.root))


def read_register(path: Path | None) -> list[Incident]:
    """An incident register from a CSV or JSON file; the documented cases without one."""
    if path is None:
        return known_incidents()
    if not path.exists():
        raise InputError("no such file", file=str(path))
    return load_file(path.read_bytes(), str(path))
