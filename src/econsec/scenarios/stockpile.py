"""Stockpile coordination among like-minded countries: who holds how much of a critical product
before a supplier's cut, who lends what to whom during it, and what each pays — against each
acting alone.

The case (YAML)::

    product: "811292"
    horizon_days: 360
    disruption: {supplier: CHN, share_blocked: 1.0, start_day: 90, days: 180}
    burden_sharing: consumption        # or gdp
    countries:
      - {code: JPN, consumption_per_day: 10, stock: 900, max_stock: 3000,
         storage_cost_per_unit_day: 0.01, import_share_from_supplier: 0.6,
         max_shortfall_share: 0.05, gdp_usd: 4.2e12}

Optional per country: ``max_buy_per_day`` (extra purchases a day before the cut; default its
consumption a day), ``unit_cost`` (price of a unit bought for the stockpile; default 0: the unit
replaces one that would have been imported later anyway), and for the case ``lending_cost`` (per
unit lent; default 0).

The linear programme (HiGHS), day by day, t = 0 … horizon − 1, for each country i:

* stock ``S[i,t] = S[i,t−1] + buy[i,t] − draw[i,t] − Σ_j lend[i→j,t]`` with
  ``0 ≤ S ≤ max_stock``, ``S[i,−1] = stock``; purchases only before the cut, at most
  ``max_buy_per_day``;
* on each day of the cut, the lost imports ``L_i = consumption × import share × share blocked``
  are met by ``draw[i,t] + Σ_j lend[j→i,t] + short[i,t] = L_i``;
* the shortfall limit: ``Σ_t short[i,t] ≤ max_shortfall_share × consumption × days``;
* cost: storage ``Σ storage_cost × S`` + purchases ``Σ unit_cost × buy`` + lending (at least
  0.1 % of a day's storage a unit, so that nothing is lent that saves nothing).

The programme minimises the coalition's total cost. The burden-sharing rule then splits that
total in proportion to consumption (or GDP): ``cost_i = w_i × total``; ``cost_own`` is what
country i's own stock and purchases cost, and the difference is its payment into (or from) the
pool, and ``gain`` what it saves against acting alone (negative: the rule leaves it worse off
than acting alone). Acting alone is the same programme for one country with no lending; a country that cannot
meet its limit alone has no ``cost_alone``. When the coalition cannot meet a country's limit,
:class:`econsec.errors.Infeasible` names it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from econsec import highs
from econsec.errors import Infeasible, InputError
from econsec.i18n import N_

__all__ = ["METHOD", "Case", "Coordination", "Country", "coordinate", "read_case"]

METHOD = (
    "econsec stockpile coordination 1 (daily linear programme, HiGHS; pooled cost split by rule)"
)
_REQUIRED = ("code", "consumption_per_day", "stock", "max_stock", "storage_cost_per_unit_day",
             "import_share_from_supplier", "max_shortfall_share", "gdp_usd")  # fmt: skip
_OPTIONAL = ("max_buy_per_day", "unit_cost", "name")
_TOL = 1e-7
#: The largest case read: the programme grows with countries² × days.
MAX_COUNTRIES, MAX_HORIZON = 12, 1830
_KEYS = N_("product, horizon_days, disruption, burden_sharing, countries")


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    consumption_per_day: float
    stock: float
    max_stock: float
    storage_cost_per_unit_day: float
    import_share_from_supplier: float
    max_shortfall_share: float
    gdp_usd: float
    max_buy_per_day: float
    unit_cost: float = 0.0


@dataclass(frozen=True, slots=True)
class Case:
    product: str
    horizon_days: int
    supplier: str
    share_blocked: float
    start_day: int
    days: int
    burden_sharing: str
    countries: tuple[Country, ...]
    lending_cost: float = 0.0

    def lost(self, c: Country) -> float:
        """Units a day the cut takes from ``c``."""
        return c.consumption_per_day * c.import_share_from_supplier * self.share_blocked

    @property
    def cut(self) -> range:
        return range(self.start_day, min(self.start_day + self.days, self.horizon_days))


@dataclass(frozen=True, slots=True)
class Coordination:
    """The coalition's plan: per country, lending per day, totals, against acting alone."""

    countries: tuple[dict[str, Any], ...]
    lending: tuple[dict[str, Any], ...]
    total_cost: float
    total_cost_alone: float | None

    def as_dict(self, case: Case) -> dict[str, Any]:
        return {"product": case.product, "supplier": case.supplier,
                "burden_sharing": case.burden_sharing, "method": METHOD,
                "countries": list(self.countries), "lending": list(self.lending),
                "total_cost": self.total_cost, "total_cost_alone": self.total_cost_alone}  # fmt: skip


