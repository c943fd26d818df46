"""Mitigation plans: the sourcing shares that trade cost against risk, and stockpile sizing.

For one importer and product, choose shares ``x_s`` of its demand from supplier countries s:

    minimise   Σ_s (c_s + π·[s not like-minded]) x_s + σ Σ_s |x_s − x0_s| + λ · risk(x)
    subject to Σ_s x_s = 1,   m z_s ≤ x_s ≤ min(cap, k_s) z_s,   Σ_s z_s ≤ K,   z_s ∈ {0, 1}

with ``c_s`` the relative unit cost (1 when unknown), π the premium on suppliers outside the
like-minded group, σ the switching cost per unit of share moved away from the current shares
``x0``, ``cap`` the per-country cap (default 0.65, the EU CRMA benchmark), ``k_s`` the
supplier's capacity as a share of demand, ``m`` the least share of a chosen supplier (default
2 %: a contract nobody would sign below it), ``K`` the most suppliers (default 8), suppliers in
excluded country groups fixed at zero, and risk either the HHI of the plan ``Σ x_s²`` or the
expected shortfall ``Σ q_s x_s`` for disruption probabilities ``q_s``. Both are linear
programmes solved by HiGHS (highspy): the absolute values are linearised with
``t_s ≥ ±(x_s − x0_s)``, and each ``x_s²`` by the tangents at shares 0, 0.025, …, 1
(``y_s ≥ 2a x_s − a²``), exact at those shares and at most 1.6e-4 below between them. (HiGHS's
QP solver stalled or failed on real sourcing problems with 68 suppliers; the LP does not.) The
choice of suppliers ``z_s`` makes it a mixed-integer programme, which HiGHS solves by branch and
bound. Plans report the exact HHI of the chosen shares.

:func:`frontier` solves over a range of λ; the recommended plan is the cheapest one whose risk
is within 10 % of the least risk on the frontier. :func:`stockpile_days` sizes a stockpile.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from econsec import highs
from econsec.analysis.concentration import SqlEngine
from econsec.errors import Infeasible, InputError, InsufficientData
from econsec.i18n import N_
from econsec.scenarios.substitution import shares

__all__ = [
    "Plan",
    "Problem",
    "describe",
    "frontier",
    "recommend",
    "rounded_shares",
    "solve",
    "sourcing_problem",
    "stockpile_days",
]


@dataclass(frozen=True)
class Problem:
    """A sourcing problem; every mapping is keyed by supplier country."""

    suppliers: tuple[str, ...]
    current: Mapping[str, float]  # x0, shares summing to 1 (or empty: a new product)
    capacity: Mapping[str, float]  # k_s, share of demand each can supply
    cost: Mapping[str, float] = field(default_factory=dict)  # c_s (default 1)
    like_minded: frozenset[str] = frozenset()
    premium: float = 0.05  # π
    switching: float = 0.02  # σ
    cap: float = 0.65
    risk: str = "hhi"  # or "expected_shortfall"
    disruption: Mapping[str, float] = field(default_factory=dict)  # q_s
    min_share: float = 0.02  # m, the least share of a chosen supplier
    max_suppliers: int = 8  # K
    excluded: frozenset[str] = frozenset()  # suppliers the plan may not use


@dataclass(frozen=True)
class Plan:
    lam: float
    shares: dict[str, float]
    cost: float  # Σ (c_s + premium) x_s + switching
    hhi: float
    expected_shortfall: float

    @property
    def risk(self) -> float:
        return self.hhi


_STEP = 0.025
_TANGENTS = np.linspace(0.0, 1.0, 41)  # x² is met exactly at these shares, within 1.6e-4 between


def _bounds(p: Problem) -> np.ndarray:
    """Each supplier's largest share: the cap, its capacity, zero when excluded or when it
    cannot reach the least share."""
    upper = np.array([
        0.0 if s in p.excluded else min(p.cap, max(0.0, p.capacity.get(s, 0.0)))
        for s in p.suppliers
    ])  # fmt: skip
    upper[upper < p.min_share - 1e-12] = 0.0
    return upper


def _check(p: Problem) -> None:
    if not 0 <= p.min_share <= p.cap:
        raise InputError(
            "least share {min_share}",
            values={"min_share": p.min_share},
            expected=f"a share in [0, cap {p.cap}]",
        )
    if p.max_suppliers < 1:
        raise InputError(
            "most suppliers {max_suppliers}",
            values={"max_suppliers": p.max_suppliers},
            expected=N_("a whole number ≥ 1"),
        )
    upper = _bounds(p)
    best = np.sort(upper)[::-1][: p.max_suppliers]
    if best.sum() >= 1 - 1e-9:
        return
    binding = []
    for s, u in sorted(zip(p.suppliers, upper, strict=True), key=lambda t: -t[1]):
        k = p.capacity.get(s, 0.0)
        if u > 0:
            binding.append(
                f"{s} capacity {k:.0%}" if k < p.cap else f"{s} cap {p.cap:.0%} (capacity {k:.0%})"
            )
    small = sum(1 for s, u in zip(p.suppliers, upper, strict=True)
                if u == 0 and s not in p.excluded and p.capacity.get(s, 0.0) > 0)  # fmt: skip
    if small:
        binding.append(f"{small} more below the least share {p.min_share:.0%}")
    excluded = sorted(p.excluded & set(p.suppliers))
    raise Infeasible(
        f"no plan covers the demand: {min(p.max_suppliers, int((upper > 0).sum()))} suppliers can "
        f"cover at most {best.sum():.0%}; binding: {', '.join(binding) or 'no supplier'}"
        + (f"; excluded: {', '.join(excluded)}" if excluded else "")
        + ". Raise the cap or the number of suppliers, allow an excluded group, or plan a "
        "stockpile for the rest"
    )


def solve(p: Problem, lam: float) -> Plan:
    """The plan minimising cost + λ · risk (see the module docstring), by HiGHS.

    Parameters
    ----------
    p : Problem
        The sourcing problem.
    lam : float
        λ, the weight of risk against cost.

    Returns
    -------
    Plan

    Raises
    ------
    Infeasible
        When the suppliers cannot cover demand within the cap and their capacities, naming
        what binds.

    Examples
    --------
    Japan buys 80 % from China and 20 % from Korea; Korea and Australia could supply 30 % and
    40 % of Japan's demand (their sales to Japan and a fifth of their other sales). The cheapest
    plan within the 65 % cap buys all they can from the like-minded suppliers (no premium) and
    the rest, 30 %, from China: cost 1 + 0.05 · 0.3 (premium) + 0.02 · (0.4 + 0.5 + 0.1)
    (switching) = 1.035, HHI 0.4² + 0.3² + 0.3² = 0.34.

    >>> import pyarrow as pa
    >>> from econsec.storage.engines import duckdb_engine
    >>> engine = duckdb_engine(None)
    >>> engine.register("flows", pa.table({
    ...     "year": [2024] * 5, "exporter": ["CHN", "KOR", "KOR", "CHN", "AUS"],
    ...     "importer": ["JPN", "JPN", "USA", "USA", "USA"], "product": ["811292"] * 5,
    ...     "value_usd": [80.0, 20.0, 50.0, 100.0, 200.0], "quantity_kg": [None] * 5}))
    >>> problem = sourcing_problem(engine, "JPN", "811292", 2024,
    ...                            like_minded=frozenset({"AUS", "KOR"}))
    >>> plan = solve(problem, 0.0)
    >>> {s: round(v, 4) for s, v in plan.shares.items()}, round(plan.cost, 4), round(plan.hhi, 4)
    ({'AUS': 0.4, 'CHN': 0.3, 'KOR': 0.3}, 1.035, 0.34)
    """
    import highspy

    _check(p)
    n = len(p.suppliers)
    x0 = np.array([p.current.get(s, 0.0) for s in p.suppliers])
    c = np.array(
        [p.cost.get(s, 1.0) + (0.0 if s in p.like_minded else p.premium) for s in p.suppliers]
    )
    if p.risk == "expected_shortfall":
        c = c + lam * np.array([p.disruption.get(s, 0.0) for s in p.suppliers])
    h = highs.model()
    inf = highspy.kHighsInf
    upper = _bounds(p)
    hhi = p.risk == "hhi" and lam > 0
    # variables: x (shares), t (|x - x0|), z (supplier chosen), and for the HHI y (≥ x²)
    m = 4 * n if hhi else 3 * n
    h.addVars(m, np.zeros(m), np.concatenate([upper, np.full(n, inf), np.ones(n),
                                              np.full(m - 3 * n, inf)]))  # fmt: skip
    costs = [c, np.full(n, p.switching), np.zeros(n)] + ([np.full(n, lam)] if hhi else [])
    h.changeColsCost(m, np.arange(m, dtype=np.int32), np.concatenate(costs))
    z = np.arange(2 * n, 3 * n, dtype=np.int32)
    h.changeColsIntegrality(n, z, np.full(n, highspy.HighsVarType.kInteger))
    h.addRow(1.0, 1.0, n, np.arange(n, dtype=np.int32), np.ones(n))
    h.addRow(-inf, float(p.max_suppliers), n, z, np.ones(n))
    for i in range(n):  # t_i - x_i >= -x0_i and t_i + x_i >= x0_i
        h.addRow(-x0[i], inf, 2, np.array([n + i, i], dtype=np.int32), np.array([1.0, -1.0]))
        h.addRow(x0[i], inf, 2, np.array([n + i, i], dtype=np.int32), np.array([1.0, 1.0]))
        # m z_i <= x_i <= u_i z_i
        h.addRow(-inf, 0.0, 2, np.array([i, z[i]], dtype=np.int32), np.array([1.0, -upper[i]]))
        h.addRow(0.0, inf, 2, np.array([i, z[i]], dtype=np.int32), np.array([1.0, -p.min_share]))
        if hhi:  # y_i >= 2 a x_i - a² for tangent points a (outer linearisation of x_i²)
            for a in _TANGENTS[upper[i] + _STEP >= _TANGENTS]:
                h.addRow(-a * a, inf, 2, np.array([3 * n + i, i], dtype=np.int32),
                         np.array([1.0, -2.0 * a]))  # fmt: skip
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise Infeasible(f"HiGHS found no optimal plan ({h.modelStatusToString(status)})")
    values = np.array(h.getSolution().col_value[:n])
    values = np.clip(values, 0.0, None)
    values[values < 1e-9] = 0.0
    values = values / values.sum()  # the solver's tolerance, not a change of plan
    shares = {s: float(v) for s, v in zip(p.suppliers, values, strict=True) if v > 1e-9}
    moved = float(np.abs(values - x0).sum())
    q = np.array([p.disruption.get(s, 0.0) for s in p.suppliers])
    return Plan(
        lam=lam,
        shares=shares,
        cost=float(c[:n] @ values - (lam * q @ values if p.risk == "expected_shortfall" else 0))
        + p.switching * moved,
        hhi=float((values**2).sum()),
        expected_shortfall=float(q @ values),
    )


def frontier(p: Problem, lams: Sequence[float] = (0, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)) -> list[Plan]:
    """Plans over a range of λ: the cost–risk frontier.

    Parameters
    ----------
    p : Problem
        The sourcing problem.
    lams : sequence of float
        The values of λ.

    Returns
    -------
    list of Plan

    Raises
    ------
    Infeasible
        As :func:`solve`.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from econsec.storage.engines import duckdb_engine
    >>> engine = duckdb_engine(None)
    >>> engine.register("flows", pa.table({
    ...     "year": [2024] * 5, "exporter": ["CHN", "KOR", "KOR", "CHN", "AUS"],
    ...     "importer": ["JPN", "JPN", "USA", "USA", "USA"], "product": ["811292"] * 5,
    ...     "value_usd": [80.0, 20.0, 50.0, 100.0, 200.0], "quantity_kg": [None] * 5}))
    >>> problem = sourcing_problem(engine, "JPN", "811292", 2024,
    ...                            like_minded=frozenset({"AUS", "KOR"}))
    >>> [round(pl.hhi, 3) for pl in frontier(problem, (0, 1))]  # risk weighs: a lower HHI
    [0.34, 0.335]
    """
    return [solve(p, lam) for lam in lams]


def recommend(plans: Sequence[Plan], tolerance: float = 0.10) -> Plan:
    """The cheapest plan whose risk is within ``tolerance`` of the least risk on the frontier.

    Parameters
    ----------
    plans : sequence of Plan
        A frontier.
    tolerance : float
        How much above the least risk a plan may be.

    Returns
    -------
    Plan

    Examples
    --------
    >>> import pyarrow as pa
    >>> from econsec.storage.engines import duckdb_engine
    >>> engine = duckdb_engine(None)
    >>> engine.register("flows", pa.table({
    ...     "year": [2024] * 5, "exporter": ["CHN", "KOR", "KOR", "CHN", "AUS"],
    ...     "importer": ["JPN", "JPN", "USA", "USA", "USA"], "product": ["811292"] * 5,
    ...     "value_usd": [80.0, 20.0, 50.0, 100.0, 200.0], "quantity_kg": [None] * 5}))
    >>> problem = sourcing_problem(engine, "JPN", "811292", 2024,
    ...                            like_minded=frozenset({"AUS", "KOR"}))
    >>> recommend(frontier(problem)).lam  # within 10 % of the least HHI, and cheapest
    0
    """
    risk = [pl.hhi if pl.expected_shortfall == 0 else pl.expected_shortfall for pl in plans]
    least = min(risk)
    ok = [pl for pl, r in zip(plans, risk, strict=True) if r <= least * (1 + tolerance) + 1e-12]
    return min(ok, key=lambda pl: (pl.cost, pl.lam))


def stockpile_days(mean_disruption_days: float, probability: float, uncovered: float) -> float:
    """Days of use to stock so that a disruption is covered with ``probability``.

    The disruption's length is taken as exponential with mean D (memoryless: how long it has
    lasted says nothing of how long it will last); it is covered with probability p when the
    stock lasts its p-quantile ``−D ln(1 − p)``. Only the ``uncovered`` share of use (not
    replaced by other suppliers) draws on the stock.

    Parameters
    ----------
    mean_disruption_days : float
        D, the mean length of a disruption.
    probability : float
        p, in [0, 1).
    uncovered : float
        The share of use the stock must replace.

    Returns
    -------
    float
        Days of (full) use.

    Raises
    ------
    InputError
        For a probability outside [0, 1).

    Examples
    --------
    >>> round(stockpile_days(60, 0.9, 0.5), 1)  # 60 · ln 10 · 0.5
    69.1
    """
    if not 0 <= probability < 1:
        raise InputError(
            "probability {probability}",
            values={"probability": probability},
            expected=N_("a number in [0, 1)"),
        )
    return -mean_disruption_days * math.log(1 - probability) * max(0.0, min(1.0, uncovered))


def rounded_shares(shares: Mapping[str, float], unit: float = 1e-4) -> dict[str, float]:
    """Shares rounded to multiples of ``unit`` that still add up to exactly 1, largest first.

    Rounding each share on its own can leave a plan adding up to 99.9 % or 100.1 %; the
    largest-remainder method (Hamilton's) rounds down and gives the missing units to the
    shares that lost most.

    Parameters
    ----------
    shares : mapping of str to float
        Shares adding up to 1 (within the solver's tolerance).
    unit : float
        The rounding unit (1e-4: hundredths of a percent).

    Returns
    -------
    dict of str to float

    Examples
    --------
    >>> rounded_shares({"A": 1 / 3, "B": 1 / 3, "C": 1 / 3}, 0.01)
    {'A': 0.34, 'B': 0.33, 'C': 0.33}
    """
    total = sum(shares.values())
    if total <= 0:
        return {}
    steps = round(1 / unit)
    exact = {s: v / total * steps for s, v in shares.items()}
    whole = {s: math.floor(e) for s, e in exact.items()}
    order = sorted(exact, key=lambda s: (-(exact[s] - whole[s]), -exact[s], s))
    for s in order[: steps - sum(whole.values())]:
        whole[s] += 1
    digits = max(0, -math.floor(math.log10(unit)))
    return {
        s: round(k / steps, digits)
        for s, k in sorted(whole.items(), key=lambda t: (-t[1], t[0]))
        if k > 0
    }


def describe(plan: Plan) -> dict[str, object]:
    """The plan as a user sees it (JSON): shares largest first, rounded.

    Parameters
    ----------
    plan : Plan
        A plan.

    Returns
    -------
    dict

    Examples
    --------
    >>> describe(Plan(0.0, {"KOR": 0.3, "AUS": 0.4, "USA": 0.3}, 1.035, 0.34, 0.0))["shares"]
    {'AUS': 0.4, 'KOR': 0.3, 'USA': 0.3}
    """
    return {
        "lambda": plan.lam,
        "shares": rounded_shares(plan.shares),
        "cost": round(plan.cost, 6),
        "hhi": round(plan.hhi, 6),
        "expected_shortfall": round(plan.expected_shortfall, 6),
    }


def sourcing_problem(
    engine: SqlEngine,
    importer: str,
    product: str,
    year: int,
    *,
    cap: float = 0.65,
    like_minded: frozenset[str] = frozenset(),
    redirect_share: float | None = None,
    risk: str = "hhi",
    disruption: Mapping[str, float] | None = None,
) -> Problem:
    """The sourcing problem of ``importer`` for ``product`` from the engine's ``flows``.

    Suppliers are every exporter of the product in ``year``; the current shares are the
    importer's; a supplier's capacity is what it sells the importer plus the redirect share of
    what it sells others (the scenarios' rule, :mod:`econsec.scenarios.substitution`), as a
    share of the importer's imports; relative unit costs come from
    unit values (USD per kg) where quantities are known, else 1.

    Parameters
    ----------
    engine : SqlEngine
        An engine with the relation ``flows``.
    importer : str
        ISO alpha-3.
    product : str
        HS6.
    year : int
        The base year.
    cap : float
        The largest share of one country.
    like_minded : frozenset of str
        Suppliers without the premium.
    redirect_share : float, optional
        The share of a supplier's other sales it could redirect (default: the product's
        estimate, else its HS section's, else 0.2).
    risk : str
        ``hhi`` or ``expected_shortfall``.
    disruption : mapping of str to float, optional
        Disruption probabilities by supplier (for ``expected_shortfall``).

    Returns
    -------
    Problem

    Raises
    ------
    InsufficientData
        When the importer bought none of the product in the year.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from econsec.storage.engines import duckdb_engine
    >>> engine = duckdb_engine(None)
    >>> engine.register("flows", pa.table({
    ...     "year": [2024] * 5, "exporter": ["CHN", "KOR", "KOR", "CHN", "AUS"],
    ...     "importer": ["JPN", "JPN", "USA", "USA", "USA"], "product": ["811292"] * 5,
    ...     "value_usd": [80.0, 20.0, 50.0, 100.0, 200.0], "quantity_kg": [None] * 5}))
    >>> problem = sourcing_problem(engine, "JPN", "811292", 2024,
    ...                            like_minded=frozenset({"AUS", "KOR"}))
    >>> dict(sorted(problem.current.items())), problem.capacity
    ({'CHN': 0.8, 'KOR': 0.2}, {'AUS': 0.4, 'CHN': 1.0, 'KOR': 0.3})
    """
    rows = engine.sql(
        "SELECT exporter, importer = $importer AS own, sum(value_usd) AS v, "
        "sum(quantity_kg) AS q FROM flows WHERE year = $year AND product = $product "
        "AND exporter <> $importer GROUP BY exporter, importer = $importer",
        {"importer": importer, "year": year, "product": product},
    ).to_pylist()
    own = {r["exporter"]: (float(r["v"] or 0), r["q"]) for r in rows if r["own"]}
    other = {r["exporter"]: float(r["v"] or 0) for r in rows if not r["own"]}
    demand = sum(v for v, _ in own.values())
    if demand <= 0:
        raise InsufficientData(f"{importer} imported no {product} in {year}: nothing to plan")
    unit = {s: v / q for s, (v, q) in own.items() if q}
    mean_unit = sum(unit.values()) / len(unit) if unit else 0.0
    suppliers = tuple(sorted(set(own) | set(other)))
    rho = shares(None, product).redirect if redirect_share is None else redirect_share
    return Problem(
        suppliers=suppliers,
        current={s: own[s][0] / demand for s in own},
        capacity={
            s: (own.get(s, (0.0, None))[0] + rho * other.get(s, 0.0)) / demand for s in suppliers
        },
        cost={s: unit[s] / mean_unit for s in unit} if mean_unit > 0 else {},
        like_minded=like_minded,
        cap=cap,
        risk=risk,
        disruption=dict(disruption or {}),
    )
