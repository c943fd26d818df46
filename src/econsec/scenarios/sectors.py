"""The sector layer of a scenario: trade shortfalls as partly extracted input–output blocks.

Each HS6 product is mapped to an ISIC Rev.3 division (the WITS HS 2022 → ISIC 3 concordance, a
file the user gives, e.g. ``hs6_isic3.csv.gz`` with columns ``HS6_6d`` and ``ISIC3_2d``) and the
division to its WIOD 2013 industry (``c1`` … ``c17``, Timmer et al. 2015, table 1). A shortfall
``U`` of product p from acting country X to importer i becomes a cut of the share
``f = min(1, U / Z_X,s→i)`` of the intermediate inputs that i's industries buy from X's industry
s, and the economy is solved again with the cut coefficients (a partial hypothetical
extraction, Miller & Blair 2009 §15.6): ``x* = (I − A*)⁻¹ y`` with
``A*_{(X,s),(i,·)} = (1 − f) A_{(X,s),(i,·)}``. The output loss ``x − x*`` is in the table's
units. Trade values are converted to the table's unit (WIOD: millions of USD).

The table's year is its own (WIOD ends in 2011): the structure of the economy is taken from it,
the shortfall from the scenario's base year. Shortfalls of an acting group are split evenly
among its members present in the table.

What this measures, and what it does not: in the demand-driven Leontief model, cutting the
coefficients means the importers *need* less from X, so the loss falls on X's industry and its
suppliers — the acting country's own cost of the measure, the same reading as
``econsec sectors extract``. The importer's loss of output for want of the input needs the
supply-constrained model (:func:`econsec.sectors.leontief.bottleneck` with bilateral
capacities), which is not wired in yet.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from econsec.errors import InputError
from econsec.i18n import N_
from econsec.scenarios.model import Measure, Scenario
from econsec.scenarios.trade import ProductImpact, TradeImpact
from econsec.sectors.leontief import calc_A, leontief_output
from econsec.sectors.mrio import MRIO

__all__ = [
    "ISIC3_TO_WIOD",
    "HsSectors",
    "SectorImpact",
    "hs_sectors",
    "isic4_divisions",
    "read_hs_isic3",
    "restricted_inputs",
    "sector_impact",
    "wiod_sectors",
]

#: HS6 → the table's sectors it falls in, with the share of the product in each
HsSectors = dict[str, tuple[tuple[str, float], ...]]

# WIOD 2013 industries of the goods-producing ISIC Rev.3 divisions.
ISIC3_TO_WIOD = {
    **dict.fromkeys(("01", "02", "05"), "c1"),
    **dict.fromkeys(("10", "11", "12", "13", "14"), "c2"),
    **dict.fromkeys(("15", "16"), "c3"),
    **dict.fromkeys(("17", "18"), "c4"),
    "19": "c5",
    "20": "c6",
    **dict.fromkeys(("21", "22"), "c7"),
    "23": "c8",
    "24": "c9",
    "25": "c10",
    "26": "c11",
    **dict.fromkeys(("27", "28"), "c12"),
    "29": "c13",
    **dict.fromkeys(("30", "31", "32", "33"), "c14"),
    **dict.fromkeys(("34", "35"), "c15"),
    **dict.fromkeys(("36", "37"), "c16"),
    **dict.fromkeys(("40", "41"), "c17"),
}


@dataclass(frozen=True)
class SectorImpact:
    source: str
    unit: str
    total_output_loss: float
    by_country_sector: tuple[tuple[str, str, float], ...]  # largest first
    unmapped: tuple[str, ...]  # products without a WIOD industry


def read_hs_isic3(path: Path) -> dict[str, str]:
    """HS6 → ISIC Rev.3 division, from a CSV (optionally gzip) with ``HS6_6d`` and ``ISIC3_2d``.

    Parameters
    ----------
    path : pathlib.Path
        The concordance file (e.g. WITS HS 2022 → ISIC 3).

    Returns
    -------
    dict of str to str

    Raises
    ------
    InputError
        For a file that cannot be read or lacks a column.

    Examples
    --------
    >>> m = read_hs_isic3(Path("../shared/data/hs_industry_concordances/hs6_isic3.csv.gz"))
    >>> m["811292"], m["850511"]
    ('27', '31')
    """
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = {"HS6_6d", "ISIC3_2d"} - set(reader.fieldnames or ())
            if missing:
                raise InputError(
                    "missing column(s) {v1}",
                    values={"v1": ", ".join(sorted(missing))},
                    file=str(path),
                    expected=N_("columns HS6_6d and ISIC3_2d"),
                )
            return {row["HS6_6d"].zfill(6): row["ISIC3_2d"].zfill(2) for row in reader}
    except OSError as exc:
        raise InputError("cannot read: {exc}", values={"exc": exc}, file=str(path)) from None


def wiod_sectors(hs_isic3: dict[str, str]) -> HsSectors:
    """HS6 → WIOD 2013 industry, from HS6 → ISIC Rev.3 divisions.

    Parameters
    ----------
    hs_isic3 : dict of str to str
        From :func:`read_hs_isic3`.

    Returns
    -------
    HsSectors

    Examples
    --------
    >>> wiod_sectors({"811292": "27", "010121": "01", "999999": "99"})
    {'811292': (('c12', 1.0),), '010121': (('c1', 1.0),)}
    """
    return {hs: ((ISIC3_TO_WIOD[d], 1.0),) for hs, d in hs_isic3.items() if d in ISIC3_TO_WIOD}


_SPAN = re.compile(r"^[A-Z]?(\d{2})(?:[T_](?:[A-Z])?(\d{2}))?$")
_SECTIONS = {"D": ("35",), "E": tuple(str(d) for d in range(36, 40))}


def isic4_divisions(sector: str) -> tuple[str, ...]:
    """The ISIC Rev.4 divisions an OECD ICIO sector code covers (``D24``, ``D10T12``,
    ``C31T33``, ``A01_02``; the one-letter sections D and E of the 2023 release).

    Parameters
    ----------
    sector : str
        An ICIO sector code.

    Returns
    -------
    tuple of str
        Two-digit divisions; empty for a code that names none.

    Examples
    --------
    >>> isic4_divisions("D10T12"), isic4_divisions("A01_02"), isic4_divisions("D24")
    (('10', '11', '12'), ('01', '02'), ('24',))
    >>> isic4_divisions("E"), isic4_divisions("TOTAL")
    (('36', '37', '38', '39'), ())
    """
    if sector in _SECTIONS:
        return _SECTIONS[sector]
    found = _SPAN.match(sector)
    if not found:
        return ()
    first = int(found.group(1))
    last = int(found.group(2) or first)
    return tuple(f"{d:02d}" for d in range(first, last + 1))


def hs_sectors(mrio: MRIO, path: Path) -> HsSectors:
    """HS6 → the table's sectors, from a concordance file: HS6 → ISIC Rev.3 (``HS6_6d``,
    ``ISIC3_2d``; for WIOD's industries) or HS → ISIC Rev.4 (``HS_6d``, ``ISIC4_4d``,
    ``ISIC4_2d``; for OECD ICIO, whose codes name ISIC 4 divisions). A product in several
    divisions is split in proportion to its ISIC classes in each.

    Parameters
    ----------
    mrio : MRIO
        The table.
    path : pathlib.Path
        The concordance (CSV, optionally gzip).

    Returns
    -------
    HsSectors

    Raises
    ------
    InputError
        For a file that cannot be read, lacks the columns, or fits none of the table's
        sectors.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> icio = MRIO(("JPN",) * 3, ("D24", "D25", "D26T27"), sp.csr_matrix((3, 3)),
    ...             np.ones(3), np.ones(3), "USD", "ICIO-like")
    >>> m = hs_sectors(icio, Path("../shared/data/hs_industry_concordances/hs_isic4.csv.gz"))
    >>> m["811292"], [(sector, round(share, 3)) for sector, share in m["850511"]]
    ((('D24', 1.0),), [('D25', 0.167), ('D26T27', 0.833)])
    """
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            columns = set(reader.fieldnames or ())
            if {"HS6_6d", "ISIC3_2d"} <= columns:
                mapped = wiod_sectors({r["HS6_6d"].zfill(6): r["ISIC3_2d"].zfill(2)
                                       for r in reader})  # fmt: skip
                known = set(mrio.sectors)
                mapped = {hs: v for hs, v in mapped.items() if v[0][0] in known}
            elif {"HS_6d", "ISIC4_4d", "ISIC4_2d"} <= columns:
                division_of = {d: s for s in sorted(set(mrio.sectors)) for d in isic4_divisions(s)}
                classes: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
                for r in reader:
                    sector = division_of.get(r["ISIC4_2d"].zfill(2))
                    if sector is not None:
                        classes[r["HS_6d"].zfill(6)][sector].add(r["ISIC4_4d"])
                mapped = {}
                for hs, by_sector in classes.items():
                    total = sum(len(c) for c in by_sector.values())
                    mapped[hs] = tuple(
                        (sec, len(c) / total) for sec, c in sorted(by_sector.items())
                    )
            else:
                raise InputError(
                    "missing column(s) for a concordance", values={}, file=str(path),
                    expected=N_("HS6_6d and ISIC3_2d, or HS_6d, ISIC4_4d and ISIC4_2d"),
                )  # fmt: skip
    except OSError as exc:
        raise InputError("cannot read: {exc}", values={"exc": exc}, file=str(path)) from None
    if not mapped:
        raise InputError(
            "no product of the concordance falls in a sector of {table}",
            values={"table": mrio.source}, file=str(path),
            expected=N_("WIOD industries (c1 …) or OECD ICIO sectors (D24 …)"),
        )  # fmt: skip
    return mapped


def restricted_inputs(
    m: Measure, trade: TradeImpact, concordance: HsSectors, present: set[str],
    unmapped: set[str],
) -> Iterator[tuple[str, str, ProductImpact, float]]:  # fmt: skip
    """The (acting country, table sector, importer's product impact, weight) an export
    restriction hits: each product's impact split over its sectors by their shares and over the
    acting group's members in the table; products with no sector are added to ``unmapped``.

    Parameters
    ----------
    m : Measure
        An export restriction.
    trade : TradeImpact
        The trade layer.
    concordance : HsSectors
        HS6 → the table's sectors.
    present : set of str
        The table's countries.
    unmapped : set of str
        Collects the products without a sector.

    Returns
    -------
    iterator of (str, str, ProductImpact, float)

    Examples
    --------
    >>> from econsec.scenarios import parse_scenario
    >>> from econsec.scenarios.trade import ProductImpact, TradeImpact
    >>> ban = parse_scenario({"name": "g", "base_year": 2024, "measures": [
    ...     {"type": "export_restriction", "by": "CHN", "products": ["811292"],
    ...      "targets": ["JPN"], "share_blocked": 1.0, "pretext": "security",
    ...      "start": "2024-08", "months": 12}]})
    >>> trade = TradeImpact((ProductImpact("JPN", "811292", 80, 80, 10, 70, 60, 20),), (), ())
    >>> [(a, s, w) for a, s, _, w in restricted_inputs(ban.measures[0], trade,
    ...  {"811292": (("c12", 0.75), ("c13", 0.25))}, {"CHN", "JPN"}, set())]
    [('CHN', 'c12', 0.75), ('CHN', 'c13', 0.25)]
    """
    actors = sorted(m.by & present)
    for imp in trade.by_product:
        if imp.importer not in m.countries or imp.product not in m.products:
            continue
        industries = concordance.get(imp.product, ())
        if not industries:
            unmapped.add(imp.product)
            continue
        for actor in actors:
            for industry, share in industries:
                yield actor, industry, imp, share / len(actors)


def sector_impact(
    mrio: MRIO,
    scenario: Scenario,
    trade: TradeImpact,
    concordance: HsSectors,
    usd_per_unit: float = 1e6,
    top: int = 20,
) -> SectorImpact:
    """The output lost when the scenario's shortfalls cut the table's input blocks (a partial
    hypothetical extraction; see the module docstring for what it measures).

    Parameters
    ----------
    mrio : MRIO
        The input-output table.
    scenario : Scenario
        The scenario.
    trade : TradeImpact
        Its trade layer (the shortfalls).
    concordance : HsSectors
        HS6 → the table's sectors (:func:`hs_sectors`).
    usd_per_unit : float
        USD per unit of the table (WIOD: 1e6).
    top : int
        Country-sectors listed.

    Returns
    -------
    SectorImpact

    Examples
    --------
    The 70 short of China's basic metals (c12) cut 35 % of the 200 that Japan's industry buys
    from it: outputs fall from (1000, 2000) to (916.9, 1990.2).

    >>> import numpy as np, scipy.sparse as sp
    >>> from econsec.scenarios.trade import trade_impact
    >>> from econsec.sectors.mrio import MRIO
    >>> import pyarrow as pa
    >>> from econsec.storage.engines import duckdb_engine
    >>> engine = duckdb_engine(None)
    >>> engine.register("flows", pa.table({
    ...     "year": [2024] * 4, "exporter": ["CHN", "KOR", "KOR", "CHN"],
    ...     "importer": ["JPN", "JPN", "USA", "USA"], "product": ["811292"] * 4,
    ...     "value_usd": [80.0, 20.0, 50.0, 100.0]}))
    >>> from econsec.scenarios import parse_scenario
    >>> ban = parse_scenario({"name": "gallium", "base_year": 2024, "measures": [
    ...     {"type": "export_restriction", "by": "CHN", "products": ["811292"],
    ...      "targets": ["JPN"], "share_blocked": 1.0, "pretext": "security",
    ...      "start": "2024-08", "months": 12}]})
    >>> mrio = MRIO(("CHN", "JPN"), ("c12", "c12"), sp.csr_matrix([[150.0, 200.0],
    ...             [100.0, 300.0]]), np.array([650.0, 1600.0]), np.array([1000.0, 2000.0]),
    ...             "USD", "example")
    >>> impact = sector_impact(mrio, ban, trade_impact(engine, ban), {"811292": (("c12", 1.0),)},
    ...                        1.0)
    >>> round(impact.total_output_loss, 2), [(c, round(v, 2)) for c, _, v in impact.by_country_sector]
    (92.88, [('CHN', 83.1), ('JPN', 9.78)])

    References
    ----------
    Miller & Blair (2009), section 15.6; Timmer et al. (2015), table 1 (WIOD industries).
    """
    countries = np.array(mrio.countries)
    sectors = np.array(mrio.sectors)
    cut: dict[tuple[str, str, str], float] = defaultdict(float)  # (X, s, i) -> shortfall
    unmapped: set[str] = set()
    present = set(mrio.countries)
    for m in scenario.measures:
        if m.type != "export_restriction":
            continue
        for actor, industry, imp, weight in restricted_inputs(m, trade, concordance, present,
                                                              unmapped):  # fmt: skip
            if imp.importer in present:
                cut[(actor, industry, imp.importer)] += imp.shortfall_usd * weight / usd_per_unit
    A = calc_A(mrio.Z, mrio.x).tocsr()
    rows_i, cols_i, factors = [], [], []
    Z = mrio.Z.tocsr()
    for (actor, s, i), shortfall in cut.items():
        rows = np.flatnonzero((countries == actor) & (sectors == s))
        cols = np.flatnonzero(countries == i)
        block = float(Z[rows][:, cols].sum()) if rows.size else 0.0
        if block <= 0:
            continue
        f = min(1.0, shortfall / block)
        r, c = np.meshgrid(rows, cols, indexing="ij")
        rows_i.append(r.ravel())
        cols_i.append(c.ravel())
        factors.append(np.full(r.size, f))
    x = leontief_output(A, mrio.y)
    if factors:
        mask = sp.csr_matrix(
            (np.concatenate(factors), (np.concatenate(rows_i), np.concatenate(cols_i))),
            shape=A.shape,
        )
        x_star = leontief_output(sp.csr_matrix(A - A.multiply(mask)), mrio.y)
    else:
        x_star = x
    loss = x - x_star
    order = np.argsort(-loss, kind="stable")[:top]
    return SectorImpact(
        source=mrio.source,
        unit=mrio.unit,
        total_output_loss=float(loss.sum()),
        by_country_sector=tuple(
            (str(countries[k]), str(sectors[k]), float(loss[k])) for k in order if loss[k] > 0
        ),
        unmapped=tuple(sorted(unmapped)),
    )
