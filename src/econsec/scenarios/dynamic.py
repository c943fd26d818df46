"""The dynamic layer of a scenario: its trade measures as shocks to the ARIO-type sector model.

An export restriction of HS6 product p by X against importer i blocks, from the measure's start
for its months, the share ``min(1, blocked / Z_{X,s→i})`` of what X's industry s (HS6 → ISIC
Rev.3 → WIOD industry, as in the sector layer) sells to i's industries; an import ban by i on p
from X blocks the same block. Unlike the static layers, nothing is substituted beforehand: the
model reroutes orders to other regions' spare capacity itself, and i's industries draw on their
inventories of s, set to the scenario's ``stockpile_days`` (or ``stockpile_days_by_product``,
weighted by the value at risk) — the question being "when do i's factories stop, and how much
is lost, day by day". Day 0 is the first day of the earliest measure.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from econsec.errors import InputError
from econsec.i18n import N_
from econsec.network import Network
from econsec.scenarios.firms import scenario_shock
from econsec.scenarios.model import Scenario
from econsec.scenarios.sectors import HsSectors, restricted_inputs
from econsec.scenarios.trade import TradeImpact
from econsec.sectors.dynamic import (
    CapacityLoss,
    DynamicParams,
    LinkCut,
    Ranges,
    Shock,
    Trajectory,
    battery,
    draw_params,
    simulate,
)
from econsec.sectors.mrio import MRIO

__all__ = ["DynamicImpact", "dynamic_impact", "firm_dynamic_impact", "scenario_shocks"]

MAX_STOCKPILE_DAYS = 730.0  # the sensitivity's search range


@dataclass(frozen=True)
class DynamicImpact:
    """What the dynamic sector model says of a scenario."""

    source: str
    usd_per_unit: float
    run: Trajectory
    targets: tuple[str, ...]  # the countries whose inputs are cut
    unmapped: tuple[str, ...]
    params: DynamicParams
    sensitivity: dict[str, Any] | None = None
    model: str = "sector"
    uncertainty: dict[str, Any] | None = None

    def as_dict(self, top: int = 5) -> dict[str, Any]:
        """The ``dynamic`` part and the ``timeline`` of the scenario JSON (a firm model's run
        is recorded by country and sector)."""
        run, usd = self.run, self.usd_per_unit
        labels = list(zip(run.countries, run.sectors, strict=True))
        gap = (run.baseline - run.production) * usd
        va_gap = (run.baseline_value_added - run.value_added) * usd
        first = run.first_input_short_day()
        timeline = []
        for day in range(run.days):
            worst = np.argsort(-gap[day], kind="stable")[:top]
            timeline.append({
                "day": day,
                "output_loss_usd": round(float(gap[day].sum()), 2),
                "value_added_loss_usd": round(float(va_gap[day].sum()), 2),
                "sectors": [
                    {"country": labels[k][0], "sector": labels[k][1],
                     "output_loss_usd": round(float(gap[day, k]), 2)}
                    for k in worst if gap[day, k] > 0.005
                ],
            })  # fmt: skip
        lost = gap.sum(axis=0)
        stops = sorted((int(first[k]), -float(lost[k]), k) for k in np.flatnonzero(first >= 0))
        return {
            "model": self.model,
            "table": self.source,
            "days": run.days,
            "output_loss_usd": round(float(gap.sum()), 2),
            "value_added_loss_usd": round(float(va_gap.sum()), 2),
            "targets": list(self.targets),
            "first_short_day": [
                {
                    "country": labels[k][0],
                    "sector": labels[k][1],
                    "day": d,
                    "output_loss_usd": round(-neg, 2),
                }
                for d, neg, k in stops[:50]
            ],
            "parameters": {
                "inventory_days": self.params.inventory_days,
                "psi": self.params.psi,
                "restoration_days": self.params.restoration_days,
                "alpha_max": self.params.alpha_max,
                "alpha_days": self.params.alpha_days,
                "substitution": self.params.substitution,
                "rationing": self.params.rationing,
            },
            "unmapped_products": list(self.unmapped),
            "stockpile_sensitivity": self.sensitivity,
            "uncertainty": self.uncertainty,
            "timeline": timeline,
        }


def _start(scenario: Scenario) -> dt.date:
    starts = [m.start for m in scenario.measures if m.start is not None]
    return min(starts) if starts else dt.date(scenario.base_year, 1, 1)


def scenario_shocks(
    mrio: MRIO, scenario: Scenario, trade: TradeImpact, concordance: HsSectors,
    usd_per_unit: float = 1e6,
) -> tuple[list[Shock], dict[tuple[str, int], float], tuple[str, ...], tuple[str, ...]]:  # fmt: skip
    """The scenario's trade measures as link cuts on the table, with the stockpile days of the
    cut inputs.

    Parameters
    ----------
    mrio : MRIO
        The table (WIOD industries).
    scenario : Scenario
        The scenario.
    trade : TradeImpact
        Its trade layer (the values at risk).
    concordance : HsSectors
        HS6 → the table's sectors (:func:`econsec.scenarios.sectors.hs_sectors`).
    usd_per_unit : float
        USD per unit of the table.

    Returns
    -------
    (list of Shock, dict, tuple of str, tuple of str)
        The cuts; ``(input sector, buyer index) → stockpile days``; the target countries; the
        products without an industry.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from econsec.scenarios import parse_scenario
    >>> from econsec.scenarios.trade import ProductImpact, TradeImpact
    >>> ban = parse_scenario({"name": "gallium", "base_year": 2024, "measures": [
    ...     {"type": "export_restriction", "by": "CHN", "products": ["811292"],
    ...      "targets": ["JPN"], "share_blocked": 1.0, "pretext": "security",
    ...      "start": "2024-08", "months": 12}]})
    >>> trade = TradeImpact((ProductImpact("JPN", "811292", 80.0, 80.0, 10.0, 70.0, 60.0,
    ...                                    20.0),), (), ())
    >>> mrio = MRIO(("CHN", "JPN"), ("c12", "c12"), sp.csr_matrix([[150.0, 200.0],
    ...             [100.0, 300.0]]), np.array([650.0, 1600.0]), np.array([1000.0, 2000.0]),
    ...             "USD", "example")
    >>> cuts, stock, targets, _ = scenario_shocks(mrio, ban, trade, {"811292": (("c12", 1.0),)},
    ...                                           1.0)
    >>> [(c.suppliers, c.buyers, c.share, c.start, c.days) for c in cuts], stock, targets
    ([((0,), (1,), 0.4, 0, 365)], {('c12', 1): 60.0}, ('JPN',))
    """
    countries = np.array(mrio.countries)
    sectors = np.array(mrio.sectors)
    present = set(mrio.countries)
    origin = _start(scenario)
    blocked: dict[tuple[str, str, str, int, int], float] = defaultdict(float)
    stock_days: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    unmapped: set[str] = set()

    def block(seller: str, industry: str, buyer: str, value: float, m_start: int, days: int,
              product: str) -> None:  # fmt: skip
        if seller in present and buyer in present and value > 0:
            blocked[(seller, industry, buyer, m_start, days)] += value / usd_per_unit
            stock_days[(industry, buyer)].append((scenario.stockpile_days(product), value))

    for m in scenario.measures:
        if m.type not in ("export_restriction", "import_ban"):
            continue
        start = ((m.start or origin) - origin).days
        days = round(m.months * 365 / 12)
        if m.type == "export_restriction":
            for actor, industry, imp, weight in restricted_inputs(m, trade, concordance,
                                                                  present, unmapped):  # fmt: skip
                block(actor, industry, imp.importer, imp.trade_at_risk_usd * weight, start,
                      days, imp.product)  # fmt: skip
        else:
            banners = sorted(m.by & present)
            for ban in trade.bans:
                if ban.exporter not in m.countries or ban.product not in m.products:
                    continue
                industries = concordance.get(ban.product, ())
                if not industries:
                    unmapped.add(ban.product)
                    continue
                for banner in banners:
                    for industry, share in industries:
                        block(ban.exporter, industry, banner,
                              ban.revenue_at_risk_usd * share / len(banners), start, days,
                              ban.product)  # fmt: skip
    Z = mrio.Z.tocsr()
    cuts: list[Shock] = []
    targets: set[str] = set()
    for (seller, industry, buyer, start, days), value in sorted(blocked.items()):
        rows = np.flatnonzero((countries == seller) & (sectors == industry))
        cols = np.flatnonzero(countries == buyer)
        flow = float(Z[rows][:, cols].sum())
        if flow <= 0:
            continue
        cuts.append(LinkCut(tuple(int(r) for r in rows), tuple(int(c) for c in cols),
                            min(1.0, value / flow), start, days))  # fmt: skip
        targets.add(buyer)
    overrides: dict[tuple[str, int], float] = {}
    for (industry, buyer), pairs in stock_days.items():
        weight = sum(v for _, v in pairs)
        mean = sum(d * v for d, v in pairs) / weight
        for col in np.flatnonzero(countries == buyer):
            overrides[(industry, int(col))] = mean
    return cuts, overrides, tuple(sorted(targets)), tuple(sorted(unmapped))


def _check_limit(loss_limit: float | None) -> None:
    if loss_limit is not None and not 0 < loss_limit < 1:
        raise InputError("the loss limit must lie between 0 and 1", values={},
                         expected=N_("a share, e.g. 0.01 for one per cent"))  # fmt: skip


def _loss_share(run: Trajectory, targets: tuple[str, ...]) -> float:
    cols = np.flatnonzero(np.isin(np.array(run.countries), targets))
    base = float(run.baseline[cols].sum()) * run.days
    return float((run.baseline[cols] - run.production[:, cols]).sum()) / base if base else 0.0


def dynamic_impact(
    mrio: MRIO,
    scenario: Scenario,
    trade: TradeImpact,
    concordance: HsSectors,
    days: int = 365,
    params: DynamicParams | None = None,
    loss_limit: float | None = None,
    usd_per_unit: float = 1e6,
    draws: int = 0,
    spark: Any = None,
) -> DynamicImpact:
    """Run the dynamic sector model on a scenario; with ``loss_limit``, also find the fewest
    stockpile days that keep the targets' output loss under it (bisection); with ``draws``, the
    spread of the losses over uncertain parameters (on Spark when a session is given).

    Parameters
    ----------
    mrio : MRIO
        The table (WIOD industries).
    scenario : Scenario
        The scenario.
    trade : TradeImpact
        Its trade layer.
    concordance : HsSectors
        HS6 → the table's sectors.
    days : int
        Days simulated from the first measure's start.
    params : DynamicParams, optional
        The model's parameters.
    loss_limit : float, optional
        A share of the target countries' output over the run (0.01 = 1 %).
    usd_per_unit : float
        USD per unit of the table.
    draws : int
        Monte Carlo draws of the uncertain parameters (0: none).
    spark : pyspark.sql.SparkSession, optional
        Fan the draws out over Spark.

    Returns
    -------
    DynamicImpact

    Raises
    ------
    InputError
        For a loss limit outside (0, 1).

    Examples
    --------
    China stops 40 % of what Japan's industry buys from its basic metals (16 % of that input).
    Japan's own basic metals take the orders over and its 60 days of stock cover the rest: no
    input runs short, and China's industry bears the loss.

    >>> import numpy as np, scipy.sparse as sp
    >>> from econsec.scenarios import parse_scenario
    >>> from econsec.scenarios.trade import ProductImpact, TradeImpact
    >>> ban = parse_scenario({"name": "gallium", "base_year": 2024, "measures": [
    ...     {"type": "export_restriction", "by": "CHN", "products": ["811292"],
    ...      "targets": ["JPN"], "share_blocked": 1.0, "pretext": "security",
    ...      "start": "2024-08", "months": 12}]})
    >>> trade = TradeImpact((ProductImpact("JPN", "811292", 80.0, 80.0, 10.0, 70.0, 60.0,
    ...                                    20.0),), (), ())
    >>> mrio = MRIO(("CHN", "JPN"), ("c12", "c12"), sp.csr_matrix([[150.0, 200.0],
    ...             [100.0, 300.0]]), np.array([650.0, 1600.0]), np.array([1000.0, 2000.0]),
    ...             "USD", "example")
    >>> impact = dynamic_impact(mrio, ban, trade, {"811292": (("c12", 1.0),)}, days=90,
    ...                         usd_per_unit=1.0)
    >>> out = impact.as_dict()
    >>> out["first_short_day"], out["timeline"][30]["sectors"][0]["country"]
    ([], 'CHN')
    """
    _check_limit(loss_limit)
    params = params or DynamicParams()
    cuts, stocks, targets, unmapped = scenario_shocks(mrio, scenario, trade, concordance,
                                                      usd_per_unit)  # fmt: skip
    run = simulate(mrio, cuts, days, params, stocks)
    sensitivity = _sensitivity(mrio, cuts, stocks, targets, run, days, params, loss_limit)
    spread = _uncertainty(mrio, cuts, stocks, days, params, draws, usd_per_unit, False, spark)
    return DynamicImpact(mrio.source, usd_per_unit, run, targets, unmapped,
                         params, sensitivity, "sector", spread)  # fmt: skip


def _sensitivity(
    mrio: MRIO, shocks: list[Shock], stocks: dict[tuple[str, int], float],
    targets: tuple[str, ...], run: Trajectory, days: int, params: DynamicParams,
    loss_limit: float | None, by_label: bool = False,
) -> dict[str, Any] | None:  # fmt: skip
    """The fewest stockpile days (of the cut inputs) keeping the targets' output loss under
    ``loss_limit``, by bisection to a day; None without a limit."""
    if loss_limit is None:
        return None

    def share(d: float) -> float:
        rerun = simulate(mrio, shocks, days, params, dict.fromkeys(stocks, d), by_label)
        return _loss_share(rerun, targets)

    lo, hi = 0.0, MAX_STOCKPILE_DAYS
    needed: float | None
    if share(hi) > loss_limit:
        needed = None
    elif share(lo) <= loss_limit:
        needed = 0.0
    else:
        while hi - lo > 1.0:
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if share(mid) <= loss_limit else (mid, hi)
        needed = math.ceil(hi)
    return {
        "loss_limit": loss_limit,
        "stockpile_days_needed": needed,
        "searched_up_to_days": MAX_STOCKPILE_DAYS,
        "loss_share_at_scenario_stockpile": round(_loss_share(run, targets), 6),
    }


def _uncertainty(
    table: MRIO, shocks: list[Shock], stocks: dict[tuple[str, int], float], days: int,
    params: DynamicParams, draws: int, usd_per_unit: float, by_label: bool, spark: Any,
) -> dict[str, Any] | None:  # fmt: skip
    """Percentiles of the losses over a Monte Carlo battery of the uncertain parameters."""
    if draws <= 0:
        return None
    ranges = Ranges()
    out = battery(table, shocks, days, draw_params(params, draws, ranges), stocks, by_label,
                  spark) * usd_per_unit  # fmt: skip

    def spread(column: np.ndarray) -> dict[str, float]:
        p5, p50, p95 = np.percentile(column, [5, 50, 95])
        return {"p5": round(float(p5), 2), "p50": round(float(p50), 2), "p95": round(float(p95), 2)}

    return {"draws": draws, "ranges": ranges.as_dict(), "spark": spark is not None,
            "output_loss_usd": spread(out[:, 0]), "value_added_loss_usd": spread(out[:, 1])}  # fmt: skip


def network_table(net: Network) -> MRIO:
    """A firm network as a table of firms: each firm an industry, its inputs grouped by the
    supplier's sector (as Inoue & Todo 2019), parallel links summed.

    Parameters
    ----------
    net : Network
        The firm network (values and outputs in its unit a year).

    Returns
    -------
    MRIO

    Examples
    --------
    >>> from econsec.network import example_network
    >>> t = network_table(example_network())
    >>> t.n, t.Z.nnz
    (5, 4)
    """
    n = net.n_firms
    Z = sp.csr_matrix((net.value, (net.supplier, net.buyer)), shape=(n, n))
    x = np.maximum(net.output, np.asarray(Z.sum(axis=1)).ravel())
    y = x - np.asarray(Z.sum(axis=1)).ravel()
    return MRIO(net.countries, net.sectors, Z, y, x, "network unit", net.source)


def firm_dynamic_impact(
    net: Network,
    scenario: Scenario,
    days: int = 365,
    params: DynamicParams | None = None,
    loss_limit: float | None = None,
    draws: int = 0,
    spark: Any = None,
) -> DynamicImpact:
    """The dynamic model on a firm network (an Inoue–Todo-type model): firms hold inventories
    of their inputs by the supplier's sector, order, are rationed, and move orders to other
    suppliers of the same sector with spare capacity; each measure cuts links or lowers firms'
    capacity (as the firm layer does) from its start for its months.

    Parameters
    ----------
    net : Network
        The firm network.
    scenario : Scenario
        The scenario.
    days : int
        Days simulated from the first measure's start.
    params : DynamicParams, optional
        The model's parameters.
    loss_limit : float, optional
        A share of the targets' output over the run, for the stockpile sensitivity.
    draws : int
        Monte Carlo draws of the uncertain parameters (0: none).
    spark : pyspark.sql.SparkSession, optional
        Fan the draws out over Spark.

    Returns
    -------
    DynamicImpact

    Examples
    --------
    Korea's 2019 restriction of hydrogen fluoride to Japan on the example network: the Japanese
    chip makers P and Q (one sector) lose their only supplier; with 30 days of stock they are
    held down from day 7, when it falls below 80 % of the target (24 days' use).

    >>> from econsec.network import example_network
    >>> from econsec.scenarios import parse_scenario
    >>> hf = parse_scenario({"name": "HF", "base_year": 2019, "measures": [
    ...     {"type": "export_restriction", "by": "KOR", "products": ["281111"],
    ...      "targets": ["JPN"], "share_blocked": 1.0, "pretext": "security",
    ...      "start": "2019-07", "months": 12}],
    ...     "assumptions": {"stockpile_days": 30}})
    >>> out = firm_dynamic_impact(example_network(), hf, days=120).as_dict()
    >>> out["model"], [(r["country"], r["day"]) for r in out["first_short_day"]][:2]
    ('firm', [('JPN', 7)])
    """
    _check_limit(loss_limit)
    params = params or DynamicParams()
    table = network_table(net)
    origin = _start(scenario)
    shocks: list[Shock] = []
    stocks: dict[tuple[str, int], float] = {}
    countries = np.array(net.countries)
    targets: set[str] = set()
    for m in scenario.measures:
        one = scenario_shock(net, replace(scenario, measures=(m,)))
        start = ((m.start or origin) - origin).days
        length = round(m.months * 365 / 12)
        cut = np.flatnonzero(one.cut)
        if cut.size:
            shocks.append(LinkCut(tuple(int(i) for i in net.supplier[cut]),
                                  tuple(int(i) for i in net.buyer[cut]), 1.0, start, length,
                                  pairs=True))  # fmt: skip
            for k in cut:
                key = (net.sectors[int(net.supplier[k])], int(net.buyer[k]))
                stocks[key] = scenario.stockpile_days(net.product[int(k)])
            targets.update(str(c) for c in countries[net.buyer[cut]])
        for level in sorted(set(one.h0[one.h0 < 1].tolist())):
            rows = tuple(int(i) for i in np.flatnonzero(one.h0 == level))
            shocks.append(CapacityLoss(rows, 1.0 - level, start, length))
            targets.update(str(c) for c in countries[list(rows)])
    run = simulate(table, shocks, days, params, stocks, by_label=True)
    ordered = tuple(sorted(targets))
    sensitivity = _sensitivity(table, shocks, stocks, ordered, run, days, params, loss_limit,
                               by_label=True)  # fmt: skip
    spread = _uncertainty(table, shocks, stocks, days, params, draws, 1.0, True, spark)
    return DynamicImpact(net.source, 1.0, run, ordered, (), params, sensitivity, "firm",
                         spread)  # fmt: skip
