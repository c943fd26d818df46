"""Dynamic, supply-constrained propagation with inventories on an MRIO (an ARIO-type model).

Written from Hallegatte (2008, *Risk Analysis* 28(3)) and Hallegatte (2014, *Risk Analysis*
34(1)), in the daily form the BoARIO documentation states (Jeandel & Hallegatte); the names
in brackets are the papers' symbols. Each industry j (a country-sector) keeps, for each input
*product* k (a sector, whatever its country), an inventory ``S[k, j]`` [S]; one step is a day.

1. **Capacity** ``cap_j = α_j (1 − Δ_j) x⁰_j`` [x^Cap]: the shock's capacity loss Δ, the
   overproduction factor α.
2. **Demand** ``D_i = Σ_j O_ij + F_i`` [D]: orders of the industries and final demand; orders on
   blocked links (an export restriction) do not reach the supplier.
3. **Production** ``x_j = min(D_j, cap_j) · min_k min(1, S[k, j] / (ψ n_k a_kj x^Opt_j))``
   [x^a]: an input short of ψ times its target inventory scales production down.
4. **Rationing**: each supplier serves its customers in proportion to their orders
   (``proportional``), or the industries before final demand (``priority``).
5. **Inventories** ``S[k, j] += Σ_{i∈k} delivered_ij − a_kj x_j``.
6. **Orders** ``O_ij = (a_kj x_j + max(0, n_k a_kj x^Opt_j − S[k, j]) / τ_S) · w_ij``, split over
   the suppliers i of product k by ``w_ij ∝ Z⁰_ij · cap_i / x⁰_i`` (the "alt" order rule);
   with ``substitution`` the weight also falls with the share of a link blocked, so orders move
   to other regions' spare capacity; without it the split is fixed at ``Z⁰``.
7. **Overproduction** ``α_j += (α_max − α_j)·scarcity_j/τ_α`` while demand exceeds
   production, else ``(1 − α_j)/τ_α`` [α, τ_α], never below 1.

The steady state without a shock is exact: orders equal ``Z⁰``, inventories their target.
Loops are O(non-zeros of Z) per step (sparse links, grouped by (product, buyer)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from econsec.errors import InputError
from econsec.sectors.mrio import MRIO

__all__ = [
    "CapacityLoss",
    "DemandShift",
    "DynamicParams",
    "LinkCut",
    "Shock",
    "Trajectory",
    "simulate",
]

Vector = npt.NDArray[np.float64]
INPUT_THRESHOLD = 1e-5  # an input whose coefficient is below this never constrains production


@dataclass(frozen=True)
class DynamicParams:
    """The model's parameters, with the defaults of Hallegatte (2014) and BoARIO."""

    inventory_days: float = 90.0  # n_k: target days of every input (math.inf: never short)
    inventory_days_by_sector: tuple[tuple[str, float], ...] = ()  # per input product
    psi: float = 0.8  # ψ: production falls once an input is below ψ × its target
    restoration_days: float = 60.0  # τ_S: inventories are rebuilt over this many days
    alpha_max: float = 1.25  # α_max: overproduction ceiling (1: none)
    alpha_days: float = 365.0  # τ_α
    substitution: bool = True  # orders follow suppliers' capacity and open links
    rationing: str = "proportional"  # or "priority": industries before final demand
    days_per_year: float = 365.0  # the table is annual

    def __post_init__(self) -> None:
        if self.rationing not in ("proportional", "priority"):
            raise InputError(
                "unknown rationing {r!r}",
                values={"r": self.rationing},
                expected="proportional or priority",
            )
        if not 0 < self.psi <= 1:
            raise InputError("psi must lie in (0, 1]", values={}, expected="0 < psi ≤ 1")
        if self.alpha_max < 1 or self.restoration_days <= 0 or self.alpha_days <= 0:
            raise InputError(
                "alpha_max must be at least 1, restoration and alpha days positive", values={}
            )


@dataclass(frozen=True)
class CapacityLoss:
    """Industries ``rows`` lose ``share`` of their capacity from ``start`` for ``days``."""

    rows: tuple[int, ...]
    share: float
    start: int = 0
    days: float = math.inf


