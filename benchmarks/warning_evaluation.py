"""Evaluate the coercion early warning on the real trade series in the shared data folder, out
of sample, beside a naive baseline.

**Declared before evaluating.** The detector's rules and thresholds were tuned on two datasets,
China's monthly critical-mineral exports and Korea's monthly customs imports, with their
incidents (Ga/Ge and graphite licensing, Japan's HF controls): they are the *calibration* set,
reported apart. Everything else is *held out*: the FAOSTAT trade matrix (China's and Russia's
food-import measures), Japan Customs' annual exports (Japan's sanctions on Russia, the seafood
ban) and UN Comtrade's monthly vaccine trade (no incident: false alarms only). No threshold was
changed after looking at the held-out results.

For each dataset: the documented incidents its countries, products and years cover (from the
incident register's seed, ``econsec.intelligence.incidents.known_incidents``), which of them
each method finds, the date each would have been **known** (the end of the period whose data
confirm the event, plus the source's publication lag), the events, and the false alarms (events
that match no incident) per series-year. An event matches an incident when its onset lies in the
incident's window and its product is one the incident names (see
``econsec.intelligence.incidents``). The baseline flags the first period of every run in which
a flow fell by half or more against the same period a year before. Where the data carry
quantities (Korea's customs), the unit-value signal (quantity down by half, value per kg up by a
fifth) runs too; its thresholds were set on those same data, so it is calibration only.

    python benchmarks/warning_evaluation.py      # data: $ECONSEC_SHARED_DATA or ../shared/data
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from econsec.intelligence import detect, sources
from econsec.intelligence.incidents import Evaluation, evaluate, known_incidents
from econsec.intelligence.warning import Event, Flow, Quantity, series_years, unit_value_signals

DATA = Path(os.environ.get("ECONSEC_SHARED_DATA", Path(__file__).parents[2] / "shared" / "data"))


@dataclass(frozen=True)
class Case:
    name: str
    read: Callable[[], list[tuple[str, str, str, str, float]]]
    incidents: tuple[str, ...]  # ids of the incidents the data can show
    held_out: bool  # declared before evaluating: False for the data the rules were tuned on
    lag_months: int  # publication lag of the source, months after a period ends
    quantities: Callable[[], list[Quantity]] | None = None  # for the unit-value signal


CASES = (
    Case("Korea Customs monthly, imports by HS10 and partner",
         lambda: sources.kcs_monthly(DATA / "korea_japan_semiconductor_materials"
                                     / "kcs_korea_monthly_hs10_by_country_2000_2021.parquet"),
         ("jpn-kor-fluorides-2019",), held_out=False, lag_months=1,
         quantities=lambda: sources.kcs_quantities(
             DATA / "korea_japan_semiconductor_materials"
             / "kcs_korea_monthly_hs10_by_country_2000_2021.parquet")),
    Case("China's critical-mineral exports by partner and group, monthly",
         lambda: sources.china_minerals(DATA / "china_critical_minerals_exports_monthly"
                                        / "country_monthly_stats.csv"),
         ("chn-gage-2023", "chn-graphite-2023", "chn-usa-gage-2024"), held_out=False,
         lag_months=1),
    Case("UN Comtrade monthly, vaccines (HS 300220)",
         lambda: sources.comtrade_monthly(DATA / "comtrade_monthly_vaccines_300220"
                                          / "comtrade_monthly_300220_2010_2020.parquet"),
         (), held_out=True, lag_months=3),
    Case("FAOSTAT trade matrix, imports of China and Russia",
         lambda: sources.faostat(DATA / "faostat_trade_matrix_top_partners"
                                 / "faostat_tm_top_partners.parquet", ("CHN", "RUS")),
         ("chn-aus-barley-2020", "chn-aus-wine-2020", "chn-can-canola-2019",
          "chn-phl-bananas-2012", "rus-food-embargo-2014", "rus-tur-2016", "rus-geo-2006"),
         held_out=True, lag_months=12),
    Case("Japan Customs annual exports by area and goods",
         lambda: sources.japan_customs(DATA / "japan_trade_annual_area_goods"
                                       / "japan_trade_by_area_goods_annual.csv.gz"),
         ("chn-jpn-seafood-2023", "jpn-rus-sanctions-2022", "jpn-kor-fluorides-2019"),
         held_out=True, lag_months=1),
)  # fmt: skip


#: Publication lags (months after a period ends until its data are out), an assumption per
#: source: Korea Customs and China's customs publish a month's detail in the next month; UN
#: Comtrade's monthly records arrive over two to three months; FAOSTAT's trade matrix about a
#: year after the year ends; Japan Customs' annual figures in the next January.


def naive(rows: Sequence[Flow], fall: float = 0.5) -> list[Event]:
    """The baseline: the first period of each run in which a flow is below ``1 - fall`` times
    its value a year before (monthly: the same month), which was positive."""
    series: dict[tuple[str, str, str], dict[str, float]] = defaultdict(dict)
    for period, x, i, p, v in rows:
        series[(x, i, p)][period] = series[(x, i, p)].get(period, 0.0) + v
    periods = sorted({r[0] for r in rows})
    step = 12 if periods and len(periods[0]) == 7 else 1
    events = []
    for (x, i, p), values in sorted(series.items()):
        falling = False
        for k in range(step, len(periods)):
            before, now = values.get(periods[k - step], 0.0), values.get(periods[k], 0.0)
            hit = before > 0 and now < (1 - fall) * before
            if hit and not falling:
                events.append(Event(x, i, p, periods[k], 1 - now / before, 0, 1.0, {},
                                    periods[k]))  # fmt: skip
            falling = hit
    return events


def known_on(event: Event, lag_months: int) -> dt.date:
    """The day an event could be known: the end of its confirming period plus the lag."""
    period = event.confirmed or event.period
    y, m = (int(period), 12) if len(period) == 4 else (int(period[:4]), int(period[5:7]))
    after = y * 12 + (m - 1) + lag_months + 1  # the month after the lag ends, counted from 0
    return dt.date(after // 12, after % 12 + 1, 1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Result:
    method: str
    evaluation: Evaluation
    events: list[Event]
    seconds: float


def run(case: Case) -> tuple[Result, Result, int]:
    """The detector and the baseline on one dataset, and its number of series."""
    rows = case.read()
    exposure = series_years(rows)
    first = _result(case, "early warning", lambda: detect(rows), exposure)
    second = _result(case, "naive: -50 % year on year", lambda: naive(rows), exposure)
    return first, second, len({(x, i, p) for _, x, i, p, _ in rows})


def unit_values(case: Case) -> Result | None:
    """The unit-value signal on a dataset with quantities (None without them)."""
    if case.quantities is None:
        return None
    rows = case.quantities()
    exposure = series_years([r[:5] for r in rows])
    return _result(case, "unit value: kg -50 %, price +20 %",
                   lambda: unit_value_signals(rows), exposure)  # fmt: skip


def _result(case: Case, method: str, find: Callable[[], list[Event]], exposure: float) -> Result:
    register = [i for i in known_incidents() if i.id in case.incidents]
    start = time.perf_counter()
    events = find()
    seconds = time.perf_counter() - start
    return Result(method, evaluate(events, register, exposure), events, seconds)


REVIEW = Path(__file__).with_name("warning_review.csv")
SAMPLE = 8  # unmatched alarms reviewed per dataset and method


@dataclass(frozen=True)
class Precision:
    """The share of a method's alarms that a documented trade measure explains: the alarms
    matched to a registered incident, and the unmatched ones in the proportion found in a
    reviewed random sample of them (verdict ``measure``), the sample's ``unknown`` verdicts
    counted as not (``low``) or as explained (``high``)."""

    low: float
    high: float
    reviewed: int
    measures: int
    unknown: int


def review_sample(case: Case, result: Result) -> list[Event]:
    """The unmatched alarms drawn for review (the same draw every run)."""
    alarms = sorted(result.evaluation.false_alarms,
                    key=lambda e: (e.exporter, e.importer, e.product, e.period))  # fmt: skip
    rng = random.Random(f"{case.name}/{result.method}")
    return rng.sample(alarms, min(SAMPLE, len(alarms)))


def precision(case: Case, result: Result) -> Precision:
    """The precision of ``result`` from the reviewed sample in ``warning_review.csv``; fails
    naming the alarms drawn but not reviewed (a changed detector draws other alarms)."""
    with REVIEW.open(newline="", encoding="utf-8") as f:
        verdicts = {
            (r["method"], r["exporter"], r["importer"], r["product"], r["period"]): r["verdict"]
            for r in csv.DictReader(f)
            if case.name.startswith(r["data"])
        }
    sample = review_sample(case, result)
    keys = [(result.method, e.exporter, e.importer, e.product, e.period) for e in sample]
    if missing := [k for k in keys if k not in verdicts]:
        raise ValueError(f"{REVIEW.name}: no verdict for {missing} ({case.name})")
    drawn = [verdicts[k] for k in keys]
    k, u, n = drawn.count("measure"), drawn.count("unknown"), len(drawn)
    events, unmatched = len(result.events), len(result.evaluation.false_alarms)
    if not events:
        return Precision(0.0, 0.0, n, k, u)

    def rate(share: float) -> float:
        return (events - unmatched + unmatched * share) / events

    return Precision(rate(k / n if n else 0.0), rate((k + u) / n if n else 0.0), n, k, u)


def _found(result: Result, lag_months: int) -> str:
    return (
        "; ".join(
            f"{k}: {v[0].exporter}→{v[0].importer} {v[0].product} {v[0].period}, known "
            f"{known_on(min(v, key=lambda e: known_on(e, lag_months)), lag_months)} "
            f"({len(v)} events)"
            for k, v in result.evaluation.found.items()
        )
        or "–"
    )


def main() -> None:
    for held_out in (True, False):
        print("\n## " + ("Held out" if held_out else "Calibration (the rules were tuned here)"))
        print(
            "\n| data | series | method | incidents found (onset, known by) | missed | events "
            "| false alarms per series-year | precision (reviewed sample) | seconds |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for case in (c for c in CASES if c.held_out == held_out):
            warning, baseline, n_series = run(case)
            for r in (warning, baseline, unit_values(case)):
                if r is None:
                    continue
                ev = r.evaluation
                if held_out:  # (the unit-value signal runs on calibration data only)
                    p = precision(case, r)
                    shown = (f"{p.low:.1%}–{p.high:.1%} ({p.reviewed} reviewed: {p.measures} "
                             f"measures, {p.unknown} unknown)")  # fmt: skip
                else:
                    shown = "–"
                print(
                    f"| {case.name if r is warning else ''} | {n_series if r is warning else ''}"
                    f" | {r.method} | {_found(r, case.lag_months)} | "
                    f"{', '.join(ev.missed) or '–'} | {len(r.events)} | "
                    f"{ev.false_alarm_rate:.4f} | {shown} | {r.seconds:.1f} |"
                )


if __name__ == "__main__":
    main()
