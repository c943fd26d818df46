"""Query engines over a workspace: DuckDB (embedded, the default) and Apache Spark.

Both expose the same small interface: a view ``flows`` over the workspace's flows (with the
mirror rule applied), :meth:`register` for small Arrow tables (e.g. group memberships) and
:meth:`sql` returning an Arrow table. Analyses write SQL in the subset both engines share, so the
same query gives the same answer on either. Values are never written into SQL text: scalars are
named parameters (``$name``, bound by :meth:`sql`; Spark's ``:name`` markers are made from
them), sets of values are registered relations, and file paths are bound or read through the
engines' own readers.

Spark runs in local mode unless a master URL is given (``master="spark://host:7077"``, or the
environment variable ``ECONSEC_SPARK_MASTER``) or set in standard Spark configuration
(``spark.master`` in ``spark-defaults.conf`` under ``SPARK_CONF_DIR``, or
``PYSPARK_SUBMIT_ARGS``). The driver gets ``ECONSEC_SPARK_DRIVER_MEMORY`` (default 4g).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeAlias

import pyarrow as pa

from econsec.errors import ConfigError, NotFoundError
from econsec.storage.workspace import Workspace, imports
from econsec.trade.flows import FLOW_SCHEMA, best_flows_sql

__all__ = ["DuckDBEngine", "Engine", "Params", "SparkEngine", "duckdb_engine", "spark_engine"]

#: Named parameters of a query: ``$name`` in the SQL text.
Params: TypeAlias = Mapping[str, str | int | float | list[str]]


class Engine(Protocol):
    """What analyses need from a query engine."""

    name: str
    unique_flows: bool
    years: frozenset[int] | None  # years the view "flows" holds, when known without a query

    def sql(self, query: str, params: Params | None = None) -> pa.Table: ...

    def register(self, name: str, table: pa.Table) -> None: ...

    def write(self, query: str, path: Path, fmt: str, params: Params | None = None) -> None: ...

    def close(self) -> None: ...


def _unique(ws: Workspace, sources: tuple[str, ...] | None) -> bool:
    """True when the view holds one source with annual data only: then, after the mirror rule,
    there is one row per (year, exporter, importer, product)."""
    chosen = [i for i in imports(ws) if sources is None or i.source in sources]
    return len({i.source for i in chosen}) == 1 and not any(i.monthly for i in chosen)


def _years(ws: Workspace, sources: tuple[str, ...] | None) -> frozenset[int]:
    return frozenset(
        y for i in imports(ws) if sources is None or i.source in sources for y in i.years
    )


def _files_by_source(
    ws: Workspace, sources: tuple[str, ...] | None
) -> dict[str, tuple[list[str], bool]]:
    chosen = [i for i in imports(ws) if sources is None or i.source in sources]
    if not chosen:
        what = f"flows of source {', '.join(sources)}" if sources else "trade flows"
        raise NotFoundError(
            f"the workspace {ws.root} holds no {what}; import data with `econsec data import`"
        )
    out: dict[str, tuple[list[str], bool]] = {}
    for source in sorted({i.source for i in chosen}):
        mine = [i for i in chosen if i.source == source]
        paths = [str(ws.path(f)) for i in mine for f in i.files]
        sides = {s for i in mine for s in i.sides}
        out[source] = (paths, len(sides) > 1)
    return out


@dataclass
class DuckDBEngine:
    """The embedded engine: an in-memory DuckDB connection reading the workspace's Parquet files."""

    con: Any
    name: str = "duckdb"
    unique_flows: bool = False
    years: frozenset[int] | None = None

    def sql(self, query: str, params: Params | None = None) -> pa.Table:
        return self.con.sql(query, params=dict(params or {})).to_arrow_table()

    def register(self, name: str, table: pa.Table) -> None:
        self.con.register(name, table)

    def write(self, query: str, path: Path, fmt: str, params: Params | None = None) -> None:
        """Stream the result of ``query`` to a Parquet or CSV file without materialising it."""
        options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER"
        bound = {**(params or {}), "econsec_target": str(path)}
        self.con.execute(f"COPY ({query}) TO $econsec_target ({options})", bound)

    def close(self) -> None:
        self.con.close()


