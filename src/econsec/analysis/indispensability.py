"""Strategic indispensability: the products where a country is a dominant world supplier, and
the importers that depend on it for them.

For country *X*, year *t* and product *k*, with world exports :math:`W_k = \\sum_{j,i} m_{jik}`
and *X*'s exports :math:`E_{Xk} = \\sum_i m_{Xik}`, *X* is a dominant supplier when
:math:`E_{Xk} / W_k \\ge \\theta` (default 0.3). Importer *i* depends on *X* for *k* when
:math:`m_{Xik} / M_{ik} > 0.5`, where :math:`M_{ik}` is *i*'s imports of *k* from everywhere.
Products are ranked by the import value that depends on *X* (:math:`\\sum` of :math:`m_{Xik}` over
dependent importers), and importers within a product likewise.
"""

from __future__ import annotations

from dataclasses import dataclass

from econsec.analysis.concentration import SqlEngine, in_set, register_sets

__all__ = ["DependentImporter", "Indispensability", "indispensability", "indispensability_sql"]


@dataclass(frozen=True, slots=True)
class DependentImporter:
    """An importer that gets more than the dependence threshold of a product from the country."""

    importer: str
    share: float
    imports_usd: float
    from_country_usd: float


@dataclass(frozen=True, slots=True)
class Indispensability:
    """One product on which the country is a dominant supplier."""

    country: str
    product: str
    year: int
    world_export_share: float
    world_exports_usd: float
    country_exports_usd: float
    dependent_importers: tuple[DependentImporter, ...]

    @property
    def dependent_value_usd(self) -> float:
        return sum(d.from_country_usd for d in self.dependent_importers)


def indispensability_sql(relation: str, *, some_products: bool = False) -> str:
    """SQL (DuckDB and Spark) listing dominant products and dependent importers, one row each.

    Parameters
    ----------
    relation : str
        The relation of flows.
    some_products : bool
        Keep only the set ``products`` of the relation of
        :func:`~econsec.analysis.concentration.register_sets`.

    Returns
    -------
    str
        The query, with the parameters ``$country``, ``$year``, ``$min_world_share`` and
        ``$min_importer_share``.

    Examples
    --------
    >>> "$min_world_share" in indispensability_sql("flows")
    True
    """
    product_filter = f"AND {in_set('product', 'products')}" if some_products else ""
    return f"""
    WITH base AS (
        SELECT exporter, importer, product, value_usd FROM {relation}
        WHERE year = $year {product_filter}
    ),
    world AS (
        SELECT product, sum(value_usd) AS world_exports_usd,
               coalesce(sum(CASE WHEN exporter = $country THEN value_usd END), 0)
                   AS country_exports_usd
        FROM base GROUP BY product
    ),
    dominant AS (
        SELECT product, world_exports_usd, country_exports_usd,
               country_exports_usd / world_exports_usd AS world_export_share
        FROM world
        WHERE world_exports_usd > 0 AND country_exports_usd / world_exports_usd >= $min_world_share
    ),
    buyers AS (
        SELECT importer, product, sum(value_usd) AS imports_usd,
               coalesce(sum(CASE WHEN exporter = $country THEN value_usd END), 0) AS from_country_usd
        FROM base WHERE importer <> $country AND product IN (SELECT product FROM dominant)
        GROUP BY importer, product
    )
    SELECT d.product, d.world_export_share, d.world_exports_usd, d.country_exports_usd,
           b.importer, b.from_country_usd / b.imports_usd AS share, b.imports_usd, b.from_country_usd
    FROM dominant d
    LEFT JOIN buyers b ON b.product = d.product AND b.imports_usd > 0
        AND b.from_country_usd / b.imports_usd > $min_importer_share
    """


def indispensability(
    engine: SqlEngine,
    country: str,
    year: int,
    *,
    min_world_share: float = 0.3,
    min_importer_share: float = 0.5,
    products: frozenset[str] | None = None,
    relation: str = "flows",
) -> tuple[Indispensability, ...]:
    """Products where ``country`` is a dominant supplier, with the importers that depend on it.

    A product is dominant when the country's share of world exports is at least
    ``min_world_share``; an importer depends on the country when it buys more than
    ``min_importer_share`` of its imports of the product from it.

    Parameters
    ----------
    engine : SqlEngine
        An engine with the relation of flows.
    country : str
        The supplier country (ISO alpha-3).
    year : int
        The year.
    min_world_share, min_importer_share : float
        The thresholds above.
    products : frozenset of str, optional
        Only these products (default: all).
    relation : str
        The relation of flows.

    Returns
    -------
    tuple of Indispensability
        By the value of dependent imports, largest first.

    Examples
    --------
    China sells 90 of the world's 100 of a product; Japan buys all of its 60 from China.

    >>> import pyarrow as pa
    >>> from econsec.storage.engines import duckdb_engine
    >>> engine = duckdb_engine(None)
    >>> engine.register("flows", pa.table({
    ...     "year": [2024] * 3, "exporter": ["CHN", "CHN", "AUS"],
    ...     "importer": ["JPN", "KOR", "KOR"], "product": ["850511"] * 3,
    ...     "value_usd": [60.0, 30.0, 10.0]}))
    >>> (found,) = indispensability(engine, "CHN", 2024)
    >>> found.world_export_share, [(d.importer, d.share) for d in found.dependent_importers]
    (0.9, [('JPN', 1.0), ('KOR', 0.75)])
    """
    register_sets(engine, {"products": products})
    params: dict[str, str | int | float] = {
        "country": country,
        "year": year,
        "min_world_share": min_world_share,
        "min_importer_share": min_importer_share,
    }
    query = indispensability_sql(relation, some_products=products is not None)
    rows = engine.sql(query, params).to_pylist()
    heads: dict[str, dict[str, float]] = {}
    dependents: dict[str, list[DependentImporter]] = {}
    for r in rows:
        heads[r["product"]] = {
            k: r[k] for k in ("world_export_share", "world_exports_usd", "country_exports_usd")
        }
        dependents.setdefault(r["product"], [])
        if r["importer"] is not None:
            dependents[r["product"]].append(
                DependentImporter(
                    r["importer"], r["share"], r["imports_usd"], r["from_country_usd"]
                )
            )
    found = [
        Indispensability(
            country=country,
            product=product,
            year=year,
            world_export_share=h["world_export_share"],
            world_exports_usd=h["world_exports_usd"],
            country_exports_usd=h["country_exports_usd"],
            dependent_importers=tuple(
                sorted(dependents[product], key=lambda d: (-d.from_country_usd, d.importer))
            ),
        )
        for product, h in heads.items()
    ]
    return tuple(
        sorted(found, key=lambda f: (-f.dependent_value_usd, -f.world_export_share, f.product))
    )
