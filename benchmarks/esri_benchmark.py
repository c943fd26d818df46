"""Benchmark: the ESRI of every firm of a synthetic network of 100,000 firms and 1,000,000 links.

Network: five tiers (raw materials to assemblers), each firm buying from suppliers of the tier
below chosen with heavy-tailed popularity (a few suppliers serve many buyers), four input types,
half of the links essential, every firm selling at least a quarter of its output outside the
network; seeded.

Compared in the same run:

* baseline: batched dense iteration in NumPy until convergence — ``econsec.network.esri``, the
  sample's cascades as columns of one level matrix, every firm updated every iteration, until no
  level moves by more than 1e-10; too slow to finish at this size (about 100 hours), so it runs a
  random sample of firms and its total is extrapolated;
* ``scan_esri``: the certified scan (batched Gauss-Seidel sweeps compiled with Numba, each
  firm's ESRI within ``--tol`` of the truth by proof), every firm, 2 threads;
* the maximum absolute difference between the two on the sample (goal: at most 1e-4), and
  whether every difference lies within the scan's certified bound;
* the same on a network ten times smaller, for the growth of the time per firm, and from it a
  projection to 1,000,000 firms and 10,000,000 links;
* ``esri_spark`` in local mode on a smaller network (fan-out check).

Run: ``python benchmarks/esri_benchmark.py [--firms 100000 --links 1000000 --sample 32]``;
``--scan-sample N`` scans N random firms instead of all (the total is then extrapolated).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from econsec.network import Network, esri
from econsec.network.systemic import compile_network, scan_esri


def synthetic_network(n_firms: int, n_links: int, seed: int = 11) -> Network:
    rng = np.random.default_rng(seed)
    tiers = np.sort(rng.integers(0, 5, n_firms))
    output = rng.lognormal(np.log(1e6), 1.2, n_firms)
    suppliers, buyers = [], []
    per_buyer = max(n_links // max(int((tiers > 0).sum()), 1), 1)
    for t in range(1, 5):
        pool = np.flatnonzero(tiers == t - 1)
        buyers_t = np.flatnonzero(tiers == t)
        popularity = rng.pareto(1.1, pool.size) + 1
        p = popularity / popularity.sum()
        k = rng.poisson(per_buyer, buyers_t.size).clip(1, pool.size)
        b = np.repeat(buyers_t, k)
        s = rng.choice(pool, size=b.size, p=p)
        suppliers.append(s)
        buyers.append(b)
    s = np.concatenate(suppliers)
    b = np.concatenate(buyers)
    pairs = np.unique(np.stack([s, b], axis=1), axis=0)
    s, b = pairs[:, 0], pairs[:, 1]
    value = output[b] * rng.uniform(0.01, 0.1, s.size)
    sales = np.bincount(s, weights=value, minlength=n_firms)
    output = np.maximum(output, sales / 0.75)
    products = tuple(f"p{i}" for i in rng.integers(0, 4, s.size))
    return Network(
        firm_ids=tuple(f"F{i}" for i in range(n_firms)),
        names=("",) * n_firms,
        countries=("XXX",) * n_firms,
        sectors=tuple(f"T{t}" for t in tiers),
        output=output,
        supplier=s.astype(np.int64),
        buyer=b.astype(np.int64),
        product=products,
        value=value,
        essential=rng.random(s.size) < 0.5,
        source="synthetic benchmark network",
    )


def measure(
    n_firms: int, n_links: int, sample_size: int, scan_size: int | None, tol: float
) -> dict[str, float]:
    """Baseline on a sample, the scan on all firms (or ``scan_size``), errors on the sample."""
    t = time.perf_counter()
    net = synthetic_network(n_firms, n_links)
    print(
        f"network: {net.n_firms:,} firms, {net.n_links:,} links ({time.perf_counter() - t:.1f} s)"
    )
    rng = np.random.default_rng(3)
    sample = np.sort(rng.choice(net.n_firms, size=min(sample_size, net.n_firms), replace=False))
    t = time.perf_counter()
    base = esri(net, sample, batch=max(sample.size, 1), tol=1e-10)
    base_time = time.perf_counter() - t
    print(f"  baseline, {sample.size} firms: {base_time:.1f} s", flush=True)
    t = time.perf_counter()
    compiled = compile_network(net)
    scan_esri(compiled, sample[:2], tol=tol)  # compiles the kernel (cached on disk afterwards)
    prep = time.perf_counter() - t
    if scan_size is None:
        firms = np.arange(net.n_firms)
    else:
        others = rng.choice(net.n_firms, size=min(scan_size, net.n_firms), replace=False)
        firms = np.union1d(others, sample)
    started = time.perf_counter()
    last = [started]

    def progress(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 60 or done == total:
            last[0] = time.perf_counter()
            print(f"  scan: {done:,}/{total:,} firms, {last[0] - started:,.0f} s", flush=True)

    scan = scan_esri(
        compiled, firms, tol=tol, threads=2, piece=min(4096, firms.size // 2 + 1), progress=progress
    )
    scan_time = time.perf_counter() - started
    at = np.searchsorted(firms, sample)
    diff = np.abs(scan.esri[at] - base)
    return {
        "firms": net.n_firms,
        "links": net.n_links,
        "sample": sample.size,
        "base_time": base_time,
        "base_total": base_time * net.n_firms / sample.size,
        "scanned": firms.size,
        "scan_time": scan_time,
        "prep": prep,
        "scan_total": scan_time * net.n_firms / firms.size,
        "error": float(diff.max()),
        "within_bound": bool(np.all(diff <= scan.bound[at] + 1e-9)),
        "bound": float(scan.bound.max()),
        "sweeps": float(scan.sweeps.mean()),
        "median": float(np.median(scan.esri)),
        "max": float(scan.esri.max()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=32, help="firms run by the baseline")
    parser.add_argument("--tol", type=float, default=1e-5, help="certified error of each ESRI")
    parser.add_argument("--scan-sample", type=int, help="scan this many random firms, not all")
    parser.add_argument("--skip-spark", action="store_true")
    args = parser.parse_args()
    small = measure(args.firms // 10, args.links // 10, 4 * args.sample, None, args.tol)
    large = measure(args.firms, args.links, args.sample, args.scan_sample, args.tol)
    print()
    print(
        "| network | method | firms run | seconds | all firms (s) | speed-up | max abs error "
        "| within certified bound | mean sweeps |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in (small, large):
        print(
            f"| {r['firms']:,} firms, {r['links']:,} links | baseline | {r['sample']:,} | "
            f"{r['base_time']:.1f} | {r['base_total']:,.0f} | 1 | | | |"
        )
        print(
            f"| | `scan_esri`, tol {args.tol:g}, 2 threads | {r['scanned']:,} | "
            f"{r['scan_time']:,.1f} | {r['scan_total']:,.0f} | "
            f"{r['base_total'] / r['scan_total']:,.1f} | {r['error']:.1e} | "
            f"{'yes' if r['within_bound'] else 'NO'} | {r['sweeps']:.1f} |"
        )
    print(
        f"ESRI, {large['firms']:,} firms: max {large['max']:.4f}, median {large['median']:.2e}; "
        f"largest certified bound {large['bound']:.1e}"
    )
    growth = (large["scan_total"] / large["firms"]) / (small["scan_total"] / small["firms"])
    per_firm = large["scan_total"] / large["firms"] * growth
    projected = per_firm * 10 * large["firms"]
    print(
        f"projection for {10 * large['firms']:,} firms and {10 * large['links']:,} links: the "
        f"time per firm grew {growth:.1f}x from {small['firms']:,} to {large['firms']:,} firms, "
        f"so about {per_firm:.2f} s per firm and {projected:,.0f} s for all on 2 threads "
        f"({projected * 2 / 3600:,.1f} core-hours)"
    )
    if not args.skip_spark:
        import os
        import sys

        from pyspark.sql import SparkSession

        os.environ["PYSPARK_PYTHON"] = sys.executable  # executors run this Python (and econsec)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")

        from econsec.network.systemic import esri_spark

        net = synthetic_network(20_000, 200_000)
        spark = (
            SparkSession.builder.master("local[2]")
            .config("spark.ui.enabled", "false")
            .getOrCreate()
        )
        t = time.perf_counter()
        on_spark = esri_spark(net, spark, partitions=4, tol=args.tol)
        spark_time = time.perf_counter() - t
        local = scan_esri(net, tol=args.tol)
        print(
            f"Spark local[2], 20,000 firms: {spark_time:.1f} s; max difference to scan_esri "
            f"{np.abs(on_spark.esri - local.esri).max():.1e}"
        )


if __name__ == "__main__":
    main()
