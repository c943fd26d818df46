"""Benchmark: one hypothetical extraction on an EXIOBASE-sized table (9,800 sectors).

Table: 49 regions × 200 sectors, about 3 % of cells non-zero (each column buys from ~300
country-sectors, mostly at home), 40-60 % of each column's output bought as inputs, seeded.
Extraction: all intermediate inputs from region 0 to region 1.

Compared in the same run:

* baseline: pymrio's dense path — ``pymrio.calc_A``, ``pymrio.calc_L`` (the dense Leontief
  inverse, as ``calc_all`` does) on the table with the block set to zero, then ``L y``;
* ``econsec.sectors.extract``: sparse matrices, solved with GMRES (no inverse).

Run: ``python benchmarks/extraction_benchmark.py [--regions 49 --sectors 200]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp

from econsec.sectors import MRIO, extract


def synthetic_table(regions: int, sectors: int, density: float = 0.03, seed: int = 5) -> MRIO:
    rng = np.random.default_rng(seed)
    n = regions * sectors
    region = np.repeat(np.arange(regions), sectors)
    per_column = int(density * n)
    rows, cols = [], []
    for j in range(n):
        home = np.flatnonzero(region == region[j])
        k_home = min(per_column // 2, home.size)
        rows.append(rng.choice(home, k_home, replace=False))
        rows.append(rng.choice(n, per_column - k_home, replace=False))
        cols.append(np.full(per_column, j))
    r, c = np.concatenate(rows), np.concatenate(cols)
    w = rng.lognormal(0.0, 1.5, r.size)
    W = sp.csc_matrix((w, (r, c)), shape=(n, n))
    W.sum_duplicates()
    colsum = np.asarray(W.sum(axis=0)).ravel()
    A = sp.csr_matrix(W @ sp.diags(rng.uniform(0.4, 0.6, n) / colsum))
    y = rng.lognormal(np.log(1e3), 1.0, n)
    x = sp.linalg.spsolve(sp.identity(n, format="csc") - A.tocsc(), y) if n <= 3000 else None
    if x is None:
        from econsec.sectors import leontief_output

        x = leontief_output(A, y)
    Z = sp.csr_matrix(A @ sp.diags(x))
    labels_r = tuple(f"R{i}" for i in region)
    labels_s = tuple(f"S{i % sectors}" for i in range(n))
    return MRIO(labels_r, labels_s, Z, y, x, "synthetic units", "synthetic EXIOBASE-sized table")


def baseline(table: MRIO) -> np.ndarray:
    import pymrio

    n = table.n
    index = pd.MultiIndex.from_arrays([table.countries, table.sectors], names=["region", "sector"])
    Z = table.Z.toarray()
    rows = np.array(table.countries) == "R0"
    cols = np.array(table.countries) == "R1"
    Z_star = Z.copy()
    Z_star[np.ix_(rows, cols)] = 0.0
    x = pd.DataFrame(table.x, index=index, columns=["indout"])
    A = pymrio.calc_A(pd.DataFrame(Z_star, index=index, columns=index), x)
    L = pymrio.calc_L(A)
    del n
    return np.asarray(L.to_numpy() @ table.y)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--regions", type=int, default=49)
    parser.add_argument("--sectors", type=int, default=200)
    args = parser.parse_args()
    t = time.perf_counter()
    table = synthetic_table(args.regions, args.sectors)
    print(
        f"table: {table.n:,} sectors, {table.Z.nnz:,} non-zero cells "
        f"({table.Z.nnz / table.n**2:.1%}), built in {time.perf_counter() - t:.1f} s",
        flush=True,
    )
    t = time.perf_counter()
    ours = extract(table, "R0", "R1")
    ours_time = time.perf_counter() - t
    print(f"econsec extract: {ours_time:.2f} s", flush=True)
    t = time.perf_counter()
    theirs = baseline(table)
    base_time = time.perf_counter() - t
    print(f"pymrio dense path: {base_time:.1f} s", flush=True)
    diff = np.abs(ours.x_star - theirs).max() / np.abs(theirs).max()
    print()
    print("| method | seconds | speed-up | max relative difference of x* |")
    print("|---|---|---|---|")
    print(f"| pymrio calc_A + calc_L (dense inverse) + L y | {base_time:.1f} | 1 | |")
    print(
        f"| econsec.sectors.extract (sparse, GMRES) | {ours_time:.2f} | {base_time / ours_time:.0f} "
        f"| {diff:.1e} |"
    )


if __name__ == "__main__":
    main()
