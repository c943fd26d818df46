"""Evaluate the coercion early warning on the real trade series in the shared data folder.

For each dataset: the documented incidents its countries, products and years cover (from the
incident register's seed, ``econsec.intelligence.incidents.known_incidents``), which of them the
detector finds and when, and the false alarms (events that match no incident) per series-year.

    python benchmarks/warning_evaluation.py      # data: $ECONSEC_SHARED_DATA or ../shared/data
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from econsec.intelligence import detect, sources
from econsec.intelligence.incidents import Evaluation, evaluate, known_incidents
from econsec.intelligence.warning import Event, series_years

DATA = Path(os.environ.get("ECONSEC_SHARED_DATA", Path(__file__).parents[2] / "shared" / "data"))


@dataclass(frozen=True)
class Case:
    name: str
    read: Callable[[], list[tuple[str, str, str, str, float]]]
    incidents: tuple[str, ...]  # ids of the incidents the data can show


CASES = (
    Case("Korea Customs monthly, imports by HS10 and partner",
         lambda: sources.kcs_monthly(DATA / "korea_japan_semiconductor_materials"
                                     / "kcs_korea_monthly_hs10_by_country_2000_2021.parquet"),
         ("jpn-kor-fluorides-2019",)),
    Case("China's critical-mineral exports by partner and group, monthly",
         lambda: sources.china_minerals(DATA / "china_critical_minerals_exports_monthly"
                                        / "country_monthly_stats.csv"),
         ("chn-gage-2023", "chn-graphite-2023", "chn-usa-gage-2024")),
    Case("UN Comtrade monthly, vaccines (HS 300220)",
         lambda: sources.comtrade_monthly(DATA / "comtrade_monthly_vaccines_300220"
                                          / "comtrade_monthly_300220_2010_2020.parquet"),
         ()),
    Case("FAOSTAT trade matrix, imports of China and Russia",
         lambda: sources.faostat(DATA / "faostat_trade_matrix_top_partners"
                                 / "faostat_tm_top_partners.parquet", ("CHN", "RUS")),
         ("chn-aus-barley-2020", "chn-aus-wine-2020", "chn-can-canola-2019",
          "chn-phl-bananas-2012", "rus-food-embargo-2014", "rus-tur-2016", "rus-geo-2006")),
    Case("Japan Customs annual exports by area and goods",
         lambda: sources.japan_customs(DATA / "japan_trade_annual_area_goods"
                                       / "japan_trade_by_area_goods_annual.csv.gz"),
         ("chn-jpn-seafood-2023", "jpn-rus-sanctions-2022", "jpn-kor-fluorides-2019")),
)  # fmt: skip


def run(case: Case) -> tuple[Evaluation, list[Event], float, int]:
    rows = case.read()
    start = time.perf_counter()
    events = detect(rows)
    seconds = time.perf_counter() - start
    register = [i for i in known_incidents() if i.id in case.incidents]
    n_series = len({(x, i, p) for _, x, i, p, _ in rows})
    return evaluate(events, register, series_years(rows)), events, seconds, n_series


def main() -> None:
    print(
        "| data | series | known incidents found (first event) | missed | events | "
        "false alarms per series-year | seconds |"
    )
    print("|---|---|---|---|---|---|---|")
    for case in CASES:
        ev, events, seconds, n_series = run(case)
        found = (
            "; ".join(
                f"{k}: {v[0].exporter}→{v[0].importer} {v[0].product} {v[0].period} "
                f"({len(v)} events)"
                for k, v in ev.found.items()
            )
            or "–"
        )
        print(
            f"| {case.name} | {n_series} | {found} | {', '.join(ev.missed) or '–'} | "
            f"{len(events)} | {ev.false_alarm_rate:.4f} | {seconds:.1f} |"
        )


if __name__ == "__main__":
    main()
