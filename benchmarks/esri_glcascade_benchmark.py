"""Benchmark: econsec's certified ESRI scan against the authors' own implementation.

The baseline is GLcascade 0.9.3.1 with its C++ kernels (fastcascade 0.9.3.1), the R packages of
the ESRI paper's first author (Diem et al. 2022, Sci. Rep. 12:7719; GPL). They are installed by
this script into a temporary R library from the folder given by ``--glcascade`` (see the README
there; R, Rcpp, RcppArmadillo and Matrix come from Debian's packages) and run as a separate
process: nothing of them is copied into econsec.

Networks: ``n`` firms in 8 sectors, about 2.25 links per firm, suppliers chosen with heavy-tailed
popularity among all firms (so there are cycles and a large strongly connected core), each
input's essentiality set by the sector pair (0 irrelevant, 1 non-essential, 2 essential, as in
the reference), inputs grouped by the supplier's sector, output at least the network sales;
seeded. Both sides compute the published rule with revenue = weights = output:

* GLcascade: ``GL_cascade(..., revenue = output, h_weights = output, eps, use_rcpp = TRUE)``
  on a random sample of firms (``psi_mat`` with one column per sampled firm; all firms up to
  ``--sample``); its time for all firms is extrapolated from the sample;
* econsec: ``scan_esri(model="published", tol)`` on every firm up to ``--scan-limit`` firms
  (else on a sample holding GLcascade's), 2 threads, with the kernel compiled beforehand;
* the answers: the largest difference on the common firms, and whether GLcascade's values lie
  within the scan's certified bounds (GLcascade stops when no level moves by more than eps,
  which bounds no error; see docs/networks.md).

Run: ``python benchmarks/esri_glcascade_benchmark.py [--sizes 2000,10000,100000]
[--glcascade DIR] [--eps 1e-12] [--tol 1e-8] [--sample 200] [--scan-limit 20000]``.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from econsec.network import Network
from econsec.network.systemic import compile_network, scan_esri

SECTORS = 8

RUNNER = r"""
suppressMessages({library(Matrix); library(GLcascade); library(fastcascade)})
a <- commandArgs(trailingOnly = TRUE)
d <- a[1]; eps <- as.numeric(a[2])
L <- read.csv(file.path(d, "links.csv")); F <- read.csv(file.path(d, "firms.csv"))
E <- as.matrix(read.csv(file.path(d, "ess.csv"), row.names = 1, check.names = FALSE))
S <- read.csv(file.path(d, "sample.csv"))
n <- nrow(F)
W <- Matrix::sparseMatrix(i = L$i, j = L$j, x = L$w, dims = c(n, n))
psi <- Matrix::sparseMatrix(i = S$firm, j = seq_len(nrow(S)), x = 1, dims = c(n, nrow(S)))
t0 <- proc.time()
invisible(capture.output(res <- GL_cascade(W = W, p = F$p, ess_mat_sec = E, psi_mat = psi,
  revenue = F$output, h_weights = cbind(F$output), eps = eps, use_rcpp = TRUE, ncores = FALSE,
  track_conv = TRUE, conv_type = 1)))
el <- (proc.time() - t0)[["elapsed"]]
C <- as.matrix(res$ESRI_conv)
write.csv(data.frame(esri = as.matrix(res$ESRI)[, 1], iters = C[, 3]),
          file.path(d, "out.csv"), row.names = FALSE)
