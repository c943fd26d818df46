"""Import concentration: who supplies an importer with each product, and how concentrated.

For importer *i* (a country, or a group of countries with trade inside the group left out),
product *k* and year *t*, with :math:`m_{jikt}` the imports from supplier country *j*:

.. math::

    M_{ikt} = \\sum_j m_{jikt}, \\qquad s_{jikt} = m_{jikt} / M_{ikt}, \\qquad
    \\mathrm{HHI}_{ikt} = \\sum_j s_{jikt}^2 \\in [1/n, 1]

The world-export HHI of a product uses each country's exports to all destinations. Shares from
the "concern" and "like-minded" sets are sums of :math:`s_{jikt}` over their members.

The computation is one DuckDB query over the ``flows`` relation; nothing is loaded into pandas.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pyarrow as pa

__all__ = ["Importer", "concentration", "concentration_sql"]


@dataclass(frozen=True, slots=True)
class Importer:
    """An importing country or group: its label and member countries (trade among them excluded)."""

    label: str
    members: frozenset[str]


def _list(values: Iterable[str]) -> str:
    items = sorted(set(values))
    if not items:
        return "(NULL)"
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in items) + ")"


def concentration_sql(
    relation: str,
    importers: tuple[Importer, ...] | None,
    years: tuple[int, ...],
    *,
    products: frozenset[str] | None = None,
    concern: frozenset[str] = frozenset(),
    like_minded: frozenset[str] = frozenset(),
) -> str:
    """SQL computing the concentration metrics per importer × product × year.

    ``importers`` None means every country that imports, each on its own.
    Columns: importer, product, year, imports_usd, n_suppliers, hhi, top_supplier, top_share,
    concern_share, like_minded_share, exports_usd (to countries outside the group),
    import_export_ratio, intra_usd (trade among the group's members), world_export_hhi,
    world_exports_usd.
    """
    product_filter = f"AND product IN {_list(products)}" if products is not None else ""
    year_list = ", ".join(str(int(y)) for y in years)
    if importers is None:
        membership = "SELECT DISTINCT importer AS country, importer AS label FROM base"
    else:
        rows = [f"('{c}', '{imp.label}')" for imp in importers for c in sorted(imp.members)]
        membership = f"SELECT * FROM (VALUES {', '.join(rows)}) AS m(country, label)"
    return f"""
    WITH base AS (
        SELECT year, exporter, importer, product, value_usd FROM {relation}
        WHERE year IN ({year_list}) {product_filter}
    ),
    members AS ({membership}),
    inflow AS (
        SELECT m.label AS importer, b.product, b.year, b.exporter, sum(b.value_usd) AS v
        FROM base b JOIN members m ON b.importer = m.country
        WHERE NOT EXISTS (SELECT 1 FROM members x WHERE x.label = m.label AND x.country = b.exporter)
        GROUP BY ALL HAVING sum(b.value_usd) > 0
    ),
    imports AS (
        SELECT importer, product, year,
               sum(v) AS imports_usd,
               count(*) AS n_suppliers,
               sum(v * v) / (sum(v) * sum(v)) AS hhi,
               arg_max(exporter, v) AS top_supplier,
               max(v) / sum(v) AS top_share,
               coalesce(sum(v) FILTER (WHERE exporter IN {_list(concern)}), 0) / sum(v) AS concern_share,
               coalesce(sum(v) FILTER (WHERE exporter IN {_list(like_minded)}), 0) / sum(v)
                   AS like_minded_share
        FROM inflow GROUP BY importer, product, year
    ),
    outflow AS (
        SELECT m.label AS importer, b.product, b.year, sum(b.value_usd) AS exports_usd
        FROM base b JOIN members m ON b.exporter = m.country
        WHERE NOT EXISTS (SELECT 1 FROM members x WHERE x.label = m.label AND x.country = b.importer)
        GROUP BY ALL
    ),
    intra AS (
        SELECT m.label AS importer, b.product, b.year, sum(b.value_usd) AS intra_usd
        FROM base b JOIN members m ON b.importer = m.country
        WHERE EXISTS (SELECT 1 FROM members x WHERE x.label = m.label AND x.country = b.exporter)
          AND b.exporter <> b.importer
        GROUP BY ALL
    ),
    world AS (
        SELECT product, year, sum(v * v) / (sum(v) * sum(v)) AS world_export_hhi,
               sum(v) AS world_exports_usd
        FROM (SELECT product, year, exporter, sum(value_usd) AS v FROM base GROUP BY ALL)
        WHERE v > 0 GROUP BY ALL
    )
    SELECT i.importer, i.product, i.year, i.imports_usd, i.n_suppliers, i.hhi,
           i.top_supplier, i.top_share, i.concern_share, i.like_minded_share,
           coalesce(o.exports_usd, 0) AS exports_usd,
           CASE WHEN coalesce(o.exports_usd, 0) > 0 THEN i.imports_usd / o.exports_usd END
               AS import_export_ratio,
           coalesce(t.intra_usd, 0) AS intra_usd,
           w.world_export_hhi, w.world_exports_usd
    FROM imports i
    LEFT JOIN outflow o USING (importer, product, year)
    LEFT JOIN intra t USING (importer, product, year)
    LEFT JOIN world w USING (product, year)
    ORDER BY i.importer, i.year, i.product
    """


def concentration(
    con: duckdb.DuckDBPyConnection,
    importers: tuple[Importer, ...] | None,
    years: tuple[int, ...],
    *,
    products: frozenset[str] | None = None,
    concern: frozenset[str] = frozenset(),
    like_minded: frozenset[str] = frozenset(),
    relation: str = "flows",
) -> pa.Table:
    """Run :func:`concentration_sql` on a connection that has ``relation`` (default ``flows``)."""
    sql = concentration_sql(
        relation, importers, years, products=products, concern=concern, like_minded=like_minded
    )
    return con.sql(sql).to_arrow_table()
