"""Benchmark: coercion scenarios on the demo world's trade (312k flows, 2020–2024, synthetic).

Compared in the same run:

* one scenario restricting every product of Japan's 16 critical groups (the acting country
  blocks half of its exports of them to Japan and the G7): trade layer; with the firm layer on
  the demo network; with the sector layer on the real WIOD 2011 table (1,435 country-sectors)
  and the HS → ISIC 3 concordance from ../shared/data;
* 1,000 random scenarios (one to three measures each: export restrictions and import bans on
  random critical groups, actors and targets), baseline: one after the other, each querying its
  flows (``run_scenario``); against ``run_batch``, which queries each base year's flows once.
  The results must be identical.

Run: ``python benchmarks/scenario_benchmark.py [--scenarios 1000]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb
import numpy as np

from econsec.network import network_from_tables
from econsec.reference.catalogue import groups_on
from econsec.scenarios import Scenario, parse_scenario, run_batch, run_scenario
from econsec.scenarios.sectors import read_hs_isic3, wiod_sectors
from econsec.sectors.mrio import read_wiod
from econsec.storage.engines import DuckDBEngine
from econsec.synthetic.world import generate_world

COUNTRIES = ["CHN", "USA", "JPN", "KOR", "DEU", "AUS", "TWN", "VNM", "IND", "BRA", "RUS", "FRA"]


def random_scenarios(n: int, groups: list[str], seed: int = 7) -> list[Scenario]:
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        measures = []
        for _ in range(int(rng.integers(1, 4))):
            by, other = rng.choice(COUNTRIES, 2, replace=False)
            products = [f"critical:japan/{g}" for g in rng.choice(groups, int(rng.integers(1, 4)))]
            if rng.random() < 0.7:
                measures.append({"type": "export_restriction", "by": str(by), "products": products,
                                 "targets": [str(other)], "share_blocked": float(rng.uniform(0.1, 1)),
                                 "start": "2024-08", "months": int(rng.integers(3, 24)),
                                 "pretext": "security"})  # fmt: skip
            else:
                measures.append({"type": "import_ban", "by": str(by), "products": products,
                                 "origins": [str(other)], "start": "2024-08", "months": 12,
                                 "pretext": "quarantine"})  # fmt: skip
        out.append(parse_scenario({"name": f"random {k}", "base_year": 2024, "measures": measures}))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=1000)
    parser.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    args = parser.parse_args()
    world = generate_world()
    con = duckdb.connect()
    con.register("flows", world.flows)
    engine = DuckDBEngine(con)
    network = network_from_tables(world.firms, world.links, source="demo")
    import datetime as dt

    groups = [g.id for g in groups_on("japan", dt.date(2024, 12, 31))]
    every = parse_scenario({
        "name": "all 16 groups", "base_year": 2024,
        "measures": [{"type": "export_restriction", "by": "CHN",
                      "products": [f"critical:japan/{g}" for g in groups],
                      "targets": ["JPN", "G7"], "share_blocked": 0.5, "start": "2024-08",
                      "months": 12, "pretext": "security"}],
    })  # fmt: skip
    n_products = len(every.measures[0].products)
    t = time.perf_counter()
    one = run_scenario(engine, every)
    t_trade = time.perf_counter() - t
    t = time.perf_counter()
    run_scenario(engine, every, network)
    t_firms = time.perf_counter() - t
    mrio = read_wiod(args.shared_data / "wiod2013_mrio", 2011)
    hs = read_hs_isic3(args.shared_data / "hs_industry_concordances" / "hs6_isic3.csv.gz")
    t = time.perf_counter()
    with_sectors = run_scenario(engine, every, mrio=mrio, concordance=wiod_sectors(hs))
    t_sectors = time.perf_counter() - t
    assert with_sectors.sectors is not None
    scenarios = random_scenarios(args.scenarios, groups)
    t = time.perf_counter()
    baseline = [run_scenario(engine, s).as_dict() for s in scenarios]
    t_base = time.perf_counter() - t
    t = time.perf_counter()
    batch = [r.as_dict() for r in run_batch(engine, scenarios)]
    t_batch = time.perf_counter() - t
    assert batch == baseline, "the batch differs from one-by-one runs"
    print(f"\nscenarios on the demo world ({world.flows.num_rows:,} flows, synthetic)")
    print(f"{'run':<58}{'seconds':>9}{'speed-up':>9}")
    print(f"{'16 groups (' + str(n_products) + ' HS6), trade layer':<58}{t_trade:>9.3f}")
    print(f"{'16 groups, trade + firm layer (340 firms)':<58}{t_firms:>9.3f}")
    print(f"{'16 groups, trade + sector layer (WIOD 2011, 1,435 sectors)':<58}{t_sectors:>9.3f}")
    print(f"{f'{args.scenarios} random, one by one (baseline)':<58}{t_base:>9.2f}{1:>9.1f}")
    print(f"{f'{args.scenarios} random, run_batch':<58}{t_batch:>9.2f}{t_base / t_batch:>9.1f}")
    print(f"(16-group scenario: {one.trade.trade_at_risk_usd:,.0f} USD at risk)")


if __name__ == "__main__":
    main()