@dataclass(frozen=True)
class LinkCut:
    """``share`` of what industries ``suppliers`` sell to industries ``buyers`` is blocked
    (with ``pairs``, only ``suppliers[k]`` to ``buyers[k]``)."""

    suppliers: tuple[int, ...]
    buyers: tuple[int, ...]
    share: float
    start: int = 0
    days: float = math.inf
    pairs: bool = False


@dataclass(frozen=True)
class DemandShift:
    """Final demand for industries ``rows`` is multiplied by ``factor``."""

    rows: tuple[int, ...]
    factor: float
    start: int = 0
    days: float = math.inf


Shock = CapacityLoss | LinkCut | DemandShift


def _active(shock: Shock, day: int) -> bool:
    return shock.start <= day < shock.start + shock.days


@dataclass(frozen=True, eq=False)
class Trajectory:
    """Daily production of every industry, in the table's units per day."""

    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    baseline: Vector  # x⁰ per day
    value_added_share: Vector  # value added per unit of output
    production: npt.NDArray[np.float64]  # days × industries
    unmet_final_demand: Vector = field(default_factory=lambda: np.zeros(0))  # per day
    input_short_from: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def days(self) -> int:
        return int(self.production.shape[0])

    def output_loss(self) -> Vector:
        """Output lost each day (table units)."""
        return np.asarray((self.baseline - self.production).sum(axis=1))

    def value_added_loss(self) -> Vector:
        """Value added lost each day (table units)."""
        return np.asarray(((self.baseline - self.production) * self.value_added_share).sum(axis=1))

    def loss_by_industry(self) -> Vector:
        """Output lost over the whole run, per industry."""
        return np.asarray((self.baseline - self.production).sum(axis=0))

    def first_input_short_day(self) -> npt.NDArray[np.int64]:
        """The first day each industry's production is held down (by more than 0.1 %) by an
        input it lacks (−1: never) — the day it "stops", wholly or in part."""
        return self.input_short_from

    def first_below_baseline(self, tolerance: float = 1e-3) -> npt.NDArray[np.int64]:
        """The first day each industry produces less than ``1 − tolerance`` of its baseline,
        for want of inputs or of demand (−1: never)."""
        short = self.production < self.baseline * (1 - tolerance)
        first = np.argmax(short, axis=0)
        return np.where(short.any(axis=0), first, -1).astype(np.int64)


@dataclass(frozen=True, eq=False)
class _Links:
    """The table's links grouped by (input product, buyer), buyers in order."""

    supplier: npt.NDArray[np.int64]  # per link
    buyer: npt.NDArray[np.int64]
    z0: Vector  # per day
    group: npt.NDArray[np.int64]  # per link
    group_buyer: npt.NDArray[np.int64]  # per group
    group_product: npt.NDArray[np.int64]
    tech: Vector  # a_kj per group
    starts: npt.NDArray[np.int64]  # first group of each buyer that has one
    buyers_with_inputs: npt.NDArray[np.int64]


def _baseline(
    mrio: MRIO, supplier: npt.NDArray[np.int64], z0: Vector, days_per_year: float
) -> Vector:
    """Daily output, raised where a table's intermediate sales exceed it (negative final
    demand: inventories drawn down, as in WIOD), so that the steady state holds."""
    sold = np.bincount(supplier, weights=z0, minlength=mrio.n)
    return np.asarray(np.maximum(mrio.x / days_per_year, sold))


