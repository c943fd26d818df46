"""Flows (period, exporter, importer, product, value) from published trade statistics, for the
early warning.

UN Comtrade monthly records, Korea Customs Service monthly HS10 by partner, the FAOSTAT
detailed trade matrix and China's monthly critical-mineral exports are read by the trade layer
(:mod:`econsec.trade.statistics`) into the canonical flows table, with the one country table,
and turned into series by :func:`~econsec.intelligence.warning.series_of`.

Japan Customs' annual trade by area and goods is the one exception: its values are billions
of yen, and the canonical table holds US dollars (no exchange rates are at hand to convert
them), so it is read here, through the same country table and flow check. The early warning
looks at ratios within a series, so the unit does not change what it finds.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from econsec.errors import InputError
from econsec.intelligence.warning import (
    FLOW_COLUMNS,
    Flow,
    Quantity,
    check_flows,
    quantities_of,
    series_of,
)
from econsec.reference.countries import code_or_name
from econsec.trade import statistics

__all__ = [
    "china_minerals",
    "comtrade_monthly",
    "faostat",
    "japan_customs",
    "kcs_monthly",
    "kcs_quantities",
]


def kcs_monthly(path: Path) -> list[Flow]:
    """Korea's monthly imports by HS10 and partner (:func:`econsec.trade.statistics.kcs_monthly`)."""
    return series_of(statistics.kcs_monthly(path))


def kcs_quantities(path: Path) -> list[Quantity]:
    """The same with each flow's quantity in kg, for the unit-value signal."""
    return quantities_of(statistics.kcs_monthly(path))


def comtrade_monthly(path: Path) -> list[Flow]:
    """UN Comtrade monthly records, both sides reconciled by the mirror rule
    (:func:`econsec.trade.statistics.comtrade_monthly`)."""
    return series_of(statistics.comtrade_monthly(path))


def faostat(path: Path, importers: tuple[str, ...] = ()) -> list[Flow]:
    """FAOSTAT import values by importer, partner and item
    (:func:`econsec.trade.statistics.faostat`)."""
    return series_of(statistics.faostat(path, importers))


def china_minerals(path: Path) -> list[Flow]:
    """China's monthly critical-mineral exports by partner and group
    (:func:`econsec.trade.statistics.china_minerals`)."""
    return series_of(statistics.china_minerals(path))


def japan_customs(path: Path) -> list[Flow]:
    """Japan's annual exports by area and goods group (billion yen); aggregates (Grand Total,
    EU, sub-items in parentheses) and the partial last year are left out."""
    if not path.exists():
        raise InputError("no such file", file=str(path))
    try:
        rows = duckdb.connect().execute("""
            SELECT CAST(year AS VARCHAR), 'JPN', area, goods, value
            FROM read_csv_auto($path)
            WHERE ex_im = 'export' AND area NOT IN ('Grand Total', 'EU') AND goods NOT LIKE '(%'
              AND goods <> 'Grand Total'
              AND year < (SELECT max(year) FROM read_csv_auto($path))""",
            {"path": str(path)}).fetchall()  # fmt: skip
    except duckdb.Error as exc:
        raise InputError(
            "not in the expected format: {exc}", values={"exc": exc}, file=str(path)
        ) from None
    records = [dict(zip(FLOW_COLUMNS, (p, x, code_or_name(i), g, v), strict=True))
               for p, x, i, g, v in rows]  # fmt: skip
    return check_flows(records, source=str(path))
