"""Benchmark: a dependency screen of every importer and product on a BACI-sized year.

Data: a synthetic year in BACI's published layout (about 10 million rows, about 220 countries,
about 5,000 HS6 codes, log-normal values with sigma 2.5, seeded), written as BACI CSV plus the
same rows as plain Parquet with BACI's integer codes. The CSV is imported into an econsec
workspace with ``econsec data import baci`` (timed too).

Compared in the same run, each in its own process (wall time and peak resident memory):

* ``pandas``: a straightforward pandas implementation of the same metrics (baseline 1);
* ``duckdb-sql``: one hand-written DuckDB query over the plain Parquet file (baseline 2, the
  practical limit of the engine);
* ``econsec-duckdb``: ``run_screen`` (GeoDep preset, every metric) on the workspace;
* ``econsec-cli``: the whole command ``econsec screen --all-importers --year Y --format parquet``;
* ``econsec-spark``: ``run_screen`` on Spark in local mode (session start included).

Run: ``python benchmarks/screen_benchmark.py [--rows 10000000] [--skip-spark]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

YEAR = 2023


def generate(folder: Path, rows: int, seed: int = 7) -> None:
    """Write the synthetic year as BACI CSV, its country-code file and plain Parquet."""
    import pycountry

    rng = np.random.default_rng(seed)
    countries = sorted(pycountry.countries, key=lambda c: c.numeric)[:220]
    numeric = np.array([int(c.numeric) for c in countries])
    with (folder / "country_codes_V202601.csv").open("w") as handle:
        handle.write("country_code,country_name,country_iso2,country_iso3\n")
        for c in countries:
            handle.write(f'{int(c.numeric)},"{c.name}",{c.alpha_2},{c.alpha_3}\n')
    n_c = len(countries)
    size = rng.pareto(1.1, n_c) + 1
    p_pair = np.outer(size, size)
    np.fill_diagonal(p_pair, 0)
    p_pair = (p_pair / p_pair.sum()).ravel()
    products = np.unique(rng.integers(10000, 970000, 6000))[:5000]
    weight = rng.lognormal(0.0, 1.0, products.size)
    cap = n_c * (n_c - 1) * 0.5  # at most half of all country pairs trade a product
    alloc = weight / weight.sum() * rows
    for _ in range(50):  # give what the cap cuts off to the products below it
        capped = np.minimum(alloc, cap)
        short = rows - capped.sum()
        if short < rows * 0.005:
            break
        free = capped < cap
        alloc = capped + free * weight / weight[free].sum() * short
    per_product = np.maximum(capped.astype(int), 5)
    parts = []
    for k, n in zip(products, per_product, strict=True):
        pairs = rng.choice(p_pair.size, size=int(n), replace=False, p=p_pair)
        parts.append((np.full(pairs.size, k, np.int32), pairs))
    k = np.concatenate([p[0] for p in parts])
    pairs = np.concatenate([p[1] for p in parts])
    i, j = numeric[pairs // n_c], numeric[pairs % n_c]
    v = np.round(rng.lognormal(3.0, 2.5, k.size), 3)
    q = np.where(rng.random(k.size) < 0.1, np.nan, np.round(v * rng.lognormal(0, 1, k.size), 3))
    table = pa.table(
        {
            "t": np.full(k.size, YEAR, np.int16),
            "i": i,
            "j": j,
            "k": k,
            "v": v,
            "q": pa.array(q, from_pandas=True),
        }
    )
    pq.write_table(table, folder / "plain.parquet")
    pacsv.write_csv(
        table, folder / f"BACI_HS17_Y{YEAR}_V202601.csv", pacsv.WriteOptions(quoting_style="none")
    )


HAND_SQL = """
WITH b AS (SELECT i, j, k, v FROM read_parquet('{path}') WHERE v > 0),
imp AS (SELECT j, k, i, sum(v) AS v FROM b GROUP BY j, k, i),
m AS (
  SELECT j, k, sum(v) AS imports, count(*) AS n, sum(v*v)/(sum(v)*sum(v)) AS hhi,
         arg_max(i, v) AS top, max(v)/sum(v) AS top_share,
         coalesce(sum(v) FILTER (WHERE i IN {concern}), 0)/sum(v) AS concern_share,
         coalesce(sum(v) FILTER (WHERE i IN {like}), 0)/sum(v) AS like_share
  FROM imp GROUP BY j, k),