def duckdb_engine(
    ws: Workspace | None,
    *,
    sources: tuple[str, ...] | None = None,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> DuckDBEngine:
    """A DuckDB engine with the view ``flows`` (none when ``ws`` is None)."""
    import duckdb

    config: dict[str, Any] = {}
    if memory_limit:
        config["memory_limit"] = memory_limit
    if threads:
        config["threads"] = threads
    con = duckdb.connect(config=config)
    if ws is not None:
        parts = []
        for k, (paths, mixed) in enumerate(_files_by_source(ws, sources).values()):
            raw = f"econsec_raw_{k}"
            con.read_parquet(paths).create_view(raw)  # paths bound by the reader, not SQL text
            parts.append(best_flows_sql(raw) if mixed else f"SELECT * FROM {raw}")
        con.execute("CREATE VIEW flows AS " + " UNION ALL ".join(parts))
        return DuckDBEngine(con, unique_flows=_unique(ws, sources), years=_years(ws, sources))
    return DuckDBEngine(con)


@dataclass
class SparkEngine:
    """Apache Spark through PySpark; results come back as Arrow tables."""

    spark: Any
    name: str = "spark"
    unique_flows: bool = False
    years: frozenset[int] | None = None

    def sql(self, query: str, params: Params | None = None) -> pa.Table:
        table: pa.Table = self._frame(query, params).toArrow()
        return table

    def _frame(self, query: str, params: Params | None) -> Any:
        """The query with Spark's parameter markers (``:name`` for ``$name``) bound."""
        if not params:
            return self.spark.sql(query)
        return self.spark.sql(_MARKER.sub(r":\1", query), args=dict(params))

    def write(self, query: str, path: Path, fmt: str, params: Params | None = None) -> None:
        """Write the result as one Parquet or CSV file, from the executors (nothing collected)."""
        import shutil
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix=".econsec-spark-", dir=path.parent))
        try:
            writer = self._frame(query, params).coalesce(1).write.mode("overwrite")
            if fmt == "parquet":
                writer.parquet(str(folder / "out"))
            else:
                writer.option("header", "true").csv(str(folder / "out"))
            (part,) = (folder / "out").glob("part-*")
            os.replace(part, path)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def register(self, name: str, table: pa.Table) -> None:
        self.spark.createDataFrame(
            table.to_pylist() or [], schema=_spark_schema(table.schema)
        ).createOrReplaceTempView(name)

    def close(self) -> None:
        """Leave the session running: it is shared and costly to start."""


_MARKER = re.compile(r"\$([A-Za-z_]\w*)")


def _spark_schema(schema: pa.Schema) -> str:
    types = {
        pa.string(): "string",
        pa.float64(): "double",
        pa.int64(): "bigint",
        pa.int32(): "int",
        pa.int16(): "smallint",
        pa.bool_(): "boolean",
    }
    return ", ".join(f"{f.name} {types.get(f.type, 'string')}" for f in schema)


def spark_engine(
    ws: Workspace | None, *, sources: tuple[str, ...] | None = None, master: str | None = None
) -> SparkEngine:
    """A Spark engine with the view ``flows`` over the workspace (local mode by default)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError("the Spark engine needs PySpark: pip install 'econsec[spark]'") from None
    builder = SparkSession.builder.appName("econsec")
    conf_master = master or os.environ.get("ECONSEC_SPARK_MASTER")
    if conf_master:
        builder = builder.master(conf_master)
    elif "PYSPARK_SUBMIT_ARGS" not in os.environ and not _master_in_conf():
        builder = builder.master("local[*]")
    builder = (
        builder.config("spark.sql.shuffle.partitions", "8")
        .config("spark.driver.memory", os.environ.get("ECONSEC_SPARK_DRIVER_MEMORY", "4g"))
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
    )
    spark = builder.getOrCreate()
    engine = SparkEngine(
        spark,
        unique_flows=ws is not None and _unique(ws, sources),
        years=None if ws is None else _years(ws, sources),
    )
    if ws is not None:
        names = []
        for k, (paths, mixed) in enumerate(_files_by_source(ws, sources).values()):
            raw = f"econsec_raw_{k}"
            spark.read.parquet(*paths).createOrReplaceTempView(raw)
            view = f"econsec_src_{k}"
            columns = ", ".join(f.name for f in FLOW_SCHEMA)
            query = best_flows_sql(raw) if mixed else f"SELECT {columns} FROM {raw}"
            spark.sql(f"CREATE OR REPLACE TEMP VIEW {view} AS {query}")
            names.append(view)
        union = " UNION ALL ".join(f"SELECT * FROM {n}" for n in names)
        spark.sql(f"CREATE OR REPLACE TEMP VIEW flows AS {union}")
    return engine


def _master_in_conf() -> bool:
    conf_dir = os.environ.get("SPARK_CONF_DIR")
    if not conf_dir:
        return False
    path = os.path.join(conf_dir, "spark-defaults.conf")
    if not os.path.exists(path):
        return False
    with open(path, encoding="utf-8") as handle:
        return any(line.strip().startswith("spark.master") for line in handle)
