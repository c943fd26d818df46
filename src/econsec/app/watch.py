"""The coercion early warning on a file of flows or on a workspace's trade data, and its
evaluation against an incident register — for the CLI and the pages alike."""

from __future__ import annotations

from collections.abc import Sequence
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


def workspace_flows(
    ws: Workspace,
    products: Sequence[str] | None = None,
    countries: Sequence[str] | None = None,
    monthly: bool = False,
) -> list[Flow]:
    """The workspace's flows (every source): by year, or by month (``YYYY-MM``, the flows that
    have a month); only ``products`` and the series with one of ``countries`` on either side
    when given."""
    period = ("printf('%d-%02d', year, month)" if monthly
              else "CAST(year AS VARCHAR)")  # fmt: skip
    where = ["month IS NOT NULL"] if monthly else []
    params: dict[str, str | int | float | list[str]] = {}
    if products is not None:
        where.append("list_contains($products, product)")
        params["products"] = list(products)
    if countries is not None:
        where.append("(list_contains($countries, exporter) OR list_contains($countries, importer))")
        params["countries"] = list(countries)
    sql = (f"SELECT {period} AS period, exporter, importer, product, sum(value_usd) AS value "
           f"FROM flows {'WHERE ' + ' AND '.join(where) if where else ''} GROUP BY ALL")  # fmt: skip
    table = duckdb_engine(ws).sql(sql, params=params)
    return check_flows(table.to_pylist(), source=str(ws.root))


def read_register(path: Path | None) -> list[Incident]:
    """An incident register from a CSV or JSON file; the documented cases without one."""
    if path is None:
        return known_incidents()
    if not path.exists():
        raise InputError("no such file", file=str(path))
    return load_file(path.read_bytes(), str(path))
