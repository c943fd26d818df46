"""Storage adapters: the Parquet + DuckDB analytic workspace."""

from econsec.storage.workspace import (
    Import,
    ImportResult,
    Workspace,
    connect,
    file_sha256,
    flows_relation,
    import_flows,
    imports,
    table_of,
)

__all__ = [
    "Import",
    "ImportResult",
    "Workspace",
    "connect",
    "file_sha256",
    "flows_relation",
    "import_flows",
    "imports",
    "table_of",
]
