"""Published trade statistics read into the canonical flows table (:data:`FLOW_SCHEMA`): UN
Comtrade monthly records, Korea Customs Service monthly HS10 by partner, the FAOSTAT detailed
trade matrix, and China's monthly critical-mineral exports by partner (Comtrade-derived
tables).

Countries go through the one country table (:func:`econsec.reference.countries.code_or_name`,
which knows the customs offices' own spellings; a name that is no country, such as an
aggregate, stays as it is). Product codes of other classifications keep their own codes, named
in ``hs_revision``. File paths are bound as query parameters. A missing file or column is an
:class:`InputError` naming the file.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from econsec.errors import InputError
from econsec.reference.countries import code_or_name
from econsec.trade.flows import FLOW_SCHEMA

__all__ = ["china_minerals", "comtrade_monthly", "faostat", "kcs_monthly"]

_country = cache(code_or_name)
_SELECTED = ("year", "month", "exporter", "importer", "product", "value_usd", "reported_by")


def _table(path: Path, sql: str, source: str, classification: str, **params: object) -> pa.Table:
    """The canonical flows the query selects (columns :data:`_SELECTED`) from the file ``$path``."""
    if not path.exists():
        raise InputError("no such file", file=str(path))
    try:
        raw = duckdb.connect().sql(sql, params={"path": str(path), **params}).to_arrow_table()
    except duckdb.Error as exc:
        raise InputError(
            "not in the expected format: {exc}", values={"exc": exc}, file=str(path)
        ) from None
    n = raw.num_rows
    # an eighth column, when the query selects one, is the quantity in kilograms
    columns = {
        name: raw.column(i) for i, name in enumerate((*_SELECTED, "quantity_kg")[: raw.num_columns])
    }
    for side in ("exporter", "importer"):
        names = columns[side].to_pylist()
        columns[side] = pa.array([_country(str(x)) for x in names], pa.string())
    columns["hs_revision"] = pa.array([classification] * n, pa.string())
    columns.setdefault("quantity_kg", pa.nulls(n, pa.float64()))
    columns["source"] = pa.array([source] * n, pa.string())
    return pa.table([pc.cast(columns[f.name], f.type) for f in FLOW_SCHEMA], schema=FLOW_SCHEMA)


def kcs_monthly(path: Path) -> pa.Table:
    """Korea's monthly imports by HS10 and partner (``year, month, partner, hs10,
    import_usd, import_kg``), as Korea reported them, with their quantities.

    Examples
    --------
    >>> t = kcs_monthly(Path("../shared/data/korea_japan_semiconductor_materials/"
    ...                      "kcs_korea_monthly_hs10_by_country_2000_2021.parquet"))
    >>> hf = t.filter(pa.compute.equal(t["product"], "2811111000")).to_pylist()
    >>> sorted({r["exporter"] for r in hf}), hf[0]["hs_revision"], hf[0]["reported_by"]
    (['CHN', 'JPN', 'TWN', 'USA'], 'KCS HS10', 'importer')
    >>> all(r["quantity_kg"] is not None for r in hf)
    True
    """
    return _table(path, """
        SELECT year, month, partner, 'KOR', CAST(hs10 AS VARCHAR), sum(import_usd), 'importer',
               sum(import_kg)
        FROM read_parquet($path) WHERE partner <> '' GROUP BY ALL""", "kcs", "KCS HS10")  # fmt: skip


def comtrade_monthly(path: Path) -> pa.Table:
    """UN Comtrade monthly records (``period`` YYYYMM, ``flow``, ``reporter``, ``partner``,
    ``cmd_code``, ``value_usd``): exports as the exporter reported them, imports as the
    importer did (both sides kept; the mirror rule chooses)."""
    return _table(path, """
        SELECT period // 100, period % 100,
               CASE WHEN flow = 'Exports' THEN reporter ELSE partner END,
               CASE WHEN flow = 'Exports' THEN partner ELSE reporter END,
               CAST(cmd_code AS VARCHAR), sum(value_usd),
               CASE WHEN flow = 'Exports' THEN 'exporter' ELSE 'importer' END
        FROM read_parquet($path)
        WHERE flow IN ('Exports', 'Imports') AND partner NOT IN ('World', '')
          AND partner IS NOT NULL AND reporter IS NOT NULL GROUP BY ALL""",
        "comtrade", "HS")  # fmt: skip


def faostat(path: Path, importers: tuple[str, ...] = ()) -> pa.Table:
    """The FAOSTAT detailed trade matrix's import values (1000 USD) by reporting importer,
    partner and item; optionally only some importers (ISO alpha-3)."""
    return _table(path, """
        SELECT year, NULL, partner_iso3, reporter_iso3, item, sum(value_kusd) * 1000, 'importer'
        FROM read_parquet($path) WHERE element = 'Import value'
          AND (len($importers) = 0 OR list_contains($importers, reporter_iso3))
        GROUP BY ALL""", "faostat", "FAOSTAT item", importers=list(importers))  # fmt: skip


def china_minerals(path: Path) -> pa.Table:
    """China's monthly exports by partner and broad group (Graphite, Gallium/Germanium, …),
    the ``country_monthly_stats`` table (``period_dt, partner_name, broad_group, val`` in USD)."""
    return _table(path, """
        SELECT year(period_dt), month(period_dt), 'CHN', partner_name, broad_group, sum(val),
               'exporter'
        FROM read_csv_auto($path) GROUP BY ALL""",
        "china_minerals", "critical-mineral group")  # fmt: skip
