"""Coercion early warning: abrupt drops of a bilateral product flow that its own history, its
season and the partners' overall trends do not explain.

For a series ``v_t`` (exporter → importer, product), monthly or annual:

* **baseline** ``b_t``: the median of the same calendar month in the previous ``years`` years
  (monthly: this allows for seasonality) or of the previous ``years`` values (annual);
* **drop** ``d_t = 1 − v_t / b_t`` (0–1), and its robust size against the series' volatility:
  ``z_t = (log v_t − log b_t) / (1.4826 · MAD)`` of the same log ratios over the history;
* **controls**: the same drop computed for the exporter's exports of the product to *other*
  importers and for the importer's imports of it from *other* exporters; the drop counts only
  in excess of the larger of the two control drops (a world-wide slump is not coercion). A
  control the data cannot give (e.g. only one importer's records) is left out of the
  ``comparison``, not taken as zero;
* **persistence**: how many of the following ``horizon`` periods stay below half the baseline;
  the event is *confirmed* by the period in which the ``min_persistence``-th of them falls, so it
  can be known only once that period's data are published.

An event is the first period of a run where ``d_t ≥ min_drop`` and ``z_t ≤ −min_z``, the
excess drop is at least ``min_excess`` and at least ``min_persistence`` of the next
``horizon`` periods stay below half the baseline, in a series that mattered (baseline at least
``min_share`` of the importer's imports of the product) and traded regularly (in at least
``min_regularity`` of its recent periods; sporadic flows are not watched). Its confidence
(0–1) combines the three evidences — size against volatility, excess over the controls,
persistence — as a logistic score; the ``comparison`` field gives the numbers behind it.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any

import duckdb
import pyarrow as pa

from econsec.errors import FieldProblem, InputError, RecordsRejected
from econsec.i18n import N_
from econsec.trade.flows import best_flows_sql

__all__ = [
    "FLOW_COLUMNS",
    "METHOD",
    "Event",
    "Flow",
    "Quantity",
    "Settings",
    "check_flow",
    "check_flows",
    "detect",
    "quantities_of",
    "series_of",
    "series_years",
    "unit_value_signals",
]

METHOD = "econsec early warning 1 (seasonal robust drop net of the partners' trends)"

Flow = tuple[str, str, str, str, float]
#: (period, exporter, importer, product, value, quantity in kg)
Quantity = tuple[str, str, str, str, float, float]
_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")


def series_years(rows: Sequence[Flow]) -> float:
    """Series (exporter, importer, product) × years spanned: the exposure of false-alarm rates."""
    periods = {r[0] for r in rows}
    if not periods:
        return 0.0
    per_year = 12 if len(next(iter(periods))) == 7 else 1
    return len({r[1:4] for r in rows}) * len(periods) / per_year


def check_flow(
    period: object, exporter: object, importer: object, product: object, value: object
) -> Flow:
    """One flow in normal form, or :class:`InputError` naming the column at fault."""
    period = str(period).strip()
    if not _PERIOD.match(period):
        raise InputError(
            "bad period {period!r}",
            values={"period": period},
            column="period",
            expected=N_("YYYY-MM or YYYY"),
        )
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if not number >= 0 or isinstance(value, bool):
        raise InputError(
            "bad value {value!r}",
            values={"value": value},
            column="value",
            expected=N_("a number >= 0"),
        )
    names = []
    for column, text in (("exporter", exporter), ("importer", importer), ("product", product)):
        if text is None or not str(text).strip():
            raise InputError("empty", column=column, expected=N_("a name or code"))
        names.append(str(text).strip())
    return (period, names[0], names[1], names[2], number)


#: The columns of a flow, in order.
FLOW_COLUMNS = ("period", "exporter", "importer", "product", "value")


def series_of(flows: pa.Table) -> list[Flow]:
    """The flows the early warning reads from a canonical flows table
    (:data:`econsec.trade.flows.FLOW_SCHEMA`): one value per period (``YYYY-MM`` with months,
    else ``YYYY``), exporter, importer and product, the two reporting sides reconciled by the
    mirror rule.

    Parameters
    ----------
    flows : pyarrow.Table
        Canonical flows (e.g. from :mod:`econsec.trade.statistics`).

    Returns
    -------
    list of Flow

    Raises
    ------
    RecordsRejected
        When months and years are mixed, or a value is not a number ≥ 0.

    Examples
    --------
    Korea reports importing 10 from Japan in July 2019, Japan exporting 9: Korea's record wins.

    >>> import pyarrow as pa
    >>> from econsec.trade.flows import FLOW_SCHEMA
    >>> rows = [(2019, 7, "JPN", "KOR", "281111", "HS2017", v, None, "comtrade", side)
    ...         for v, side in ((10.0, "importer"), (9.0, "exporter"))]
    >>> series_of(pa.Table.from_pylist([dict(zip(FLOW_SCHEMA.names, r)) for r in rows],
    ...                                schema=FLOW_SCHEMA))
    [('2019-07', 'JPN', 'KOR', '281111', 10.0)]
    """
    con = duckdb.connect()
    con.register("econsec_flows", flows)
    rows = con.sql(f"""
        SELECT CASE WHEN month IS NULL THEN CAST(year AS VARCHAR)
                    ELSE printf('%04d-%02d', year, month) END AS period,
               exporter, importer, product, sum(value_usd) AS value
        FROM ({best_flows_sql("econsec_flows")}) GROUP BY ALL ORDER BY ALL""").to_arrow_table()
    return check_flows(rows.to_pylist())


def quantities_of(flows: pa.Table) -> list[Quantity]:
    """Like :func:`series_of`, with each flow's quantity in kilograms (the rows that have one):
    the input of :func:`unit_value_signals`."""
    con = duckdb.connect()
    con.register("econsec_flows", flows)
    return [
        (str(p), str(x), str(i), str(q), float(v), float(kg))
        for p, x, i, q, v, kg in con.sql(f"""
            SELECT CASE WHEN month IS NULL THEN CAST(year AS VARCHAR)
                        ELSE printf('%04d-%02d', year, month) END AS period,
                   exporter, importer, product, sum(value_usd), sum(quantity_kg)
            FROM ({best_flows_sql("econsec_flows")}) WHERE quantity_kg IS NOT NULL
            GROUP BY ALL ORDER BY ALL""").fetchall()
    ]


def check_flows(records: Sequence[object], *, source: str | None = None) -> list[Flow]:
    """Flows from records (objects with :data:`FLOW_COLUMNS`: JSON, CSV rows or table rows), all
    checked, or :class:`RecordsRejected` naming every bad field of every row (the first 50).

    >>> check_flows([{"period": "2019-07", "exporter": "JPN", "importer": "KOR",
    ...               "product": "281111", "value": "12.5"}])
    [('2019-07', 'JPN', 'KOR', '281111', 12.5)]
    >>> check_flows([{"period": "2019", "exporter": "JPN", "importer": "KOR", "product": "x",
    ...               "value": 1}, {"period": "2019-07", "exporter": "JPN", "importer": "KOR",
    ...               "product": "x", "value": 1}])
    Traceback (most recent call last):
    econsec.errors.RecordsRejected: 1 problem: field 'period': monthly and annual periods are \