def _links(mrio: MRIO, days_per_year: float) -> tuple[_Links, list[str]]:
    products = sorted(set(mrio.sectors))
    code = {s: k for k, s in enumerate(products)}
    product_of = np.array([code[s] for s in mrio.sectors], dtype=np.int64)
    Z = sp.coo_matrix(mrio.Z)
    keep = Z.data > 0
    supplier = Z.row[keep].astype(np.int64)
    buyer = Z.col[keep].astype(np.int64)
    z0 = Z.data[keep].astype(float) / days_per_year
    n, K = mrio.n, len(products)
    key = buyer * K + product_of[supplier]
    unique, group = np.unique(key, return_inverse=True)
    group_buyer = unique // K
    group_product = unique % K
    x0 = _baseline(mrio, supplier, z0, days_per_year)
    flow = np.bincount(group, weights=z0, minlength=unique.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        tech = np.where(x0[group_buyer] > 0, flow / x0[group_buyer], 0.0)
    buyers_with_inputs, starts = np.unique(group_buyer, return_index=True)
    del n
    return (
        _Links(
            supplier,
            buyer,
            z0,
            group.astype(np.int64),
            group_buyer.astype(np.int64),
            group_product.astype(np.int64),
            tech,
            starts.astype(np.int64),
            buyers_with_inputs.astype(np.int64),
        ),
        products,
    )


def _inventory_days(
    params: DynamicParams,
    products: list[str],
    links: _Links,
    overrides: dict[tuple[str, int], float],
) -> Vector:
    by_sector = dict(params.inventory_days_by_sector)
    unknown = sorted(set(by_sector) - set(products))
    if unknown:
        raise InputError(
            "inventory days for sectors the table lacks: {s}",
            values={"s": ", ".join(unknown)},
            expected=", ".join(products),
        )
    per_product = np.array([by_sector.get(p, params.inventory_days) for p in products], float)
    days = per_product[links.group_product]
    if overrides:
        index = {
            (int(k), int(j)): g
            for g, (k, j) in enumerate(zip(links.group_product, links.group_buyer, strict=True))
        }
        code = {p: k for k, p in enumerate(products)}
        for (sector, buyer), d in overrides.items():
            g = index.get((code.get(sector, -1), buyer))
            if g is not None:
                days[g] = d
    return days


def simulate(
    mrio: MRIO,
    shocks: list[Shock],
    days: int = 365,
    params: DynamicParams | None = None,
    inventory_overrides: dict[tuple[str, int], float] | None = None,
) -> Trajectory:
    """Run the model day by day from the table's steady state.

    Parameters
    ----------
    mrio : MRIO
        An annual table.
    shocks : list of Shock
        Capacity losses, link cuts and demand shifts, each with its start day and length.
    days : int
        Days simulated.
    params : DynamicParams, optional
        The parameters (defaults of Hallegatte 2014).
    inventory_overrides : dict, optional
        ``(input sector, buyer index) → days``: e.g. a scenario's stockpile of the restricted
        input in the target country.

    Returns
    -------
    Trajectory

    Raises
    ------
    InputError
        For a shock naming an industry outside the table or a share outside [0, 1].

    Examples
    --------
    Miller & Blair's two sectors; sector 0 loses 10 % of its capacity from day 10. Sector 1
    sells less to it a day later (no input is short: industries are served first); by day 50
    both sit at the supply-constrained result (Miller & Blair §13.2: 900 and 1978.95 a year),
    final demand for sector 0 bearing the cut.

    >>> from econsec.sectors.mrio import MRIO
    >>> Z = sp.csr_matrix([[150.0, 500.0], [200.0, 100.0]])
    >>> mrio = MRIO(("A", "A"), ("s1", "s2"), Z, np.array([350.0, 1700.0]),
    ...             np.array([1000.0, 2000.0]), "USD", "M&B")
    >>> run = simulate(mrio, [CapacityLoss((0,), 0.1, start=10, days=100)], days=120,
    ...                params=DynamicParams(alpha_max=1.0, rationing="priority"))
    >>> run.first_below_baseline().tolist(), run.first_input_short_day().tolist()
    ([10, 11], [-1, -1])
    >>> (run.production[50] * 365).round(2).tolist(), (run.production[119] * 365).round(1).tolist()
    ([900.0, 1978.95], [1000.0, 2000.0])
    """
    params = params or DynamicParams()
    n = mrio.n
    for s in shocks:
        rows = s.suppliers + s.buyers if isinstance(s, LinkCut) else s.rows
        if any(r < 0 or r >= n for r in rows):
            raise InputError("a shock names an industry outside the table", values={})
        share = s.factor if isinstance(s, DemandShift) else s.share
        if share < 0 or (not isinstance(s, DemandShift) and share > 1):
            raise InputError(
                "a shock's share must lie in [0, 1]: {v}", values={"v": share}, expected="0 to 1"
            )
    links, products = _links(mrio, params.days_per_year)
    x0 = _baseline(mrio, links.supplier, links.z0, params.days_per_year)
    y0 = x0 - np.bincount(links.supplier, weights=links.z0, minlength=n)
    inv = _inventory_days(params, products, links, inventory_overrides or {})
    finite = np.isfinite(inv)
    is_input = links.tech > INPUT_THRESHOLD
    tech, gb, g = links.tech, links.group_buyer, links.group
    stock = np.where(finite, inv * tech * x0[gb], np.inf)
    orders = links.z0.copy()
    alpha = np.ones(n)
    tau_s = 1.0 / params.restoration_days
    tau_a = 1.0 / params.alpha_days
    va_share = np.clip(1.0 - np.bincount(gb, weights=tech, minlength=n), 0.0, 1.0).astype(float)
    production = np.empty((days, n))
    unmet = np.empty(days)
    x = x0.copy()
    demand_prev = x0.copy()
    short_from = np.full(n, -1, dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        link_key = links.supplier * n + links.buyer
        active: tuple[int, ...] | None = None
        delta, cut, final = np.zeros(n), np.zeros(links.z0.size), y0
        for day in range(days):
            now = tuple(i for i, s in enumerate(shocks) if _active(s, day))
            if now != active:  # the shocks in force change: rebuild what they do
                active = now
                delta, cut, final = np.zeros(n), np.zeros(links.z0.size), y0.copy()
                for i in now:
                    s = shocks[i]
                    if isinstance(s, CapacityLoss):
                        lost = np.array(s.rows, dtype=np.int64)
                        delta[lost] = np.maximum(delta[lost], s.share)
                    elif isinstance(s, DemandShift):
                        final[np.array(s.rows, dtype=np.int64)] *= s.factor
                    else:
                        if s.pairs:
                            keys = np.array(s.suppliers, np.int64) * n + np.array(s.buyers)
                            hit = np.isin(link_key, keys)
                        else:
                            hit = np.isin(links.supplier, s.suppliers) & np.isin(
                                links.buyer, s.buyers
                            )
                        cut[hit] = np.maximum(cut[hit], s.share)
            if day > 1:  # overproduction reacts to the previous day's scarcity
                scarcity = np.where(demand_prev > 0, (demand_prev - x) / demand_prev, 0.0)
                alpha += np.where(
                    scarcity > 0,
                    (params.alpha_max - alpha) * scarcity * tau_a,
                    (1.0 - alpha) * tau_a,
                )
                alpha = np.maximum(alpha, 1.0)
            sent = orders * (1 - cut)
            ordered = np.bincount(links.supplier, weights=sent, minlength=n)
            demand = ordered + final
            cap = alpha * (1 - delta) * x0
            x_opt = np.minimum(demand, cap)
            need = params.psi * np.where(finite, inv, 0.0) * tech * x_opt[gb]
            ratio = np.where(is_input & (need > 0), np.minimum(1.0, stock / need), 1.0)
            scale = np.ones(n)
            scale[links.buyers_with_inputs] = np.minimum.reduceat(ratio, links.starts)
            x = x_opt * scale
            short_from[(short_from < 0) & (scale < 1 - 1e-3)] = day
            if params.rationing == "priority":
                q_int = np.where(ordered > 0, np.minimum(1.0, x / ordered), 1.0)
                q_final = np.where(final > 0, np.maximum(x - ordered, 0.0) / final, 1.0)
            else:
                q_int = q_final = np.where(demand > 0, x / demand, 1.0)
            delivered = sent * q_int[links.supplier]
            arrived = np.bincount(g, weights=delivered, minlength=tech.size)
            stock = stock + arrived - tech * x[gb]
            unmet[day] = float((final * (1 - np.minimum(q_final, 1.0))).sum())
            production[day] = x
            demand_prev = demand
            # orders for tomorrow
            goal = np.where(finite, inv * tech * x_opt[gb], 0.0)
            gap = np.where(finite, np.maximum(goal - stock, 0.0) * tau_s, 0.0) + tech * x[gb]
            if params.substitution:
                weight = links.z0 * (cap / np.where(x0 > 0, x0, 1.0))[links.supplier] * (1 - cut)
            else:
                weight = links.z0
            total = np.bincount(g, weights=weight, minlength=tech.size)
            orders = np.where(total[g] > 0, gap[g] * weight / total[g], 0.0)
    return Trajectory(
        countries=mrio.countries,
        sectors=mrio.sectors,
        baseline=x0,
        value_added_share=va_share,
        production=production,
        unmet_final_demand=unmet,
        input_short_from=short_from,
    )
