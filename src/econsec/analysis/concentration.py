"""Import concentration: who supplies an importer with each product, and how concentrated.

For importer *i* (a country, or a group of countries with trade inside the group left out),
product *k* and year *t*, with :math:`m_{jikt}` the imports from supplier country *j*:

.. math::

    M_{ikt} = \\sum_j m_{jikt}, \\qquad s_{jikt} = m_{jikt} / M_{ikt}, \\qquad
    \\mathrm{HHI}_{ikt} = \\sum_j s_{jikt}^2 \\in [1/n, 1]

The world-export HHI of a product uses each country's exports to all destinations. Shares from
the "concern" and "like-minded" sets are sums of :math:`s_{jikt}` over their members. Ties for
the top supplier go to the alphabetically last country code, so every engine gives the same answer.

The SQL is the common subset of DuckDB and Spark SQL but for one function name (``dialect``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

import pyarrow as pa

__all__ = [
    "MEMBERS_RELATION",
    "METRIC_COLUMNS",
    "SETS_RELATION",
    "Importer",
    "SqlEngine",
    "concentration",
    "concentration_sql",
    "in_set",
    "membership_rows",
    "register_members",
    "register_sets",
]

#: The relation of (country, label) rows the SQL joins to know each importer's members.
MEMBERS_RELATION = "econsec_members"


class SqlEngine(Protocol):
    """The part of a query engine analyses use (see :mod:`econsec.storage.engines`)."""

    name: str
    unique_flows: bool  # the relation "flows" has one row per (year, exporter, importer, product)
    years: frozenset[int] | None  # the years "flows" holds, when known without a query

    def sql(
        self, query: str, params: Mapping[str, str | int | float] | None = None
    ) -> pa.Table: ...

    def register(self, name: str, table: pa.Table) -> None: ...


#: The relation of named sets of values that :func:`register_sets` registers.
SETS_RELATION = "econsec_sets"

#: The columns :func:`concentration_sql` returns, in order.
METRIC_COLUMNS: tuple[str, ...] = (
    "importer",
    "product",
    "year",
    "imports_usd",
    "n_suppliers",
    "hhi",
    "top_supplier",
    "top_share",
    "concern_share",
    "like_minded_share",
    "exports_usd",
    "import_export_ratio",
    "intra_usd",
    "world_export_hhi",
    "world_exports_usd",
)


@dataclass(frozen=True, slots=True)
class Importer:
    """An importing country or group: its label and member countries (trade among them excluded)."""

    label: str
    members: frozenset[str]


def register_sets(
    engine: SqlEngine, sets: Mapping[str, Iterable[str] | None], relation: str = SETS_RELATION
) -> None:
    """Register named sets of text values as a relation, so that queries test membership
    without the values in their text.

    Parameters
    ----------
    engine : SqlEngine
        The engine to register the relation with.
    sets : mapping of str to iterable of str or None
        Each set's name and its values (products, country codes); None is an empty set.
    relation : str
        The relation's name (columns ``name``, ``code``).

    Returns
    -------
    None

    See Also
    --------
    in_set : the SQL that tests membership of a registered set.

    Examples
    --------
    >>> from econsec.storage.engines import duckdb_engine
    >>> engine = duckdb_engine(None)
    >>> register_sets(engine, {"concern": {"CHN", "O'Land"}, "products": None})
    >>> engine.sql(f"SELECT code FROM econsec_sets WHERE {in_set('code', 'concern')} "
    ...            "ORDER BY code").column("code").to_pylist()
    ['CHN', "O'Land"]
    """
    rows = sorted({(name, code) for name, codes in sets.items() for code in codes or ()})
    engine.register(
        relation,
        pa.table({"name": [r[0] for r in rows], "code": [r[1] for r in rows]},
                 schema=pa.schema([("name", pa.string()), ("code", pa.string())])),
    )  # fmt: skip


def in_set(column: str, name: str, relation: str = SETS_RELATION) -> str:
    """SQL testing ``column`` for membership of a set registered by :func:`register_sets`.

    Use it as a filter: Spark allows such a subquery in ``WHERE``, not inside expressions
    (join the set there instead).

    Parameters
    ----------
    column : str
        The column (or expression) to test.
    name : str
        The registered set's name.
    relation : str
        The relation the set was registered in.

    Returns
    -------
    str
        An SQL predicate.

    Examples
    --------
    >>> in_set("product", "products")
    "product IN (SELECT code FROM econsec_sets WHERE name = 'products')"
    """
    return f"{column} IN (SELECT code FROM {relation} WHERE name = '{name}')"


def membership_rows(importers: tuple[Importer, ...]) -> list[tuple[str, str]]:
    """The rows (country, label) of the membership relation the screen's SQL joins with.

    Parameters
    ----------
    importers : tuple of Importer
        Importing countries or groups.

    Returns
    -------
    list of (str, str)
        Each member country with its importer's label, by importer then country.

    Examples
    --------
    >>> membership_rows((Importer("JPN", frozenset({"JPN"})),
    ...                  Importer("Quad", frozenset({"USA", "IND", "JPN", "AUS"}))))[:3]
    [('JPN', 'JPN'), ('AUS', 'Quad'), ('IND', 'Quad')]
    """
    return [(country, imp.label) for imp in importers for country in sorted(imp.members)]


def _top_supplier(dialect: str) -> str:
    """The largest supplier; among equal values the alphabetically last code (deterministic)."""
    if dialect == "spark":
        return "max_by(exporter, struct(v, exporter))"
    return "arg_max(exporter, (v, exporter))"


def concentration_sql(
    relation: str,
    members: str | None,
    years: tuple[int, ...],
    *,
    some_products: bool = False,
    dialect: str = "duckdb",
    unique_flows: bool = False,
) -> str:
    """SQL computing the concentration metrics per importer × product × year.

    Parameters
    ----------
    relation : str
        The relation of flows (``year``, ``exporter``, ``importer``, ``product``,
        ``value_usd``).
    members : str or None
        The membership relation (see below).
    years : tuple of int
        The years to compute.
    some_products : bool
        Keep only the registered set ``products``.
    dialect : str
        ``duckdb`` or ``spark``.
    unique_flows : bool
        See below.

    Returns
    -------
    str
        The query; its columns are :data:`METRIC_COLUMNS`.

    Notes
    -----
    ``members`` names a relation of (country, label) rows (see :func:`membership_rows`); None
    means every importing country on its own. The sets ``concern`` and ``like_minded`` — and
    with ``some_products`` the ``products`` to keep — are read from the relation of
    :func:`register_sets` (:func:`register_screen_sets` registers them). The columns are
    :data:`METRIC_COLUMNS`: ``exports_usd`` counts exports to countries outside the group and
    ``intra_usd`` trade among the group's members. ``dialect`` (``duckdb`` or ``spark``) picks
    the spelling of the one function the engines name differently. ``unique_flows`` says the
    relation holds at most one row per (year, exporter, importer, product) — annual data of one
    source after the mirror rule, as a workspace guarantees — so the per-supplier aggregation
    can be skipped.

    Examples
    --------
    >>> sql = concentration_sql("flows", None, (2024,))
    >>> "sum(v * v) / (sum(v) * sum(v)) AS hhi" in sql and "2024" in sql
    True
    """
    product_filter = f"AND {in_set('product', 'products')}" if some_products else ""
    year_list = ", ".join(str(int(y)) for y in years)
    if unique_flows:
        inflow = """
        SELECT importer, product, year, exporter, value_usd AS v FROM base
        WHERE exporter <> importer AND value_usd > 0"""
    else:
        inflow = """
        SELECT importer, product, year, exporter, sum(value_usd) AS v FROM base
        WHERE exporter <> importer
        GROUP BY importer, product, year, exporter HAVING sum(value_usd) > 0"""
    if members is None:  # every importer on its own: no membership joins
        flows_by_side = f"""
    per_exporter AS (
        SELECT exporter, product, year, sum(value_usd) AS v FROM base
        WHERE exporter <> importer GROUP BY exporter, product, year
    ),
    inflow AS ({inflow}),
    intra AS (SELECT importer, product, year, 0.0 AS intra_usd FROM base WHERE 1 = 0),
    outflow AS (SELECT exporter AS importer, product, year, v AS exports_usd FROM per_exporter),"""
        world_source = "per_exporter"
    else:
        flows_by_side = f"""
    members AS (SELECT country, label FROM {members}),
    tagged AS (
        SELECT m.label, b.year, b.exporter, b.importer, b.product, b.value_usd,
               x.country IS NOT NULL AS inside
        FROM base b JOIN members m ON b.importer = m.country
        LEFT JOIN members x ON x.label = m.label AND x.country = b.exporter
    ),
    inflow AS (
        SELECT label AS importer, product, year, exporter, sum(value_usd) AS v
        FROM tagged WHERE NOT inside
        GROUP BY label, product, year, exporter HAVING sum(value_usd) > 0
    ),
    intra AS (
        SELECT label AS importer, product, year, sum(value_usd) AS intra_usd
        FROM tagged WHERE inside AND exporter <> importer
        GROUP BY label, product, year
    ),
    outflow AS (
        SELECT m.label AS importer, b.product, b.year, sum(b.value_usd) AS exports_usd
        FROM base b JOIN members m ON b.exporter = m.country
        LEFT JOIN members x ON x.label = m.label AND x.country = b.importer
        WHERE x.country IS NULL
        GROUP BY m.label, b.product, b.year
    ),"""
        world_source = """(SELECT exporter, product, year, sum(value_usd) AS v FROM base
              GROUP BY exporter, product, year)"""
    return f"""
    WITH base AS (
        SELECT year, exporter, importer, product, value_usd FROM {relation}
        WHERE year IN ({year_list}) {product_filter}
    ),{flows_by_side}
    imports AS (
        SELECT importer, product, year,
               sum(v) AS imports_usd,
               count(*) AS n_suppliers,
               sum(v * v) / (sum(v) * sum(v)) AS hhi,
               max(v) AS top_v,
               {_top_supplier(dialect)} AS top_supplier,
               coalesce(sum(CASE WHEN c.code IS NOT NULL THEN v END), 0) / sum(v)
                   AS concern_share,
               coalesce(sum(CASE WHEN l.code IS NOT NULL THEN v END), 0) / sum(v)
                   AS like_minded_share
        FROM inflow
        LEFT JOIN (SELECT code FROM {SETS_RELATION} WHERE name = 'concern') c
            ON c.code = inflow.exporter
        LEFT JOIN (SELECT code FROM {SETS_RELATION} WHERE name = 'like_minded') l
            ON l.code = inflow.exporter
        GROUP BY importer, product, year
    ),
    world AS (
        SELECT product, year, sum(v * v) / (sum(v) * sum(v)) AS world_export_hhi,
               sum(v) AS world_exports_usd
        FROM {world_source} per_exporter_world
        WHERE v > 0 GROUP BY product, year
    )
    SELECT i.importer, i.product, i.year, i.imports_usd, i.n_suppliers, i.hhi,
           i.top_supplier, i.top_v / i.imports_usd AS top_share, i.concern_share,
           i.like_minded_share,
           coalesce(o.exports_usd, 0) AS exports_usd,
           CASE WHEN coalesce(o.exports_usd, 0) > 0 THEN i.imports_usd / o.exports_usd END
               AS import_export_ratio,
           coalesce(t.intra_usd, 0) AS intra_usd,
           w.world_export_hhi, w.world_exports_usd
    FROM imports i
    LEFT JOIN outflow o ON o.importer = i.importer AND o.product = i.product AND o.year = i.year
    LEFT JOIN intra t ON t.importer = i.importer AND t.product = i.product AND t.year = i.year
    LEFT JOIN world w ON w.product = i.product AND w.year = i.year
    """


def register_members(engine: SqlEngine, importers: tuple[Importer, ...] | None) -> str | None:
    """Register the membership relation for ``importers`` with the engine.

    Parameters
    ----------
    engine : SqlEngine
        The engine.
    importers : tuple of Importer or None
        The importers to screen; None for every importing country on its own.

    Returns
    -------
    str or None
        The relation's name, or None (nothing registered) for every importer.

    Examples
    --------
    >>> from econsec.storage.engines import duckdb_engine
    >>> engine = duckdb_engine(None)
    >>> register_members(engine, (Importer("EU2", frozenset({"DEU", "FRA"})),))
    'econsec_members'
    >>> engine.sql("SELECT * FROM econsec_members ORDER BY country").to_pylist()
    [{'country': 'DEU', 'label': 'EU2'}, {'country': 'FRA', 'label': 'EU2'}]
    """
    if importers is None:
        return None
    rows = membership_rows(importers)
    engine.register(
        MEMBERS_RELATION, pa.table({"country": [r[0] for r in rows], "label": [r[1] for r in rows]})
    )
    return MEMBERS_RELATION


def register_screen_sets(
    engine: SqlEngine,
    products: frozenset[str] | None,
    concern: frozenset[str],
    like_minded: frozenset[str],
) -> None:
    """Register the sets :func:`concentration_sql` reads (see :func:`register_sets`).

    Parameters
    ----------
    engine : SqlEngine
        The engine.
    products : frozenset of str or None
        The products to keep; None for all.
    concern, like_minded : frozenset of str
        The countries of concern and the like-minded countries.

    Returns
    -------
    None

    Examples
    --------
    >>> from econsec.storage.engines import duckdb_engine
    >>> engine = duckdb_engine(None)
    >>> register_screen_sets(engine, None, frozenset({"CHN"}), frozenset({"AUS", "USA"}))
    >>> engine.sql("SELECT name, count(*) AS n FROM econsec_sets GROUP BY name "
    ...            "ORDER BY name").to_pylist()
    [{'name': 'concern', 'n': 1}, {'name': 'like_minded', 'n': 2}]
    """
    register_sets(engine, {"products": products, "concern": concern, "like_minded": like_minded})


def concentration(
    engine: SqlEngine,
    importers: tuple[Importer, ...] | None,
    years: tuple[int, ...],
    *,
    products: frozenset[str] | None = None,
    concern: frozenset[str] = frozenset(),
    like_minded: frozenset[str] = frozenset(),
    relation: str = "flows",
) -> pa.Table:
    """The concentration metrics of :func:`concentration_sql` for the engine's flows.

    Parameters
    ----------
    engine : SqlEngine
        An engine with the relation ``relation`` of flows.
    importers : tuple of Importer or None
        Importing countries or groups; None for every importer on its own.
    years : tuple of int
        The years.
    products : frozenset of str, optional
        Only these HS6 products (default: all).
    concern, like_minded : frozenset of str
        Country sets whose shares of imports are reported.
    relation : str
        The relation of flows.

    Returns
    -------
    pyarrow.Table
        The columns of :data:`METRIC_COLUMNS`, by importer, year and product.

    Examples
    --------
    Japan buys 90 from China and 10 from Australia: HHI 0.9² + 0.1² = 0.82.

    >>> import pyarrow as pa
    >>> from econsec.storage.engines import duckdb_engine
    >>> engine = duckdb_engine(None)
    >>> engine.register("flows", pa.table({
    ...     "year": [2024, 2024, 2024], "exporter": ["CHN", "AUS", "CHN"],
    ...     "importer": ["JPN", "JPN", "KOR"], "product": ["850511"] * 3,
    ...     "value_usd": [90.0, 10.0, 50.0]}))
    >>> row = concentration(engine, (Importer("JPN", frozenset({"JPN"})),), (2024,),
    ...                     concern=frozenset({"CHN"})).to_pylist()[0]
    >>> round(row["hhi"], 4), row["top_supplier"], row["n_suppliers"], row["concern_share"]
    (0.82, 'CHN', 2, 0.9)
    """
    members = register_members(engine, importers)
    register_screen_sets(engine, products, concern, like_minded)
    sql = concentration_sql(
        relation,
        members,
        years,
        some_products=products is not None,
        dialect=engine.name,
        unique_flows=relation == "flows" and engine.unique_flows,
    )
    return engine.sql(sql + " ORDER BY importer, year, product")
