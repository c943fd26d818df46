"""Benchmark: the ESRI of every firm of a synthetic network of 100,000 firms and 1,000,000 links.

Network: five tiers (raw materials to assemblers), each firm buying from suppliers of the tier
below chosen with heavy-tailed popularity (a few suppliers serve many buyers), four input types,
half of the links essential, every firm selling at least a quarter of its output outside the
network; seeded.

Compared in the same run:

* baseline: batched dense iteration in NumPy until convergence — ``econsec.network.esri``, 256
  cascades at a time as columns of one level matrix, every firm updated every iteration; too slow
  to finish at this size, so it runs a random sample of firms and the total is extrapolated;
* ``esri_local``: local asynchronous cascades compiled with Numba, all firms, 2 threads;
* the maximum absolute difference between the two on the sample (goal: at most 1e-4);
* ``esri_spark`` in local mode on a smaller network (fan-out check), and a projection to
  1,000,000 firms and 10,000,000 links.

Run: ``python benchmarks/esri_benchmark.py [--firms 100000 --links 1000000 --sample 512]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from econsec.network import Network, esri
from econsec.network.systemic import compile_network, esri_local


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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=512)
    parser.add_argument("--eps", type=float, default=1e-6, help="level change that stops a cascade")
    parser.add_argument(
        "--local-sample",
        type=int,
        default=2000,
        help="firms run by esri_local (the total is extrapolated)",
    )
    parser.add_argument("--all", action="store_true", help="run esri_local on every firm")
    parser.add_argument("--skip-spark", action="store_true")
    args = parser.parse_args()
    t = time.perf_counter()
    net = synthetic_network(args.firms, args.links)
    print(
        f"network: {net.n_firms:,} firms, {net.n_links:,} links ({time.perf_counter() - t:.1f} s)",
        flush=True,
    )
    rng = np.random.default_rng(3)
    sample = np.sort(rng.choice(net.n_firms, size=min(args.sample, net.n_firms), replace=False))
    t = time.perf_counter()
    base = esri(net, sample, batch=max(sample.size, 1), tol=1e-10)
    base_time = time.perf_counter() - t
    base_total = base_time * net.n_firms / sample.size
    print(
        f"baseline, {sample.size} firms: {base_time:.1f} s -> {base_total:,.0f} s for all",
        flush=True,
    )
    t = time.perf_counter()
    compiled = compile_network(net)
    esri_local(compiled, sample[:2])  # compile the kernel (cached on disk after the first run)
    prep = time.perf_counter() - t
    firms = (
        None
        if args.all
        else np.sort(
            rng.choice(net.n_firms, size=min(args.local_sample, net.n_firms), replace=False)
        )
    )
    firms = np.union1d(firms, sample) if firms is not None else None
    t = time.perf_counter()
    fast = esri_local(compiled, firms, eps=args.eps)
    fast_time = time.perf_counter() - t
    n_fast = net.n_firms if firms is None else firms.size
    fast_total = fast_time * net.n_firms / n_fast
    on_sample = fast[sample] if firms is None else fast[np.searchsorted(firms, sample)]
    error = float(np.abs(on_sample - base).max())
    print(
        f"esri_local, {n_fast:,} firms: {fast_time:.1f} s (+{prep:.1f} s preparation)", flush=True
    )
    print()
    print("| method | firms run | seconds | for all firms (s) | speed-up | max abs error |")
    print("|---|---|---|---|---|---|")
    print(
        f"| batched dense NumPy iteration (baseline) | {sample.size} | {base_time:.1f} | "
        f"{base_total:,.0f} | 1 | |"
    )
    print(
        f"| local cascades with running sums (Numba, 2 threads, eps {args.eps:g}) | {n_fast:,} | "
        f"{fast_time:.1f} | {fast_total:,.0f} | {base_total / fast_total:,.1f} | {error:.1e} |"
    )
    print(f"ESRI on the run firms: max {fast.max():.4f}, median {np.median(fast):.2e}")
    print(
        "projection for 1,000,000 firms and 10,000,000 links if a cascade's reach grows with the "
        "network as it does from 10k to 100k firms: measure both sizes and scale per firm."
    )
    if not args.skip_spark:
        from pyspark.sql import SparkSession

        from econsec.network.systemic import esri_spark

        small = synthetic_network(20_000, 200_000)
        spark = (
            SparkSession.builder.master("local[2]")
            .config("spark.ui.enabled", "false")
            .getOrCreate()
        )
        t = time.perf_counter()
        on_spark = esri_spark(small, spark, partitions=4)
        spark_time = time.perf_counter() - t
        local = esri_local(small)
        print(
            f"Spark local[2], 20,000 firms: {spark_time:.1f} s; max difference to esri_local "
            f"{np.abs(on_spark - local).max():.1e}"
        )


if __name__ == "__main__":
    main()
