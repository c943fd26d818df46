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
from dataclasses import dataclass, replace
from typing import Any

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
    "Ranges",
    "Shock",
    "Trajectory",
    "battery",
    "draw_params",
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
    inventory_scale: float = 1.0  # every inventory (stockpiles included) times this

    def __post_init__(self) -> None:
        if self.rationing not in ("proportional", "priority"):
            raise InputError(
                "unknown rationing {r!r}",
                values={"r": self.rationing},
                expected="proportional or priority",
            )
        if not 0 < self.psi <= 1:
            raise InputError("psi must lie in (0, 1]", values={}, expected="0 < psi ≤ 1")
        if (self.alpha_max < 1 or self.restoration_days <= 0 or self.alpha_days <= 0
                or self.inventory_scale <= 0):  # fmt: skip
            raise InputError(
                "alpha_max must be at least 1; restoration days, alpha days and the inventory "
                "scale positive",
                values={},
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
    """Daily production and value added, in the table's units per day, of every industry or,
    when the run was recorded by country and sector (firm networks), of every such group."""

    countries: tuple[str, ...]  # of each column
    sectors: tuple[str, ...]
    baseline: Vector  # x⁰ per day, per column
    baseline_value_added: Vector
    production: npt.NDArray[np.float64]  # days × columns
    value_added: npt.NDArray[np.float64]  # days × columns
    unmet_final_demand: Vector  # per day
    input_short_from: npt.NDArray[np.int64]  # per column: the earliest of its industries
    industry_loss: Vector  # output lost over the run by each industry (firm)
    industry_short_from: npt.NDArray[np.int64]  # per industry (firm)

    @property
    def days(self) -> int:
        return int(self.production.shape[0])

    def output_loss(self) -> Vector:
        """Output lost each day (table units)."""
        return np.asarray((self.baseline - self.production).sum(axis=1))

    def value_added_loss(self) -> Vector:
        """Value added lost each day (table units)."""
        return np.asarray((self.baseline_value_added - self.value_added).sum(axis=1))

    def loss_by_industry(self) -> Vector:
        """Output lost over the whole run, per column."""
        return np.asarray((self.baseline - self.production).sum(axis=0))

    def first_input_short_day(self) -> npt.NDArray[np.int64]:
        """The first day each column's production is held down (by more than 0.1 %) by an
        input it lacks (−1: never) — the day it "stops", wholly or in part."""
        return self.input_short_from

    def first_below_baseline(self, tolerance: float = 1e-3) -> npt.NDArray[np.int64]:
        """The first day each column produces less than ``1 − tolerance`` of its baseline, for
        want of inputs or of demand (−1: never)."""
        short = self.production < self.baseline * (1 - tolerance)
        first = np.argmax(short, axis=0)
        return np.where(short.any(axis=0), first, -1).astype(np.int64)


@dataclass(frozen=True, eq=False)
class _Links:
    """The table's links grouped by (input product, buyer), buyers in order."""

    supplier: npt.NDArray[np.int64]  # per link
    buyer: npt.NDArray[np.int64]
    z0: Vector  # per day
    x0: Vector  # output per day, per industry (:func:`_baseline`)
    group: npt.NDArray[np.int64]  # per link
    group_buyer: npt.NDArray[np.int64]  # per group
    group_product: npt.NDArray[np.int64]
    tech: Vector  # a_kj per group
    group_ptr: npt.NDArray[np.int64]  # buyer j's groups are group_ptr[j]:group_ptr[j + 1]
    keys: npt.NDArray[np.int64]  # buyer · products + product, per group (sorted)
    perm: npt.NDArray[np.int64]  # the links in group order


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
    perm = np.argsort(key, kind="stable")  # the links in group order
    ordered_keys = key[perm]
    starts = np.ones(key.size, dtype=bool)
    starts[1:] = ordered_keys[1:] != ordered_keys[:-1]
    unique = ordered_keys[starts]
    group = np.empty(key.size, dtype=np.int64)
    group[perm] = np.cumsum(starts) - 1
    group_buyer = unique // K
    group_product = unique % K
    x0 = _baseline(mrio, supplier, z0, days_per_year)
    flow = np.bincount(group, weights=z0, minlength=unique.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        tech = np.where(x0[group_buyer] > 0, flow / x0[group_buyer], 0.0)
    group_ptr = np.searchsorted(group_buyer, np.arange(n + 1)).astype(np.int64)
    return (
        _Links(
            supplier,
            buyer,
            z0,
            x0,
            group.astype(np.int64),
            group_buyer.astype(np.int64),
            group_product.astype(np.int64),
            tech,
            group_ptr,
            unique.astype(np.int64),
            perm.astype(np.int64),
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
        code = {p: k for k, p in enumerate(products)}
        asked = [(buyer * len(products) + code[sector], d) for (sector, buyer), d
                 in overrides.items() if sector in code]  # fmt: skip
        if asked:
            keys = np.array([k for k, _ in asked], dtype=np.int64)
            at = np.minimum(np.searchsorted(links.keys, keys), links.keys.size - 1)
            found = links.keys[at] == keys
            days[at[found]] = np.array([d for _, d in asked])[found]
    return days * params.inventory_scale


def simulate(
    mrio: MRIO,
    shocks: list[Shock],
    days: int = 365,
    params: DynamicParams | None = None,
    inventory_overrides: dict[tuple[str, int], float] | None = None,
    by_label: bool = False,
    kernel: str = "compiled",
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
    by_label : bool
        Record production summed by country and sector (for firm networks, where a column per
        firm and day would not fit in memory); the loss and first short day of every industry
        are kept either way.
    kernel : str
        ``compiled`` (Numba) or ``reference`` (NumPy, the same steps; for checks).

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
    x0 = links.x0
    y0 = x0 - np.bincount(links.supplier, weights=links.z0, minlength=n)
    inv = _inventory_days(params, products, links, inventory_overrides or {})
    finite = np.isfinite(inv)
    tech, gb = links.tech, links.group_buyer
    va_share = np.clip(1.0 - np.bincount(gb, weights=tech, minlength=n), 0.0, 1.0).astype(float)
    if by_label:
        labels = sorted(set(zip(mrio.countries, mrio.sectors, strict=True)))
        at = {label: k for k, label in enumerate(labels)}
        record_of = np.array([at[p] for p in zip(mrio.countries, mrio.sectors, strict=True)])
    else:
        labels = list(zip(mrio.countries, mrio.sectors, strict=True))
        record_of = np.arange(n)
    columns = len(labels)
    record, record_va = np.zeros((days, columns)), np.zeros((days, columns))
    loss, short_from, unmet = np.zeros(n), np.full(n, -1, dtype=np.int64), np.zeros(days)
    alpha, x, demand_prev = np.ones(n), x0.copy(), x0.copy()
    stock = np.where(finite, inv * tech * x0[gb], np.inf)
    Seven = tuple[Any, Any, Any, Any, Any, Any, Any]
    common: Seven = (tech, gb, links.group_ptr, tech > INPUT_THRESHOLD,
                     np.where(finite, inv, 0.0), finite, x0)  # fmt: skip
    knobs: tuple[Any, Any, Any, Any, Any, Any] = (
        params.psi, 1.0 / params.restoration_days, 1.0 / params.alpha_days, params.alpha_max,
        params.substitution, params.rationing == "priority")  # fmt: skip
    out: Seven = (
        record_of,
        record,
        record_va,
        va_share,
        loss,
        short_from,
        unmet,
    )
    orders = links.z0.copy()  # the reference kernel's state
    r, rho_prev = np.ones(tech.size), np.ones(n)  # the compiled kernel's state
    perm = links.perm
    link_ptr = np.searchsorted(links.group[perm], np.arange(tech.size + 1)).astype(np.int64)
    sup_ptr = np.searchsorted(links.supplier, np.arange(n + 1)).astype(np.int64)
    # buyers in chunks of about equal links, one per thread of the compiled kernel
    links_upto = link_ptr[links.group_ptr]  # links of the buyers before each buyer
    chunks = max(1, min(_threads(), n))
    cuts = np.searchsorted(links_upto, np.linspace(0, links_upto[-1], chunks + 1)[1:-1])
    chunk_ptr = np.concatenate([[0], cuts, [n]]).astype(np.int64)
    weight_prev, z0_g, cut_prev = links.z0, links.z0[perm], np.zeros(links.z0.size)
    ones = np.ones(links.z0.size)
    link_sup, sup_group = links.supplier[perm].astype(np.int32), links.group.astype(np.int32)
    day = 0
    while day < days:
        active = tuple(i for i, s in enumerate(shocks) if _active(s, day))
        end = day + 1
        while end < days and tuple(i for i, s in enumerate(shocks) if _active(s, end)) == active:
            end += 1
        delta, cut, final = _epoch([shocks[i] for i in active], links, n, y0)
        # what passes of yesterday's orders today: with substitution, buyers order only the
        # open share of a blocked link, so on a period's first day the orders placed under the
        # previous shocks pass in the ratio of the open shares, and in full afterwards
        blocked = bool(cut.any() or cut_prev.any())
        if not blocked:
            passes = (ones, ones)
        elif params.substitution:
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(cut_prev < 1, np.minimum(1.0, (1 - cut) / (1 - cut_prev)), 0.0)
            passes = (ratio, ones)
        else:
            passes = (1 - cut, 1 - cut)
        if kernel == "reference":
            _reference_days(day, end - day, links.supplier, links.group, links.z0, *common,
                            final, delta, cut, *passes, *knobs, alpha, stock, orders, x,
                            demand_prev, *out)  # fmt: skip
        else:
            from econsec.sectors.ario_kernel import run_days

            if blocked:
                weight = links.z0 * (1 - cut) if params.substitution else links.z0
                arrive_first = weight_prev * passes[0]  # ordered under the previous shocks
                weight_g, sent_g = weight[perm], (weight * passes[1])[perm]
                arrive_g = arrive_first[perm]
            else:  # one array read for both: a day reads a third less
                weight, arrive_first = links.z0, links.z0
                weight_g = sent_g = arrive_g = z0_g
            run_days(day, end - day, sup_ptr, sup_group, arrive_first, link_ptr, link_sup,
                     weight_g, sent_g, arrive_g, chunk_ptr, *common, final, delta,
                     *knobs, alpha, stock, r, rho_prev, x, demand_prev, *out)  # fmt: skip
            weight_prev = weight
        cut_prev = cut
        day = end
    first = np.full(columns, -1, dtype=np.int64)
    hit = short_from >= 0
    for k in np.argsort(-short_from[hit], kind="stable"):  # the earliest day wins
        first[record_of[hit][k]] = short_from[hit][k]
    return Trajectory(
        countries=tuple(c for c, _ in labels),
        sectors=tuple(s for _, s in labels),
        baseline=np.bincount(record_of, weights=x0, minlength=columns).astype(float),
        baseline_value_added=np.bincount(
            record_of, weights=x0 * va_share, minlength=columns
        ).astype(float),
        production=record,
        value_added=record_va,
        unmet_final_demand=unmet,
        input_short_from=first,
        industry_loss=loss,
        industry_short_from=short_from,
    )


def _threads() -> int:
    import numba

    return int(numba.get_num_threads())


def _epoch(active: list[Shock], links: _Links, n: int, y0: Vector) -> tuple[Vector, Vector, Vector]:
    """Capacity lost, share of each link blocked and final demand while ``active`` hold."""
    delta, cut, final = np.zeros(n), np.zeros(links.z0.size), y0.copy()
    for s in active:
        if isinstance(s, CapacityLoss):
            lost = np.array(s.rows, dtype=np.int64)
            delta[lost] = np.maximum(delta[lost], s.share)
        elif isinstance(s, DemandShift):
            final[np.array(s.rows, dtype=np.int64)] *= s.factor
        else:
            if s.pairs:
                keys = np.array(s.suppliers, np.int64) * n + np.array(s.buyers, np.int64)
                hit = np.isin(links.supplier * n + links.buyer, keys)
            else:
                hit = np.isin(links.supplier, s.suppliers) & np.isin(links.buyer, s.buyers)
            cut[hit] = np.maximum(cut[hit], s.share)
    return delta, cut, final


def _reference_days(
    day0: int, days: int, supplier: npt.NDArray[np.int64], group: npt.NDArray[np.int64],
    z0: Vector, tech: Vector, gb: npt.NDArray[np.int64], group_ptr: npt.NDArray[np.int64],
    is_input: npt.NDArray[np.bool_], inv: Vector, finite: npt.NDArray[np.bool_], x0: Vector,
    final: Vector, delta: Vector, cut: Vector, pass_first: Vector, pass_rest: Vector,
    psi: float, tau_s: float, tau_a: float,
    alpha_max: float, substitution: bool, priority: bool, alpha: Vector, stock: Vector,
    orders: Vector, x: Vector, demand_prev: Vector, record_of: npt.NDArray[np.int64],
    record: npt.NDArray[np.float64], record_va: npt.NDArray[np.float64], va_share: Vector,
    loss: Vector, short_from: npt.NDArray[np.int64], unmet: Vector,
) -> None:  # fmt: skip
    """The day loop in NumPy, step by step as the module docstring states it (the compiled
    kernel must agree with it); state arrays are updated in place."""
    n = x0.size
    has_inputs = np.flatnonzero(group_ptr[1:] > group_ptr[:-1])
    with np.errstate(divide="ignore", invalid="ignore"):
        for day in range(day0, day0 + days):
            if day > 1:  # overproduction reacts to the previous day's scarcity
                scarcity = np.where(demand_prev > 0, (demand_prev - x) / demand_prev, 0.0)
                alpha[:] = np.maximum(
                    alpha + np.where(scarcity > 0, (alpha_max - alpha) * scarcity * tau_a,
                                     (1.0 - alpha) * tau_a), 1.0)  # fmt: skip
            sent = orders * (pass_first if day == day0 else pass_rest)
            ordered = np.bincount(supplier, weights=sent, minlength=n)
            demand = ordered + final
            cap = alpha * (1 - delta) * x0
            x_opt = np.minimum(demand, cap)
            need = psi * inv * tech * x_opt[gb]
            ratio = np.where(finite & is_input & (need > 0), np.minimum(1.0, stock / need), 1.0)
            scale = np.ones(n)
            if has_inputs.size:
                scale[has_inputs] = np.minimum.reduceat(ratio, group_ptr[has_inputs])
            x[:] = x_opt * scale
            short_from[(short_from < 0) & (scale < 1 - 1e-3)] = day
            if priority:
                q_int = np.where(ordered > 0, np.minimum(1.0, x / ordered), 1.0)
                q_final = np.where(final > 0, np.maximum(x - ordered, 0.0) / final, 1.0)
            else:
                q_int = q_final = np.where(demand > 0, x / demand, 1.0)
            arrived = np.bincount(group, weights=sent * q_int[supplier], minlength=tech.size)
            stock += arrived - tech * x[gb]
            unmet[day] = float((final * (1 - np.minimum(q_final, 1.0))).sum())
            np.add.at(record[day], record_of, x)
            np.add.at(record_va[day], record_of, x * va_share)
            loss += x0 - x
            demand_prev[:] = demand
            # orders for tomorrow
            goal = np.where(finite, inv * tech * x_opt[gb], 0.0)
            gap = np.where(finite, np.maximum(goal - stock, 0.0) * tau_s, 0.0) + tech * x[gb]
            ratio = cap / np.where(x0 > 0, x0, 1.0)
            weight = z0 * ratio[supplier] * (1 - cut) if substitution else z0
            total = np.bincount(group, weights=weight, minlength=tech.size)
            orders[:] = np.where(total[group] > 0, gap[group] * weight / total[group], 0.0)


@dataclass(frozen=True)
class Ranges:
    """Uniform ranges a Monte Carlo battery draws the uncertain parameters from (defaults:
    about the spread of the values used in the ARIO literature)."""

    inventory_scale: tuple[float, float] = (0.5, 1.5)
    psi: tuple[float, float] = (0.6, 0.95)
    restoration_days: tuple[float, float] = (30.0, 90.0)
    alpha_max: tuple[float, float] = (1.0, 1.5)

    def as_dict(self) -> dict[str, list[float]]:
        return {k: list(v) for k, v in self.__dict__.items()}


def draw_params(
    base: DynamicParams, draws: int, ranges: Ranges | None = None, seed: int = 2008
) -> list[DynamicParams]:
    """``draws`` parameter sets: ``base`` with the uncertain parameters drawn uniformly.

    Parameters
    ----------
    base : DynamicParams
        The parameters not drawn.
    draws : int
        How many sets.
    ranges : Ranges, optional
        Where each uncertain parameter is drawn from.
    seed : int
        The random seed (the same seed, the same draws).

    Returns
    -------
    list of DynamicParams

    Examples
    --------
    >>> [round(p.psi, 3) for p in draw_params(DynamicParams(), 3)]
    [0.84, 0.869, 0.806]
    """
    ranges = ranges or Ranges()
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(draws):
        scale, psi, restore, alpha = (
            float(rng.uniform(*r))
            for r in (ranges.inventory_scale, ranges.psi, ranges.restoration_days, ranges.alpha_max)
        )
        out.append(replace(base, inventory_scale=scale, psi=psi, restoration_days=restore,
                           alpha_max=alpha))  # fmt: skip
    return out


def _summary(
    mrio: MRIO, shocks: list[Shock], days: int, params: DynamicParams,
    overrides: dict[tuple[str, int], float], by_label: bool,
) -> tuple[float, float]:  # fmt: skip
    run = simulate(mrio, shocks, days, params, overrides, by_label)
    return float(run.output_loss().sum()), float(run.value_added_loss().sum())


def battery(
    mrio: MRIO,
    shocks: list[Shock],
    days: int,
    draws: list[DynamicParams],
    inventory_overrides: dict[tuple[str, int], float] | None = None,
    by_label: bool = False,
    spark: Any = None,
) -> npt.NDArray[np.float64]:
    """Run the model once per parameter set: output and value added lost over the run (table
    units), one row per draw — on this machine, or fanned out over Spark executors (the table
    and shocks are broadcast; each task runs one draw).

    Parameters
    ----------
    mrio : MRIO
        The table.
    shocks : list of Shock
        The shocks.
    days : int
        Days simulated.
    draws : list of DynamicParams
        The parameter sets (:func:`draw_params`).
    inventory_overrides : dict, optional
        As for :func:`simulate`.
    by_label : bool
        As for :func:`simulate`.
    spark : pyspark.sql.SparkSession, optional
        Fan the draws out over this session.

    Returns
    -------
    ndarray
        ``draws × 2``: output lost, value added lost.

    Examples
    --------
    >>> from econsec.sectors.mrio import MRIO
    >>> Z = sp.csr_matrix([[150.0, 500.0], [200.0, 100.0]])
    >>> mrio = MRIO(("A", "A"), ("s1", "s2"), Z, np.array([350.0, 1700.0]),
    ...             np.array([1000.0, 2000.0]), "USD", "M&B")
    >>> out = battery(mrio, [CapacityLoss((0,), 0.1, start=0, days=30)], 60,
    ...               draws=draw_params(DynamicParams(), 4))
    >>> out.shape, bool((out[:, 0] > 0).all())
    ((4, 2), True)
    """
    overrides = inventory_overrides or {}
    if spark is None:
        rows = [_summary(mrio, shocks, days, p, overrides, by_label) for p in draws]
        return np.array(rows, dtype=float).reshape(len(draws), 2)
    shared = spark.sparkContext.broadcast((mrio, shocks, overrides))

    def work(item: tuple[int, DynamicParams]) -> tuple[int, tuple[float, float]]:
        table, cuts, stocks = shared.value
        return item[0], _summary(table, cuts, days, item[1], stocks, by_label)

    found = dict(spark.sparkContext.parallelize(list(enumerate(draws)), max(1, len(draws)))
                 .map(work).collect())  # fmt: skip
    return np.array([found[i] for i in range(len(draws))], dtype=float).reshape(len(draws), 2)
