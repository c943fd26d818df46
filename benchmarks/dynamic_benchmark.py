"""Benchmark: the dynamic model against BoARIO, and the firm model on a million firms.

Compared in the same run, on the same shock (two industries lose 40 % and 20 % of their capacity
from day 11) and BoARIO-equivalent parameters (``ARIOPsiModel``, order type "alt", α_max 1.25,
τ_α 365, 90 days of inventories, ψ 0.8, τ_S 60):

* baseline: BoARIO 0.7.2 (GPL-3; dense matrices), installed with the development extras;
* ``econsec.sectors.dynamic.simulate`` (compiled kernel, 2 threads; and the NumPy reference);
* the largest difference, relative to each industry's baseline, over every day;

on WIOD 2011 (1,435 industries) and on a synthetic table of OECD ICIO's size (77 regions × 45
sectors = 3,465 industries; every domestic block full, 30 % of foreign pairs trading; seeded) —
BoARIO runs ``--boario-days`` there and its year is extrapolated. Then the firm model on a
synthetic network (``--firms``, ``--links``; the ESRI benchmark's generator) for a simulated
year, recorded by country and sector.

Run: ``python benchmarks/dynamic_benchmark.py [--days 365 --boario-days 20 --firms 1000000
--links 5000000]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pymrio
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from econsec.sectors.dynamic import CapacityLoss, DynamicParams, simulate  # noqa: E402
from econsec.sectors.mrio import MRIO  # noqa: E402


def icio_like(seed: int = 3465) -> tuple[pymrio.IOSystem, MRIO]:
    rng = np.random.default_rng(seed)
    regions = [f"R{r:02d}" for r in range(77)]
    sectors = [f"S{s:02d}" for s in range(45)]
    n = len(regions) * len(sectors)
    home = np.repeat(np.arange(len(regions)), len(sectors))
    x = rng.lognormal(np.log(1e5), 1.0, n)
    trade = (home[:, None] == home[None, :]) | (rng.random((n, n)) < 0.3)
    weights = rng.random((n, n)) * trade * np.where(home[:, None] == home[None, :], 20.0, 1.0)
    A = weights / weights.sum(axis=0) * rng.uniform(0.4, 0.6, n)
    Z = A * x[None, :]
    y = np.maximum(x - Z.sum(axis=1), 0.05 * x)
    index = pd.MultiIndex.from_product([regions, sectors], names=["region", "sector"])
    Zdf = pd.DataFrame(Z, index=index, columns=index)
    Y = pd.DataFrame(0.0, index=index,
                     columns=pd.MultiIndex.from_product([regions, ["fd"]],
                                                        names=["region", "category"]))  # fmt: skip
    Y.values[np.arange(n), home] = y
    io = pymrio.IOSystem(Z=Zdf, Y=Y)
    io.x = pymrio.calc_x(io.Z, io.Y)
    io.A = pymrio.calc_A(io.Z, io.x)
    labels = list(index)
    mrio = MRIO(tuple(r for r, _ in labels), tuple(s for _, s in labels), sp.csr_matrix(Z), y,
                io.x.to_numpy().ravel(), "table units", "synthetic ICIO-size")  # fmt: skip
    return io, mrio


def compare(name: str, io: pymrio.IOSystem, mrio: MRIO, hit: list[tuple[str, str, float]],
            days: int, boario_days: int) -> None:  # fmt: skip
    """BoARIO's year = its set-up + its day loop scaled from ``boario_days`` to 365; ours runs
    ``days`` in full (set-up included), scaled to 365."""
    import test_dynamic

    labels = list(zip(mrio.countries, mrio.sectors, strict=True))
    duration = boario_days - 12  # BoARIO's event at 10 for d acts on days 11 … d + 12
    shocks = [CapacityLoss((labels.index((r, s)),), v, start=11, days=duration + 2)
              for r, s, v in hit]  # fmt: skip
    t = time.perf_counter()
    expected, industries = test_dynamic.boario_run(io, hit, 10, duration, boario_days)
    loop = test_dynamic.LAST_BOARIO_LOOP_SECONDS[0]
    boario = (time.perf_counter() - t - loop) + loop * 365 / boario_days
    simulate(mrio, shocks, 2)  # compile (cached on disk after the first run)
    timed = {}
    for kernel in ("compiled", "reference"):
        t = time.perf_counter()
        run = simulate(mrio, shocks, days, DynamicParams(), kernel=kernel)  # type: ignore[arg-type]
        timed[kernel] = (time.perf_counter() - t) * 365 / days
        if kernel == "compiled":
            order = [labels.index(i) for i in industries]
            base = run.baseline[order]
            live = base > 0
            got = run.production[:boario_days, order]
            diff = float((np.abs(got - expected)[:, live] / base[live]).max())
    print(f"\n{name}: {mrio.n:,} industries, {mrio.Z.nnz:,} links")
    print("| model | per simulated year | speed-up over BoARIO |")
    print("|---|---|---|")
    print(f"| BoARIO 0.7.2 (baseline; set-up + {boario_days} days scaled) | {boario:.1f} s | 1 |")
    print(f"| econsec, NumPy reference ({days} days) | {timed['reference']:.1f} s | "
          f"{boario / timed['reference']:.1f}× |")  # fmt: skip
    print(f"| econsec, compiled kernel, 2 threads ({days} days) | {timed['compiled']:.1f} s | "
          f"{boario / timed['compiled']:.1f}× |")  # fmt: skip
    print(f"largest difference relative to baseline output ({boario_days} days): {diff:.1e}")


def firms(n_firms: int, n_links: int) -> None:
    from esri_benchmark import synthetic_network

    from econsec.scenarios.dynamic import network_table

    t = time.perf_counter()
    net = synthetic_network(n_firms, n_links)
    table = network_table(net)
    built = time.perf_counter() - t
    hit = tuple(int(i) for i in np.argsort(-net.output)[:100])  # the 100 largest firms stop
    t = time.perf_counter()
    run = simulate(table, [CapacityLoss(hit, 1.0, start=10, days=60)], 365, by_label=True)
    took = time.perf_counter() - t
    print(f"\nfirm model: {net.n_firms:,} firms, {table.Z.nnz:,} links (built in {built:.0f} s)")
    print(f"one simulated year: {took:.1f} s; firms held down by a missing input: "
          f"{int((run.industry_short_from >= 0).sum()):,}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--boario-days", type=int, default=20)
    parser.add_argument("--firms", type=int, default=1_000_000)
    parser.add_argument("--links", type=int, default=5_000_000)
    parser.add_argument("--skip-icio", action="store_true")
    args = parser.parse_args()
    from test_dynamic import wiod_for_boario

    io, mrio = wiod_for_boario()
    compare("WIOD 2011", io, mrio, [("JPN", "c12", 0.4), ("CHN", "c14", 0.2)], args.days,
            120)  # fmt: skip
    if not args.skip_icio:
        io, mrio = icio_like()
        compare("synthetic ICIO size", io, mrio, [("R03", "S12", 0.4), ("R10", "S20", 0.2)],
                args.days, args.boario_days)  # fmt: skip
    if args.firms:
        firms(args.firms, args.links)


if __name__ == "__main__":
    main()