mixed (expected all YYYY-MM or all YYYY)
    """
    problems: list[FieldProblem] = []
    rows = []
    for n, r in enumerate(records, 1):
        if not isinstance(r, Mapping):
            problems.append(FieldProblem(n, "record", "expected an object"))
            continue
        missing = [c for c in FLOW_COLUMNS if c not in r]
        if missing:
            problems.append(FieldProblem(n, missing[0], "missing"))
            continue
        try:
            rows.append(check_flow(*(r[c] for c in FLOW_COLUMNS)))
        except InputError as exc:
            message = f"{exc.problem} (expected {exc.expected})"
            problems.append(FieldProblem(n, exc.column or "record", message))
    if problems:
        raise RecordsRejected(problems[:50], source=source)
    if len({len(r[0]) for r in rows}) > 1:
        message = "monthly and annual periods are mixed (expected all YYYY-MM or all YYYY)"
        raise RecordsRejected([FieldProblem(None, "period", message)], source=source)
    return rows


@dataclass(frozen=True)
class Settings:
    years: int = 3
    min_drop: float = 0.5
    min_z: float = 3.0
    min_excess: float = 0.3
    horizon: int = 6
    min_persistence: int = 2  # following periods (of ``horizon``) that must stay below half
    min_history: int = 24  # periods of history before an event can be called (monthly)
    min_baseline: float = 0.0  # ignore series whose baseline is below this value
    min_share: float = 0.05  # …or below this share of the importer's imports of the product
    min_regularity: float = 0.75  # share of the recent history with trade (no sporadic series)
    max_past_rate: float = 0.1  # the series fell by min_drop in at most this share of its past
    lookback_years: int = 10  # …over this many years before the drop
    annual_min_z: float = 2.0  # annual series are short: a lower bar for the robust z…
    annual_min_persistence: int = 1  # …and one more year below half is already persistence


@dataclass(frozen=True)
class Event:
    exporter: str
    importer: str
    product: str
    period: str
    drop_share: float
    persistence: int
    confidence: float
    comparison: Mapping[str, float] = field(default_factory=dict)
    #: the period whose data confirmed the event (the last of the ``min_persistence`` low
    #: periods after it): the event is known once that period's data are published
    confirmed: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "exporter": self.exporter,
            "importer": self.importer,
            "product": self.product,
            "period": self.period,
            "drop_share": round(self.drop_share, 4),
            "persistence": self.persistence,
            "confidence": round(self.confidence, 4),
            "comparison": {k: round(v, 4) for k, v in self.comparison.items()},
            "confirmed": self.confirmed,
        }


def _periods(keys: Iterable[str]) -> list[str]:
    """Every period from the first to the last (gaps filled), sorted."""
    ks = sorted(keys)
    if not ks:
        return []
    if len(ks[0]) == 4:
        return [str(y) for y in range(int(ks[0]), int(ks[-1]) + 1)]
    y, m = int(ks[0][:4]), int(ks[0][5:7])
    end = (int(ks[-1][:4]), int(ks[-1][5:7]))
    out = []
    while (y, m) <= end:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _baseline(series: Mapping[str, float], periods: Sequence[str], t: int, years: int) -> float:
    p = periods[t]
    if len(p) == 4:
        past = [series.get(periods[t - k], 0.0) for k in range(1, years + 1) if t - k >= 0]
    else:
        past = [series.get(f"{int(p[:4]) - k:04d}{p[4:]}", 0.0) for k in range(1, years + 1)]
    past = [v for v in past if v > 0]
    return median(past) if len(past) >= max(1, years - 1) else 0.0


def _drop(series: Mapping[str, float], periods: Sequence[str], t: int, years: int) -> float | None:
    """The drop against the baseline; None when there is no baseline (no data to compare)."""
    base = _baseline(series, periods, t, years)
    return 1.0 - series.get(periods[t], 0.0) / base if base > 0 else None


def _z(bases: Sequence[float], values: Sequence[float], t: int) -> float:
    """Robust z of the log ratio at ``t`` against the log ratios before it."""
    ratios = [
        math.log(max(values[k], bases[k] * 1e-3) / bases[k]) for k in range(t + 1) if bases[k] > 0
    ]
    if len(ratios) < 6:
        return 0.0
    history, now = ratios[:-1], ratios[-1]
    centre = median(history)
    mad = median(abs(r - centre) for r in history) * 1.4826
    return (now - centre) / max(mad, 0.05)


def _past_rate(
    bases: Sequence[float], values: Sequence[float], t: int, drop: float, window: int
) -> float:
    """How often the series fell by at least ``drop`` in the ``window`` periods before ``t``
    (lumpy series do often)."""
    past = [1.0 - values[k] / bases[k] for k in range(max(0, t - window), t) if bases[k] > 0]
    return sum(d >= drop for d in past) / len(past) if past else 1.0


def detect(
    rows: Iterable[tuple[str, str, str, str, float]], settings: Settings | None = None
) -> list[Event]:
    """Events in flows given as (period, exporter, importer, product, value).

    A period in which the data hold no flow at all (a year missing from a workspace) is a gap:
    no event is dated in it and it counts neither as a low value nor as regular trade, where a
    period the data cover without this flow is a zero.
    """
    cfg = settings or Settings()
    flows: dict[tuple[str, str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    exports: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    imports: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    all_periods: set[str] = set()
    for period, x, i, p, v in rows:
        flows[(x, i, p)][period] += v
        exports[(x, p)][period] += v
        imports[(i, p)][period] += v
        all_periods.add(period)
    periods = _periods(all_periods)
    monthly = bool(periods) and len(periods[0]) == 7
    start = cfg.min_history if monthly else cfg.years
    window = cfg.lookback_years * (12 if monthly else 1)
    min_z = cfg.min_z if monthly else cfg.annual_min_z
    min_persistence = cfg.min_persistence if monthly else cfg.annual_min_persistence
    events = []
    for (x, i, p), series in sorted(flows.items()):
        values = [series.get(q, 0.0) for q in periods]
        bases = [_baseline(series, periods, k, cfg.years) for k in range(len(periods))]
        others_x = {k: exports[(x, p)].get(k, 0.0) - series.get(k, 0.0) for k in periods}
        others_i = {k: imports[(i, p)].get(k, 0.0) - series.get(k, 0.0) for k in periods}
        t = start
        while t < len(periods):
            if periods[t] not in all_periods:  # no data at all in this period: a gap
                t += 1
                continue
            base, value = bases[t], values[t]
            drop = 1.0 - value / base if base > 0 else 0.0
            if base <= cfg.min_baseline or drop < cfg.min_drop:
                t += 1
                continue
            recent = [values[k] for k in range(max(0, t - start), t) if periods[k] in all_periods]
            total_base = _baseline(imports[(i, p)], periods, t, cfg.years)
            if (
                sum(v > 0 for v in recent) < cfg.min_regularity * len(recent)
                or base < cfg.min_share * total_base
                or _past_rate(bases, values, t, cfg.min_drop, window) > cfg.max_past_rate
            ):
                t += 1
                continue
            z = _z(bases, values, t)
            controls = {
                "exporter_other_markets_drop": _drop(others_x, periods, t, cfg.years),
                "importer_other_suppliers_drop": _drop(others_i, periods, t, cfg.years),
            }
            known = [c for c in controls.values() if c is not None]
            excess = drop - max([0.0, *known])
            if z > -min_z or excess < cfg.min_excess:
                t += 1
                continue
            later = [k for k in range(t + 1, min(t + 1 + cfg.horizon, len(periods)))
                     if periods[k] in all_periods]  # fmt: skip
            # monthly: against each month's own season; annual: against the level before the
            # drop (a moving baseline would sink with the flow)
            low = [k for k in later if values[k] < 0.5 * (bases[k] if monthly else base)]
            persistence = len(low)
            if persistence < min_persistence:  # a one-off gap in lumpy shipments
                t += 1
                continue
            score = 0.8 * (-z - min_z) + 4 * (excess - cfg.min_excess) + 0.5 * persistence
            events.append(
                Event(
                    x, i, p, periods[t], min(max(drop, 0.0), 1.0), int(persistence),
                    1 / (1 + math.exp(-(score - 1.0))),
                    {
                        "baseline": base,
                        "value": value,
                        "robust_z": z,
                        **{k: v for k, v in controls.items() if v is not None},
                    },
                    periods[low[min_persistence - 1]] if min_persistence else periods[t],
                )
            )  # fmt: skip
            # skip the rest of this run of low values
            while t < len(periods) and values[t] < 0.5 * base:
                t += 1
            t += 1
    return sorted(events, key=lambda e: (-e.confidence, e.period))


def unit_value_signals(
    rows: Iterable[Quantity], settings: Settings | None = None, min_rise: float = 0.2
) -> list[Event]:
    """The signature of a restriction that lets some trade through (licensing, quotas): the
    quantity of a flow falls by ``min_drop`` or more against its baseline (the same months of
    the previous years) while its unit value (value per kg) rises by ``min_rise`` or more
    against the unit values of those months. The detector's filters apply: a series that traded
    regularly, mattered (``min_share`` of the importer's quantity) and seldom fell this far
    before (``max_past_rate``); an event is the first period of a run. ``comparison`` holds the
    quantities and unit values. No persistence is awaited: the event is known with its month.

    Examples
    --------
    Three years of 100 kg at 10 a kg each July; then 30 kg at 15 a kg:

    >>> rows = [(f"{y}-{m:02d}", "JPN", "KOR", "281111", 1000.0, 100.0)
    ...         for y in (2016, 2017, 2018) for m in range(1, 13)]
    >>> rows += [(f"2019-{m:02d}", "JPN", "KOR", "281111", 1000.0, 100.0) for m in range(1, 7)]
    >>> rows += [("2019-07", "JPN", "KOR", "281111", 450.0, 30.0)]
    >>> (e,) = unit_value_signals(rows)
    >>> e.period, round(e.drop_share, 2), e.comparison["unit_value"]
    ('2019-07', 0.7, 15.0)
    """
    cfg = settings or Settings()
    kg: dict[tuple[str, str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    value: dict[tuple[str, str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    imports: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for period, x, i, p, v, q in rows:
        kg[(x, i, p)][period] += q
        value[(x, i, p)][period] += v
        imports[(i, p)][period] += q
    periods = _periods({k for s in kg.values() for k in s})
    monthly = bool(periods) and len(periods[0]) == 7
    start = cfg.min_history if monthly else cfg.years
    window = cfg.lookback_years * (12 if monthly else 1)
    events = []
    for key, quantity in sorted(kg.items()):
        values = value[key]
        amounts = [quantity.get(q, 0.0) for q in periods]
        bases = [_baseline(quantity, periods, k, cfg.years) for k in range(len(periods))]
        falling = False
        for t in range(start, len(periods)):
            base, now = bases[t], amounts[t]
            hit = base > 0 and 0 < now <= (1 - cfg.min_drop) * base
            recent = amounts[t - start : t]
            if (
                not hit
                or sum(q > 0 for q in recent) < cfg.min_regularity * len(recent)
                or base < cfg.min_share * _baseline(imports[key[1:]], periods, t, cfg.years)
                or _past_rate(bases, amounts, t, cfg.min_drop, window) > cfg.max_past_rate
            ):
                falling = hit
                continue
            same = (
                [f"{int(periods[t][:4]) - k:04d}{periods[t][4:]}" for k in range(1, cfg.years + 1)]
                if monthly
                else periods[max(0, t - cfg.years) : t]
            )
            past = [values.get(q, 0.0) / quantity[q] for q in same if quantity.get(q, 0.0) > 0]
            unit, before = values.get(periods[t], 0.0) / now, median(past) if past else 0.0
            if not falling and before > 0 and unit >= (1 + min_rise) * before:
                drop = 1 - now / base
                rise = unit / before - 1
                score = 4 * (drop - cfg.min_drop) + 2 * (rise - min_rise)
                events.append(
                    Event(*key, periods[t], drop, 0, 1 / (1 + math.exp(-score)),
                          {"quantity_baseline_kg": base, "quantity_kg": now,
                           "unit_value_baseline": before, "unit_value": unit}, periods[t])
                )  # fmt: skip
            falling = True
    return sorted(events, key=lambda e: (-e.confidence, e.period))