x AS (SELECT i AS j, k, sum(v) AS exports FROM b GROUP BY i, k),
w AS (SELECT k, sum(v*v)/(sum(v)*sum(v)) AS whhi FROM (SELECT k, i, sum(v) v FROM b GROUP BY k, i) GROUP BY k)
SELECT m.*, coalesce(x.exports, 0) AS exports,
       CASE WHEN x.exports > 0 THEN m.imports / x.exports END AS ratio, w.whhi,
       m.hhi > 0.4 AND w.whhi > 0.4 AND coalesce(m.imports / nullif(x.exports, 0) > 1, TRUE) AS flagged
FROM m LEFT JOIN x USING (j, k) LEFT JOIN w USING (k)
"""


def run_pandas(folder: Path) -> tuple[int, float]:
    import pandas as pd

    start = time.perf_counter()
    df = pd.read_parquet(folder / "plain.parquet", columns=["i", "j", "k", "v"])
    imp = df.groupby(["j", "k", "i"], sort=False).v.sum().reset_index()
    tot = imp.groupby(["j", "k"], sort=False).v.transform("sum")
    imp["s2"] = (imp.v / tot) ** 2
    imp["top"] = imp.v / tot
    m = imp.groupby(["j", "k"], sort=False).agg(
        imports=("v", "sum"), n=("v", "size"), hhi=("s2", "sum"), top_share=("top", "max")
    )
    top = imp.sort_values("v").groupby(["j", "k"], sort=False).tail(1).set_index(["j", "k"]).i
    m["top"] = top
    x = df.groupby(["i", "k"], sort=False).v.sum().rename("exports")
    x.index = x.index.set_names(["j", "k"])
    m = m.join(x)
    w = df.groupby(["k", "i"], sort=False).v.sum().reset_index()
    w["s"] = w.v / w.groupby("k").v.transform("sum")
    whhi = (w.s**2).groupby(w.k).sum().rename("whhi")
    m = m.join(whhi, on="k")
    m["ratio"] = m.imports / m.exports
    m["flagged"] = (m.hhi > 0.4) & (m.whhi > 0.4) & ((m.ratio > 1) | m.exports.isna())
    m.reset_index().to_parquet(folder / "pandas.parquet")
    return len(m), time.perf_counter() - start


def run_duckdb_sql(folder: Path) -> tuple[int, float]:
    import duckdb

    start = time.perf_counter()
    concern = "(156, 643, 364, 408)"
    like = "(36, 40, 56, 124, 250, 276, 380, 392, 410, 528, 826, 842, 840)"
    sql = HAND_SQL.format(path=folder / "plain.parquet", concern=concern, like=like)
    con = duckdb.connect()
    con.execute(f"COPY ({sql}) TO '{folder / 'hand.parquet'}' (FORMAT parquet)")
    seconds = time.perf_counter() - start
    return int(
        con.execute(f"SELECT count(*) FROM '{folder / 'hand.parquet'}'").fetchone()[0]
    ), seconds


def run_econsec(folder: Path, engine: str) -> tuple[int, float]:
    import pyarrow.parquet as pq

    from econsec.analysis import Screen, prepare_screen, preset
    from econsec.reference.countries import load_groups
    from econsec.storage import Workspace, duckdb_engine, spark_engine

    start = time.perf_counter()
    groups = load_groups()
    ws = Workspace(folder / "ws")
    e = duckdb_engine(ws) if engine == "duckdb" else spark_engine(ws, master="local[2]")
    screen = Screen(
        None,
        YEAR,
        preset("geodep"),
        concern=groups["concern"].members,
        like_minded=groups["like_minded"].members,
    )
    out = folder / f"econsec-{engine}.parquet"
    e.write(prepare_screen(e, screen, ordered=False), out, "parquet")
    seconds = time.perf_counter() - start
    return pq.ParquetFile(out).metadata.num_rows, seconds


def child(variant: str, folder: Path) -> None:
    if variant == "pandas":
        n, seconds = run_pandas(folder)
    elif variant == "duckdb-sql":
        n, seconds = run_duckdb_sql(folder)
    else:
        n, seconds = run_econsec(folder, variant.removeprefix("econsec-"))
    print(json.dumps({"rows": n, "seconds": seconds}))


def measure(command: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out = proc.stdout.read().decode() if proc.stdout else ""
    if status != 0:
        raise SystemExit(f"{command} failed: {out}")
    inner = json.loads(out.strip().splitlines()[-1]) if out.strip().startswith("{") else {}
    return {
        "wall": wall,
        "inner": inner.get("seconds", wall),
        "rows": inner.get("rows", 0),
        "peak_gb": usage.ru_maxrss / 1024**2,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--skip-spark", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.folder)
        return
    # Installed packages have compiled bytecode (pip compiles at install time); make sure this
    # environment does too, so that process start-up is measured as a user would see it.
    import compileall
    import sysconfig

    for path in (sysconfig.get_paths()["purelib"], str(Path(__file__).parents[1] / "src")):
        compileall.compile_dir(path, quiet=2, workers=2)
    folder = Path(tempfile.mkdtemp(prefix="econsec-bench-"))
    t = time.perf_counter()
    generate(folder, args.rows)
    n_rows = pq.ParquetFile(folder / "plain.parquet").metadata.num_rows
    print(f"generated {n_rows:,} rows in {time.perf_counter() - t:.1f} s ({folder})", flush=True)
    econsec = [sys.executable, "-m", "econsec"]
    imp = measure(
        [
            *econsec,
            "data",
            "import",
            "baci",
            str(folder / f"BACI_HS17_Y{YEAR}_V202601.csv"),
            "--workspace",
            str(folder / "ws"),
        ]
    )
    print(f"import: {imp['wall']:.1f} s, peak {imp['peak_gb']:.2f} GB", flush=True)
    variants = ["pandas", "duckdb-sql", "econsec-duckdb", "econsec-cli"]
    if not args.skip_spark:
        variants.append("econsec-spark")
    results: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
    for _ in range(args.repeat):
        for variant in variants:
            if variant == "econsec-cli":
                command = [
                    str(Path(sys.executable).with_name("econsec")),
                    "screen",
                    "--all-importers",
                    "--year",
                    str(YEAR),
                    "--format",
                    "parquet",
                    "--output",
                    str(folder / "cli.parquet"),
                    "--workspace",
                    str(folder / "ws"),
                ]
            else:
                command = [sys.executable, __file__, "--child", variant, "--folder", str(folder)]
            results[variant].append(measure(command))
            print(f"  {variant}: {results[variant][-1]['wall']:.2f} s", flush=True)
    base_wall = min(r["wall"] for r in results["duckdb-sql"])
    base_engine = min(r["inner"] for r in results["duckdb-sql"])
    pandas_wall = min(r["wall"] for r in results["pandas"])
    pandas_engine = min(r["inner"] for r in results["pandas"])
    print(
        f"\n{n_rows:,} rows, best of {args.repeat}. Engine: the computation and the written "
        "result inside the process (no interpreter start or imports); process: wall time of the "
        "whole process. Ratios against the hand-written DuckDB query and pandas."
    )
    print(
        "| variant | engine s | vs hand-written | vs pandas | process s | vs hand-written "
        "| vs pandas | peak GB | rows |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for variant, runs in results.items():
        wall = min(r["wall"] for r in runs)
        inner = min(r["inner"] for r in runs) if variant != "econsec-cli" else float("nan")
        peak = min(r["peak_gb"] for r in runs)
        rows = int(max(r["rows"] for r in runs))
        print(
            f"| {variant} | {inner:.2f} | {inner / base_engine:.2f} | {inner / pandas_engine:.2f} "
            f"| {wall:.2f} | {wall / base_wall:.2f} | {wall / pandas_wall:.2f} | {peak:.2f} "
            f"| {rows:,} |"
        )
    print(f"| import (econsec data import baci) | {imp['wall']:.1f} | | | {imp['peak_gb']:.2f} | |")


if __name__ == "__main__":
    main()
