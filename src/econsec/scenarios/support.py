"""Targeting support: which measures (onshoring, alternative materials, stockpiles,
diversification) a budget should fund to cut the expected shortfall of critical products most.

The candidates (YAML)::

    measures:
      - {id: ga-recycling, kind: alternative_material, product: "811292", cost: 4.0e9,
         shortfall_reduction_usd: 2.0e9, excludes: [ga-stock]}
      - {id: ga-stock, kind: stockpile, product: "811292", cost: 1.5e9,
         shortfall_reduction_usd: 1.2e9}
    products:                       # optional: what is at stake per product
      "811292": {shortfall_usd: 2.5e9, importance: 3.0}

A mixed-integer programme (HiGHS) chooses ``z_m ∈ {0, 1}`` to maximise
``Σ_p importance_p × y_p`` with ``y_p ≤ Σ_{m of p} reduction_m z_m`` and, when given,
``y_p ≤ shortfall_p`` (a product's shortfall cannot fall below zero, so measures on one product
add up only to what is at stake), subject to ``Σ cost_m z_m ≤ budget`` and ``z_m + z_k ≤ 1`` for
every pair a measure ``excludes``. Importance is 1 where none is given.

Each measure's marginal value per unit of currency is the change of the weighted reduction when
it is taken out (chosen) or forced in (rejected), divided by its cost. The curve is the optimum
over budgets from 0 to the budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from econsec import highs
from econsec.errors import InputError
from econsec.i18n import N_
from econsec.network import Network
from econsec.scenarios.sectors import HsSectors
from econsec.sectors.mrio import MRIO

__all__ = [
    "KINDS",
    "METHOD",
    "Measure",
    "Portfolio",
    "network_importance",
    "plan",
    "read_measures",
    "table_importance",
]

METHOD = "econsec support targeting 1 (0-1 programme, HiGHS; weighted shortfall reduction)"
KINDS = ("onshoring", "alternative_material", "stockpile", "diversification")
#: The most candidates read (each is solved again for its marginal value).
MAX_MEASURES = 200


@dataclass(frozen=True, slots=True)
class Measure:
    id: str
    kind: str
    product: str
    cost: float
    reduction: float
    excludes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Portfolio:
    """The measures chosen within a budget, what they cost and cut, per measure its marginal
    value per unit of currency, and the curve of the best cut over the budget."""

    budget: float
    chosen: tuple[str, ...]
    cost: float
    risk_reduction: float
    marginal: dict[str, float | None]
    curve: tuple[dict[str, float], ...]

    def as_dict(self) -> dict[str, Any]:
        return {"budget": self.budget, "chosen": list(self.chosen), "cost": self.cost,
                "risk_reduction": self.risk_reduction, "method": METHOD,
                "measures": [{"id": k, "chosen": k in self.chosen, "marginal_value_per_unit": v}
                             for k, v in self.marginal.items()],
                "curve": list(self.curve)}  # fmt: skip


def _positive(raw: dict[str, Any], key: str, where: str) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise InputError("{where}.{key}: {value!r}", values={"where": where, "key": key,
                         "value": value}, expected=N_("a number >= 0"))  # fmt: skip
    return float(value)


def read_measures(
    raw: Any, source: str = "measures"
) -> tuple[tuple[Measure, ...], dict[str, float], dict[str, float]]:
    """The checked measures, the shortfall at stake per product and each product's importance.

    Parameters
    ----------
    raw : mapping
        The candidates as read from YAML (``measures:``, optional ``products:``).
    source : str
        Its name in messages (the file's).

    Returns
    -------
    (tuple of Measure, dict, dict)

    Examples
    --------
    >>> ms, at_stake, weight = read_measures({"measures": [{"id": "a", "kind": "stockpile",
    ...     "product": "811292", "cost": 2, "shortfall_reduction_usd": 5}]})
    >>> ms[0].reduction, at_stake, weight
    (5.0, {}, {})
    """
    from econsec.reference.names import check_hs6

    items = raw.get("measures") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_MEASURES:
        raise InputError("{source}: no measures", values={"source": source, "most": MAX_MEASURES},
                         expected=N_("1 to {most} measures under measures:"))  # fmt: skip
    measures = []
    for n, m in enumerate(items, 1):
        where = f"{source}.measures[{n}]"
        if not isinstance(m, dict):
            raise InputError("{where}: expected a mapping", values={"where": where},
                             expected=N_("id, kind, product, cost, shortfall_reduction_usd"))  # fmt: skip
        if m.get("kind") not in KINDS:
            raise InputError("{where}.kind: {value!r}", values={"where": where,
                             "value": m.get("kind")}, expected=", ".join(KINDS))  # fmt: skip
        excludes = m.get("excludes", [])
        if not isinstance(excludes, list):
            raise InputError("{where}.excludes: expected a list", values={"where": where},
                             expected=N_("the ids of measures it cannot be combined with"))  # fmt: skip
        measures.append(Measure(str(m.get("id", "")).strip(), str(m["kind"]),
                                check_hs6(str(m.get("product", "")), field=f"{where}.product"),
                                _positive(m, "cost", where),
                                _positive(m, "shortfall_reduction_usd", where),
                                tuple(str(e) for e in excludes)))  # fmt: skip
    ids = [m.id for m in measures]
    if "" in ids or len(set(ids)) < len(ids):
        raise InputError("{source}: every measure needs its own id", values={"source": source},
                         expected=N_("distinct, non-empty ids"))  # fmt: skip
    unknown = sorted({e for m in measures for e in m.excludes} - set(ids))
    if unknown:
        raise InputError("{source}: excludes names no measure: {v1}", values={"source": source,
                         "v1": ", ".join(unknown)}, expected=", ".join(ids))  # fmt: skip
    at_stake: dict[str, float] = {}
    weight: dict[str, float] = {}
    products = raw.get("products") or {}
    if not isinstance(products, dict):
        raise InputError("{source}.products: expected a mapping", values={"source": source},
                         expected=N_("HS6 code: shortfall_usd and importance"))  # fmt: skip
    for code, info in products.items():
        where = f"{source}.products[{code}]"
        hs6 = check_hs6(str(code), field=where)
        if not isinstance(info, dict):
            raise InputError("{where}: expected a mapping", values={"where": where},
                             expected=N_("shortfall_usd and/or importance"))  # fmt: skip
        if "shortfall_usd" in info:
            at_stake[hs6] = _positive(info, "shortfall_usd", where)
        if "importance" in info:
            weight[hs6] = _positive(info, "importance", where)
    return tuple(measures), at_stake, weight


def table_importance(
    mrio: MRIO, concordance: HsSectors, importer: str, products: Sequence[str]
) -> dict[str, float]:
    """Each product's systemic importance from a table: the output lost across the table per
    unit of the importer's intermediate purchases of the product's sector, when those purchases
    (from every country) are extracted (Miller & Blair §15.6, as ``econsec sectors extract``),
    averaged over the product's sectors by their shares. Products with no sector, or whose
    sectors the importer does not buy, are left out (importance 1, said so by the caller).

    Parameters
    ----------
    mrio : MRIO
        The table.
    concordance : HsSectors
        HS6 → the table's sectors.
    importer : str
        The country whose purchases are at stake.
    products : sequence of str
        HS6 codes.

    Returns
    -------
    dict of str to float

    Examples
    --------
    Miller & Blair's two sectors in one country: without the 300 of sector 2 its industries
    buy, output falls to (911.8, 1700), by 388.2: 1.29 per unit.

    >>> import scipy.sparse as sp
    >>> mb = MRIO(("JPN", "JPN"), ("s1", "s2"), sp.csr_matrix([[150.0, 500.0], [200.0, 100.0]]),
    ...           np.array([350.0, 1700.0]), np.array([1000.0, 2000.0]), "USD", "M&B")
    >>> {k: round(v, 2) for k, v in table_importance(mb, {"850511": (("s2", 1.0),)}, "JPN",
    ...                                               ["850511", "811292"]).items()}
    {'850511': 1.29}
    """
    from econsec.sectors.leontief import calc_A, leontief_output

    A = calc_A(mrio.Z, mrio.x).tocsr()
    x = leontief_output(A, mrio.y)
    cols = mrio.rows_of(importer)
    Z = mrio.Z.tocsr()
    sectors = np.array(mrio.sectors)
    multiplier: dict[str, float | None] = {}

    def per_unit(sector: str) -> float | None:
        if sector not in multiplier:
            rows = np.flatnonzero(sectors == sector)
            block = float(Z[rows][:, cols].sum())
            if block <= 0:
                multiplier[sector] = None
            else:
                mask = sp.csr_matrix((np.ones(rows.size * cols.size),
                                      (np.repeat(rows, cols.size), np.tile(cols, rows.size))),
                                     shape=A.shape)  # fmt: skip
                x_star = leontief_output(sp.csr_matrix(A - A.multiply(mask)), mrio.y)
                multiplier[sector] = float((x - x_star).sum()) / block
        return multiplier[sector]

    out = {}
    for p in products:
        found = [(per_unit(sec), share) for sec, share in concordance.get(p, ())]
        weighted = [(m, w) for m, w in found if m is not None]
        if weighted:
            out[p] = sum(m * w for m, w in weighted) / sum(w for _, w in weighted)
    return out


def network_importance(
    net: Network, products: Sequence[str], tol: float = 1e-6
) -> dict[str, float]:
    """Each product's systemic importance from a firm network: the network output lost, summed
    over the firms that sell the product each failing alone (ESRI × network output, the
    published rule), per unit of the product's sales in the network. Products no firm sells
    are left out.

    Parameters
    ----------
    net : Network
        The firm network (links carry HS6 products).
    products : sequence of str
        HS6 codes.
    tol : float
        The ESRI scan's tolerance.

    Returns
    -------
    dict of str to float

    Examples
    --------
    The example network's hydrogen fluoride (281111): its one seller's failure takes 9.14
    times the value of its sales from the network.

    >>> from econsec.network import example_network
    >>> {k: round(v, 2) for k, v in network_importance(example_network(), ["281111"]).items()}
    {'281111': 9.14}
    """
    from econsec.network.systemic import scan_esri

    product = np.array(net.product)
    total = float(net.output.sum())
    out = {}
    for p in products:
        links = np.flatnonzero(product == p)
        sales = float(net.value[links].sum())
        if sales <= 0:
            continue
        sellers = np.unique(net.supplier[links]).astype(np.int64)
        scan = scan_esri(net, sellers, tol=tol, threads=1)
        out[p] = float(scan.esri.sum()) * total / sales
    return out


def _best(
    measures: Sequence[Measure], budget: float, at_stake: dict[str, float],
    weight: dict[str, float], force: dict[int, int] | None = None,
) -> tuple[float, np.ndarray]:  # fmt: skip
    """The optimum and the 0-1 choice (``force`` fixes some measures in or out)."""
    import highspy

    products = sorted({m.product for m in measures})
    n, k = len(measures), len(products)
    h = highs.model()
    inf = highspy.kHighsInf
    lower = np.zeros(n + k)
    upper = np.concatenate([np.ones(n), [at_stake.get(p, inf) for p in products]])
    for i, v in (force or {}).items():
        lower[i] = upper[i] = float(v)
    h.addVars(n + k, lower, upper)
    h.changeColsCost(n + k, np.arange(n + k, dtype=np.int32),
                     np.concatenate([np.zeros(n), [-weight.get(p, 1.0) for p in products]]))  # fmt: skip
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                            np.full(n, highspy.HighsVarType.kInteger))  # fmt: skip
    h.addRow(-inf, budget, n, np.arange(n, dtype=np.int32), np.array([m.cost for m in measures]))
    for j, p in enumerate(products):  # y_p - Σ reduction z <= 0
        idx = [i for i, m in enumerate(measures) if m.product == p]
        h.addRow(-inf, 0.0, len(idx) + 1, np.array([n + j, *idx], dtype=np.int32),
                 np.array([1.0, *(-measures[i].reduction for i in idx)]))  # fmt: skip
    ids = {m.id: i for i, m in enumerate(measures)}
    for i, m in enumerate(measures):
        for other in m.excludes:
            h.addRow(-inf, 1.0, 2, np.array([i, ids[other]], dtype=np.int32), np.ones(2))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return -np.inf, np.zeros(n)
    x = np.asarray(h.getSolution().col_value)
    return float(-h.getInfo().objective_function_value), np.round(x[:n])


def plan(
    measures: Sequence[Measure], budget: float, at_stake: dict[str, float] | None = None,
    weight: dict[str, float] | None = None, steps: int = 20,
) -> Portfolio:  # fmt: skip
    """The portfolio that most reduces the weighted expected shortfall within ``budget``.

    Parameters
    ----------
    measures : sequence of Measure
        From :func:`read_measures`.
    budget : float
        What may be spent.
    at_stake, weight : dict, optional
        The shortfall per product (a cap on its reduction) and its importance (default 1).
    steps : int
        Points of the curve between 0 and the budget (and every budget where the optimum
        changes among them).

    Returns
    -------
    Portfolio

    Examples
    --------
    Three measures, budget 5: ``a`` and ``b`` (cost 5, cut 9) beat ``c`` (cost 5, cut 8):

    >>> ms = (Measure("a", "stockpile", "811292", 2, 4), Measure("b", "onshoring", "850511", 3, 5),
    ...       Measure("c", "diversification", "850511", 5, 8))
    >>> p = plan(ms, 5)
    >>> p.chosen, p.cost, p.risk_reduction, p.marginal["c"]
    (('a', 'b'), 5.0, 9.0, -0.2)
    """
    at_stake, weight = at_stake or {}, weight or {}
    if budget < 0:
        raise InputError("--budget {budget}", values={"budget": budget},
                         expected=N_("a number >= 0"))  # fmt: skip
    best, z = _best(measures, budget, at_stake, weight)
    marginal: dict[str, float | None] = {}
    for i, m in enumerate(measures):
        other, _ = _best(measures, budget, at_stake, weight, {i: 0 if z[i] else 1})
        change = (best - other) if z[i] else (other - best)
        # None: a measure that cannot be forced in (it alone exceeds the budget) or costs nothing
        marginal[m.id] = round(change / m.cost, 9) if m.cost > 0 and np.isfinite(other) else None
    budgets = sorted({*np.linspace(0.0, budget, steps + 1).tolist(), budget})
    curve = tuple(
        {
            "budget": round(b, 6),
            "risk_reduction": round(_best(measures, b, at_stake, weight)[0], 6) + 0.0,
        }
        for b in budgets
    )  # fmt: skip (+ 0.0: no "-0.0")
    chosen = tuple(m.id for i, m in enumerate(measures) if z[i])
    return Portfolio(budget, chosen, float(sum(m.cost for i, m in enumerate(measures) if z[i])),
                     round(best, 6), marginal, curve)  # fmt: skip