def _number(raw: Mapping[str, Any], key: str, where: str, low: float, high: float) -> float:
    value = raw.get(key)
    if isinstance(value, str):  # YAML 1.1 reads 4.0e12 (no sign in the exponent) as text
        with contextlib.suppress(ValueError):
            value = float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise InputError("{where}.{key}: {value!r}", expected=N_("a number from {low:g} to {high:g}"),
                         values={"where": where, "key": key, "value": value, "low": low,
                                 "high": high})  # fmt: skip
    return float(value)


def read_case(raw: Any, source: str = "case") -> Case:
    """A checked case from its YAML mapping (each problem names the field).

    Parameters
    ----------
    raw : mapping
        The case as read from YAML.
    source : str
        Its name in messages (the file's).

    Returns
    -------
    Case

    Examples
    --------
    >>> case = read_case({"product": "811292", "horizon_days": 20, "burden_sharing": "gdp",
    ...     "disruption": {"supplier": "CHN", "share_blocked": 1.0, "start_day": 10, "days": 10},
    ...     "countries": [{"code": "JPN", "consumption_per_day": 10, "stock": 0, "max_stock": 100,
    ...                    "storage_cost_per_unit_day": 0.01, "import_share_from_supplier": 0.5,
    ...                    "max_shortfall_share": 0, "gdp_usd": 4.2e12}]})
    >>> case.lost(case.countries[0]), list(case.cut)[:2]
    (5.0, [10, 11])
    """
    from econsec.reference.countries import to_alpha3
    from econsec.reference.names import check_hs6

    if not isinstance(raw, dict):
        raise InputError("{source}: expected a mapping", values={"source": source},
                         expected=_KEYS)  # fmt: skip
    for key in ("product", "horizon_days", "disruption", "burden_sharing", "countries"):
        if key not in raw:
            raise InputError("{source}: missing {key}", values={"source": source, "key": key},
                             expected=_KEYS)  # fmt: skip
    horizon = int(_number(raw, "horizon_days", source, 1, MAX_HORIZON))
    cut = raw["disruption"]
    if not isinstance(cut, dict):
        raise InputError("{source}.disruption: expected a mapping", values={"source": source},
                         expected=N_("supplier, share_blocked, start_day, days"))  # fmt: skip
    where = f"{source}.disruption"
    rule = raw["burden_sharing"]
    if rule not in ("consumption", "gdp"):
        raise InputError("{source}.burden_sharing: {value!r}", values={"source": source,
                         "value": rule}, expected=N_("consumption or gdp"))  # fmt: skip
    items = raw["countries"]
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_COUNTRIES:
        raise InputError("{source}.countries: expected a list", values={"source": source,
                         "most": MAX_COUNTRIES}, expected=N_("1 to {most} countries"))  # fmt: skip
    countries = []
    for n, c in enumerate(items, 1):
        here = f"{source}.countries[{n}]"
        if not isinstance(c, dict) or any(k not in c for k in _REQUIRED):
            missing = [k for k in _REQUIRED if not isinstance(c, dict) or k not in c]
            raise InputError("{where}: missing {key}", values={"where": here, "key": missing[0]},
                             expected=", ".join(_REQUIRED))  # fmt: skip
        unknown = sorted(set(c) - set(_REQUIRED) - set(_OPTIONAL))
        if unknown:
            raise InputError("{where}: unknown field {field!r}", values={"where": here,
                             "field": unknown[0]}, expected=", ".join((*_REQUIRED, *_OPTIONAL)))  # fmt: skip
        consumption = _number(c, "consumption_per_day", here, 0, 1e15)
        max_stock = _number(c, "max_stock", here, 0, 1e18)
        countries.append(Country(
            code=_member(str(c["code"])), consumption_per_day=consumption,
            stock=_number(c, "stock", here, 0, max_stock), max_stock=max_stock,
            storage_cost_per_unit_day=_number(c, "storage_cost_per_unit_day", here, 0, 1e9),
            import_share_from_supplier=_number(c, "import_share_from_supplier", here, 0, 1),
            max_shortfall_share=_number(c, "max_shortfall_share", here, 0, 1),
            gdp_usd=_number(c, "gdp_usd", here, 0, 1e16),
            max_buy_per_day=(_number(c, "max_buy_per_day", here, 0, 1e15)
                             if "max_buy_per_day" in c else consumption),
            unit_cost=_number(c, "unit_cost", here, 0, 1e12) if "unit_cost" in c else 0.0,
        ))  # fmt: skip
    codes = [c.code for c in countries]
    if len(set(codes)) < len(codes):
        raise InputError("{source}.countries: a country appears twice", values={"source": source},
                         expected=N_("one entry per country"))  # fmt: skip
    return Case(
        product=check_hs6(str(raw["product"]), field=f"{source}.product"),
        horizon_days=horizon, supplier=to_alpha3(str(cut.get("supplier", ""))),
        share_blocked=_number(cut, "share_blocked", where, 0, 1),
        start_day=int(_number(cut, "start_day", where, 0, horizon - 1)),
        days=int(_number(cut, "days", where, 1, horizon)), burden_sharing=rule,
        countries=tuple(countries),
        lending_cost=_number(raw, "lending_cost", source, 0, 1e12) if "lending_cost" in raw else 0.0,
    )  # fmt: skip


