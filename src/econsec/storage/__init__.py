"""Storage adapters: the Parquet workspace and the query engines (DuckDB, Spark) over it."""

from econsec.storage.engines import DuckDBEngine, Engine, SparkEngine, duckdb_engine, spark_engine
from econsec.storage.workspace import (
    Import,
    ImportResult,
    Workspace,
    choose_source,
    file_sha256,
    import_flows,
    imports,
)

__all__ = [
    "DuckDBEngine",
    "Engine",
    "Import",
    "ImportResult",
    "SparkEngine",
    "Workspace",
    "choose_source",
    "duckdb_engine",
    "file_sha256",
    "import_flows",
    "imports",
    "spark_engine",
]
