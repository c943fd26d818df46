"""The dependency screen: concentration metrics plus a preset's criteria, explained per row.

:func:`screen_sql` builds one DuckDB query: the metrics of
:func:`~econsec.analysis.concentration.concentration_sql` for the screened year and the two
before (for persistence), each criterion's value, threshold and verdict as columns
``<criterion>__value``, ``<criterion>__threshold``, ``<criterion>__met``, the number of the
three years in which all criteria held (``persistence``) and the ``flagged`` verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from econsec.analysis.concentration import Importer, concentration_sql
from econsec.analysis.presets import Criterion, Preset

__all__ = ["Screen", "criteria_of", "run_screen", "screen_sql"]


@dataclass(frozen=True, slots=True)
class Screen:
    """What to screen: importers (None = every importer), a year, products and a preset."""

    importers: tuple[Importer, ...] | None
    year: int
    preset: Preset
    products: frozenset[str] | None = None
    concern: frozenset[str] = frozenset()
    like_minded: frozenset[str] = frozenset()
    production: str | None = None  # relation with importer, product, year, production_usd


def _verdict(c: Criterion, value: str) -> str:
    op = ">=" if c.inclusive else ">"
    missing = "NULL" if c.when_missing is None else ("TRUE" if c.when_missing else "FALSE")
    return f"coalesce(({value}) {op} {c.threshold!r}, {missing})"


def screen_sql(relation: str, s: Screen) -> str:
    """SQL for the screen ``s`` over the flows in ``relation``."""
    years = (s.year - 2, s.year - 1, s.year)
    metrics = concentration_sql(
        relation,
        s.importers,
        years,
        products=s.products,
        concern=s.concern,
        like_minded=s.like_minded,
    )
    if s.production:
        single = (
            "(top_share * imports_usd) / nullif(coalesce(p.production_usd, 0) + imports_usd "
            "- exports_usd, 0)"
        )
        join = f"LEFT JOIN {s.production} p USING (importer, product, year)"
        single = f"CASE WHEN p.production_usd IS NULL THEN top_share ELSE {single} END"
    else:
        single, join = "top_share", ""
    values = ",\n".join(f"({c.value}) AS {c.name}__value" for c in s.preset.criteria)
    verdicts = ",\n".join(
        f"{_verdict(c, c.name + '__value')} AS {c.name}__met, {c.threshold!r}::DOUBLE AS {c.name}__threshold"
        for c in s.preset.criteria
    )
    all_met = " AND ".join(f"{c.name}__met" for c in s.preset.criteria)
    p = s.preset.persistence
    if p is not None:
        persistence_cols = (
            f", CASE WHEN years_seen = 3 THEN persistence END AS {p.name}__value, "
            f"{p.threshold!r}::DOUBLE AS {p.name}__threshold, "
            f"CASE WHEN years_seen = 3 THEN persistence >= {p.threshold!r} END AS {p.name}__met"
        )
        flagged = f"coalesce({p.name}__met, FALSE)"
    else:
        persistence_cols, flagged = "", "base_flag"
    return f"""
    WITH metrics AS ({metrics}),
    enriched AS (
        SELECT m.*, {single} AS single_source_share FROM metrics m {join}
    ),
    valued AS (SELECT *, {values} FROM enriched),
    judged AS (SELECT *, {verdicts} FROM valued),
    flagged_years AS (SELECT *, ({all_met}) AS base_flag FROM judged),
    windowed AS (
        SELECT *,
            count(*) FILTER (WHERE base_flag) OVER w AS persistence,
            (SELECT count(DISTINCT year) FROM metrics) AS years_seen
        FROM flagged_years
        WINDOW w AS (PARTITION BY importer, product ORDER BY year
                     RANGE BETWEEN 2 PRECEDING AND CURRENT ROW)
    )
    SELECT * EXCLUDE (years_seen){persistence_cols},
           {flagged} AS flagged,
           '{s.preset.method_version}' AS method
    FROM windowed WHERE year = {int(s.year)}
    ORDER BY importer, product
    """


def run_screen(con: duckdb.DuckDBPyConnection, s: Screen, relation: str = "flows") -> pa.Table:
    """Run the screen on a connection that has ``relation``."""
    return con.sql(screen_sql(relation, s)).to_arrow_table()


def criteria_of(row: dict[str, Any], preset: Preset) -> dict[str, dict[str, Any]]:
    """The explanation of one result row: criterion name -> {value, threshold, met}."""
    names = [c.name for c in preset.criteria]
    if preset.persistence is not None:
        names.append(preset.persistence.name)
    out = {}
    for name in names:
        value = row.get(f"{name}__value")
        entry: dict[str, Any] = {
            "value": None if value is None or value != value else float(value),
            "threshold": row.get(f"{name}__threshold"),
            "met": row.get(f"{name}__met"),
        }
        if value is None and preset.persistence is not None and name == preset.persistence.name:
            entry["note"] = "insufficient data: needs the screened year and the two before"
        out[name] = entry
    return out
