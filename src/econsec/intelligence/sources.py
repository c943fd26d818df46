"""Flows (period, exporter, importer, product, value) from published trade statistics, for the
early warning: UN Comtrade monthly records, Korea Customs Service monthly HS10 by partner, the
FAOSTAT detailed trade matrix, Japan Customs' annual trade by area and goods, and China's
monthly critical-mineral exports by partner (Comtrade-derived tables).

Each reader returns the rows :func:`econsec.intelligence.detect` takes, checked by the one flow
check (:func:`~econsec.intelligence.warning.check_flows`), with countries as ISO alpha-3 codes
from the one country table (:func:`econsec.reference.countries.code_or_name`, which knows the
customs offices' own spellings). File paths and values are bound as query parameters. A
missing file or column is an :class:`InputError` naming the file.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb

from econsec.errors import InputError
from econsec.intelligence.warning import FLOW_COLUMNS, Flow, check_flows
from econsec.reference.countries import code_or_name

__all__ = ["china_minerals", "comtrade_monthly", "faostat", "japan_customs", "kcs_monthly"]

_country = cache(code_or_name)


def _query(path: Path, sql: str, params: dict[str, object] | None = None) -> list[Flow]:
    """The flows ``sql`` selects from the file ``$path`` (columns in :data:`FLOW_COLUMNS` order),
    with both countries through the country table."""
    if not path.exists():
        raise InputError("no such file", file=str(path))
    try:
        rows = duckdb.connect().execute(sql, {"path": str(path), **(params or {})}).fetchall()
    except duckdb.Error as exc:
        raise InputError(f"not in the expected format: {exc}", file=str(path)) from None
    records = [
        dict(zip(FLOW_COLUMNS, (p, _country(str(x)), _country(str(i)), c, v), strict=True))
        for p, x, i, c, v in rows
    ]
    return check_flows(records, source=str(path))


def kcs_monthly(path: Path) -> list[Flow]:
    """Korea's imports by HS10 and partner (``year, month, partner, hs10, import_usd``)."""
    return _query(path, """
        SELECT printf('%04d-%02d', year, month), partner, 'KOR', CAST(hs10 AS VARCHAR),
               sum(import_usd)
        FROM read_parquet($path) WHERE partner <> '' GROUP BY ALL""")  # fmt: skip


def comtrade_monthly(path: Path) -> list[Flow]:
    """UN Comtrade monthly records (``period`` YYYYMM, ``flow``, ``reporter``, ``partner``,
    ``cmd_code``, ``value_usd``): exports as reported by the exporter, imports by the importer;
    where both report a flow, the importer's record (CIF, usually the more complete) is kept."""
    return _query(path, """
        WITH r AS (
          SELECT printf('%d-%02d', period // 100, period % 100) AS p, flow,
                 CASE WHEN flow = 'Exports' THEN reporter ELSE partner END AS x,
                 CASE WHEN flow = 'Exports' THEN partner ELSE reporter END AS i,
                 cmd_code AS c, sum(value_usd) AS v
          FROM read_parquet($path)
          WHERE flow IN ('Exports', 'Imports') AND partner NOT IN ('World', '')
            AND partner IS NOT NULL AND reporter IS NOT NULL GROUP BY ALL)
        SELECT p, x, i, c, max_by(v, flow = 'Imports') FROM r GROUP BY p, x, i, c""")  # fmt: skip


def faostat(path: Path, importers: tuple[str, ...] = ()) -> list[Flow]:
    """FAOSTAT detailed trade matrix, import values (1000 USD) by reporting importer, partner
    and item; optionally only some importers (ISO3)."""
    return _query(path, """
        SELECT CAST(year AS VARCHAR), partner_iso3, reporter_iso3, item, sum(value_kusd)
        FROM read_parquet($path) WHERE element = 'Import value'
          AND (len($importers) = 0 OR list_contains($importers, reporter_iso3))
        GROUP BY ALL""", {"importers": list(importers)})  # fmt: skip


def japan_customs(path: Path) -> list[Flow]:
    """Japan's annual exports by area and goods group (billion yen); aggregates (Grand Total,
    EU, sub-items in parentheses) and the partial last year are left out."""
    return _query(path, """
        SELECT CAST(year AS VARCHAR), 'JPN', area, goods, value
        FROM read_csv_auto($path)
        WHERE ex_im = 'export' AND area NOT IN ('Grand Total', 'EU') AND goods NOT LIKE '(%'
          AND goods <> 'Grand Total'
          AND year < (SELECT max(year) FROM read_csv_auto($path))""")  # fmt: skip


def china_minerals(path: Path) -> list[Flow]:
    """China's monthly exports by partner and broad group (Graphite, Gallium/Germanium, …),
    the ``country_monthly_stats`` table (``period_dt, partner_name, broad_group, val``)."""
    return _query(path, """
        SELECT strftime(period_dt, '%Y-%m'), 'CHN', partner_name, broad_group, sum(val)
        FROM read_csv_auto($path) GROUP BY ALL""")  # fmt: skip
