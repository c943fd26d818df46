"""Flows (period, exporter, importer, product, value) from published trade statistics, for the
early warning: UN Comtrade monthly records, Korea Customs Service monthly HS10 by partner, the
FAOSTAT detailed trade matrix, Japan Customs' annual trade by area and goods, and China's
monthly critical-mineral exports by partner (Comtrade-derived tables).

Each reader returns the rows :func:`econsec.intelligence.detect` takes; a missing file or
column is an :class:`InputError` naming the file.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from econsec.errors import InputError

__all__ = ["china_minerals", "comtrade_monthly", "faostat", "japan_customs", "kcs_monthly"]

Flow = tuple[str, str, str, str, float]
# Japan Customs' abbreviated area names that differ from ISO 3166 names
_JAPAN_AREAS = {
    "Argent": "ARG", "Austral": "AUS", "Colmbia": "COL", "Hg Kong": "HKG", "Indnsia": "IDN",
    "Malysia": "MYS", "Nethlds": "NLD", "Newzeld": "NZL", "Pakistn": "PAK", "Pap Nga": "PNG",
    "Philpin": "PHL", "Portugl": "PRT", "Prtrico": "PRI", "R Korea": "KOR", "S Afrca": "ZAF",
    "Sngapor": "SGP", "Su Arab": "SAU", "Switzld": "CHE", "Thailnd": "THA", "U Arb E": "ARE",
    "U King": "GBR", "Venezla": "VEN", "China": "CHN", "USA": "USA", "Russia": "RUS",
}  # fmt: skip


def _query(path: Path, sql: str) -> list[Flow]:
    if not path.exists():
        raise InputError("no such file", file=str(path))
    try:
        return [tuple(r) for r in duckdb.connect().execute(sql).fetchall()]
    except duckdb.Error as exc:
        raise InputError(f"not in the expected format: {exc}", file=str(path)) from None


def kcs_monthly(path: Path) -> list[Flow]:
    """Korea's imports by HS10 and partner (``year, month, partner, hs10, import_usd``)."""
    return _query(path, f"""
        SELECT printf('%04d-%02d', year, month), partner, 'KOR', CAST(hs10 AS VARCHAR),
               sum(import_usd)
        FROM read_parquet('{path}') WHERE partner <> '' GROUP BY ALL""")  # fmt: skip


def comtrade_monthly(path: Path) -> list[Flow]:
    """UN Comtrade monthly records (``period`` YYYYMM, ``flow``, ``reporter``, ``partner``,
    ``cmd_code``, ``value_usd``): exports as reported by the exporter, imports by the importer;
    where both report a flow, the importer's record (CIF, usually the more complete) is kept."""
    return _query(path, f"""
        WITH r AS (
          SELECT printf('%d-%02d', period // 100, period % 100) AS p, flow,
                 CASE WHEN flow = 'Exports' THEN reporter ELSE partner END AS x,
                 CASE WHEN flow = 'Exports' THEN partner ELSE reporter END AS i,
                 cmd_code AS c, sum(value_usd) AS v
          FROM read_parquet('{path}')
          WHERE flow IN ('Exports', 'Imports') AND partner NOT IN ('World', '')
            AND partner IS NOT NULL AND reporter IS NOT NULL GROUP BY ALL)
        SELECT p, x, i, c, max_by(v, flow = 'Imports') FROM r GROUP BY p, x, i, c""")  # fmt: skip


def faostat(path: Path, importers: tuple[str, ...] = ()) -> list[Flow]:
    """FAOSTAT detailed trade matrix, import values (1000 USD) by reporting importer, partner
    and item; optionally only some importers (ISO3)."""
    where = f"AND reporter_iso3 IN {tuple(importers)!r}".replace(",)", ")") if importers else ""
    return _query(path, f"""
        SELECT CAST(year AS VARCHAR), partner_iso3, reporter_iso3, item, sum(value_kusd)
        FROM read_parquet('{path}') WHERE element = 'Import value' {where}
        GROUP BY ALL""")  # fmt: skip


def japan_customs(path: Path) -> list[Flow]:
    """Japan's annual exports by area and goods group (billion yen); aggregates (Grand Total,
    EU, sub-items in parentheses) and the partial last year are left out."""
    rows = _query(path, f"""
        SELECT CAST(year AS VARCHAR), 'JPN', area, goods, value
        FROM read_csv_auto('{path}')
        WHERE ex_im = 'export' AND area NOT IN ('Grand Total', 'EU') AND goods NOT LIKE '(%'
          AND goods <> 'Grand Total'
          AND year < (SELECT max(year) FROM read_csv_auto('{path}'))""")  # fmt: skip
    return [(p, x, _JAPAN_AREAS.get(i, i), g, v) for p, x, i, g, v in rows]


def china_minerals(path: Path) -> list[Flow]:
    """China's monthly exports by partner and broad group (Graphite, Gallium/Germanium, …),
    the ``country_monthly_stats`` table (``period_dt, partner_name, broad_group, val``)."""
    return _query(path, f"""
        SELECT strftime(period_dt, '%Y-%m'), 'CHN', partner_name, broad_group, sum(val)
        FROM read_csv_auto('{path}') GROUP BY ALL""")  # fmt: skip
