"""The trade layer of a scenario: what is blocked, what others can replace, what stocks cover.

For an export restriction by X on importer i and product p, in the base year:

* trade at risk ``R_ip = b · Σ_{x∈X} f_xip`` (b = share blocked);
* substitution: every other supplier s can redirect a share ρ of its exports of p to the rest
  of the world (importers that are neither targets nor s) — ρ estimated from observed
  reallocation for the product or its HS section where the data allow, else ``redirect_share``
  (default 0.2, an assumption; see :mod:`econsec.scenarios.substitution`),
  ``C_p = ρ · Σ_s f_s,rest,p``; the capacity is shared among the targets in proportion to their
  trade at risk, so ``S_ip = min(R_ip, C_p · R_ip / Σ_j R_jp)``;
* shortfall ``U_ip = R_ip − S_ip`` per year;
* stockpile: D days of use (``stockpile_days``, default 60: an assumption, Japan's former uniform
  rare-metal target, replaced in 2020 by targets per mineral; see docs/scenarios.md),
  use being i's imports of p, ``M_ip``; days until shortage ``D · M_ip / U_ip`` (none when
  nothing is short);
* the monthly timeline of unmet demand: the shortfall accrues evenly from the start month and
  is met from stock until the stock is gone.

For an import ban by Y on origins O: each origin's revenue at risk ``Σ_{y∈Y} f_oyp``, and the
alternative markets: importers m of p (not Y, not o) with demand above what they buy from o,
of which a share α can be won (estimated like ρ, else ``absorb_share``, default 0.2), largest
first.

Flows come from the ``flows`` relation of a query engine (DuckDB or Spark); values in USD.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from econsec.analysis.concentration import SqlEngine as Engine
from econsec.analysis.concentration import in_set, register_sets
from econsec.errors import InsufficientData
from econsec.scenarios.model import Measure, Scenario
from econsec.scenarios.substitution import Shares, shares

__all__ = ["BanImpact", "Flows", "ProductImpact", "TradeImpact", "load_flows", "trade_impact"]

Flows = dict[str, list[tuple[str, str, float]]]  # product -> (exporter, importer, value)


@dataclass(frozen=True, slots=True)
class ProductImpact:
    importer: str
    product: str
    imports_usd: float
    trade_at_risk_usd: float
    substitutable_usd: float
    shortfall_usd: float
    stockpile_days: float
    days_to_shortage: float | None
    measure_days: float = math.inf  # how long the measure lasts

    @property
    def lasts_beyond_measure(self) -> bool:
        """Whether the stock outlasts the measure (or nothing is short)."""
        return self.days_to_shortage is None or self.days_to_shortage >= self.measure_days

    def as_dict(self) -> dict[str, Any]:
        return {
            "importer": self.importer,
            "product": self.product,
            "imports_usd": round(self.imports_usd, 2),
            "trade_at_risk_usd": round(self.trade_at_risk_usd, 2),
            "substitutable_usd": round(self.substitutable_usd, 2),
            "shortfall_usd": round(self.shortfall_usd, 2),
            "stockpile_days": self.stockpile_days,
            "days_to_shortage": None
            if self.days_to_shortage is None
            else round(self.days_to_shortage, 1),
            "lasts_beyond_measure": self.lasts_beyond_measure,
        }


@dataclass(frozen=True, slots=True)
class BanImpact:
    exporter: str
    product: str
    revenue_at_risk_usd: float
    absorbable_usd: float
    alternatives: tuple[tuple[str, float], ...]  # (importer, headroom in USD), largest first

    def as_dict(self) -> dict[str, Any]:
        return {
            "exporter": self.exporter,
            "product": self.product,
            "revenue_at_risk_usd": round(self.revenue_at_risk_usd, 2),
            "absorbable_usd": round(self.absorbable_usd, 2),
            "net_loss_usd": round(self.revenue_at_risk_usd - self.absorbable_usd, 2),
            "alternative_markets": [
                {"importer": m, "headroom_usd": round(h, 2)} for m, h in self.alternatives
            ],
        }


@dataclass(frozen=True)
class TradeImpact:
    by_product: tuple[ProductImpact, ...]
    bans: tuple[BanImpact, ...]
    timeline: tuple[tuple[str, float], ...]  # (YYYY-MM, unmet demand in USD that month)
    notes: tuple[str, ...] = field(default_factory=tuple)
    shares: tuple[Shares, ...] = ()  # the substitution shares used, by product, with sources

    @property
    def trade_at_risk_usd(self) -> float:
        return sum(p.trade_at_risk_usd for p in self.by_product)


def load_flows(engine: Engine, year: int, products: frozenset[str]) -> Flows:
    """The bilateral flows of ``products`` in ``year``, by product (one query; reuse it for a
    batch of scenarios on the same year).

    Parameters
    ----------
    engine : SqlEngine
        An engine with the relation ``flows``.
    year : int
        The base year.
    products : frozenset of str
        HS6 codes.

    Returns
    -------
    dict of str to list of (str, str, float)
        Product → (exporter, importer, value in USD).

    Examples
    --------
    >>> import pyarrow as pa
    >>> from econsec.storage.engines import duckdb_engine
    >>> engine = duckdb_engine(None)
    >>> engine.register("flows", pa.table({
    ...     "year": [2024] * 4, "exporter": ["CHN", "KOR", "KOR", "CHN"],
    ...     "importer": ["JPN", "JPN", "USA", "USA"], "product": ["811292"] * 4,
    ...     "value_usd": [80.0, 20.0, 50.0, 100.0]}))
    >>> sorted(load_flows(engine, 2024, frozenset({"811292"}))["811292"])[:2]
    [('CHN', 'JPN', 80.0), ('CHN', 'USA', 100.0)]
    """
    register_sets(engine, {"products": products})
    table = engine.sql(
        "SELECT exporter, importer, product, sum(value_usd) AS v FROM flows "
        f"WHERE year = $year AND {in_set('product', 'products')} "
        "AND exporter <> importer GROUP BY exporter, importer, product",
        {"year": year},
    )
    out: Flows = defaultdict(list)
    cols = [table.column(c).to_pylist() for c in ("exporter", "importer", "product", "v")]
    for x, i, p, v in zip(*cols, strict=True):
        out[p].append((x, i, float(v or 0.0)))
    return dict(out)


def _months(start: Any, months: int) -> list[str]:
    out = []
    y, m = start.year, start.month
    for _ in range(months):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _rows(m: Measure, flows: Flows) -> Iterable[tuple[str, str, str, float]]:
    for p in sorted(m.products):
        for x, i, v in flows.get(p, ()):
            yield x, i, p, v


def _restriction(m: Measure, flows: Flows, s: Scenario) -> list[ProductImpact]:
    rho = {p: shares(s, p).redirect for p in m.products}
    imports: dict[tuple[str, str], float] = defaultdict(float)
    blocked: dict[tuple[str, str], float] = defaultdict(float)
    rest: dict[str, float] = defaultdict(float)  # spare capacity of other suppliers per product
    for x, i, p, v in _rows(m, flows):
        imports[(i, p)] += v
        if x in m.by and i in m.countries:
            blocked[(i, p)] += m.share_blocked * v
        elif x not in m.by and i not in m.countries:
            rest[p] += rho[p] * v
    at_risk_total: dict[str, float] = defaultdict(float)
    for (_, p), r in blocked.items():
        at_risk_total[p] += r
    out = []
    for (i, p), r in sorted(blocked.items()):
        if r <= 0:
            continue
        capacity = rest[p] * r / at_risk_total[p]
        sub = min(r, capacity)
        short = r - sub
        days = s.stockpile_days(p)
        out.append(
            ProductImpact(
                importer=i,
                product=p,
                imports_usd=imports[(i, p)],
                trade_at_risk_usd=r,
                substitutable_usd=sub,
                shortfall_usd=short,
                stockpile_days=days,
                days_to_shortage=days * imports[(i, p)] / short if short > 1e-9 else None,
                measure_days=m.months * 365 / 12,
            )
        )
    return out


def _ban(m: Measure, flows: Flows, s: Scenario) -> list[BanImpact]:
    alpha = {p: shares(s, p).absorb for p in m.products}
    revenue: dict[tuple[str, str], float] = defaultdict(float)
    demand: dict[tuple[str, str], float] = defaultdict(float)  # (importer, product)
    bought: dict[tuple[str, str, str], float] = defaultdict(float)  # (origin, importer, product)
    for x, i, p, v in _rows(m, flows):
        demand[(i, p)] += v
        bought[(x, i, p)] += v
        if x in m.countries and i in m.by:
            revenue[(x, p)] += v
    out = []
    for (o, p), r in sorted(revenue.items()):
        headroom = sorted(
            (
                (i, alpha[p] * (d - bought[(o, i, p)]))
                for (i, q), d in demand.items()
                if q == p and i not in m.by and i != o and d - bought[(o, i, p)] > 0
            ),
            key=lambda t: (-t[1], t[0]),
        )
        out.append(BanImpact(o, p, r, min(r, sum(h for _, h in headroom)), tuple(headroom[:5])))
    return out


def trade_impact(engine: Engine | None, s: Scenario, flows: Flows | None = None) -> TradeImpact:
    """The trade layer of ``s`` on the flows of its base year: trade at risk, substitution
    bounded by other suppliers' capacity, shortfalls, stockpile days, bans' alternative markets.

    Parameters
    ----------
    engine : SqlEngine or None
        An engine with the relation ``flows`` (or None with ``flows``).
    s : Scenario
        The scenario.
    flows : dict, optional
        The flows from :func:`load_flows`.

    Returns
    -------
    TradeImpact

    Examples
    --------
    China stops its 80 of gallium to Japan; Korea, Japan's other supplier, can redirect 20 %
    of the 50 it sells elsewhere (10); 70 a year is short, and the 60 days of stock last
    60 · 100 / 70 = 85.7 days.

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
    >>> (p,) = trade_impact(engine, ban).by_product
    >>> p.trade_at_risk_usd, p.substitutable_usd, p.shortfall_usd, round(p.days_to_shortage, 1)
    (80.0, 10.0, 70.0, 85.7)
    """
    products = frozenset().union(*(m.products for m in s.measures))
    if not products:
        return TradeImpact((), (), (), ("no trade measures",))
    if flows is None:
        assert engine is not None, "give an engine or flows"
        flows = load_flows(engine, s.base_year, products)
    if not any(flows.get(p) for p in products):
        listed = ", ".join(sorted(products)[:5]) + (" ..." if len(products) > 5 else "")
        if engine is not None and engine.years is not None and s.base_year in engine.years:
            raise InsufficientData(
                f"the data hold {s.base_year} but no flow of the scenario's products ({listed}): "
                "check the product codes, or import data that cover them"
            )
        raise InsufficientData(
            f"no trade flows in {s.base_year} for the scenario's products ({listed}): "
            "import data for that year first"
        )
    impacts: list[ProductImpact] = []
    bans: list[BanImpact] = []
    notes: list[str] = []
    unmet: dict[str, float] = defaultdict(float)
    for m in s.measures:
        if m.type == "export_restriction":
            for p in sorted(m.products):
                if flows.get(p) and not any(i not in m.countries for _, i, _ in flows[p]):
                    notes.append(
                        f"{p}: the data hold no flows to countries outside the targets, so "
                        "substitution could not be estimated (insufficient data): it is 0 here"
                    )
            found = _restriction(m, flows, s)
            impacts += found
            assert m.start is not None
            months = _months(m.start, m.months)
            for imp in found:
                stock = imp.stockpile_days / 365 * imp.imports_usd
                monthly = imp.shortfall_usd / 12
                for k, month in enumerate(months, 1):
                    gone = max(0.0, k * monthly - stock) - max(0.0, (k - 1) * monthly - stock)
                    unmet[month] += gone
        elif m.type == "import_ban":
            for p in sorted(m.products):
                if flows.get(p) and not any(x not in m.countries for x, _, _ in flows[p]):
                    notes.append(
                        f"{p}: the data hold no imports from other origins, so alternative "
                        "markets could not be estimated (insufficient data): none are listed"
                    )
            bans += _ban(m, flows, s)
    return TradeImpact(
        tuple(sorted(impacts, key=lambda p: -p.shortfall_usd)),
        tuple(sorted(bans, key=lambda b: -b.revenue_at_risk_usd)),
        tuple(sorted(unmet.items())),
        tuple(notes),
        tuple(shares(s, p) for p in sorted(products)),
    )