cat(sprintf("elapsed=%.3f\n", el))
"""


def synthetic_network(n_firms: int, seed: int = 7) -> tuple[Network, np.ndarray]:
    """A network and its sector-pair essentiality matrix (rows: the supplier's sector)."""
    rng = np.random.default_rng(seed)
    sector = rng.integers(0, SECTORS, n_firms)
    ess = rng.choice([0, 1, 2], size=(SECTORS, SECTORS), p=[0.15, 0.55, 0.3])
    popularity = rng.pareto(1.2, n_firms) + 1
    p = popularity / popularity.sum()
    k = rng.poisson(2.4, n_firms).clip(0, n_firms - 1)
    buyer = np.repeat(np.arange(n_firms), k)
    supplier = rng.choice(n_firms, size=buyer.size, p=p)
    pairs = np.unique(np.stack([supplier, buyer], axis=1)[supplier != buyer], axis=0)
    supplier, buyer = pairs[:, 0], pairs[:, 1]
    value = rng.lognormal(0.0, 1.0, supplier.size)
    sales = np.bincount(supplier, weights=value, minlength=n_firms)
    inputs = np.bincount(buyer, weights=value, minlength=n_firms)
    output = np.maximum(sales / rng.uniform(0.3, 0.9, n_firms), inputs * 1.2) + 1.0
    level = ess[sector[supplier], sector[buyer]]
    net = Network(
        firm_ids=tuple(f"F{i}" for i in range(n_firms)),
        names=("",) * n_firms,
        countries=("XXX",) * n_firms,
        sectors=tuple(f"S{s}" for s in sector),
        output=output,
        supplier=supplier.astype(np.int64),
        buyer=buyer.astype(np.int64),
        product=tuple(f"S{s}" for s in sector[supplier]),
        value=value,
        essential=level == 2,
        source="synthetic GLcascade benchmark network",
        relevant=level > 0,
    )
    return net, ess


def install(source: Path, library: Path) -> None:
    for package in ("fastcascade_0.9.3.1.tar.gz", "GLcascade_0.9.3.1.tar.gz"):
        print(f"installing {package} (R CMD INSTALL)", flush=True)
        subprocess.run(
            ["R", "CMD", "INSTALL", "-l", str(library), str(source / package)],
            check=True,
            capture_output=True,
            env={**os.environ, "R_LIBS": str(library)},
        )


def glcascade(
    net: Network, ess: np.ndarray, sample: np.ndarray, eps: float, work: Path, library: Path
) -> tuple[np.ndarray, np.ndarray, float]:
    """GLcascade's ESRI of the sampled firms, its iterations and its seconds (GL_cascade only)."""
    with (work / "links.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["i", "j", "w"])
        w.writerows(zip(net.supplier + 1, net.buyer + 1, net.value.tolist(), strict=True))
    with (work / "firms.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["p", "output"])
        w.writerows(zip(net.sectors, net.output.tolist(), strict=True))
    with (work / "ess.csv").open("w", newline="") as f:
        w = csv.writer(f)
        names = [f"S{s}" for s in range(SECTORS)]
        w.writerow(["", *names])
        w.writerows([names[r], *ess[r].tolist()] for r in range(SECTORS))
    (work / "sample.csv").write_text("firm\n" + "".join(f"{i + 1}\n" for i in sample))
    (work / "run.R").write_text(RUNNER)
    done = subprocess.run(
        ["Rscript", str(work / "run.R"), str(work), repr(eps)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "R_LIBS": str(library)},
    )
    match = re.search(r"elapsed=([0-9.]+)", done.stdout)
    if match is None:
        raise RuntimeError(f"GLcascade printed no time: {done.stdout[-500:]} {done.stderr[-500:]}")
    with (work / "out.csv").open() as f:
        rows = list(csv.DictReader(f))
    return (
        np.array([float(r["esri"]) for r in rows]),
        np.array([float(r["iters"]) for r in rows]),
        float(match.group(1)),
    )


def measure(
    n: int, args: argparse.Namespace, library: Path, rng: np.random.Generator
) -> dict[str, float]:
    net, ess = synthetic_network(n)
    sample = np.sort(rng.choice(n, size=min(args.sample, n), replace=False))
    with tempfile.TemporaryDirectory() as tmp:
        theirs, iters, gl_time = glcascade(net, ess, sample, args.eps, Path(tmp), library)
    print(f"  {n:,} firms: GLcascade {gl_time:.1f} s for {sample.size:,} firms", flush=True)
    compiled = compile_network(net, "published")
    scan_esri(compiled, sample[:2], tol=args.tol)  # compiles the kernel (cached afterwards)
    firms = (
        np.arange(n)
        if n <= args.scan_limit
        else np.union1d(sample, rng.choice(n, size=args.scan_limit, replace=False))
    )
    t = time.perf_counter()
    scan = scan_esri(compiled, firms, tol=args.tol, threads=2, piece=firms.size // 2 + 1)
    scan_time = time.perf_counter() - t
    print(f"  {n:,} firms: econsec {scan_time:.1f} s for {firms.size:,} firms", flush=True)
    at = np.searchsorted(firms, sample)
    diff = np.abs(scan.esri[at] - theirs)
    return {
        "firms": n,
        "links": net.n_links,
        "gl_firms": sample.size,
        "gl_time": gl_time,
        "gl_total": gl_time * n / sample.size,
        "gl_iters": float(iters.mean()),
        "scan_firms": firms.size,
        "scan_time": scan_time,
        "scan_total": scan_time * n / firms.size,
        "sweeps": float(scan.sweeps.mean()),
        "error": float(diff.max()),
        "within": float(np.mean(diff <= scan.bound[at] + 1e-12)),
        "certified": float(scan.certified.mean()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="2000,10000,100000")
    parser.add_argument("--glcascade", type=Path, default=Path("../shared/baselines/glcascade"))
    parser.add_argument("--eps", type=float, default=1e-12, help="GLcascade's stopping rule")
    parser.add_argument("--tol", type=float, default=1e-8, help="econsec's certified error")
    parser.add_argument("--sample", type=int, default=200, help="firms GLcascade runs")
    parser.add_argument("--scan-limit", type=int, default=20_000, help="firms econsec runs")
    args = parser.parse_args()
    rng = np.random.default_rng(5)
    with tempfile.TemporaryDirectory() as lib:
        install(args.glcascade, Path(lib))
        rows = [measure(int(n), args, Path(lib), rng) for n in args.sizes.split(",")]
    print()
    print(
        "| network | method | firms run | seconds | all firms (s) | speed-up | mean iterations "
        "| max abs difference | GLcascade within econsec's bound |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['firms']:,} firms, {r['links']:,} links | GLcascade 0.9.3.1 (fastcascade), "
            f"eps {args.eps:g} | {r['gl_firms']:,} | {r['gl_time']:,.1f} | "
            f"{r['gl_total']:,.0f} | 1 | {r['gl_iters']:.1f} | | |"
        )
        print(
            f"| | econsec `scan_esri`, published, tol {args.tol:g}, 2 threads | "
            f"{r['scan_firms']:,} | {r['scan_time']:,.1f} | {r['scan_total']:,.1f} | "
            f"**{r['gl_total'] / r['scan_total']:,.1f}** | {r['sweeps']:.1f} sweeps | "
            f"{r['error']:.1e} | {r['within']:.0%} (certified {r['certified']:.0%}) |"
        )


if __name__ == "__main__":
    main()