def _member(code: str) -> str:
    """A coalition member: a country (ISO alpha-3) or a group that stockpiles as one (EU27)."""
    from econsec.errors import NotFoundError
    from econsec.reference.countries import load_groups, to_alpha3

    try:
        return to_alpha3(code)
    except NotFoundError:
        if code.strip().upper() in load_groups():
            return code.strip().upper()
        raise


@dataclass(frozen=True, slots=True)
class _Solved:
    stock: np.ndarray  # (n, H)
    buy: np.ndarray
    short: np.ndarray
    lend: np.ndarray  # (n, n, H)
    own_cost: np.ndarray  # (n,)
    slack: np.ndarray  # (n,) shortfall beyond the limit


def _solve(case: Case, members: Sequence[Country], lending: bool) -> _Solved:
    """The daily programme for ``members``; the shortfall limits have slack at a prohibitive
    price, so a limit that cannot be met shows as slack rather than as a bare "infeasible"."""
    import highspy

    n, horizon = len(members), case.horizon_days
    cut = set(case.cut)
    # column blocks: S, buy, draw, short (n×H each), lend (n×n×H), slack (n)
    blocks = {"S": 0, "buy": n * horizon, "draw": 2 * n * horizon, "short": 3 * n * horizon,
              "lend": 4 * n * horizon}  # fmt: skip
    n_lend = n * n * horizon
    slack0 = 4 * n * horizon + n_lend
    m = slack0 + n

    def col(block: str, i: int, t: int) -> int:
        return blocks[block] + i * horizon + t

    def lend_col(i: int, j: int, t: int) -> int:
        return blocks["lend"] + (i * n + j) * horizon + t

    lower, upper, cost = np.zeros(m), np.zeros(m), np.zeros(m)
    # a unit lent costs at least 0.1 % of a day's storage: no lending that saves nothing
    tie = 1e-3 * (1e-6 + float(np.mean([c.storage_cost_per_unit_day for c in members])))
    need = sum(case.lost(c) for c in members) * case.days
    big = 1e6 * (1 + max((c.storage_cost_per_unit_day * horizon + c.unit_cost for c in members),
                         default=1.0))  # fmt: skip
    for i, c in enumerate(members):
        for t in range(horizon):
            upper[col("S", i, t)] = c.max_stock
            cost[col("S", i, t)] = c.storage_cost_per_unit_day
            upper[col("buy", i, t)] = c.max_buy_per_day if t < case.start_day else 0.0
            cost[col("buy", i, t)] = c.unit_cost
            if t in cut:
                upper[col("draw", i, t)] = case.lost(c)
                upper[col("short", i, t)] = case.lost(c)
                for j in range(n):
                    if lending and j != i:
                        upper[lend_col(i, j, t)] = need
                        cost[lend_col(i, j, t)] = case.lending_cost + tie  # own stock first
        upper[slack0 + i] = np.inf
        cost[slack0 + i] = big
    rows, cols, vals, row_lo, row_hi = [], [], [], [], []
    r = 0

    def add(entries: list[tuple[int, float]], lo: float, hi: float) -> None:
        nonlocal r
        for cidx, v in entries:
            rows.append(r)
            cols.append(cidx)
            vals.append(v)
        row_lo.append(lo)
        row_hi.append(hi)
        r += 1

    for i, c in enumerate(members):
        for t in range(horizon):
            entries = [(col("S", i, t), 1.0), (col("buy", i, t), -1.0), (col("draw", i, t), 1.0)]
            entries += [(lend_col(i, j, t), 1.0) for j in range(n) if j != i and lending]
            start = c.stock if t == 0 else 0.0
            if t > 0:
                entries.append((col("S", i, t - 1), -1.0))
            add(entries, start, start)
            if t in cut:
                cover = [(col("draw", i, t), 1.0), (col("short", i, t), 1.0)]
                cover += [(lend_col(j, i, t), 1.0) for j in range(n) if j != i and lending]
                add(cover, case.lost(c), case.lost(c))
        limit = c.max_shortfall_share * c.consumption_per_day * case.days
        add([(col("short", i, t), 1.0) for t in cut] + [(slack0 + i, -1.0)], -np.inf, limit)
    a = sp.csc_matrix((vals, (rows, cols)), shape=(r, m))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = m, r
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lower, upper
    lp.row_lower_, lp.row_upper_ = np.array(row_lo), np.array(row_hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_ = a.indptr, a.indices
    lp.a_matrix_.value_ = a.data
    h = highs.model()
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise Infeasible(f"HiGHS found no plan ({h.modelStatusToString(h.getModelStatus())})")
    x = np.asarray(h.getSolution().col_value)

    def grid(block: str) -> np.ndarray:
        return x[blocks[block] : blocks[block] + n * horizon].reshape(n, horizon)

    lend = x[blocks["lend"] : blocks["lend"] + n_lend].reshape(n, n, horizon)
    stock, buy = grid("S"), grid("buy")
    own = np.array([c.storage_cost_per_unit_day * stock[i].sum() + c.unit_cost * buy[i].sum()
                    + case.lending_cost * lend[i].sum() for i, c in enumerate(members)])  # fmt: skip
    return _Solved(stock, buy, grid("short"), lend, own, x[slack0:])


def coordinate(case: Case) -> Coordination:
    """The coalition's least-cost plan, each country's share of its cost by the case's rule,
    and each country's cost acting alone.

    Parameters
    ----------
    case : Case
        From :func:`read_case`.

    Returns
    -------
    Coordination

    Raises
    ------
    Infeasible
        The coalition cannot keep a country's shortfall within its limit (the message names it).

    Examples
    --------
    One country, 5 units a day lost for 10 days from day 10, no shortfall allowed, 10 units a
    day can be bought: it buys 50 units on days 5–9 (as late as it can) and draws them down —
    375 unit-days of storage at 0.01:

    >>> case = read_case({"product": "811292", "horizon_days": 20, "burden_sharing": "gdp",
    ...     "disruption": {"supplier": "CHN", "share_blocked": 1.0, "start_day": 10, "days": 10},
    ...     "countries": [{"code": "JPN", "consumption_per_day": 10, "stock": 0, "max_stock": 100,
    ...                    "storage_cost_per_unit_day": 0.01, "import_share_from_supplier": 0.5,
    ...                    "max_shortfall_share": 0, "gdp_usd": 4.2e12}]})
    >>> plan = coordinate(case)
    >>> plan.countries[0]["stock_target"], round(plan.total_cost, 6), plan.lending
    (50.0, 3.75, ())
    """
    joint = _solve(case, case.countries, lending=len(case.countries) > 1)
    failing = [c.code for c, s in zip(case.countries, joint.slack, strict=True) if s > 1e-6]
    if failing:
        detail = "; ".join(
            f"{c.code} would lack {s:,.1f} units more than its limit allows"
            for c, s in zip(case.countries, joint.slack, strict=True) if s > 1e-6
        )  # fmt: skip
        raise Infeasible(f"the shortfall limit of {', '.join(failing)} cannot be met, even with "
                         f"the others' stocks ({detail}); raise max_stock, max_buy_per_day or "
                         "max_shortfall_share, or start building stock earlier")  # fmt: skip
    total = float(joint.own_cost.sum())
    weights = np.array([c.consumption_per_day if case.burden_sharing == "consumption"
                        else c.gdp_usd for c in case.countries], dtype=float)  # fmt: skip
    weights = (
        weights / weights.sum() if weights.sum() > 0 else np.full(len(weights), 1 / len(weights))
    )
    alone: list[float | None] = []
    for c in case.countries:
        solo = _solve(case, [c], lending=False)
        alone.append(None if solo.slack[0] > 1e-6 else float(solo.own_cost[0]))
    before = max(case.start_day - 1, 0)
    countries = []
    for i, (c, own_alone) in enumerate(zip(case.countries, alone, strict=True)):
        target = float(joint.stock[i, before]) if case.start_day > 0 else c.stock
        countries.append({
            "code": c.code, "stock_target": round(target, 6),
            "shortfall": round(float(joint.short[i].sum()), 6),
            "cost": round(float(weights[i] * total), 6),
            "cost_own": round(float(joint.own_cost[i]), 6),
            "cost_alone": None if own_alone is None else round(own_alone, 6),
            "gain": None if own_alone is None else round(own_alone - float(weights[i] * total), 6),
            "weight": round(float(weights[i]), 6),
            "bought": round(float(joint.buy[i].sum()), 6),
            "lent": round(float(joint.lend[i].sum()), 6),
            "borrowed": round(float(joint.lend[:, i].sum()), 6),
        })  # fmt: skip
    lending = tuple(
        {"from": case.countries[i].code, "to": case.countries[j].code, "day": t,
         "amount": round(float(joint.lend[i, j, t]), 6)}
        for t in range(case.horizon_days) for i in range(len(case.countries))
        for j in range(len(case.countries)) if joint.lend[i, j, t] > _TOL
    )  # fmt: skip
    total_alone = None if any(a is None for a in alone) else float(sum(a or 0 for a in alone))
    return Coordination(tuple(countries), lending, round(total, 6),
                        None if total_alone is None else round(total_alone, 6))  # fmt: skip
