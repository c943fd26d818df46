"""The dependency screen: concentration metrics plus a preset's criteria, explained per row.

:func:`screen_sql` builds one query (DuckDB and Spark SQL): the metrics of
:func:`~econsec.analysis.concentration.concentration_sql` for the screened year and the two
before (for persistence), each criterion's value, threshold and verdict as columns
``<criterion>__value``, ``<criterion>__threshold``, ``<criterion>__met``, the number of the
three years in which all criteria held (``persistence``) and the ``flagged`` verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from econsec.analysis.concentration import (
    MEMBERS_RELATION,
    METRIC_COLUMNS,
    Importer,
    SqlEngine,
    concentration_sql,
    register_members,
    register_screen_sets,
)
from econsec.analysis.presets import Criterion, Preset

__all__ = [
    "CriterionCount",
    "Screen",
    "criteria_counts",
    "criteria_of",
    "prepare_screen",
    "run_screen",
    "screen_sql",
]


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


def _criteria_names(preset: Preset) -> list[str]:
    names = [c.name for c in preset.criteria]
    if preset.persistence is not None:
        names.append(preset.persistence.name)
    return names


def screen_sql(
    relation: str,
    s: Screen,
    *,
    years: tuple[int, ...] | None = None,
    dialect: str = "duckdb",
    unique_flows: bool = False,
    ordered: bool = True,
) -> str:
    """SQL for the screen ``s`` over the flows in ``relation``.

    Parameters
    ----------
    relation : str
        The relation of flows.
    s : Screen
        What to screen.
    years : tuple of int, optional
        See below.
    dialect : str
        ``duckdb`` or ``spark``.
    unique_flows : bool
        See :func:`~econsec.analysis.concentration.concentration_sql`.
    ordered : bool
        See below.

    Returns
    -------
    str
        The query: the metrics, each criterion's ``__value``, ``__threshold`` and ``__met``,
        ``persistence``, ``flagged`` and ``method``.

    Notes
    -----
    ``years`` are those of the screened year and the two before that have data (persistence
    needs all three; default: assume all three); :func:`prepare_screen` finds them. A screen of
    chosen importers joins the membership relation that ``register_members`` registers.
    ``unique_flows``: see :func:`~econsec.analysis.concentration.concentration_sql`.
    ``ordered=False`` leaves the rows unsorted (sorting a million rows costs about 8 % of a
    screen of every importer; Parquet readers rarely need the order).

    Examples
    --------
    >>> from econsec.analysis.presets import preset
    >>> sql = screen_sql("flows", Screen(None, 2024, preset("geodep")))
    >>> "C4_persistence__met" in sql and "'geodep/v1' AS method" in sql
    True
    """
    years = years if years is not None else (s.year - 2, s.year - 1, s.year)
    years_present = len(years)
    members = None if s.importers is None else MEMBERS_RELATION
    metrics = concentration_sql(
        relation,
        members,
        years or (s.year,),
        some_products=s.products is not None,
        dialect=dialect,
        unique_flows=unique_flows,
    )
    if s.production:
        use = "coalesce(p.production_usd, 0) + m.imports_usd - m.exports_usd"
        single = (
            f"CASE WHEN p.production_usd IS NULL THEN m.top_share "
            f"ELSE (m.top_share * m.imports_usd) / nullif({use}, 0) END"
        )
        join = (
            f"LEFT JOIN {s.production} p ON p.importer = m.importer AND p.product = m.product "
            "AND p.year = m.year"
        )
    else:
        single, join = "m.top_share", ""
    production = "p.production_usd" if s.production else "CAST(NULL AS DOUBLE)"
    columns = ", ".join(f"m.{c}" for c in METRIC_COLUMNS)
    criteria = ", ".join(
        f"({c.value}) AS {c.name}__value, CAST({c.threshold!r} AS DOUBLE) AS {c.name}__threshold, "
        f"{_verdict(c, c.value)} AS {c.name}__met"
        for c in s.preset.criteria
    )
    all_met = " AND ".join(_verdict(c, c.value) for c in s.preset.criteria)
    explained = ", ".join(
        f"{c.name}__{part}" for c in s.preset.criteria for part in ("value", "threshold", "met")
    )
    if years_present > 1:
        persistence = """count(CASE WHEN base_flag THEN 1 END) OVER (
                PARTITION BY importer, product ORDER BY year
                RANGE BETWEEN 2 PRECEDING AND CURRENT ROW)"""
    else:
        persistence = "CASE WHEN base_flag THEN 1 ELSE 0 END"
    p = s.preset.persistence
    complete = years_present == 3
    if p is not None:
        verdict = f"persistence >= {p.threshold!r}" if complete else "NULL"
        extra = (
            f", CAST({'persistence' if complete else 'NULL'} AS DOUBLE) AS {p.name}__value, "
            f"CAST({p.threshold!r} AS DOUBLE) AS {p.name}__threshold, "
            f"CAST({verdict} AS BOOLEAN) AS {p.name}__met"
        )
        flagged = f"coalesce(CAST({verdict} AS BOOLEAN), FALSE)"
    else:
        extra, flagged = "", "coalesce(base_flag, FALSE)"  # undecided is not flagged
    return f"""
    WITH metrics AS ({metrics}),
    judged AS (
        SELECT {columns}, m.single_source_share, {criteria}, ({all_met}) AS base_flag
        FROM (SELECT m.*, {single} AS single_source_share, {production} AS production_usd
              FROM metrics m {join}) m
    ),
    windowed AS (SELECT *, {persistence} AS persistence FROM judged)
    SELECT {", ".join(METRIC_COLUMNS)}, single_source_share, persistence, {explained}{extra},
           {flagged} AS flagged, '{s.preset.method_version}' AS method
    FROM windowed WHERE year = {int(s.year)}
    {"ORDER BY importer, product" if ordered else ""}
    """


def prepare_screen(
    engine: SqlEngine, s: Screen, relation: str = "flows", *, ordered: bool = True
) -> str:
    """Register what the screen joins, find the years with data and return its SQL.

    Parameters
    ----------
    engine : SqlEngine
        The engine that will run the query.
    s : Screen
        What to screen.
    relation : str
        The relation of flows.
    ordered : bool
        Sort the rows by importer and product.

    Returns
    -------
    str
        The query of :func:`screen_sql` for the years the data hold.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from econsec.analysis.concentration import Importer
    >>> from econsec.analysis.presets import preset
    >>> from econsec.storage.engines import duckdb_engine
    >>> engine = duckdb_engine(None)
    >>> engine.register("flows", pa.table({
    ...     "year": [2024] * 3, "exporter": ["CHN", "KOR", "CHN"],
    ...     "importer": ["JPN", "JPN", "USA"], "product": ["811292"] * 3,
    ...     "value_usd": [900.0, 100.0, 5000.0]}))
    >>> s = Screen((Importer("JPN", frozenset({"JPN"})),), 2024, preset("crma65"))
    >>> len(engine.sql(prepare_screen(engine, s)))
    1
    """
    register_members(engine, s.importers)
    register_screen_sets(engine, s.products, s.concern, s.like_minded)
    wanted = (s.year - 2, s.year - 1, s.year)
    if relation == "flows" and engine.years is not None:  # known from the workspace manifest
        found = [y for y in wanted if y in engine.years]
    else:
        query = f"SELECT DISTINCT year FROM {relation} WHERE year BETWEEN $first AND $last"
        years = engine.sql(query, {"first": wanted[0], "last": wanted[-1]})
        found = years.column("year").to_pylist()
    return screen_sql(
        relation,
        s,
        years=tuple(sorted(int(y) for y in found)),
        dialect=engine.name,
        unique_flows=relation == "flows" and engine.unique_flows,
        ordered=ordered,
    )


def run_screen(engine: SqlEngine, s: Screen, relation: str = "flows") -> pa.Table:
    """Run the screen on an engine that has ``relation`` (the workspace's ``flows`` by default).

    Parameters
    ----------
    engine : SqlEngine
        The engine.
    s : Screen
        What to screen.
    relation : str
        The relation of flows.

    Returns
    -------
    pyarrow.Table
        One row per importer × product of the screened year (see :func:`screen_sql`).

    Examples
    --------
    Japan buys 90 % of the product from China: above the CRMA's 65 % benchmark.

    >>> import pyarrow as pa
    >>> from econsec.analysis.concentration import Importer
    >>> from econsec.analysis.presets import preset
    >>> from econsec.storage.engines import duckdb_engine
    >>> engine = duckdb_engine(None)
    >>> engine.register("flows", pa.table({
    ...     "year": [2024] * 3, "exporter": ["CHN", "KOR", "CHN"],
    ...     "importer": ["JPN", "JPN", "USA"], "product": ["811292"] * 3,
    ...     "value_usd": [900.0, 100.0, 5000.0]}))
    >>> s = Screen((Importer("JPN", frozenset({"JPN"})),), 2024, preset("crma65"))
    >>> (row,) = run_screen(engine, s).to_pylist()
    >>> row["top_supplier"], row["top_share"], row["flagged"]
    ('CHN', 0.9, True)
    """
    return engine.sql(prepare_screen(engine, s, relation))


def criteria_of(row: dict[str, Any], preset: Preset) -> dict[str, dict[str, Any]]:
    """The explanation of one result row: each criterion's value, threshold and verdict.

    Parameters
    ----------
    row : dict
        A row of :func:`run_screen`.
    preset : Preset
        The preset the screen ran with.

    Returns
    -------
    dict
        Criterion name → ``value``, ``threshold``, ``met`` (and a ``note`` when the
        persistence criterion lacks years).

    Examples
    --------
    >>> import pyarrow as pa
    >>> from econsec.analysis.concentration import Importer
    >>> from econsec.analysis.presets import preset
    >>> from econsec.storage.engines import duckdb_engine
    >>> engine = duckdb_engine(None)
    >>> engine.register("flows", pa.table({
    ...     "year": [2024] * 3, "exporter": ["CHN", "KOR", "CHN"],
    ...     "importer": ["JPN", "JPN", "USA"], "product": ["811292"] * 3,
    ...     "value_usd": [900.0, 100.0, 5000.0]}))
    >>> s = Screen((Importer("JPN", frozenset({"JPN"})),), 2024, preset("crma65"))
    >>> (row,) = run_screen(engine, s).to_pylist()
    >>> criteria_of(row, s.preset)["single_supplier_share"]
    {'value': 0.9, 'threshold': 0.65, 'met': True}
    """
    out = {}
    for name in _criteria_names(preset):
        value = row.get(f"{name}__value")
        entry: dict[str, Any] = {
            "value": None if value is None or value != value else float(value),
            "threshold": row.get(f"{name}__threshold"),
            "met": row.get(f"{name}__met"),
        }
        if value is None and preset.persistence is not None and name == preset.persistence.name:
            entry["note"] = "insufficient data: needs the screened year and the two before"
        elif entry["met"] is None:
            entry["note"] = "insufficient data: the data given do not determine this value"
        out[name] = entry
    return out


@dataclass(frozen=True, slots=True)
class CriterionCount:
    """How many result rows meet one criterion, fail it, or leave it undecided (and why)."""

    criterion: Criterion
    met: int
    not_met: int
    undecided: int
    note: str = ""

    def explain(self, lang: str = "en") -> str:
        """The counts as a reader sees them, in ``lang``."""
        from econsec.i18n import tr

        line = tr("  {description}: met {met}, not met {not_met}, undecided {undecided}", lang,
                  description=self.criterion.describe(lang), met=self.met,
                  not_met=self.not_met, undecided=self.undecided)  # fmt: skip
        return line + (f" ({tr(self.note, lang)})" if self.note else "")


def criteria_counts(rows: list[dict[str, Any]], preset: Preset) -> list[CriterionCount]:
    """Each criterion's verdicts over the rows: the reason a screen flags nothing (or little).

    Parameters
    ----------
    rows : list of dict
        Rows of :func:`run_screen`.
    preset : Preset
        The preset the screen ran with.

    Returns
    -------
    list of CriterionCount
        In the preset's order, persistence last.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from econsec.analysis.concentration import Importer
    >>> from econsec.analysis.presets import preset
    >>> from econsec.storage.engines import duckdb_engine
    >>> engine = duckdb_engine(None)
    >>> engine.register("flows", pa.table({
    ...     "year": [2024] * 3, "exporter": ["CHN", "KOR", "CHN"],
    ...     "importer": ["JPN", "JPN", "USA"], "product": ["811292"] * 3,
    ...     "value_usd": [900.0, 100.0, 5000.0]}))
    >>> s = Screen((Importer("JPN", frozenset({"JPN"})),), 2024, preset("geodep"))
    >>> [(c.criterion.name, c.met, c.not_met, c.undecided) for c in
    ...  criteria_counts(run_screen(engine, s).to_pylist(), s.preset)][-1]
    ('C4_persistence', 0, 0, 1)
    """
    criteria = (*preset.criteria, *((preset.persistence,) if preset.persistence else ()))
    explained = [criteria_of(r, preset) for r in rows]
    out = []
    for c in criteria:
        verdicts = [e[c.name] for e in explained]
        notes = sorted({v["note"] for v in verdicts if v["met"] is None and "note" in v})
        out.append(CriterionCount(
            c,
            met=sum(1 for v in verdicts if v["met"] is True),
            not_met=sum(1 for v in verdicts if v["met"] is False),
            undecided=sum(1 for v in verdicts if v["met"] is None),
            note="; ".join(notes),
        ))  # fmt: skip
    return out
