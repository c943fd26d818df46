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
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from econsec.errors import InputError
from econsec.i18n import N_
from econsec.scenarios.model import Scenario
from econsec.scenarios.trade import TradeImpact
from econsec.sectors.leontief import calc_A, leontief_output
from econsec.sectors.mrio import MRIO

__all__ = ["ISIC3_TO_WIOD", "SectorImpact", "read_hs_isic3", "sector_impact"]

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


def sector_impact(
    mrio: MRIO,
    scenario: Scenario,
    trade: TradeImpact,
    hs_isic3: dict[str, str],
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
    hs_isic3 : dict of str to str
        HS6 → ISIC Rev.3 division.
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
    >>> impact = sector_impact(mrio, ban, trade_impact(engine, ban), {"811292": "27"}, 1.0)
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
        actors = sorted(m.by & present)
        for imp in trade.by_product:
            if imp.importer not in m.countries or imp.product not in m.products:
                continue
            industry = ISIC3_TO_WIOD.get(hs_isic3.get(imp.product, ""))
            if industry is None:
                unmapped.add(imp.product)
                continue
            if imp.importer not in present or not actors:
                continue
            for actor in actors:
                cut[(actor, industry, imp.importer)] += (
                    imp.shortfall_usd / usd_per_unit / len(actors)
                )
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
