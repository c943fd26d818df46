"""Benchmark: the dynamic sector model against BoARIO on WIOD 2011 (1,435 industries).

Compared in the same run, on the same shock (two industries lose 40 % and 20 % of their capacity
from day 11) and BoARIO-equivalent parameters (``ARIOPsiModel``, order type "alt", α_max 1.25,
τ_α 365, 90 days of inventories, ψ 0.8, τ_S 60):

* baseline: BoARIO 0.7.2 (GPL-3; dense matrices), installed with the development extras;
* ``econsec.sectors.dynamic.simulate`` (sparse links grouped by input and buyer, NumPy);
* the largest difference between the two, relative to each industry's baseline, over every day.

Run: ``python benchmarks/dynamic_benchmark.py [--days 120]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=120)
    days = parser.parse_args().days
    import numpy as np

    from econsec.sectors.dynamic import CapacityLoss, DynamicParams, simulate
    from test_dynamic import boario_run, wiod_for_boario

    io, mrio = wiod_for_boario()
    hit = [("JPN", "c12", 0.4), ("CHN", "c14", 0.2)]
    t = time.perf_counter()
    expected, industries = boario_run(io, hit, 10, days - 20, days)
    boario = time.perf_counter() - t
    labels = list(zip(mrio.countries, mrio.sectors, strict=True))
    shocks = [CapacityLoss((labels.index((r, s)),), v, start=11, days=days - 18) for r, s, v in hit]
    t = time.perf_counter()
    run = simulate(mrio, shocks, days, DynamicParams())  # type: ignore[arg-type]
    ours = time.perf_counter() - t
    order = [labels.index(i) for i in industries]
    base = run.baseline[order]
    live = base > 0
    diff = float((np.abs(run.production[:, order] - expected)[:, live] / base[live]).max())
    print(f"| model | {days} days, WIOD 2011 (1,435 industries) | per simulated year | ratio |")
    print("|---|---|---|---|")
    print(f"| BoARIO 0.7.2 (baseline) | {boario:.1f} s | {boario * 365 / days:.1f} s | 1 |")
    print(f"| econsec dynamic | {ours:.1f} s | {ours * 365 / days:.1f} s | "
          f"{boario / ours:.1f}× faster |")  # fmt: skip
    print(f"largest difference relative to baseline output: {diff:.1e}")


if __name__ == "__main__":
    main()
