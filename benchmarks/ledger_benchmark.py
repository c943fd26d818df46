"""Cost of the release ledger's audit as earlier disclosures grow (1,000, 10,000, 100,000).

A synthetic platform: 3,000 firms, 8,000 suppliers of 1,000 products with 5 to 50 customer firms
each, and 40 sectors of 50 firms. Input shares are given to two decimals, as firms report them,
so equal numbers are common. Earlier disclosures are finding releases on random suppliers (each
firm present with probability 0.9, its input share changed since the last release with
probability 0.1) and, one in a hundred, a sector's benchmark snapshot (10 % of the firms' values
changed since the sector's last one). For each size it measures, over 60 new disclosures (finding releases and
snapshots alike):

* the audit (:func:`econsec.sharing.ledger.audit`): median and 95th percentile;
* the baseline in the same run: the guard's single-cell check (:func:`econsec.sharing.disclosure.
  check`), which looks at no earlier release — the ratio is what the ledger adds;
* at 1,000 only, a naive audit: the exact-disclosure test on the whole incidence matrix of all
  input shares (no connected components) — what the ledger would cost without them;
* loading the ledger from the store: reading and opening the sealed rows (SQLite) into memory.

Run: ``python benchmarks/ledger_benchmark.py [--sizes 1000 10000 100000]``. Prints a table; the
latest numbers are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import statistics as stats_
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from econsec.sharing.disclosure import Guard, check
from econsec.sharing.ledger import Ledger, Statistic, audit, statistic
from econsec.storage.ledger import add_disclosure, disclosures_since
from econsec.storage.platform_db import connect, migrate
from econsec.storage.sealing import KeyRing, new_key

FIRMS, SUPPLIERS, PRODUCTS, SECTORS, SECTOR_SIZE = 3000, 8000, 1000, 40, 50


class World:
    """Suppliers' customers and the firms' current values; disclosures drawn from them."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = np.random.default_rng(seed)
        self.customers = [
            self.rng.choice(FIRMS, size=int(self.rng.integers(5, 51)), replace=False)
            for _ in range(SUPPLIERS)
        ]
        self.products = self.rng.integers(PRODUCTS, size=SUPPLIERS)
        self.shares = [self.rng.uniform(0.01, 0.6, size=len(c)).round(2) for c in self.customers]
        self.days = self.rng.uniform(5, 120, size=(SECTORS, SECTOR_SIZE)).round(1)

    def finding(self) -> Statistic:
        s = int(self.rng.integers(SUPPLIERS))
        changed = self.rng.random(len(self.customers[s])) < 0.1
        self.shares[s][changed] = self.rng.uniform(0.01, 0.6, size=int(changed.sum())).round(2)
        present = self.rng.random(len(self.customers[s])) < 0.9
        values = {f"f{f}": float(x) for f, x, p in
                  zip(self.customers[s], self.shares[s], present, strict=True) if p}  # fmt: skip
        return statistic(f"input_share:{self.products[s]}", values, high=1.0)

    def snapshot(self) -> Statistic:
        sector = int(self.rng.integers(SECTORS))
        changed = self.rng.random(SECTOR_SIZE) < 0.1
        self.days[sector][changed] = self.rng.uniform(5, 120, size=int(changed.sum())).round(1)
        values = {f"s{sector}-{i}": float(v) for i, v in enumerate(self.days[sector])}
        return statistic("benchmark:inventory_days", values)

    def disclosures(self, n: int) -> Iterator[Statistic]:
        for _ in range(n):
            yield self.snapshot() if self.rng.random() < 0.01 else self.finding()


def _naive(ledger: Ledger, new: Statistic) -> bool:
    """The exact-disclosure test on the whole incidence matrix of the measure (no connected
    components): one SVD of every row, then the projector's diagonal."""
    rows = [s for s in ledger.statistics if s.measure.split(":")[0] == new.measure.split(":")[0]]
    rows.append(new)
    keys = sorted({k for s in rows for k in s.keys})
    col = {k: j for j, k in enumerate(keys)}
    A = np.zeros((len(rows), len(keys)))
    for i, s in enumerate(rows):
        for k, (_, w, _) in zip(s.keys, s.terms, strict=True):
            A[i, col[k]] = w
    _, sv, Vt = np.linalg.svd(A, full_matrices=False)
    V = Vt[: int((sv > 1e-9 * sv[0]).sum())]
    return bool((np.einsum("ij,ij->j", V, V) < 1 - 1e-9).all())


def _ms(times: list[float]) -> tuple[float, float]:
    return 1000 * stats_.median(times), 1000 * float(np.percentile(times, 95))


def _load(earlier: list[Statistic], folder: Path) -> tuple[float, float]:
    """Seconds to write the disclosures to SQLite, and to read and open them all."""
    ring = KeyRing({"k1": new_key()}, "k1")
    engine = connect(f"sqlite:///{folder / 'ledger.db'}")
    migrate(engine)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        for s in earlier:
            add_disclosure(conn, ring, "release", "bench", [s], {}, "bench")
    written = time.perf_counter() - t0
    t0 = time.perf_counter()
    with engine.connect() as conn:
        rows = disclosures_since(conn, ring, 0)
    Ledger(s for _, ss in rows for s in ss)
    engine.dispose()
    return written, time.perf_counter() - t0


def run(size: int, folder: Path) -> dict[str, object]:
    world = World()
    earlier = list(world.disclosures(size))
    tracemalloc.start()
    t0 = time.perf_counter()
    ledger = Ledger(earlier)
    build = time.perf_counter() - t0
    memory = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    new = [world.snapshot() if i % 4 == 0 else world.finding() for i in range(60)]
    audits, guards, verdicts = [], [], []
    for s in new:
        t0 = time.perf_counter()
        verdicts.append(audit(ledger, [s]).rule)
        audits.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        check({f: x for f, _, x in s.terms}, (), Guard())
        guards.append(time.perf_counter() - t0)
    naive = None
    if size <= 1000:
        t0 = time.perf_counter()
        _naive(ledger, new[1])  # a finding release: the largest measure
        naive = time.perf_counter() - t0
    written, loaded = _load(earlier, folder)
    return {"size": size, "audit": _ms(audits), "guard": _ms(guards), "naive": naive,
            "build": build, "memory": memory, "written": written, "loaded": loaded,
            "refused": sum(v != "ok" for v in verdicts), "n_new": len(new)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    args = parser.parse_args()
    print("| earlier disclosures | audit p50 ms | audit p95 ms | guard p50 ms | audit / guard "
          "| naive audit ms | refused | ledger in memory | load from SQLite s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            folder = Path(tmp) / str(size)
            folder.mkdir()
            r = run(size, folder)
            a50, a95 = r["audit"]  # type: ignore[misc]
            g50, _ = r["guard"]  # type: ignore[misc]
            naive = f"{1000 * r['naive']:.0f}" if r["naive"] is not None else "—"
            print(f"| {size:,} | {a50:.1f} | {a95:.1f} | {g50:.3f} | {a50 / g50:.0f}× | {naive} "
                  f"| {r['refused']} of {r['n_new']} | {r['memory']:.0f} MiB, built in "
                  f"{r['build']:.1f} s | {r['loaded']:.1f} (written in {r['written']:.0f}) |",
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
